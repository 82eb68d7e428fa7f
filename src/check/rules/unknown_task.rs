//! `unknown-task`: an `on_time` KPI names a task the process does not have.
//! Reported by the KPI checks of `bad-kpi` (`on_time: <task>`), which own `spec.kpis`.

use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};

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
        process: None,
    },
};

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
