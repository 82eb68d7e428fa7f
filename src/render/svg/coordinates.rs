//! Coordinates: x for every vertex (rows packed and centred, then pulled towards their
//! neighbours, the main path straight), and y from the row.

use super::*;

/// Sets `x` of every vertex, the leftmost box edge at `MARGIN`.
pub(super) fn place(g: &Graph, vs: &mut [Vertex], rows: &[Vec<usize>], reversed: &[bool]) {
    let count = g.nodes.len();
    let rows_n = rows.len();
    // x: rows packed and centred, then pulled towards their neighbours.
    let main = spine(g, reversed);
    for row in rows {
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
            let placed = place_row(&rows[l], &want, vs, pinned);
            for (i, &v) in rows[l].iter().enumerate() {
                vs[v].x = placed[i];
            }
        }
    }
    let min_x = vs
        .iter()
        .map(|v| v.x - v.width / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = MARGIN - min_x;
    for v in vs.iter_mut() {
        v.x += shift;
    }
}

/// The centre line of row `l`.
pub(super) fn row_y(l: usize) -> f64 {
    MARGIN + START_SPACE + l as f64 * (NODE_H + ROW_GAP) + NODE_H / 2.0
}

/// The box of status `v`.
pub(super) fn node_rect(vs: &[Vertex], v: usize) -> Rect {
    Rect::around(vs[v].x, row_y(vs[v].layer), vs[v].width, NODE_H)
}

/// The main path: from the initial status, the first forward edge to a status that is not an
/// end, as long as there is one. It is drawn as a straight column.
fn spine(g: &Graph, reversed: &[bool]) -> Vec<usize> {
    let Some(mut v) = g.nodes.iter().position(|x| x.initial) else {
        return vec![];
    };
    let mut out = vec![v];
    loop {
        let candidates: Vec<&crate::render::graph::Edge> = g
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
