//! `dead-end-status`: no terminal status can be reached from a status.

use crate::check::shared::{reach, record_word};
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;

pub const CODE: Code = &Doc {
    code: "dead-end-status",
    kind: Kind::Validation,
    summary: "No terminal status can be reached from a status",
    what: "A record in this status can never finish: no chain of transitions leads from it to \
        a terminal status.",
    why: "Records that reach this status are stuck for good: they stay open, keep showing up \
        as work to do, and nobody is told how to close them.",
    example: include_str!("dead_end_status/bad.yaml"),
    fixed: include_str!("dead_end_status/fixed.yaml"),
    help: "Add a transition out of the status towards a terminal status, or mark the status \
        `terminal: true` if the record is finished there.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(dead_end_status),
    },
};

pub fn dead_end_status(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let terminals: Vec<&str> = p
        .statuses
        .iter()
        .filter(|s| s.terminal)
        .map(|s| s.id.v.as_str())
        .collect();
    if terminals.is_empty() {
        return vec![];
    }
    let seen = reach(p, terminals, true);
    p.statuses
        .iter()
        .filter(|s| !s.terminal && !seen.contains(s.id.v.as_str()))
        .map(|s| {
            ctx.error(
                CODE,
                &p.file,
                s.id.span,
                format!("a {} in status `{}` ({}) can never reach a terminal status: it would be stuck forever", record_word(p), s.id.v, s.title.v),
                format!("add a transition with `from: {}` towards a status that leads to the end", s.id.v),
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
