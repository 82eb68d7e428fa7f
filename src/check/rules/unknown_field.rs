//! `unknown-field`: a reference names a field the process does not have.

use crate::check::shared::{field_ids, field_suggestion, people_refs, suggestion};
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::{Diagnostic, Span};
use crate::expr::{check_condition, Due, ExprErrorKind};
use crate::model::{Process, RefKind};

pub const CODE: Code = &Doc {
    code: "unknown-field",
    kind: Kind::Validation,
    summary: "A reference names a field the process does not have",
    what: "A `requires`, `complete.fill`, `field:` reference, `start.with` pair or `when` \
        expression names a field id that is not under the process's `fields`.",
    why: "A requirement on a field that does not exist can never be met or is never asked \
        for, so records either get stuck or move on without the information the next \
        person needs.",
    example: include_str!("unknown_field/bad.yaml"),
    fixed: include_str!("unknown_field/fixed.yaml"),
    help: "Use one of the ids under `fields` (check the spelling), or add the field.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(unknown_field),
    },
};

pub fn unknown_field(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = field_refs(p)
        .into_iter()
        .filter(|(id, ..)| p.field(id).is_none())
        .map(|(id, span, what)| {
            ctx.error(
                CODE,
                &p.file,
                span,
                format!(
                    "{what} names field `{id}`, which process `{}` does not define",
                    p.name.v
                ),
                format!(
                    "define it under `spec.fields`, or fix the name. {}",
                    field_suggestion(p, id)
                ),
            )
        })
        .collect();
    out.extend(in_conditions(ctx, p));
    out.extend(in_started(ctx, p));
    out
}

/// Every field id the process names outside conditions: (id, where it is, words for where).
fn field_refs(p: &Process) -> Vec<(&str, Span, String)> {
    let mut out: Vec<(&str, Span, String)> = Vec::new();
    for s in &p.statuses {
        for f in &s.requires {
            out.push((&f.v, f.span, format!("`requires` of status `{}`", s.id.v)));
        }
        for l in &s.start {
            if let Some(r) = l.for_each.as_ref().filter(|r| r.kind == RefKind::Field) {
                let what = format!("`start.for_each` of status `{}`", s.id.v);
                out.push((&r.id, r.span, what));
            }
            for (_, parent) in &l.with {
                if l.for_each.is_some() && parent.v == crate::model::EACH {
                    continue;
                }
                let what = format!("`start.with` of status `{}`", s.id.v);
                out.push((&parent.v, parent.span, what));
            }
        }
    }
    for t in &p.transitions {
        for f in &t.requires {
            let what = format!("`requires` of the transition to `{}`", t.to.v);
            out.push((&f.v, f.span, what));
        }
    }
    for (_, t) in p.tasks() {
        for f in &t.fill {
            out.push((
                &f.v,
                f.span,
                format!("`complete.fill` of task `{}`", t.id.v),
            ));
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
            let span = due.sub_span(*field_start, *field_end);
            out.push((field, span, format!("the due date of task `{}`", t.id.v)));
        }
    }
    for (r, what) in people_refs(p) {
        if r.kind == RefKind::Field {
            out.push((&r.id, r.span, what));
        }
    }
    out
}

/// Unknown fields inside conditions come from the same type check that finds mismatches.
fn in_conditions(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in &p.transitions {
        let Some(cond) = &t.when else { continue };
        let Ok(expr) = &cond.parsed else { continue };
        let Err(errs) = check_condition(expr, &|name| p.field(name).map(|f| f.ty)) else {
            continue;
        };
        for e in errs
            .iter()
            .filter(|e| e.kind == ExprErrorKind::UnknownField)
        {
            let name: String = cond
                .source
                .v
                .chars()
                .skip(e.start)
                .take(e.end.saturating_sub(e.start))
                .collect();
            out.push(ctx.error(
                CODE,
                &p.file,
                cond.source.sub_span(e.start, e.end),
                format!(
                    "the condition of the transition to `{}`: {}",
                    t.to.v, e.message
                ),
                field_suggestion(p, &name),
            ));
        }
    }
    out
}

/// The child side of `start.with` lives in the started process.
fn in_started(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in &p.statuses {
        for l in &s.start {
            let Some(child) = ctx.project.process(&l.process.v) else {
                continue;
            };
            for (cf, _) in &l.with {
                if child.field(&cf.v).is_none() {
                    out.push(ctx.error(
                        CODE,
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

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
