//! The status graph of a process, as both diagrams (Mermaid and SVG) draw it: nodes in display
//! order, one edge per (from, to) pair with `"*"` expanded.

use crate::model::Process;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub title: String,
    pub initial: bool,
    pub terminal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// Taken by hand (a button).
    Manual,
    /// Taken after its approval steps.
    Approval,
    /// Taken by the system when its `when` condition holds.
    Automatic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub label: String,
    pub kind: EdgeKind,
    /// Index of the transition in the process (edges of one `"*"` transition share it).
    pub transition: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Graph {
    pub fn of(p: &Process) -> Graph {
        let nodes = p
            .statuses
            .iter()
            .map(|s| Node {
                title: s.title.v.clone(),
                initial: s.initial,
                terminal: s.terminal,
            })
            .collect();
        let index = |id: &str| p.statuses.iter().position(|s| s.id.v == id);
        let mut edges = Vec::new();
        for (ti, t) in p.transitions.iter().enumerate() {
            let Some(to) = index(&t.to.v) else { continue };
            let kind = if t.when.is_some() {
                EdgeKind::Automatic
            } else if !t.approval.is_empty() {
                EdgeKind::Approval
            } else {
                EdgeKind::Manual
            };
            let label = t
                .title
                .clone()
                .unwrap_or_else(|| p.statuses[to].title.v.clone());
            for f in p.from_ids(t) {
                let Some(from) = index(f) else { continue };
                edges.push(Edge {
                    from,
                    to,
                    label: label.clone(),
                    kind,
                    transition: ti,
                });
            }
        }
        Graph { nodes, edges }
    }
}
