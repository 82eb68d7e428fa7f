//! `bad-duration`: a duration does not parse.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::{DurationText, Process};

pub const CODE: Code = &Doc {
    code: "bad-duration",
    kind: Kind::Validation,
    summary: "A duration does not parse",
    what: "A duration (in `remind_before`, `escalate.after`, `review.every` or an expression) \
        is not an integer followed by one of the units `m`, `h`, `d`, `w` or `bd` \
        (business days).",
    why: "Reminders, escalations and review dates built on an unreadable duration never \
        happen, so late work goes unnoticed.",
    example: include_str!("bad_duration/bad.yaml"),
    fixed: include_str!("bad_duration/fixed.yaml"),
    help: "Write an integer and a unit: `30m`, `2h`, `1d`, `1w` or `3bd`.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(bad_duration),
    },
};

pub fn bad_duration(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut all: Vec<(&DurationText, String)> = Vec::new();
    if let Some(r) = &p.review_every {
        all.push((r, "`review.every`".into()));
    }
    for (_, t) in p.tasks() {
        for r in &t.remind_before {
            all.push((r, format!("`remind_before` of task `{}`", t.id.v)));
        }
        if let Some(e) = &t.escalate {
            all.push((&e.after, format!("`escalate.after` of task `{}`", t.id.v)));
        }
    }
    for t in &p.transitions {
        for (i, step) in t.approval.iter().enumerate() {
            let what = format!("approval step {} of the transition to `{}`", i + 1, t.to.v);
            for r in &step.remind_before {
                all.push((r, format!("`remind_before` of {what}")));
            }
            if let Some(e) = &step.escalate {
                all.push((&e.after, format!("`escalate.after` of {what}")));
            }
        }
    }
    all.into_iter()
        .filter_map(|(d, what)| {
            let e = d.parsed.as_ref().err()?;
            Some(ctx.error(
                CODE,
                &p.file,
                d.text.sub_span(e.start, e.end),
                format!("{what} is not a duration: {}", e.message),
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
