//! `invalid-each`: each or for_each is not on a users field.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::{FieldType, Process, RefKind};

pub const CODE: Code = &Doc {
    code: "invalid-each",
    kind: Kind::Validation,
    summary: "each or for_each is not on a users field",
    what: "A task says `each: true` but its assignee is not a `users` field, or it fills a \
        field that is not `files`, `users` or `longtext`; or a `start` says `for_each` on \
        something that is not a `users` field.",
    why: "One task (or one child record) per person needs a list of people to count from, \
        and what each person hands in must add up: a number or a single file filled by \
        every person would keep only the last one, and the others' work would be lost.",
    example: include_str!("invalid_each/bad.yaml"),
    fixed: include_str!("invalid_each/fixed.yaml"),
    help: "Point `each` and `for_each` at a `users` field, and let `each` tasks fill only \
        `files`, `users` or `longtext` fields, which add up person by person.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(invalid_each),
    },
};

pub fn invalid_each(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let is_users = |id: &str| p.field(id).is_some_and(|f| f.ty == FieldType::Users);
    for (_, t) in p.tasks() {
        let Some(each) = t.each.as_ref().filter(|e| e.v) else {
            continue;
        };
        let a = &t.assignee;
        if a.kind != RefKind::Field || !is_users(&a.id) {
            out.push(ctx.error(
                CODE,
                &p.file,
                each.span,
                format!("task `{}` has `each: true`, but its assignee `{a}` is not a `users` field", t.id.v),
                "assign it to `field:<a users field>` (one task per person listed), or remove `each` for one task that any of them completes".into(),
            ));
        }
        for f in &t.fill {
            let Some(field) = p.field(&f.v) else { continue };
            if !matches!(
                field.ty,
                FieldType::Files | FieldType::Users | FieldType::Longtext
            ) {
                out.push(ctx.error(
                    CODE,
                    &p.file,
                    f.span,
                    format!("task `{}` is one per person, but `{}` is a {} field: each completion would overwrite the others'", t.id.v, f.v, field.ty),
                    "with `each`, fill only `files`, `users` or `longtext` fields, which add up (files and people are appended, text gets a line per person)".into(),
                ));
            }
        }
    }
    for s in &p.statuses {
        for l in &s.start {
            let Some(r) = &l.for_each else { continue };
            each_takes_a_person(ctx, p, l, &mut out);
            let ok = r.kind == RefKind::Field && (p.field(&r.id).is_none() || is_users(&r.id));
            if !ok {
                out.push(ctx.error(
                    CODE,
                    &p.file,
                    r.span,
                    format!("`for_each` of the start of `{}` in status `{}` is `{r}`, not a `users` field", l.process.v, s.id.v),
                    "write `for_each: field:<a users field>`: one child record is started per person listed".into(),
                ));
            }
        }
    }
    out
}

/// With `for_each`, a child field given `each` must hold a person.
fn each_takes_a_person(
    ctx: &Ctx,
    p: &Process,
    l: &crate::model::StartLink,
    out: &mut Vec<Diagnostic>,
) {
    let Some(child) = ctx.project.process(&l.process.v) else {
        return;
    };
    for (cf, pf) in l.with.iter().filter(|(_, pf)| pf.v == crate::model::EACH) {
        let Some(f) = child.field(&cf.v) else {
            continue;
        };
        if !f.ty.is_user() {
            out.push(ctx.error(
                CODE,
                &p.file,
                pf.span,
                format!(
                    "`each` is the person a child of `{}` is for, but `{}` there is a {} field",
                    l.process.v, cf.v, f.ty
                ),
                "give `each` to a `user` or `users` field of the started process".into(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
