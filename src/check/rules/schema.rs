//! `schema`: a document does not match the sopctl/v1 schema.
//! Reported mostly by the `schema` stage (`crate::schema`); the check here is the one rule
//! the JSON Schema cannot say: automatic transitions involve no people.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;

pub const CODE: Code = &Doc {
    code: "schema",
    kind: Kind::Validation,
    summary: "A document does not match the sopctl/v1 schema",
    what: "A document is valid YAML but not a valid sopctl document: an unknown key, a value \
        of the wrong type, a missing required key, an identifier that breaks the naming \
        rules, a value outside its allowed set (such as a field `type` or a notification \
        `channel`), or an automatic transition that names people (`by` or `approval`).",
    why: "sopctl cannot tell what a misspelled or unsupported setting was meant to do; \
        ignoring it silently would give people a process that differs from the one written \
        down.",
    example: include_str!("schema/bad.yaml"),
    fixed: include_str!("schema/fixed.yaml"),
    help: "Correct the key or value named in the message; docs/reference/language.md lists \
        every key and allowed value (field types are text, longtext, number, money, bool, date, \
        datetime, user, users, file, files and choice).",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(automatic_with_people),
    },
};

/// A transition with `when` fires by itself: nobody triggers it and nobody approves it.
pub fn automatic_with_people(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in p.transitions.iter().filter(|t| t.when.is_some()) {
        for (key, span) in [("by", t.by_key), ("approval", t.approval_key)] {
            if let Some(span) = span {
                out.push(ctx.error(
                    CODE,
                    &p.file,
                    span,
                    format!(
                        "the transition to `{}` is automatic (`when`), so it cannot have `{key}`",
                        t.to.v
                    ),
                    format!("remove `{key}`, or remove `when` to make it a manual transition"),
                ));
            }
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
