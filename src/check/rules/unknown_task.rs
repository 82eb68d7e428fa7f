//! `unknown-task`: an `on_time` KPI names a task the process does not have.

use crate::check::shared::suggestion;
use crate::check::{Check, CodeDef, Ctx};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::{KpiMeasure, Process};

pub const CODE: Code = &Doc {
    code: "unknown-task",
    kind: Kind::Validation,
    summary: "An `on_time` KPI names a task the process does not have",
    what: "A KPI's `on_time: <task>` names a task id that no status of the process defines.",
    why: "The KPI would never count a completion: the owner's chart stays empty and the \
        review cannot tell whether the work is done on time.",
    example: include_str!("unknown_task/bad.yaml"),
    fixed: include_str!("unknown_task/fixed.yaml"),
    help: "Name a task id of this process (the `id` of a task under a status).",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(unknown_task),
    },
};

/// The task of each `on_time` KPI (a KPI with no measure or several is `bad-kpi`'s).
pub fn unknown_task(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for k in &p.kpis {
        let Some(KpiMeasure::OnTime(task)) = k.measure() else {
            continue;
        };
        if p.tasks().any(|(_, t)| t.id.v == task.v) {
            continue;
        }
        let known: Vec<&str> = p.tasks().map(|(_, t)| t.id.v.as_str()).collect();
        out.push(ctx.error(
            CODE,
            &p.file,
            task.span,
            format!(
                "KPI `{}` measures task `{}`, which process `{}` does not have",
                k.id.v, task.v, p.name.v
            ),
            suggestion(&task.v, known.iter().copied(), "tasks of this process"),
        ));
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
