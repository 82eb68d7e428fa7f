//! `bad-due`: a task's due date does not parse.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::expr::{Due, ExprError};
use crate::model::{Process, Sp};

pub const CODE: Code = &Doc {
    code: "bad-due",
    kind: Kind::Validation,
    summary: "A task's due date does not parse",
    what: "A task's `due` is not one of `today HH:MM`, `tomorrow HH:MM`, `+<duration>` (after \
        the task is created) or `<date or datetime field> + <duration>`.",
    why: "Without a due time the task is never overdue: no reminders, no escalation, and \
        nobody notices when it is late.",
    example: include_str!("bad_due/bad.yaml"),
    fixed: include_str!("bad_due/fixed.yaml"),
    help: "Use a 24-hour time such as `tomorrow 18:00`, a duration such as `+2h`, or a date \
        field plus a duration such as `delivery_date + 1d`.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(bad_due),
    },
};

pub fn bad_due(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut all: Vec<(&Sp<String>, &Result<Due, ExprError>, String)> = Vec::new();
    for (_, t) in p.tasks() {
        if let (Some(due), Some(parsed)) = (&t.due, &t.due_parsed) {
            all.push((due, parsed, format!("task `{}`", t.id.v)));
        }
    }
    for t in &p.transitions {
        for (i, step) in t.approval.iter().enumerate() {
            if let (Some(due), Some(parsed)) = (&step.due, &step.due_parsed) {
                let what = format!("approval step {} of the transition to `{}`", i + 1, t.to.v);
                all.push((due, parsed, what));
            }
        }
    }
    all.into_iter()
        .filter_map(|(due, parsed, what)| {
            let e = parsed.as_ref().err()?;
            Some(ctx.error(
                CODE,
                &p.file,
                due.sub_span(e.start, e.end),
                format!("the due date of {what} does not parse: {}", e.message),
                e.help.clone(),
            ))
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
