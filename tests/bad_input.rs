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

/// The single finding of `validate --format json` with the locale `lang`.
fn finding_in(dir: &Path, lang: &str) -> serde_json::Value {
    let out = sopctl()
        .current_dir(dir)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .args(["validate", "--format", "json"])
        .output()
        .expect("sopctl runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 1, "{json}");
    json["diagnostics"][0].clone()
}

/// A refused file: its name, bytes, line, column, then the English message and help and the
/// Chinese message and help.
type Refused<'a> = (&'a str, &'a [u8], u64, u64, [&'a str; 4]);

#[test]
fn refused_files_are_told_in_the_process_language() {
    let huge = vec![b'#'; 9 * 1024 * 1024];
    let deep = format!("{}x\n", "- ".repeat(200));
    let cases: [Refused; 4] = [
        ("logo.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, 1, [
            "this is a binary file, not YAML text (it contains a NUL byte)",
            "remove it from the SOP folder, or narrow `sources` in sopctl.yaml",
            "这是二进制文件，不是 YAML 文本（其中有 NUL 字节）",
            "把它移出 SOP 文件夹，或在 sopctl.yaml 里收窄 `sources`",
        ]),
        ("gbk.yaml", b"title: \xb7\xa2\xbb\xf5\n", 1, 8, [
            "this file is not valid UTF-8 text",
            "save the file as UTF-8 (for example, convert it from GBK with `iconv -f GBK -t UTF-8`)",
            "这个文件不是有效的 UTF-8 文本",
            "请把文件另存为 UTF-8 编码（例如用 `iconv -f GBK -t UTF-8` 从 GBK 转换）",
        ]),
        ("huge.yaml", &huge, 1, 1, [
            "this file is 9.0 MiB; SOP files may be at most 8 MiB",
            "split the file into one file per process, or exclude it with `sources` in sopctl.yaml",
            "这个文件有 9.0 MiB；SOP 文件最大 8 MiB",
            "把文件拆成每个流程一个文件，或在 sopctl.yaml 的 `sources` 里排除它",
        ]),
        ("deep.yaml", deep.as_bytes(), 1, 129, [
            "nesting deeper than 64 levels (or than the YAML parser allows)",
            "an SOP never needs this depth; check for a runaway indentation or bracket",
            "嵌套超过 64 层（或超过 YAML 解析器允许的深度）",
            "SOP 不会用到这么深的嵌套；请检查是否有失控的缩进或括号",
        ]),
    ];
    for (file, bytes, line, column, [en, en_help, zh, zh_help]) in cases {
        let dir = project_with(file, bytes);
        for (lang, message, help) in [("C.UTF-8", en, en_help), ("zh_CN.UTF-8", zh, zh_help)] {
            let d = finding_in(dir.path(), lang);
            assert_eq!(d["code"], "yaml-syntax", "{file} {lang}");
            assert_eq!(d["message"], message, "{file} {lang}");
            assert_eq!(d["help"], help, "{file} {lang}");
            assert_eq!(
                (d["line"].as_u64(), d["column"].as_u64()),
                (Some(line), Some(column)),
                "{file} {lang}"
            );
        }
        // `render.language` in sopctl.yaml wins over the locale.
        std::fs::write(dir.path().join("sopctl.yaml"), "render:\n  language: zh\n").unwrap();
        assert_eq!(
            finding_in(dir.path(), "en_US.UTF-8")["message"],
            zh,
            "{file}"
        );
    }
}
