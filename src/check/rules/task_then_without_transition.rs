//! `task-then-without-transition`: a task's complete.then has no transition to follow.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;
use std::collections::HashSet;

pub const CODE: Code = &Doc {
    code: "task-then-without-transition",
    kind: Kind::Validation,
    summary: "A task's complete.then has no transition to follow",
    what: "A task's `complete.then` names a status, but the process has no transition from \
        the task's own status to that status.",
    why: "Completing the task is meant to move the record on. Without the transition the \
        task is marked done but the record stays where it was, and the next step never \
        starts.",
    example: include_str!("task_then_without_transition/bad.yaml"),
    fixed: include_str!("task_then_without_transition/fixed.yaml"),
    help: "Point `then` at a status that a transition from the task's status leads to, or add \
        that transition.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(task_then_without_transition),
    },
};

pub fn task_then_without_transition(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let edges: HashSet<(&str, &str)> = p.edges().into_iter().map(|(f, t, _)| (f, t)).collect();
    let mut out = Vec::new();
    for (s, t) in p.tasks() {
        let Some(then) = &t.then else { continue };
        if p.status(&then.v).is_some() && !edges.contains(&(s.id.v.as_str(), then.v.as_str())) {
            let (message, help) = if then.v == s.id.v {
                own_status_then(p, &edges, &s.id.v, &t.id.v)
            } else {
                (
                    format!("completing task `{}` should move the record from `{}` to `{}`, but no transition goes that way", t.id.v, s.id.v, then.v),
                    format!("add `- {{ from: {}, to: {} }}` to `transitions`, or change `then`", s.id.v, then.v),
                )
            };
            out.push(ctx.error(CODE, &p.file, then.span, message, help));
        }
    }
    out
}

/// `then:` naming the status the task is in: completing a task moves the record on, so the
/// hint names where it can go, never a transition back to the same status.
fn own_status_then(
    p: &Process,
    edges: &HashSet<(&str, &str)>,
    status: &str,
    task: &str,
) -> (String, String) {
    let mut next: Vec<&str> = edges
        .iter()
        .filter(|(f, t)| *f == status && *t != status)
        .map(|(_, t)| *t)
        .collect();
    next.sort_unstable();
    let message = format!(
        "`then` of task `{task}` names `{status}`, the status the task is in: completing it would not move the record"
    );
    let help = if next.is_empty() {
        format!(
            "set `then` to the status that follows `{status}` (and add a transition there), or remove `then` so that completing the task moves nothing; process `{}` has no transition out of `{status}` yet",
            p.name.v
        )
    } else {
        format!(
            "set `then` to where the record goes next ({}), or remove `then`",
            next.iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    (message, help)
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
