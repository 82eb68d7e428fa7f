//! `field-type-mismatch`: a value has the wrong type for where it is used.

use crate::check::shared::people_refs;
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::expr::{check_condition, Due, ExprErrorKind};
use crate::model::{FieldType, Process, RefKind};

pub const CODE: Code = &Doc {
    code: "field-type-mismatch",
    kind: Kind::Validation,
    summary: "A value has the wrong type for where it is used",
    what: "A type error: an expression compares or adds values of incompatible types (a \
        `money` field with a `'string'`), an assignee or other `field:` reference names a \
        field that is not `user` or `users`, a due date is counted from a field that holds \
        no date or time, or a `start.with` pair copies a field into a child field of \
        another type.",
    why: "A condition that compares a number with a text is never true as intended, a task \
        assigned to an amount has nobody to do it, and a child record would receive data \
        it cannot hold.",
    example: include_str!("field_type_mismatch/bad.yaml"),
    fixed: include_str!("field_type_mismatch/fixed.yaml"),
    help: "Compare like with like (write numbers and amounts without quotes), assign tasks \
        only to `user` or `users` fields, and pass fields of the same type in \
        `start.with`.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(field_type_mismatch),
    },
};

/// Kinds of values that may be copied into one another.
fn family(t: FieldType) -> u8 {
    use FieldType::*;
    match t {
        Text | Longtext | Choice => 0,
        Number | Money => 1,
        Bool => 2,
        Date | Datetime => 3,
        User | Users => 4,
        File | Files => 5,
    }
}

fn compatible(child: FieldType, parent: FieldType) -> bool {
    use FieldType::*;
    let many_into_one = matches!((child, parent), (User, Users) | (File, Files));
    family(child) == family(parent) && !many_into_one
}

pub fn field_type_mismatch(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let err = |span, msg: String, help: String| ctx.error(CODE, &p.file, span, msg, help);
    for t in &p.transitions {
        let Some(cond) = &t.when else { continue };
        let Ok(expr) = &cond.parsed else { continue };
        if let Err(errs) = check_condition(expr, &|name| p.field(name).map(|f| f.ty)) {
            for e in errs
                .iter()
                .filter(|e| e.kind == ExprErrorKind::TypeMismatch)
            {
                out.push(err(
                    cond.source.sub_span(e.start, e.end),
                    format!(
                        "the condition of the transition to `{}`: {}",
                        t.to.v, e.message
                    ),
                    e.help.clone(),
                ));
            }
        }
    }
    for (r, what) in people_refs(p) {
        if r.kind != RefKind::Field {
            continue;
        }
        if let Some(f) = p.field(&r.id) {
            if !f.ty.is_user() {
                out.push(err(
                    r.span,
                    format!(
                        "{what} is `field:{}`, but that field holds {} ({}), not people",
                        r.id, f.ty, f.title
                    ),
                    format!(
                        "point at a field of type `user` or `users`, or change the type of `{}`",
                        r.id
                    ),
                ));
            }
        }
    }
    for (_, t) in p.tasks() {
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
            if let Some(f) = p.field(field) {
                if !f.ty.is_time() {
                    out.push(err(
                        due.sub_span(*field_start, *field_end),
                        format!("the due date of task `{}` counts from `{field}`, which holds {}, not a date", t.id.v, f.ty),
                        "count from a field of type `date` or `datetime`, or use `+<duration>` from when the task is created".into(),
                    ));
                }
            }
        }
    }
    for s in &p.statuses {
        for link in &s.start {
            let Some(child) = ctx.project.process(&link.process.v) else {
                continue;
            };
            for (cf, pf) in &link.with {
                let (Some(c), Some(pa)) = (child.field(&cf.v), p.field(&pf.v)) else {
                    continue;
                };
                if !compatible(c.ty, pa.ty) {
                    out.push(err(
                        pf.span,
                        format!("`start.with` copies `{}` ({}) into `{}` of `{}` ({}), which cannot hold it", pf.v, pa.ty, cf.v, child.name.v, c.ty),
                        "pair fields that hold the same kind of value (text with text, money with number, user with user or users, …)".into(),
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
