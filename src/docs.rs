//! One place that answers "what does this code mean?" for `explain` and for SARIF rules:
//! validation codes (`codes`) now, lint rules as they are added.

use crate::codes;
use crate::report::RuleDoc;

/// Every documented code, in registry order.
pub fn all_codes() -> Vec<&'static str> {
    codes::VALIDATION_CODES.iter().map(|d| d.code).collect()
}

/// The text `sopctl explain CODE` prints.
pub fn explain(code: &str) -> Option<String> {
    codes::lookup(code).map(codes::explain_text)
}

/// Descriptions for a SARIF rule.
pub fn rule_doc(code: &str) -> Option<RuleDoc> {
    if code == "config" {
        return Some(RuleDoc {
            summary: "the sopctl.yaml configuration is invalid".into(),
            full: "sopctl.yaml (SPEC section 9) could not be read or does not match its schema."
                .into(),
            help: "fix the key at the reported position; see `sopctl schema --config-schema`"
                .into(),
        });
    }
    let d = codes::lookup(code)?;
    Some(RuleDoc {
        summary: d.summary.to_string(),
        full: format!("{} {}", d.what, d.why),
        help: d.help.to_string(),
    })
}
