//! Output: the SVG text, boxes, edges and labels shifted so the drawing starts at `MARGIN`.

use super::*;

/// The `<svg>` element of the laid-out graph.
pub(super) fn svg(
    g: &Graph,
    vs: &[Vertex],
    drawn: &[Drawn],
    labels: &[Option<(f64, f64)>],
    (id, title): (&str, &str),
) -> String {
    let rows_n = vs.iter().map(|v| v.layer).max().unwrap_or(0) + 1;
    let height = row_y(rows_n - 1) + NODE_H / 2.0 + END_SPACE + MARGIN;
    let (dx, max_x) = extent(g, vs, drawn, labels);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram" role="img" aria-labelledby="{id}-title" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',system-ui,sans-serif">"#,
        w = n(max_x),
        h = n(height)
    );
    let _ = write!(s, "<title id=\"{id}-title\">{}</title>", esc(title));
    let _ = write!(
        s,
        concat!(
            "<defs>",
            "<marker id=\"{id}-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#444\"/></marker>",
            "<marker id=\"{id}-arrow-auto\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#c2410c\"/></marker>",
            "<marker id=\"{id}-arrow-approval\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#15803d\"/></marker>",
            "</defs>"
        ),
        id = id
    );
    let _ = write!(s, "<g transform=\"translate({} 0)\">", n(dx));
    start(&mut s, g, vs, id);
    edges(&mut s, drawn, id);
    boxes(&mut s, g, vs, id);
    label_boxes(&mut s, drawn, labels);
    s.push_str("</g></svg>");
    s
}

/// The drawing's extent, labels included: the shift right (`dx`) and the width.
fn extent(g: &Graph, vs: &[Vertex], drawn: &[Drawn], labels: &[Option<(f64, f64)>]) -> (f64, f64) {
    let has_self_loop = g.edges.iter().any(|e| e.from == e.to);
    let mut lo = vs
        .iter()
        .map(|v| v.x - v.width / 2.0)
        .fold(f64::INFINITY, f64::min);
    let mut hi = vs
        .iter()
        .map(|v| v.x + v.width / 2.0)
        .fold(f64::NEG_INFINITY, f64::max);
    if has_self_loop {
        hi += 44.0;
    }
    for (dr, spot) in drawn.iter().zip(labels) {
        if let Some((x, _)) = spot {
            let w = text_width(&dr.label, LABEL_COLUMN) + 10.0;
            lo = lo.min(x - w / 2.0);
            hi = hi.max(x + w / 2.0);
        }
    }
    let dx = MARGIN - lo;
    let max_x = hi - lo + 2.0 * MARGIN;
    (dx, max_x)
}

/// Start: a dot above the initial status.
fn start(s: &mut String, g: &Graph, vs: &[Vertex], id: &str) {
    if let Some(init) = g.nodes.iter().position(|x| x.initial) {
        let r = node_rect(vs, init);
        let cx = vs[init].x;
        let cy = r.y0 - START_SPACE + 8.0;
        let _ = write!(
            s,
            "<circle cx=\"{}\" cy=\"{}\" r=\"7\" fill=\"#222\"/><path d=\"M{} {} L{} {}\" stroke=\"#444\" stroke-width=\"1.5\" marker-end=\"url(#{id}-arrow)\"/>",
            n(cx),
            n(cy),
            n(cx),
            n(cy + 7.0),
            n(cx),
            n(r.y0 - 1.0)
        );
    }
}

fn edges(s: &mut String, drawn: &[Drawn], id: &str) {
    for dr in drawn {
        let (stroke, marker, dash) = match dr.kind {
            EdgeKind::Manual => ("#444", format!("{id}-arrow"), ""),
            EdgeKind::Approval => ("#15803d", format!("{id}-arrow-approval"), ""),
            EdgeKind::Automatic => (
                "#c2410c",
                format!("{id}-arrow-auto"),
                " stroke-dasharray=\"6 4\"",
            ),
        };
        let _ = write!(
            s,
            "<path d=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.5\"{dash} marker-end=\"url(#{marker})\"/>",
            dr.d
        );
    }
}

/// The status boxes, and a ringed dot below each end status.
fn boxes(s: &mut String, g: &Graph, vs: &[Vertex], id: &str) {
    for (i, node) in g.nodes.iter().enumerate() {
        let r = node_rect(vs, i);
        let (fill, stroke) = if node.initial {
            ("#e0f2fe", "#0369a1")
        } else if node.terminal {
            ("#f1f5f9", "#334155")
        } else {
            ("#ffffff", "#334155")
        };
        let _ = write!(
            s,
            "<g class=\"state\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>",
            n(r.x0),
            n(r.y0),
            n(r.x1 - r.x0),
            n(NODE_H)
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" dominant-baseline=\"central\" fill=\"#0f172a\">{}</text></g>",
            n(vs[i].x),
            n(row_y(vs[i].layer)),
            n(FONT_SIZE),
            esc(&node.title)
        );
        if node.terminal {
            // End: a ringed dot below the status.
            let cy = r.y1 + END_SPACE - 12.0;
            let _ = write!(
                s,
                "<path d=\"M{x} {} L{x} {}\" stroke=\"#444\" stroke-width=\"1.5\" marker-end=\"url(#{id}-arrow)\"/><circle cx=\"{x}\" cy=\"{}\" r=\"8\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\"/><circle cx=\"{x}\" cy=\"{}\" r=\"4.5\" fill=\"#222\"/>",
                n(r.y1 + 1.0),
                n(cy - 9.0),
                n(cy),
                n(cy),
                x = n(vs[i].x)
            );
        }
    }
}

fn label_boxes(s: &mut String, drawn: &[Drawn], labels: &[Option<(f64, f64)>]) {
    for (dr, spot) in drawn.iter().zip(labels) {
        let Some((x, y)) = spot else { continue };
        let w = text_width(&dr.label, LABEL_COLUMN) + 10.0;
        let color = match dr.kind {
            EdgeKind::Manual => "#1f2937",
            EdgeKind::Approval => "#166534",
            EdgeKind::Automatic => "#9a3412",
        };
        let _ = write!(
            s,
            "<g class=\"label\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"#ffffff\" fill-opacity=\"0.92\"/><text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" dominant-baseline=\"central\" fill=\"{color}\">{}</text></g>",
            n(x - w / 2.0),
            n(y - (LABEL_FONT_SIZE + 6.0) / 2.0),
            n(w),
            n(LABEL_FONT_SIZE + 6.0),
            n(*x),
            n(*y),
            n(LABEL_FONT_SIZE),
            esc(&dr.label)
        );
    }
}
