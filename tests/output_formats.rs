//! The four findings formats, as printed by the real binary.

mod common;

use common::*;

fn fixture(name: &str) -> std::path::PathBuf {
    fixtures().join(name)
}

fn human(dir: &std::path::Path) -> String {
    let out = run_in(dir, &["validate", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "human output goes to stderr");
    stderr(&out)
}

#[test]
fn human_unknown_role() {
    insta::assert_snapshot!(human(&fixture("validate/unknown-role")));
}

#[test]
fn human_bad_expression() {
    insta::assert_snapshot!(human(&fixture("validate/bad-expression")));
}

#[test]
fn human_schema_unknown_key() {
    insta::assert_snapshot!(human(&fixture("validate/schema-unknown-key")));
}

#[test]
fn human_carets_under_cjk_text() {
    insta::assert_snapshot!(human(&fixture("human/cjk")));
}

#[test]
fn colour_only_when_asked() {
    let dir = fixture("validate/unknown-role");
    let plain = run_in(&dir, &["validate"]);
    assert!(
        !stderr(&plain).contains('\x1b'),
        "no colour when stderr is not a terminal"
    );
    let forced = run_in(&dir, &["validate", "--color", "always"]);
    assert!(
        stderr(&forced).contains('\x1b'),
        "colour with --color always"
    );
}

#[test]
fn json_shape() {
    let (code, json) = validate_json(&fixture("human/cjk"), &[]);
    assert_eq!(code, 1);
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["diagnostics", "errors", "warnings"]);
    let d = &json["diagnostics"][0];
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["code", "severity", "message", "file", "line", "column", "help"]
    );
    assert_eq!(json["errors"], 2);
    assert_eq!(d["file"], "sops/发货.yaml");
}

#[test]
fn sarif_for_code_scanning() {
    let dir = fixture("human/cjk");
    let out = run_in(&dir, &["validate", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["version"], "2.1.0");
    assert!(s["$schema"].as_str().unwrap().contains("sarif"));
    let run = &s["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["unknown-field", "unknown-role"]);
    for r in run["tool"]["driver"]["rules"].as_array().unwrap() {
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
    }
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "unknown-field")
        .unwrap();
    let loc = &result["locations"][0]["physicalLocation"];
    // Repository-relative, percent-encoded URI.
    let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("tests/fixtures/human/cjk/sops/"), "{uri}");
    assert!(uri.ends_with("%E5%8F%91%E8%B4%A7.yaml"), "{uri}");
    // `tracking_no` after `    shipped: { title: 已发货出库, requires: [` — CJK characters are
    // one UTF-16 unit each, so the column equals the character column here.
    assert_eq!(loc["region"]["startLine"], 16);
    assert_eq!(loc["region"]["startColumn"], 41);
    assert!(result["partialFingerprints"]["primaryLocationLineHash"].is_string());
}

#[test]
fn github_annotations() {
    let out = run_in(&fixture("human/cjk"), &["validate", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0]
            .starts_with("::error file=tests/fixtures/human/cjk/sops/发货.yaml,line=16,col=41,"),
        "{text}"
    );
    assert!(lines[0].contains("title=sopctl unknown-field::"), "{text}");
    assert!(lines[0].contains("%0Ahelp: "), "newlines escaped: {text}");
}
