//! The status graph: `no-initial-status`, `multiple-initial-statuses`, `no-terminal-status`,
//! `terminal-has-exit`, `unreachable-status`, `dead-end-status`, `duplicate-transition`,
//! `task-then-without-transition`, and the rule that automatic transitions involve no people.

use std::collections::{HashMap, HashSet, VecDeque};

use super::Ctx;
use crate::diagnostic::{Diagnostic, Span};
use crate::model::{From, Process};

pub fn no_initial_status(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    if p.statuses.is_empty() || p.statuses.iter().any(|s| s.initial) {
        return vec![];
    }
    vec![ctx.error(
        "no-initial-status",
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

fn record_word(p: &Process) -> &str {
    p.record.as_deref().unwrap_or("record")
}

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
                "multiple-initial-statuses",
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

pub fn no_terminal_status(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    if p.statuses.is_empty() || p.statuses.iter().any(|s| s.terminal) {
        return vec![];
    }
    vec![ctx.error(
        "no-terminal-status",
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

pub fn terminal_has_exit(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in &p.transitions {
        let From::List(ids) = &t.from else { continue };
        for id in ids {
            if p.status(&id.v).is_some_and(|s| s.terminal) {
                out.push(ctx.error(
                    "terminal-has-exit",
                    &p.file,
                    id.span,
                    format!("status `{}` is terminal, but this transition leaves it for `{}`", id.v, t.to.v),
                    format!("a terminal status is the end of the record: remove `{}` from `from`, or drop `terminal: true` from it", id.v),
                ));
            }
        }
    }
    out
}

/// Statuses reachable from `starts` following edges (or reversed edges).
fn reach<'a>(p: &'a Process, starts: Vec<&'a str>, reverse: bool) -> HashSet<&'a str> {
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for (f, t, _) in p.edges() {
        let (a, b) = if reverse { (t, f) } else { (f, t) };
        next.entry(a).or_default().push(b);
    }
    let mut seen: HashSet<&str> = starts.iter().copied().collect();
    let mut queue: VecDeque<&str> = starts.into_iter().collect();
    while let Some(s) = queue.pop_front() {
        for &n in next.get(s).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(n) {
                queue.push_back(n);
            }
        }
    }
    seen
}

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
                "unreachable-status",
                &p.file,
                s.id.span,
                format!("status `{}` ({}) cannot be reached from the initial status `{}`", s.id.v, s.title.v, initial.id.v),
                format!("add a transition with `to: {}` from a status records pass through, or remove the status", s.id.v),
            )
        })
        .collect()
}

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
                "dead-end-status",
                &p.file,
                s.id.span,
                format!("a {} in status `{}` ({}) can never reach a terminal status: it would be stuck forever", record_word(p), s.id.v, s.title.v),
                format!("add a transition with `from: {}` towards a status that leads to the end", s.id.v),
            )
        })
        .collect()
}

pub fn duplicate_transition(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut first: HashMap<(&str, &str), usize> = HashMap::new();
    let mut out = Vec::new();
    for t in &p.transitions {
        let froms: Vec<(&str, Span)> = match &t.from {
            From::Any(span) => p.from_ids(t).into_iter().map(|f| (f, *span)).collect(),
            From::List(ids) => ids.iter().map(|i| (i.v.as_str(), i.span)).collect(),
        };
        for (f, span) in froms {
            let key = (f, t.to.v.as_str());
            match first.get(&key) {
                Some(line) => out.push(ctx.error(
                    "duplicate-transition",
                    &p.file,
                    span,
                    format!("there is already a transition from `{f}` to `{}` (line {line})", t.to.v),
                    "keep one transition per (from, to) pair: merge their `by`, `requires` and `approval`; note that `from: \"*\"` covers every non-terminal status".into(),
                )),
                None => {
                    first.insert(key, t.span.start.line);
                }
            }
        }
    }
    out
}

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
            out.push(ctx.error(
                "task-then-without-transition",
                &p.file,
                then.span,
                message,
                help,
            ));
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

/// A transition with `when` fires by itself: nobody triggers it and nobody approves it.
pub fn automatic_with_people(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in p.transitions.iter().filter(|t| t.when.is_some()) {
        for (key, span) in [("by", t.by_key), ("approval", t.approval_key)] {
            if let Some(span) = span {
                out.push(ctx.error(
                    "schema",
                    &p.file,
                    span,
                    format!(
                        "the transition to `{}` is automatic (`when`), so it cannot have `{key}`",
                        t.to.v
                    ),
                    format!("remove `{key}`, or remove `when` to make it a manual transition"),
                ));
            }
        }
    }
    out
}
