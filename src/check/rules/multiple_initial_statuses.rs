//! `multiple-initial-statuses`: more than one status is marked initial.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;

pub const CODE: Code = &Doc {
    code: "multiple-initial-statuses",
    kind: Kind::Validation,
    summary: "More than one status is marked initial",
    what: "Two or more statuses of one process have `initial: true`.",
    why: "A new record can only begin in one place; with several candidates nobody can tell \
        which status a new record starts in, or which tasks are created first.",
    example: include_str!("multiple_initial_statuses/bad.yaml"),
    fixed: include_str!("multiple_initial_statuses/fixed.yaml"),
    help: "Keep `initial: true` on the one status where a new record begins and remove it \
        from the others.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(multiple_initial_statuses),
    },
};

pub fn multiple_initial_statuses(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let initial: Vec<_> = p.statuses.iter().filter(|s| s.initial).collect();
    let Some(first) = initial.first() else {
        return vec![];
    };
    initial
        .iter()
        .skip(1)
        .map(|s| {
            ctx.error(
                CODE,
                &p.file,
                s.id.span,
                format!(
                    "status `{}` is marked initial, but `{}` already is",
                    s.id.v, first.id.v
                ),
                "a record starts in exactly one status: remove `initial: true` from all but one"
                    .into(),
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
