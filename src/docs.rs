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
            full: "sopctl.yaml (SPEC section 9) could not be read or does not match its schema."
                .into(),
            help: "fix the key at the reported position; see `sopctl schema --config-schema`"
                .into(),
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
