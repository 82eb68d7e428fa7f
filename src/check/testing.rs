//! Helpers for the unit tests of the codes: validate one file's text through the whole
//! pipeline (load, schema, model, checks), as `sopctl validate` does.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;

/// Every finding of a project made of one file, `sops/example.yaml`, holding `yaml`.
pub fn validate(yaml: &str) -> Vec<Diagnostic> {
    let root = tempfile::tempdir().expect("a temporary folder");
    let config = crate::config::defaults(root.path());
    let files = vec![("sops/example.yaml".to_string(), yaml.as_bytes().to_vec())];
    crate::project::load_sources(&config, files).diagnostics
}

/// The code's example fails with exactly that code, each finding with a position and a help
/// text, and its fixed version passes clean.
pub fn example_and_fix(code: Code) {
    let bad = validate(code.example);
    assert!(!bad.is_empty(), "{}: the example passes", code.code);
    for d in &bad {
        let positioned = d.file == "sops/example.yaml" && d.line() >= 1 && d.column() >= 1;
        let helped = d.help.as_deref().is_some_and(|h| !h.trim().is_empty());
        assert!(
            positioned && helped,
            "{}: no position or help: {d:#?}",
            code.code
        );
    }
    let others: Vec<&Diagnostic> = bad.iter().filter(|d| d.code != code.code).collect();
    assert!(
        others.is_empty(),
        "{}: the example also gives {others:#?}",
        code.code
    );
    let fixed = validate(code.fixed);
    assert!(
        fixed.is_empty(),
        "{}: the fixed example gives {fixed:#?}",
        code.code
    );
}
