//! `duplicate-name`: two things that must have distinct names share one.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::{Process, Sp};
use std::collections::HashMap;

pub const CODE: Code = &Doc {
    code: "duplicate-name",
    kind: Kind::Validation,
    summary: "Two things that must have distinct names share one",
    what: "Two documents of the same kind have the same `metadata.name`, a role id is defined \
        twice (possibly in two `Roles` documents), or two tasks of one process have the \
        same `id`.",
    why: "Names are how processes, roles and tasks are referred to: by other processes, by \
        scenarios, by the runtime's live records and by the handbook. With two of one \
        name, one of them would silently replace the other.",
    example: include_str!("duplicate_name/bad.yaml"),
    fixed: include_str!("duplicate_name/fixed.yaml"),
    help: "Rename one of the two; if both are meant to be the same thing, delete the copy.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: Some(duplicate_name),
        process: Some(duplicate_task),
    },
};

/// Reports every later occurrence of a name, pointing back at the first.
fn repeats<'a>(
    ctx: &Ctx,
    items: impl IntoIterator<Item = (&'a Sp<String>, &'a str)>,
    what: &str,
    help: &str,
) -> Vec<Diagnostic> {
    let mut first: HashMap<&str, (&str, usize)> = HashMap::new();
    let mut out = Vec::new();
    for (name, file) in items {
        match first.get(name.v.as_str()) {
            Some((f, line)) => out.push(ctx.error(
                CODE,
                file,
                name.span,
                format!("{what} `{}` is already defined at {f}:{line}", name.v),
                help.to_string(),
            )),
            None => {
                first.insert(&name.v, (file, name.span.start.line));
            }
        }
    }
    out
}

/// Two documents of one kind with the same name, or a role id defined twice.
pub fn duplicate_name(ctx: &Ctx) -> Vec<Diagnostic> {
    let p = ctx.project;
    let mut out = repeats(
        ctx,
        p.processes.iter().map(|x| (&x.name, &*x.file)),
        "process",
        "give each process its own `metadata.name`; rename one of them",
    );
    out.extend(repeats(
        ctx,
        p.roles_docs.iter().map(|x| (&x.name, &*x.file)),
        "Roles document",
        "give each Roles document its own `metadata.name`, or merge them",
    ));
    out.extend(repeats(
        ctx,
        p.scenarios.iter().map(|x| (&x.name, &*x.file)),
        "scenario",
        "give each scenario its own `metadata.name`",
    ));
    out.extend(repeats(
        ctx,
        p.roles.iter().map(|r| (&r.id, &*r.file)),
        "role",
        "roles are project-wide: define each role once, in one Roles document",
    ));
    out
}

/// Two tasks of one process with the same id.
pub fn duplicate_task(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    repeats(
        ctx,
        p.tasks().map(|(_, t)| (&t.id, &*p.file)),
        "task",
        "task ids are unique within a process: rename one of them",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
