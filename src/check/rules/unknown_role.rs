//! `unknown-role`: a reference names a role no Roles document defines.

use crate::check::shared::people_refs;
use crate::check::shared::suggestion;
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::{Process, RefKind};

pub const CODE: Code = &Doc {
    code: "unknown-role",
    kind: Kind::Validation,
    summary: "A reference names a role no Roles document defines",
    what: "A `role:` reference (an assignee, `by`, an approval step, an escalation, a \
        notification or the process `owner`) names a role id that no `Roles` document \
        defines.",
    why: "Nobody holds a role that does not exist: the task has no one to do it, the \
        approval no one to decide, and the record waits forever.",
    example: include_str!("unknown_role/bad.yaml"),
    fixed: include_str!("unknown_role/fixed.yaml"),
    help: "Use a role id defined under `spec.roles` of a `Roles` document, or define the role \
        there.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(unknown_role),
    },
};

pub fn unknown_role(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let project = ctx.project;
    let known: Vec<&str> = project.roles.iter().map(|r| r.id.v.as_str()).collect();
    let mut out = Vec::new();
    let mut check = |id: &str, span, what: String| {
        if project.role(id).is_none() {
            out.push(ctx.error(
                CODE,
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

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
