//! `no-initial-status`: no status is marked initial.

use crate::check::shared::record_word;
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;

pub const CODE: Code = &Doc {
    code: "no-initial-status",
    kind: Kind::Validation,
    summary: "No status is marked initial",
    what: "None of the process's statuses has `initial: true`.",
    why: "A new record must start somewhere. Without an initial status the process cannot be \
        started at all.",
    example: include_str!("no_initial_status/bad.yaml"),
    fixed: include_str!("no_initial_status/fixed.yaml"),
    help: "Add `initial: true` to the status where a new record begins.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(no_initial_status),
    },
};

pub fn no_initial_status(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    if p.statuses.is_empty() || p.statuses.iter().any(|s| s.initial) {
        return vec![];
    }
    vec![ctx.error(
        CODE,
        &p.file,
        p.statuses_span,
        format!(
            "process `{}` has no initial status, so a new {} has nowhere to start",
            p.name.v,
            record_word(p)
        ),
        format!(
            "mark the status a record starts in with `initial: true` (e.g. `{}`)",
            p.statuses[0].id.v
        ),
    )]
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
