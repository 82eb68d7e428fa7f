//! `no-terminal-status`: no status is marked terminal.

use crate::check::shared::record_word;
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;

pub const CODE: Code = &Doc {
    code: "no-terminal-status",
    kind: Kind::Validation,
    summary: "No status is marked terminal",
    what: "None of the process's statuses has `terminal: true`.",
    why: "Without an end, no record is ever finished: reports cannot tell open work from \
        done work and every record stays in someone's list forever.",
    example: include_str!("no_terminal_status/bad.yaml"),
    fixed: include_str!("no_terminal_status/fixed.yaml"),
    help: "Add `terminal: true` to the status (or statuses) where a record is finished.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(no_terminal_status),
    },
};

pub fn no_terminal_status(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    if p.statuses.is_empty() || p.statuses.iter().any(|s| s.terminal) {
        return vec![];
    }
    vec![ctx.error(
        CODE,
        &p.file,
        p.statuses_span,
        format!(
            "process `{}` has no terminal status, so no {} can ever be finished",
            p.name.v,
            record_word(p)
        ),
        "mark the statuses where a record ends (done, cancelled, …) with `terminal: true`".into(),
    )]
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
