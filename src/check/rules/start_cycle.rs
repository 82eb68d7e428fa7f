//! `start-cycle`: processes start each other in a loop.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use std::collections::{HashMap, HashSet};

pub const CODE: Code = &Doc {
    code: "start-cycle",
    kind: Kind::Validation,
    summary: "Processes start each other in a loop",
    what: "Following `start` from process to process comes back to a process already on the \
        way: A starts B and B starts A, directly or through others.",
    why: "Each record would start another without end, flooding people with tasks; a loop \
        usually means a hand-back was modelled as a new start.",
    example: include_str!("start_cycle/bad.yaml"),
    fixed: include_str!("start_cycle/fixed.yaml"),
    help: "Break the loop: hand work back with `move_parent` or a notification instead of \
        starting the earlier process again.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: Some(start_cycle),
        process: None,
    },
};

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
                        CODE,
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

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
