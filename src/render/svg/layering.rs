//! Layering: every status on a row (longest path, back edges turned around, end statuses
//! last), and long edges cut into chains of waypoints, one per row they cross.

use super::*;

/// Rows by longest path over the graph with back edges reversed; end statuses last.
pub(super) fn layers(g: &Graph) -> (Vec<usize>, Vec<bool>) {
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

/// The vertices (statuses first, then the waypoints) and each edge as a chain of vertices from
/// its upper end to its lower end.
pub(super) fn vertices(
    g: &Graph,
    layer: &[usize],
    reversed: &[bool],
) -> (Vec<Vertex>, Vec<Vec<usize>>) {
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
    (vs, chains)
}
