//! One place that answers "what does this code mean?" for `explain` and for SARIF rules:
//! validation codes (`codes`), lint rules (`lint::registry`) and the codes about
//! `metadata.lint.allow` entries.

use crate::codes;
use crate::lint;
use crate::report::RuleDoc;

/// Every documented code: validation codes, then lint rules, then the `allow` codes.
pub fn all_codes() -> Vec<&'static str> {
    codes::VALIDATION_CODES
        .iter()
        .map(|d| d.code)
        .chain(lint::registry().iter().map(|r| r.name))
        .chain(lint::META_CODES.iter().map(|d| d.code))
        .collect()
}

/// The text `sopctl explain CODE` prints.
pub fn explain(code: &str) -> Option<String> {
    if code == "scenario-failed" {
        return Some(SCENARIO_FAILED.to_string());
    }
    if let Some(d) = codes::lookup(code) {
        return Some(codes::explain_text(d));
    }
    if let Some(r) = lint::lookup(code) {
        return Some(lint::explain_text(r));
    }
    lint::lookup_meta(code).map(lint::explain_meta_text)
}

/// Descriptions for a SARIF rule.
pub fn rule_doc(code: &str) -> Option<RuleDoc> {
    if code == "config" {
        return Some(RuleDoc {
            summary: "the sopctl.yaml configuration is invalid".into(),
            full: "sopctl.yaml (docs/reference/config.md) could not be read or does not match its schema."
                .into(),
            help: "fix the key at the reported position; see `sopctl schema --config-schema`"
                .into(),
        });
    }
    if code == "scenario-failed" {
        return Some(RuleDoc {
            summary: "a scenario step did not do what its `expect` says".into(),
            full: "`sopctl test` ran a Scenario (docs/reference/scenarios.md) on the execution engine and a step's outcome differed from its `expect`, or the step failed without `expect.error`.".into(),
            help: "compare expected and actual in the message: fix the SOP if it is wrong, or the scenario if the SOP changed on purpose".into(),
        });
    }
    if let Some(d) = codes::lookup(code) {
        return Some(d.rule_doc());
    }
    if let Some(r) = lint::lookup(code) {
        return Some(r.rule_doc());
    }
    let d = lint::lookup_meta(code)?;
    Some(RuleDoc {
        summary: d.summary.to_string(),
        full: format!("{} {}", d.what, d.why),
        help: d.help.to_string(),
    })
}

const SCENARIO_FAILED: &str = "scenario-failed — a scenario step did not do what its `expect` says

What it means
  `sopctl test` drives a record through a process on a simulated clock (docs/reference/scenarios.md). After
  each step it compares `expect` (status, open_tasks, overdue_tasks, awaiting_approval,
  notified, error) with what the engine did. A difference, or a step that fails without
  `expect.error`, is reported at that step with expected and actual.

Why it matters
  A scenario is the proof that the SOP does what the people following it are told: the right
  task opens for the right person, the approval is asked of the right role, a missing field
  stops the move. A failing step means the SOP and that promise have drifted apart.

Example (fails)
  - { as: alice, move: approved, expect: { status: approved } }   # the move needs an approval

Fixed
  - { as: alice, move: approved, expect: { awaiting_approval: [sales-manager] } }

How to fix
  Read expected and actual in the message. Fix the SOP if it is wrong, or the scenario if the
  SOP changed on purpose.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_explained_and_has_a_rule_doc() {
        for code in all_codes() {
            let text = explain(code).unwrap_or_else(|| panic!("{code}"));
            assert!(text.starts_with(&format!("{code} — ")), "{code}");
            let doc = rule_doc(code).unwrap();
            assert!(!doc.summary.is_empty() && !doc.full.is_empty() && !doc.help.is_empty());
        }
        assert!(all_codes().contains(&"idle-status"));
        assert!(all_codes().contains(&"lint-allow-without-reason"));
        let mut sorted = all_codes();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), all_codes().len(), "codes are unique");
    }
}
