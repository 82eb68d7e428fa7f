//! `unknown-status`, `unknown-field`, `unknown-role`, `unknown-process`: references that
//! resolve to nothing, each reported at the reference itself.

use super::{field_suggestion, status_suggestion, suggestion, Ctx};
use crate::diagnostic::Diagnostic;
use crate::expr::{check_condition, Due, ExprErrorKind};
use crate::model::{From, Process, Ref, RefKind, Sp};

/// Every `role:`/`field:` reference of a process, with words saying where it is.
pub(crate) fn people_refs(p: &Process) -> Vec<(&Ref, String)> {
    let mut out: Vec<(&Ref, String)> = Vec::new();
    if let Some(o) = &p.owner {
        out.push((o, "the process owner".into()));
    }
    for (s, t) in p.tasks() {
        out.push((
            &t.assignee,
            format!("the assignee of task `{}` in status `{}`", t.id.v, s.id.v),
        ));
        if let Some(r) = &t.on_behalf_of {
            out.push((r, format!("`on_behalf_of` of task `{}`", t.id.v)));
        }
        if let Some(e) = &t.escalate {
            out.push((&e.to, format!("the escalation of task `{}`", t.id.v)));
        }
    }
    for s in &p.statuses {
        for n in &s.notify {
            for r in &n.to {
                out.push((r, format!("a notification of status `{}`", s.id.v)));
            }
        }
    }
    for t in &p.transitions {
        for r in &t.by {
            out.push((r, format!("`by` of the transition to `{}`", t.to.v)));
        }
        for (i, step) in t.approval.iter().enumerate() {
            if let Some(e) = &step.escalate {
                let what = format!(
                    "the escalation of approval step {} of the transition to `{}`",
                    i + 1,
                    t.to.v
                );
                out.push((&e.to, what));
            }
        }
    }
    for f in &p.fields {
        for r in &f.edit {
            out.push((r, format!("`edit` of field `{}`", f.id.v)));
        }
    }
    for r in p.create_by.iter().flatten() {
        out.push((r, "`create.by`".into()));
    }
    out
}

fn field_ids(p: &Process) -> Vec<&str> {
    p.fields.iter().map(|f| f.id.v.as_str()).collect()
}

pub fn unknown_status(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut check = |id: &Sp<String>, what: String| {
        if p.status(&id.v).is_none() {
            out.push(ctx.error(
                "unknown-status",
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

pub fn unknown_field(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let help = |name: &str| field_suggestion(p, name);
    let mut check = |id: &str, span, what: String| {
        if p.field(id).is_none() {
            out.push(ctx.error(
                "unknown-field",
                &p.file,
                span,
                format!(
                    "{what} names field `{id}`, which process `{}` does not define",
                    p.name.v
                ),
                format!(
                    "define it under `spec.fields`, or fix the name. {}",
                    help(id)
                ),
            ));
        }
    };
    for s in &p.statuses {
        for f in &s.requires {
            check(&f.v, f.span, format!("`requires` of status `{}`", s.id.v));
        }
        for l in &s.start {
            if let Some(r) = l.for_each.as_ref().filter(|r| r.kind == RefKind::Field) {
                check(
                    &r.id,
                    r.span,
                    format!("`start.for_each` of status `{}`", s.id.v),
                );
            }
            for (_, parent) in &l.with {
                if l.for_each.is_some() && parent.v == crate::model::EACH {
                    continue;
                }
                check(
                    &parent.v,
                    parent.span,
                    format!("`start.with` of status `{}`", s.id.v),
                );
            }
        }
    }
    for t in &p.transitions {
        for f in &t.requires {
            check(
                &f.v,
                f.span,
                format!("`requires` of the transition to `{}`", t.to.v),
            );
        }
    }
    for (_, t) in p.tasks() {
        for f in &t.fill {
            check(
                &f.v,
                f.span,
                format!("`complete.fill` of task `{}`", t.id.v),
            );
        }
        if let (
            Some(due),
            Some(Ok(Due::FieldPlus {
                field,
                field_start,
                field_end,
                ..
            })),
        ) = (&t.due, &t.due_parsed)
        {
            check(
                field,
                due.sub_span(*field_start, *field_end),
                format!("the due date of task `{}`", t.id.v),
            );
        }
    }
    for (r, what) in people_refs(p) {
        if r.kind == RefKind::Field {
            check(&r.id, r.span, what);
        }
    }
    // Unknown fields inside conditions come from the same type check that finds mismatches.
    for t in &p.transitions {
        let Some(cond) = &t.when else { continue };
        let Ok(expr) = &cond.parsed else { continue };
        if let Err(errs) = check_condition(expr, &|name| p.field(name).map(|f| f.ty)) {
            for e in errs
                .iter()
                .filter(|e| e.kind == ExprErrorKind::UnknownField)
            {
                out.push(
                    ctx.error(
                        "unknown-field",
                        &p.file,
                        cond.source.sub_span(e.start, e.end),
                        format!(
                            "the condition of the transition to `{}`: {}",
                            t.to.v, e.message
                        ),
                        help(
                            &cond
                                .source
                                .v
                                .chars()
                                .skip(e.start)
                                .take(e.end.saturating_sub(e.start))
                                .collect::<String>(),
                        ),
                    ),
                );
            }
        }
    }
    // The child side of `start.with` lives in the started process.
    for s in &p.statuses {
        for l in &s.start {
            let Some(child) = ctx.project.process(&l.process.v) else {
                continue;
            };
            for (cf, _) in &l.with {
                if child.field(&cf.v).is_none() {
                    out.push(ctx.error(
                        "unknown-field",
                        &p.file,
                        cf.span,
                        format!("`start.with` sets field `{}` of process `{}`, which it does not define", cf.v, child.name.v),
                        suggestion(&cf.v, field_ids(child), "fields of the started process"),
                    ));
                }
            }
        }
    }
    out
}

pub fn unknown_role(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let project = ctx.project;
    let known: Vec<&str> = project.roles.iter().map(|r| r.id.v.as_str()).collect();
    let mut out = Vec::new();
    let mut check = |id: &str, span, what: String| {
        if project.role(id).is_none() {
            out.push(ctx.error(
                "unknown-role",
                &p.file,
                span,
                format!("{what} names role `{id}`, which no Roles document defines"),
                format!(
                    "add it to a Roles document, or fix the name. {}",
                    suggestion(id, known.iter().copied(), "roles")
                ),
            ));
        }
    };
    for (r, what) in people_refs(p) {
        if r.kind == RefKind::Role {
            check(&r.id, r.span, what);
        }
    }
    for t in &p.transitions {
        for step in &t.approval {
            check(
                &step.role.v,
                step.role.span,
                format!("an approval step of the transition to `{}`", t.to.v),
            );
        }
    }
    for f in &p.fields {
        if let Some(role) = &f.role {
            check(&role.v, role.span, format!("`role` of field `{}`", f.id.v));
        }
    }
    out
}

pub fn unknown_process(ctx: &Ctx) -> Vec<Diagnostic> {
    let project = ctx.project;
    let known: Vec<&str> = project
        .processes
        .iter()
        .map(|p| p.name.v.as_str())
        .collect();
    let mut out = Vec::new();
    let mut check = |id: &Sp<String>, file: &str, what: &str| {
        if project.process(&id.v).is_none() && !ctx.maybe_in_broken(&id.v) {
            out.push(ctx.error(
                "unknown-process",
                file,
                id.span,
                format!("{what} names process `{}`, which is not defined", id.v),
                suggestion(&id.v, known.iter().copied(), "processes"),
            ));
        }
    };
    for p in &project.processes {
        for s in &p.statuses {
            for l in &s.start {
                check(&l.process, &p.file, "`start`");
            }
        }
    }
    for sc in &project.scenarios {
        check(&sc.process, &sc.file, "this scenario");
    }
    out
}
