//! `unreachable-status`: a status cannot be reached from the initial status.

use crate::check::shared::reach;
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;

pub const CODE: Code = &Doc {
    code: "unreachable-status",
    kind: Kind::Validation,
    summary: "A status cannot be reached from the initial status",
    what: "No chain of transitions leads from the initial status to this status, so no record \
        can ever be in it.",
    why: "Whatever the SOP says happens in that status (its tasks, notifications and checks) \
        never happens; usually a transition into it was forgotten.",
    example: include_str!("unreachable_status/bad.yaml"),
    fixed: include_str!("unreachable_status/fixed.yaml"),
    help: "Add a transition into the status from a status that is reachable, or delete the \
        status if it is no longer used.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(unreachable_status),
    },
};

pub fn unreachable_status(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let Some(initial) = p.initial() else {
        return vec![];
    };
    // With several initial statuses (reported on its own), each counts as a start.
    let starts = p
        .statuses
        .iter()
        .filter(|s| s.initial)
        .map(|s| s.id.v.as_str())
        .collect();
    let seen = reach(p, starts, false);
    p.statuses
        .iter()
        .filter(|s| !seen.contains(s.id.v.as_str()))
        .map(|s| {
            ctx.error(
                CODE,
                &p.file,
                s.id.span,
                format!("status `{}` ({}) cannot be reached from the initial status `{}`", s.id.v, s.title.v, initial.id.v),
                format!("add a transition with `to: {}` from a status records pass through, or remove the status", s.id.v),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
