//! Ordering: the vertices of each row, sorted by the barycentre of their neighbours in a few
//! sweeps down and up, so that edges cross little.

use super::*;

/// The rows, each the vertices on it in order from left to right.
pub(super) fn rows(vs: &[Vertex], rows_n: usize) -> Vec<Vec<usize>> {
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
    rows
}
