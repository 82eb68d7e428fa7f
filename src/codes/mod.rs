//! Every code a finding can carry, in one shape and one registry: the validation codes of SPEC
//! section 5 (`check::rules`), the lint rules of SPEC section 6 (`lint::rules`) and the meta
//! codes about sopctl's own inputs (`sopctl.yaml`, scenarios, `metadata.lint.allow`).
//! `sopctl explain`, SARIF rules, the LSP hover and `docs/reference/codes.md` all read
//! [`all`]; a code is a typed value ([`Code`]), so a misspelt one does not compile.

mod explain;
mod meta;
mod reference;

pub use explain::{explain_text, list_text, wrap};
pub use meta::{CONFIG, SCENARIO_FAILED};
pub use reference::{readme_table, reference_markdown};

use crate::diagnostic::{Diagnostic, Span};
use crate::lint::{Level, RuleOption};
use crate::report::RuleDoc;

/// Which family a code belongs to. It decides the headings `explain` uses and the section of
/// the reference the code is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SPEC section 5: the SOP is not valid.
    Validation,
    /// SPEC section 6: a lint rule, with the level and options `sopctl.yaml` can change.
    Lint {
        default_level: Level,
        options: &'static [RuleOption],
    },
    /// About sopctl's own inputs rather than the SOP: `config`, `scenario-failed`, the
    /// findings about `metadata.lint.allow`.
    Meta,
}

impl Kind {
    /// The group name `sopctl explain` lists the code under.
    pub fn group(self) -> &'static str {
        match self {
            Kind::Validation => "validation codes",
            Kind::Lint { .. } => "lint rules",
            Kind::Meta => "other codes",
        }
    }
}

/// The documentation of one code, written for the people who write and follow SOPs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doc {
    /// kebab-case, as printed in `error[CODE]` and written in `sopctl.yaml`.
    pub code: &'static str,
    pub kind: Kind,
    /// One line without a final period, for SARIF `shortDescription` and tables.
    pub summary: &'static str,
    /// What it means (for a lint rule: what it flags, with the exact semantics).
    pub what: &'static str,
    /// Why it matters, for the people following the SOP.
    pub why: &'static str,
    /// A complete file that produces this code.
    pub example: &'static str,
    /// The same file, fixed: it does not produce the code.
    pub fixed: &'static str,
    /// How to fix, one or two sentences ending with a period (SARIF `help`).
    pub help: &'static str,
}

/// A code as a typed value: each code's file defines `pub const CODE: Code`, and findings are
/// made from it ([`Doc::error`]), never from a string.
pub type Code = &'static Doc;

impl Doc {
    /// An error finding of this code.
    pub fn error(&self, file: &str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.code, file, span, message)
    }

    /// A warning finding of this code.
    pub fn warning(&self, file: &str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(self.code, file, span, message)
    }

    /// The texts SARIF shows next to an alert of this code.
    pub fn rule_doc(&self) -> RuleDoc {
        RuleDoc {
            summary: self.summary.to_string(),
            full: format!("{} {}", self.what, self.why),
            help: self.help.to_string(),
        }
    }
}

/// The meta codes, after the validation codes and the lint rules.
pub const META: &[Code] = &[
    CONFIG,
    SCENARIO_FAILED,
    crate::lint::ALLOW_WITHOUT_REASON,
    crate::lint::ALLOW_BAD_RULE,
];

/// The validation codes, in the order of SPEC section 5.
pub fn validation() -> impl Iterator<Item = Code> {
    crate::check::rules::ALL.iter().map(|c| c.code)
}

/// Every documented code: validation codes, lint rules, then meta codes.
pub fn all() -> impl Iterator<Item = Code> {
    validation()
        .chain(crate::lint::registry().iter().map(|r| r.doc))
        .chain(META.iter().copied())
}

pub fn lookup(code: &str) -> Option<Code> {
    all().find(|d| d.code == code)
}

/// What `sopctl explain CODE` prints, or None for an unknown code.
pub fn explain(code: &str) -> Option<String> {
    lookup(code).map(explain_text)
}

/// Every code's name, in the order of [`all`].
pub fn all_codes() -> Vec<&'static str> {
    all().map(|d| d.code).collect()
}

/// Descriptions for a SARIF rule.
pub fn rule_doc(code: &str) -> Option<RuleDoc> {
    lookup(code).map(Doc::rule_doc)
}

#[cfg(test)]
mod tests;
