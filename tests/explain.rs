//! `sopctl explain` documents every code, and every documented example does what it claims:
//! the failing example produces its code, the fixed one validates clean.

mod common;

use common::*;

#[test]
fn explain_every_code() {
    for doc in sopctl::codes::validation() {
        let out = sopctl().args(["explain", doc.code]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", doc.code);
        let text = stdout(&out);
        for part in [doc.code, doc.summary, "Example", "Fixed"] {
            assert!(
                text.contains(part),
                "explain {} lacks {part:?}:\n{text}",
                doc.code
            );
        }
    }
}

#[test]
fn explain_unknown_code_exits_2_with_suggestion() {
    let out = sopctl()
        .args(["explain", "unknown-stauts"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `unknown-status`"),
        "{}",
        stderr(&out)
    );
}

fn validate_text(text: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("sops")).unwrap();
    std::fs::write(dir.path().join("sops/example.yaml"), text).unwrap();
    validate_json(dir.path(), &[]).1
}

#[test]
fn documented_examples_fail_with_their_code_and_fixes_pass() {
    let mut problems = Vec::new();
    for doc in sopctl::codes::validation() {
        let bad = validate_text(doc.example);
        let codes: Vec<&str> = bad["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        if !codes.contains(&doc.code) {
            problems.push(format!("{}: example gives {codes:?}", doc.code));
        }
        let good = validate_text(doc.fixed);
        if good["errors"] != 0 {
            problems.push(format!(
                "{}: fixed example gives {}",
                doc.code, good["diagnostics"]
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
