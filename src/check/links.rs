//! Links between processes: `invalid-move-parent`, `start-cycle`.

use std::collections::{HashMap, HashSet};

use super::Ctx;
use crate::diagnostic::Diagnostic;

pub fn invalid_move_parent(ctx: &Ctx) -> Vec<Diagnostic> {
    let project = ctx.project;
    let mut out = Vec::new();
    // Who starts whom, computed once: a scan per process would be quadratic.
    let mut parents_of: HashMap<&str, Vec<&crate::model::Process>> = HashMap::new();
    for p in &project.processes {
        let mut started: Vec<&str> = p
            .statuses
            .iter()
            .flat_map(|s| s.start.iter().map(|l| l.process.v.as_str()))
            .collect();
        started.sort_unstable();
        started.dedup();
        for c in started {
            parents_of.entry(c).or_default().push(p);
        }
    }
    for child in &project.processes {
        if child.statuses.iter().all(|s| s.move_parent.is_none()) {
            continue;
        }
        let parents = parents_of
            .get(child.name.v.as_str())
            .cloned()
            .unwrap_or_default();
        for s in &child.statuses {
            let Some(target) = &s.move_parent else {
                continue;
            };
            if parents.is_empty() {
                out.push(ctx.error(
                    "invalid-move-parent",
                    &child.file,
                    target.span,
                    format!("status `{}` moves the parent record to `{}`, but no process starts `{}`", s.id.v, target.v, child.name.v),
                    format!("add `start: [{{ process: {} }}]` to a status of the parent process, or remove `move_parent`", child.name.v),
                ));
            }
            for parent in &parents {
                if parent.status(&target.v).is_none() {
                    let known: Vec<&str> =
                        parent.statuses.iter().map(|x| x.id.v.as_str()).collect();
                    out.push(ctx.error(
                        "invalid-move-parent",
                        &child.file,
                        target.span,
                        format!("status `{}` moves the parent record to `{}`, but parent process `{}` has no such status", s.id.v, target.v, parent.name.v),
                        super::suggestion(&target.v, known.iter().copied(), "statuses of the parent"),
                    ));
                }
            }
        }
    }
    out
}

pub fn start_cycle(ctx: &Ctx) -> Vec<Diagnostic> {
    let project = ctx.project;
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in &project.processes {
        for s in &p.statuses {
            for l in &s.start {
                next.entry(p.name.v.as_str())
                    .or_default()
                    .push(l.process.v.as_str());
            }
        }
    }
    // The path from `from` back to `to`, if any, for the message.
    let path_back = |from: &str, to: &str| -> Option<Vec<String>> {
        let mut prev: HashMap<&str, &str> = HashMap::new();
        let mut seen: HashSet<&str> = HashSet::from([from]);
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(x) = queue.pop_front() {
            if x == to {
                let mut path = vec![x.to_string()];
                let mut cur = x;
                while let Some(p) = prev.get(cur) {
                    path.push(p.to_string());
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            for &n in next.get(x).map(Vec::as_slice).unwrap_or(&[]) {
                if seen.insert(n) {
                    prev.insert(n, x);
                    queue.push_back(n);
                }
            }
        }
        None
    };
    let mut out = Vec::new();
    for p in &project.processes {
        for s in &p.statuses {
            for l in &s.start {
                if let Some(path) = path_back(&l.process.v, &p.name.v) {
                    let mut chain = vec![p.name.v.clone()];
                    chain.extend(path);
                    out.push(ctx.error(
                        "start-cycle",
                        &p.file,
                        l.process.span,
                        format!("processes start each other in a loop: {}", chain.join(" → ")),
                        "a started process must not start its ancestors again: remove one `start` link of the loop".into(),
                    ));
                }
            }
        }
    }
    out
}
