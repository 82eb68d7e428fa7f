//! `unknown-process`: a status starts a process that does not exist.

use crate::check::shared::suggestion;
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Sp;

pub const CODE: Code = &Doc {
    code: "unknown-process",
    kind: Kind::Validation,
    summary: "A status starts a process that does not exist",
    what: "A status's `start` names a process (`metadata.name`) that no `Process` document in \
        the project has.",
    why: "The hand-off to the next team never happens: the child process is not started, so \
        nobody is told to do the follow-up work.",
    example: include_str!("unknown_process/bad.yaml"),
    fixed: include_str!("unknown_process/fixed.yaml"),
    help: "Use the `metadata.name` of an existing process, or add that process to the \
        project.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: Some(unknown_process),
        process: None,
    },
};

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
                CODE,
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

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
