//! `unknown-status`: a reference names a status the process does not have.

use crate::check::shared::status_suggestion;
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::{From, Process, Sp};

pub const CODE: Code = &Doc {
    code: "unknown-status",
    kind: Kind::Validation,
    summary: "A reference names a status the process does not have",
    what: "A transition's `from` or `to`, a task's `complete.then` or another status \
        reference names an id that is not under the process's `statuses`.",
    why: "A transition to or from nowhere can never be taken: the button is missing or the \
        record gets stuck, and people are left without the step the SOP promised them.",
    example: include_str!("unknown_status/bad.yaml"),
    fixed: include_str!("unknown_status/fixed.yaml"),
    help: "Use one of the ids under `statuses` (check the spelling), or add the missing \
        status.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(unknown_status),
    },
};

pub fn unknown_status(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut check = |id: &Sp<String>, what: String| {
        if p.status(&id.v).is_none() {
            out.push(ctx.error(
                CODE,
                &p.file,
                id.span,
                format!(
                    "{what} names status `{}`, which process `{}` does not have",
                    id.v, p.name.v
                ),
                status_suggestion(p, &id.v),
            ));
        }
    };
    for t in &p.transitions {
        if let From::List(ids) = &t.from {
            for id in ids {
                check(id, "this transition's `from`".into());
            }
        }
        check(&t.to, "this transition's `to`".into());
    }
    for (_, t) in p.tasks() {
        if let Some(then) = &t.then {
            check(then, format!("`complete.then` of task `{}`", t.id.v));
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
