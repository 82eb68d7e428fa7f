//! The status graph drawn as an inline SVG by the program, so that an HTML handbook shows it
//! without scripts or network. A small layered layout: edges that lead back are turned around,
//! statuses are put on rows by longest path (every end status on the last row), long edges
//! get waypoints on the rows they cross, rows are ordered by barycentres, and boxes are
//! placed near their neighbours. Text widths are estimated with unicode-width (CJK counts two
//! columns). The output depends only on the graph: the same process gives the same bytes.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::graph::{EdgeKind, Graph};

const FONT_SIZE: f64 = 14.0;
const LABEL_FONT_SIZE: f64 = 12.0;
/// Width of one terminal column at `FONT_SIZE` (a CJK character is two).
const COLUMN: f64 = 7.6;
const LABEL_COLUMN: f64 = 6.6;
const NODE_H: f64 = 38.0;
const NODE_PAD: f64 = 18.0;
const MIN_NODE_W: f64 = 84.0;
const DUMMY_W: f64 = 18.0;
const H_GAP: f64 = 36.0;
const ROW_GAP: f64 = 70.0;
const MARGIN: f64 = 24.0;
const START_SPACE: f64 = 40.0;
const END_SPACE: f64 = 36.0;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn text_width(s: &str, column: f64) -> f64 {
    UnicodeWidthStr::width(s) as f64 * column
}

/// A number for the SVG: one decimal, no `-0.0`.
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".into()
    } else if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    fn around(cx: f64, cy: f64, w: f64, h: f64) -> Rect {
        Rect {
            x0: cx - w / 2.0,
            y0: cy - h / 2.0,
            x1: cx + w / 2.0,
            y1: cy + h / 2.0,
        }
    }
    fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// One vertex of the layered graph: a status or a waypoint of a long edge.
struct Vertex {
    layer: usize,
    width: f64,
    x: f64,
    up: Vec<usize>,
    down: Vec<usize>,
}

/// Rows by longest path over the graph with back edges reversed; end statuses last.
fn layers(g: &Graph) -> (Vec<usize>, Vec<bool>) {
    let count = g.nodes.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, e) in g.edges.iter().enumerate() {
        if e.from != e.to {
            out[e.from].push(i);
        }
    }
    // Depth-first from the initial status, then from any status not yet seen (display order):
    // an edge to a status still on the stack leads back.
    let mut reversed = vec![false; g.edges.len()];
    let mut state = vec![0u8; count]; // 0 new, 1 on stack, 2 done
    let mut roots: Vec<usize> = g.nodes.iter().position(|x| x.initial).into_iter().collect();
    roots.extend(0..count);
    for root in roots {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&ei) = out[v].get(*next) {
                *next += 1;
                let w = g.edges[ei].to;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => reversed[ei] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    // Longest path on the acyclic graph (Kahn, lowest index first).
    let mut indegree = vec![0usize; count];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, e) in g.edges.iter().enumerate() {
        if e.from == e.to {
            continue;
        }
        let (a, b) = if reversed[i] {
            (e.to, e.from)
        } else {
            (e.from, e.to)
        };
        succ[a].push(b);
        indegree[b] += 1;
    }
    let mut layer = vec![0usize; count];
    let mut ready: std::collections::BTreeSet<usize> =
        (0..count).filter(|&v| indegree[v] == 0).collect();
    while let Some(v) = ready.pop_first() {
        for &w in &succ[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.insert(w);
            }
        }
    }
    let last = (0..count)
        .filter(|&v| !g.nodes[v].terminal)
        .map(|v| layer[v] + 1)
        .max()
        .unwrap_or(0)
        .max(layer.iter().copied().max().unwrap_or(0));
    for (v, node) in g.nodes.iter().enumerate() {
        if node.terminal {
            layer[v] = last;
        }
    }
    (layer, reversed)
}

/// The main path: from the initial status, the first forward edge to a status that is not an
/// end, as long as there is one. It is drawn as a straight column.
fn spine(g: &Graph, reversed: &[bool]) -> Vec<usize> {
    let Some(mut v) = g.nodes.iter().position(|x| x.initial) else {
        return vec![];
    };
    let mut out = vec![v];
    loop {
        let candidates: Vec<&super::graph::Edge> = g
            .edges
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                e.from == v
                    && e.to != v
                    && !reversed[*i]
                    && !g.nodes[e.to].terminal
                    && !out.contains(&e.to)
            })
            .map(|(_, e)| e)
            .collect();
        // A button or an approval before an automatic move.
        let next = candidates
            .iter()
            .find(|e| e.kind != EdgeKind::Automatic)
            .or(candidates.first());
        match next {
            Some(e) => {
                v = e.to;
                out.push(v);
            }
            None => return out,
        }
    }
}

/// Places `row` (in order) as near as possible to `want`, keeping boxes `H_GAP` apart. A row
/// holding a status of the main path keeps it at x = 0 and packs the others around it;
/// otherwise it is the mean of the placement pushed right and the placement pushed left.
fn place_row(row: &[usize], want: &[f64], vs: &[Vertex], pinned: Option<usize>) -> Vec<f64> {
    let sep = |a: usize, b: usize| (vs[a].width + vs[b].width) / 2.0 + H_GAP;
    let k = row.len();
    if let Some(p) = pinned {
        let mut x = want.to_vec();
        x[p] = 0.0;
        for i in p + 1..k {
            x[i] = x[i].max(x[i - 1] + sep(row[i - 1], row[i]));
        }
        for i in (0..p).rev() {
            x[i] = x[i].min(x[i + 1] - sep(row[i], row[i + 1]));
        }
        return x;
    }
    let mut right = want.to_vec();
    for i in 1..k {
        right[i] = right[i].max(right[i - 1] + sep(row[i - 1], row[i]));
    }
    let mut left = want.to_vec();
    for i in (0..k.saturating_sub(1)).rev() {
        left[i] = left[i].min(left[i + 1] - sep(row[i], row[i + 1]));
    }
    (0..k).map(|i| (right[i] + left[i]) / 2.0).collect()
}

fn cubic(p0: (f64, f64), p1: (f64, f64), t: f64) -> (f64, f64) {
    // Vertical tangents: control points halfway down.
    let my = (p0.1 + p1.1) / 2.0;
    let c1 = (p0.0, my);
    let c2 = (p1.0, my);
    let u = 1.0 - t;
    let x = u * u * u * p0.0 + 3.0 * u * u * t * c1.0 + 3.0 * u * t * t * c2.0 + t * t * t * p1.0;
    let y = u * u * u * p0.1 + 3.0 * u * u * t * c1.1 + 3.0 * u * t * t * c2.1 + t * t * t * p1.1;
    (x, y)
}

/// The diagram as an `<svg>` element. `id` prefixes the ids inside (one page may hold several).
/// Spots around `(x, y)` for a label of `w` × `h`, nearest first: below and above, then to
/// the sides, in growing rings (bounded).
fn nearby((x, y): (f64, f64), w: f64, h: f64) -> impl Iterator<Item = (f64, f64)> {
    (1..=6).flat_map(move |k| {
        let k = f64::from(k);
        let (dx, dy) = (k * (w / 2.0 + 4.0), k * (h + 2.0));
        [
            (x, y + dy),
            (x, y - dy),
            (x + dx, y),
            (x - dx, y),
            (x + dx, y + dy),
            (x - dx, y - dy),
        ]
    })
}

pub fn draw(g: &Graph, id: &str, title: &str) -> String {
    let count = g.nodes.len();
    if count == 0 {
        return String::new();
    }
    let (layer, reversed) = layers(g);
    let rows_n = layer.iter().copied().max().unwrap_or(0) + 1;

    let mut vs: Vec<Vertex> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| Vertex {
            layer: layer[i],
            width: (text_width(&node.title, COLUMN) + 2.0 * NODE_PAD).max(MIN_NODE_W),
            x: 0.0,
            up: vec![],
            down: vec![],
        })
        .collect();
    // Each edge as a chain of vertices from its upper end to its lower end.
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(g.edges.len());
    for (i, e) in g.edges.iter().enumerate() {
        if e.from == e.to {
            chains.push(vec![e.from]);
            continue;
        }
        let (a, b) = if reversed[i] {
            (e.to, e.from)
        } else {
            (e.from, e.to)
        };
        let mut chain = vec![a];
        for l in layer[a] + 1..layer[b] {
            vs.push(Vertex {
                layer: l,
                width: DUMMY_W,
                x: 0.0,
                up: vec![],
                down: vec![],
            });
            chain.push(vs.len() - 1);
        }
        chain.push(b);
        for w in chain.windows(2) {
            vs[w[0]].down.push(w[1]);
            vs[w[1]].up.push(w[0]);
        }
        chains.push(chain);
    }

    // Rows, ordered by barycentres, a few sweeps down and up.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); rows_n];
    for (v, vx) in vs.iter().enumerate() {
        rows[vx.layer].push(v);
    }
    let mut pos = vec![0.0f64; vs.len()];
    let set_pos = |rows: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for row in rows {
            for (i, &v) in row.iter().enumerate() {
                pos[v] = i as f64;
            }
        }
    };
    set_pos(&rows, &mut pos);
    for sweep in 0..6 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..rows_n).collect()
        } else {
            (0..rows_n.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let mut keyed: Vec<(f64, f64, usize)> = rows[l]
                .iter()
                .map(|&v| {
                    let nb = if down { &vs[v].up } else { &vs[v].down };
                    let key = if nb.is_empty() {
                        pos[v]
                    } else {
                        nb.iter().map(|&u| pos[u]).sum::<f64>() / nb.len() as f64
                    };
                    (key, pos[v], v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            rows[l] = keyed.into_iter().map(|k| k.2).collect();
            for (i, &v) in rows[l].iter().enumerate() {
                pos[v] = i as f64;
            }
        }
    }

    // x: rows packed and centred, then pulled towards their neighbours.
    let main = spine(g, &reversed);
    for row in &rows {
        let total: f64 = row.iter().map(|&v| vs[v].width).sum::<f64>()
            + H_GAP * row.len().saturating_sub(1) as f64;
        let mut x = -total / 2.0;
        for &v in row {
            vs[v].x = x + vs[v].width / 2.0;
            x += vs[v].width + H_GAP;
        }
    }
    for sweep in 0..8 {
        let order: Vec<usize> = if sweep % 2 == 0 {
            (0..rows_n).collect()
        } else {
            (0..rows_n).rev().collect()
        };
        for l in order {
            // Neighbours pull; a status pulls a status harder than a waypoint does, so that
            // the main path runs straight and long edges go round it.
            let want: Vec<f64> = rows[l]
                .iter()
                .map(|&v| {
                    let (mut sum, mut weight) = (0.0, 0.0);
                    for &u in vs[v].up.iter().chain(vs[v].down.iter()) {
                        let w = if v < count && u < count { 4.0 } else { 1.0 };
                        sum += w * vs[u].x;
                        weight += w;
                    }
                    if weight == 0.0 {
                        vs[v].x
                    } else {
                        sum / weight
                    }
                })
                .collect();
            let pinned = rows[l].iter().position(|v| main.contains(v));
            let placed = place_row(&rows[l], &want, &vs, pinned);
            for (i, &v) in rows[l].iter().enumerate() {
                vs[v].x = placed[i];
            }
        }
    }
    let has_self_loop = g.edges.iter().any(|e| e.from == e.to);
    let min_x = vs
        .iter()
        .map(|v| v.x - v.width / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = MARGIN - min_x;
    for v in vs.iter_mut() {
        v.x += shift;
    }
    let row_y = |l: usize| MARGIN + START_SPACE + l as f64 * (NODE_H + ROW_GAP) + NODE_H / 2.0;
    let node_rect = |v: usize| Rect::around(vs[v].x, row_y(vs[v].layer), vs[v].width, NODE_H);

    // Ports: the edges leaving a box downwards (or arriving from above) spread along its side,
    // ordered by where their other end is.
    let mut bottom_ports: Vec<Vec<(f64, usize)>> = vec![Vec::new(); count];
    let mut top_ports: Vec<Vec<(f64, usize)>> = vec![Vec::new(); count];
    for (ei, chain) in chains.iter().enumerate() {
        if chain.len() < 2 {
            continue;
        }
        let a = chain[0];
        let b = chain[chain.len() - 1];
        bottom_ports[a].push((vs[chain[1]].x, ei));
        top_ports[b].push((vs[chain[chain.len() - 2]].x, ei));
    }
    let mut port_x = vec![(0.0f64, 0.0f64); g.edges.len()];
    for v in 0..count {
        for (ports, bottom) in [(&mut bottom_ports[v], true), (&mut top_ports[v], false)] {
            ports.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let k = ports.len();
            let span = (vs[v].width * 0.6).min(k as f64 * 18.0);
            for (i, &(_, ei)) in ports.iter().enumerate() {
                let x = if k == 1 {
                    vs[v].x
                } else {
                    vs[v].x - span / 2.0 + span * i as f64 / (k - 1) as f64
                };
                if bottom {
                    port_x[ei].0 = x;
                } else {
                    port_x[ei].1 = x;
                }
            }
        }
    }

    let height = row_y(rows_n - 1) + NODE_H / 2.0 + END_SPACE + MARGIN;

    // Edge paths and label spots.
    struct Drawn {
        d: String,
        kind: EdgeKind,
        label: String,
        candidates: Vec<(f64, f64)>,
        transition: usize,
    }
    let mut drawn: Vec<Drawn> = Vec::new();
    for (ei, e) in g.edges.iter().enumerate() {
        let chain = &chains[ei];
        let label = format!("{}{}", e.label, super::mermaid::marker(e.kind));
        if chain.len() == 1 {
            let r = node_rect(e.from);
            let (x, y) = (r.x1, (r.y0 + r.y1) / 2.0);
            let d = format!(
                "M{} {} C{} {} {} {} {} {}",
                n(x),
                n(y - 8.0),
                n(x + 40.0),
                n(y - 30.0),
                n(x + 40.0),
                n(y + 30.0),
                n(x),
                n(y + 8.0)
            );
            drawn.push(Drawn {
                d,
                kind: e.kind,
                label,
                candidates: vec![(x + 44.0 + text_width(&e.label, LABEL_COLUMN) / 2.0, y)],
                transition: e.transition,
            });
            continue;
        }
        let mut pts: Vec<(f64, f64)> = Vec::with_capacity(chain.len());
        for (i, &v) in chain.iter().enumerate() {
            let y = row_y(vs[v].layer);
            if i == 0 {
                pts.push((port_x[ei].0, y + NODE_H / 2.0));
            } else if i == chain.len() - 1 {
                pts.push((port_x[ei].1, y - NODE_H / 2.0));
            } else {
                pts.push((vs[v].x, y));
            }
        }
        let mut candidates = Vec::new();
        let half = text_width(&label, LABEL_COLUMN) / 2.0 + 9.0;
        for t in [0.5, 0.3, 0.7, 0.2, 0.8] {
            for w in pts.windows(2) {
                candidates.push(cubic(w[0], w[1], t));
            }
        }
        // Beside the line, when it is crowded.
        for w in pts.windows(2) {
            let (x, y) = cubic(w[0], w[1], 0.5);
            candidates.push((x + half, y));
            candidates.push((x - half, y));
        }
        if reversed[ei] {
            pts.reverse();
        }
        let mut d = format!("M{} {}", n(pts[0].0), n(pts[0].1));
        for w in pts.windows(2) {
            let my = (w[0].1 + w[1].1) / 2.0;
            let _ = write!(
                d,
                " C{} {} {} {} {} {}",
                n(w[0].0),
                n(my),
                n(w[1].0),
                n(my),
                n(w[1].0),
                n(w[1].1)
            );
        }
        drawn.push(Drawn {
            d,
            kind: e.kind,
            label,
            candidates,
            transition: e.transition,
        });
    }

    // Labels where they cover no box and no other label; a transition drawn from several
    // statuses keeps one label if there is no room for the others.
    let nodes: Vec<Rect> = (0..count).map(node_rect).collect();
    let mut placed: Vec<Rect> = Vec::new();
    let mut labelled: Vec<usize> = Vec::new();
    let mut labels: Vec<Option<(f64, f64)>> = Vec::with_capacity(drawn.len());
    for dr in &drawn {
        let w = text_width(&dr.label, LABEL_COLUMN) + 10.0;
        let h = LABEL_FONT_SIZE + 6.0;
        let free = |&(x, y): &(f64, f64)| {
            let r = Rect::around(x, y, w, h);
            !nodes.iter().any(|o| o.overlaps(&r)) && !placed.iter().any(|o| o.overlaps(&r))
        };
        // A transition drawn from three or more statuses is labelled once.
        let crowded = drawn
            .iter()
            .filter(|o| o.transition == dr.transition)
            .count()
            >= 3;
        let spot = if crowded && labelled.contains(&dr.transition) {
            None
        } else {
            dr.candidates.iter().copied().find(|c| free(c)).or_else(|| {
                if labelled.contains(&dr.transition) {
                    return None;
                }
                // Every spot on the line is taken (two opposite transitions share it): move
                // away from it step by step rather than cover another label.
                let first = dr.candidates.first().copied()?;
                nearby(first, w, h).find(|c| free(c)).or(Some(first))
            })
        };
        if let Some((x, y)) = spot {
            placed.push(Rect::around(x, y, w, h));
            labelled.push(dr.transition);
        }
        labels.push(spot);
    }

    // The drawing's extent, labels included; everything is shifted right by `dx`.
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
    for (dr, spot) in drawn.iter().zip(&labels) {
        if let Some((x, _)) = spot {
            let w = text_width(&dr.label, LABEL_COLUMN) + 10.0;
            lo = lo.min(x - w / 2.0);
            hi = hi.max(x + w / 2.0);
        }
    }
    let dx = MARGIN - lo;
    let max_x = hi - lo + 2.0 * MARGIN;

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
    // Start: a dot above the initial status.
    if let Some(init) = g.nodes.iter().position(|x| x.initial) {
        let r = node_rect(init);
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
    for dr in &drawn {
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
    for (i, node) in g.nodes.iter().enumerate() {
        let r = node_rect(i);
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
    for (dr, spot) in drawn.iter().zip(&labels) {
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
    s.push_str("</g></svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::graph::{Edge, Node};

    fn node(t: &str, initial: bool, terminal: bool) -> Node {
        Node {
            title: t.into(),
            initial,
            terminal,
        }
    }

    fn edge(from: usize, to: usize, label: &str, kind: EdgeKind, transition: usize) -> Edge {
        Edge {
            from,
            to,
            label: label.into(),
            kind,
            transition,
        }
    }

    fn sample() -> Graph {
        Graph {
            nodes: vec![
                node("待审批", true, false),
                node("已审批", false, false),
                node("已发货 <&>", false, false),
                node("已取消", false, true),
                node("已退货", false, true),
            ],
            edges: vec![
                edge(0, 1, "提交审批", EdgeKind::Approval, 0),
                edge(1, 2, "确认发货", EdgeKind::Manual, 1),
                edge(2, 0, "退回", EdgeKind::Manual, 2),
                edge(0, 3, "取消", EdgeKind::Manual, 3),
                edge(1, 3, "取消", EdgeKind::Manual, 3),
                edge(0, 4, "退货", EdgeKind::Automatic, 4),
                edge(1, 4, "退货", EdgeKind::Automatic, 4),
                edge(2, 4, "退货", EdgeKind::Automatic, 4),
                edge(2, 2, "自检", EdgeKind::Manual, 5),
            ],
        }
    }

    #[test]
    fn layers_put_ends_last_and_turn_back_edges() {
        let g = sample();
        let (layer, reversed) = layers(&g);
        assert_eq!(layer, vec![0, 1, 2, 3, 3]);
        assert_eq!(
            reversed,
            vec![false, false, true, false, false, false, false, false, false]
        );
    }

    #[test]
    fn draws_every_status_escaped_and_deterministically() {
        let g = sample();
        let a = draw(&g, "d1", "流程 <x>");
        assert_eq!(a, draw(&g, "d1", "流程 <x>"));
        assert!(a.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(a.ends_with("</svg>"));
        assert!(a.contains("已发货 &lt;&amp;&gt;"));
        assert!(a.contains("<title id=\"d1-title\">流程 &lt;x&gt;</title>"));
        assert_eq!(a.matches("<g class=\"state\">").count(), 5);
        assert!(a.contains("提交审批 ✔"));
        assert!(!a.contains("NaN") && !a.contains("inf"));
    }

    #[test]
    fn wide_titles_make_wide_boxes() {
        let narrow = Graph {
            nodes: vec![node("甲", true, true)],
            edges: vec![],
        };
        let wide = Graph {
            nodes: vec![node("一个非常非常非常长的状态标题", true, true)],
            edges: vec![],
        };
        let width = |s: &str| {
            let at = s.find("width=\"").unwrap() + 7;
            s[at..].split('"').next().unwrap().parse::<f64>().unwrap()
        };
        assert!(width(&draw(&wide, "a", "")) > width(&draw(&narrow, "a", "")) + 150.0);
    }

    /// The label boxes of a drawing: (x, y, width, height).
    fn label_boxes(svg: &str) -> Vec<(f64, f64, f64, f64)> {
        svg.split("<g class=\"label\"><rect ")
            .skip(1)
            .map(|part| {
                let attr = |name: &str| -> f64 {
                    let at = part.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                    part[at..at + part[at..].find('"').unwrap()]
                        .parse()
                        .unwrap()
                };
                (attr("x"), attr("y"), attr("width"), attr("height"))
            })
            .collect()
    }

    #[test]
    fn opposite_transitions_with_long_labels_do_not_cover_each_other() {
        let g = Graph {
            nodes: vec![
                node("待提交", true, false),
                node("待审核", false, false),
                node("已完成", false, true),
            ],
            edges: vec![
                edge(0, 1, "提交完成审核", EdgeKind::Manual, 0),
                edge(1, 0, "退回实施人员重做", EdgeKind::Manual, 1),
                edge(1, 2, "审核通过", EdgeKind::Approval, 2),
            ],
        };
        let svg = draw(&g, "d", "翻译任务");
        let boxes = label_boxes(&svg);
        assert_eq!(boxes.len(), 3, "{svg}");
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "labels overlap: {a:?} {b:?}");
            }
        }
        // Whole labels, never cut.
        assert!(svg.contains(">提交完成审核</text>") && svg.contains(">退回实施人员重做</text>"));
    }
}
