//! The meta codes that belong to no SOP rule: `config` (sopctl.yaml) and `scenario-failed`
//! (`sopctl test`). The two about `metadata.lint.allow` live with their check in `lint::allow`.

use super::{Code, Doc, Kind};

pub const CONFIG: Code = &Doc {
    code: "config",
    kind: Kind::Meta,
    summary: "the sopctl.yaml configuration is invalid",
    what: "sopctl.yaml (docs/reference/config.md) could not be read or does not match its \
        schema: an unknown key, a value of the wrong type, or a lint rule or level that does \
        not exist. The command stops before reading any SOP.",
    why: "The configuration decides which files are SOPs, which lint rules fail the build and \
        how the handbook is rendered; a guess at what a wrong setting meant could let a broken \
        SOP through.",
    example: include_str!("meta/config/bad.yaml"),
    fixed: include_str!("meta/config/fixed.yaml"),
    help: "Fix the key at the reported position; see `sopctl schema --config-schema`.",
};

pub const SCENARIO_FAILED: Code = &Doc {
    code: "scenario-failed",
    kind: Kind::Meta,
    summary: "a scenario step did not do what its `expect` says",
    what: "`sopctl test` ran a Scenario (docs/reference/scenarios.md) on the execution engine \
        and a step's outcome differed from its `expect` (status, open_tasks, overdue_tasks, \
        awaiting_approval, notified, error), or the step failed without `expect.error`. It is \
        reported at that step with expected and actual.",
    why: "A scenario is the proof that the SOP does what the people following it are told: the \
        right task opens for the right person, the approval is asked of the right role, a \
        missing field stops the move. A failing step means the SOP and that promise have \
        drifted apart.",
    example: include_str!("meta/scenario_failed/bad.yaml"),
    fixed: include_str!("meta/scenario_failed/fixed.yaml"),
    help: "Compare expected and actual in the message: fix the SOP if it is wrong, or the \
        scenario if the SOP changed on purpose.",
};
