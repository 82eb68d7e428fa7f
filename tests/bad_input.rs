//! Hostile or broken input never panics: each file gets one diagnostic with a position, or a
//! clear one-line error, and a non-zero exit.

mod common;

use common::*;
use std::path::Path;

fn project_with(file: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sops = dir.path().join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    std::fs::write(sops.join(file), bytes).unwrap();
    dir
}

/// Asserts exactly one diagnostic, with the given code and position, and no panic.
fn one_finding(dir: &Path, code: &str, line: u64, column: u64, message_part: &str) {
    let out = run_in(dir, &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{json}");
    let d = &diags[0];
    assert_eq!(d["code"], code, "{json}");
    assert_eq!(
        (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()),
        (line, column),
        "{json}"
    );
    assert!(
        d["message"].as_str().unwrap().contains(message_part),
        "{json}"
    );
    assert!(!d["help"].as_str().unwrap().is_empty(), "{json}");
    // The human format must not panic either and must name the place.
    let human = run_in(dir, &["validate", "--color", "never"]);
    assert_eq!(human.status.code(), Some(1));
    assert!(
        stderr(&human).contains(&format!(":{line}:{column}")),
        "{}",
        stderr(&human)
    );
}

#[test]
fn malformed_yaml() {
    let dir = project_with(
        "bad.yaml",
        b"apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: x\n",
    );
    let out = run_in(dir.path(), &["validate", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["code"], "yaml-syntax");
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 1);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn alias_bomb() {
    let mut src = String::from("apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: bomb }\nspec:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        src.push_str(&format!(
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let dir = project_with("bomb.yaml", src.as_bytes());
    let out = run_in(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "yaml-syntax");
    assert!(
        d["message"].as_str().unwrap().contains("aliases expand"),
        "{json}"
    );
    assert!(d["line"].as_u64().unwrap() >= 5);
}

#[test]
fn deep_flow_nesting() {
    let dir = project_with("deep.yaml", "[".repeat(10_000).as_bytes());
    one_finding(dir.path(), "yaml-syntax", 1, 256, "nesting deeper than");
}

#[test]
fn deep_block_nesting() {
    let dir = project_with(
        "deep.yaml",
        format!("{}x\n", "- ".repeat(10_000)).as_bytes(),
    );
    one_finding(dir.path(), "yaml-syntax", 1, 129, "nesting deeper than 64");
}

#[test]
fn huge_file() {
    let dir = project_with("huge.yaml", &vec![b'#'; 50 * 1024 * 1024]);
    one_finding(dir.path(), "yaml-syntax", 1, 1, "50.0 MiB");
}

#[test]
fn binary_file() {
    let dir = project_with("logo.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    one_finding(dir.path(), "yaml-syntax", 3, 1, "binary");
}

#[test]
fn not_utf8() {
    // "标题: 发货" in GBK.
    let dir = project_with(
        "gbk.yaml",
        b"apiVersion: sopctl/v1\ntitle: \xb1\xea\xcc\xe2\n",
    );
    one_finding(dir.path(), "yaml-syntax", 2, 8, "UTF-8");
}

#[test]
fn empty_file() {
    let dir = project_with("empty.yaml", b"");
    one_finding(dir.path(), "schema", 1, 1, "no SOP document");
}

#[test]
fn scalar_file() {
    let dir = project_with("scalar.yaml", b"just some text\n");
    one_finding(dir.path(), "schema", 1, 1, "must be a mapping");
}

#[test]
fn list_file() {
    let dir = project_with("list.yaml", b"- a\n- b\n");
    one_finding(dir.path(), "schema", 1, 1, "must be a mapping");
}

#[test]
fn unknown_kind() {
    let dir = project_with(
        "kind.yaml",
        b"apiVersion: sopctl/v1\nkind: Proces\nmetadata: { name: x }\nspec: {}\n",
    );
    one_finding(dir.path(), "schema", 2, 7, "Proces");
}

#[test]
fn chinese_file_names_and_crlf() {
    let text = "apiVersion: sopctl/v1\r\nkind: Roles\r\nmetadata: { name: 公司 }\r\nspec:\r\n  roles:\r\n    sales: { title: 销售 }\r\n";
    let dir = project_with("角色.yaml", text.as_bytes());
    one_finding(dir.path(), "schema", 3, 19, "公司");
    let json = validate_json(dir.path(), &[]).1;
    assert_eq!(json["diagnostics"][0]["file"], "sops/角色.yaml");
}

#[test]
fn no_sources_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no SOP files found"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("help:"));
}

#[test]
fn missing_path_is_a_usage_error() {
    let dir = project_with("a.yaml", b"x: 1\n");
    let out = run_in(dir.path(), &["validate", "nope.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`nope.yaml` does not exist"),
        "{}",
        stderr(&out)
    );
}
