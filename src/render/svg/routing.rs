//! Edge routing: where each edge leaves and enters its boxes, its path through its
//! waypoints, and where its label goes.

use super::*;

/// One edge as drawn: its path, and the spots its label may take, best first.
pub(super) struct Drawn {
    pub d: String,
    pub kind: EdgeKind,
    pub label: String,
    pub candidates: Vec<(f64, f64)>,
    pub transition: usize,
}

/// Ports: the edges leaving a box downwards (or arriving from above) spread along its side,
/// ordered by where their other end is. Per edge: (x at its upper end, x at its lower end).
fn ports(g: &Graph, vs: &[Vertex], chains: &[Vec<usize>]) -> Vec<(f64, f64)> {
    let count = g.nodes.len();
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
    port_x
}

/// Every edge's path and label spots.
pub(super) fn route(
    g: &Graph,
    vs: &[Vertex],
    chains: &[Vec<usize>],
    reversed: &[bool],
) -> Vec<Drawn> {
    let port_x = ports(g, vs, chains);
    let mut drawn: Vec<Drawn> = Vec::new();
    for (ei, e) in g.edges.iter().enumerate() {
        let chain = &chains[ei];
        let label = format!("{}{}", e.label, crate::render::mermaid::marker(e.kind));
        if chain.len() == 1 {
            let r = node_rect(vs, e.from);
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
    drawn
}

/// Labels where they cover no box and no other label; a transition drawn from several
/// statuses keeps one label if there is no room for the others.
pub(super) fn place_labels(g: &Graph, vs: &[Vertex], drawn: &[Drawn]) -> Vec<Option<(f64, f64)>> {
    let count = g.nodes.len();
    let nodes: Vec<Rect> = (0..count).map(|v| node_rect(vs, v)).collect();
    let mut placed: Vec<Rect> = Vec::new();
    let mut labelled: Vec<usize> = Vec::new();
    let mut labels: Vec<Option<(f64, f64)>> = Vec::with_capacity(drawn.len());
    for dr in drawn {
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
    labels
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
