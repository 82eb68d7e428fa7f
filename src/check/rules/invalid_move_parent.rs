//! `invalid-move-parent`: move_parent cannot move any parent record.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use std::collections::HashMap;

pub const CODE: Code = &Doc {
    code: "invalid-move-parent",
    kind: Kind::Validation,
    summary: "move_parent cannot move any parent record",
    what: "A status's `move_parent` is on a process that no process starts, or names a status \
        that the starting (parent) process does not have.",
    why: "The parent record is meant to move on when the child work is done; if it cannot, \
        the parent stays behind and the people waiting on it are never told to go on.",
    example: include_str!("invalid_move_parent/bad.yaml"),
    fixed: include_str!("invalid_move_parent/fixed.yaml"),
    help: "Name a status of the parent process that the parent has a transition into, or \
        start this process from the parent's `start`.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: Some(invalid_move_parent),
        process: None,
    },
};

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
                    CODE,
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
                        CODE,
                        &child.file,
                        target.span,
                        format!("status `{}` moves the parent record to `{}`, but parent process `{}` has no such status", s.id.v, target.v, parent.name.v),
                        crate::check::shared::suggestion(&target.v, known.iter().copied(), "statuses of the parent"),
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
