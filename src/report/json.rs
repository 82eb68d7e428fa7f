//! The `json` format: one object, keys in the order SPEC section 7 shows.

use serde::Serialize;

use super::{counts, Omitted};
use crate::diagnostic::Diagnostic;

#[derive(Serialize)]
struct Output<'a> {
    diagnostics: Vec<Entry<'a>>,
    errors: usize,
    warnings: usize,
    /// Findings counted in `errors`/`warnings` but not listed (see `report::cap`).
    #[serde(skip_serializing_if = "is_zero")]
    omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct Entry<'a> {
    code: &'a str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    /// Always a string, so consumers need not handle null.
    help: &'a str,
}

pub(super) fn render(diags: &[Diagnostic], omitted: &Omitted) -> String {
    let (errors, warnings) = counts(diags);
    let (errors, warnings) = (errors + omitted.errors, warnings + omitted.warnings);
    let output = Output {
        diagnostics: diags
            .iter()
            .map(|d| Entry {
                code: &d.code,
                severity: d.severity.as_str(),
                message: &d.message,
                file: &d.file,
                line: d.line(),
                column: d.column(),
                help: d.help.as_deref().unwrap_or(""),
            })
            .collect(),
        errors,
        warnings,
        omitted: omitted.total(),
    };
    // Plain structs of strings and numbers always serialize.
    let mut out = serde_json::to_string(&output).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Pos, Span};

    #[test]
    fn exact_shape() {
        let diags = [
            Diagnostic::error(
                "unknown-status",
                "sops/发货.yaml",
                Span::point(Pos::new(12, 9)),
                "未知状态 `shiped`\n\"quoted\"",
            )
            .with_help("did you mean `shipped`?"),
            Diagnostic::warning("missing-owner", "sops/a.yaml", Span::default(), "no owner"),
        ];
        insta::assert_snapshot!(render(&diags, &Omitted::default()), @r#"{"diagnostics":[{"code":"unknown-status","severity":"error","message":"未知状态 `shiped`\n\"quoted\"","file":"sops/发货.yaml","line":12,"column":9,"help":"did you mean `shipped`?"},{"code":"missing-owner","severity":"warning","message":"no owner","file":"sops/a.yaml","line":0,"column":0,"help":""}],"errors":1,"warnings":1}"#);
        assert!(render(&diags, &Omitted::default()).ends_with("}\n"));
    }

    #[test]
    fn empty() {
        assert_eq!(
            render(&[], &Omitted::default()),
            "{\"diagnostics\":[],\"errors\":0,\"warnings\":0}\n"
        );
    }
}
