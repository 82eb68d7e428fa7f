//! Every code of the registry is documented, its example fails with it and its fixed example
//! does not, run through the binary as users run it: validation codes with `validate` (the
//! example gives that code and nothing else, the fix gives nothing), lint rules and the
//! `metadata.lint.allow` codes with `lint`, `config` as a sopctl.yaml, `scenario-failed` with
//! `sopctl test`.

mod common;

use std::path::Path;

use common::*;
use sopctl::codes::{Doc, Kind};

/// The roles the lint examples assume when they bring no Roles document (as the rules' unit
/// tests do).
const ROLES: &str = "apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    sales-manager: { title: 销售主管 }
    warehouse: { title: 库管 }
    finance: { title: 财务 }
    logistics-bot: { title: 物流查询机器人, bot: true }
---
";

const NOW: &str = "2026-01-05T09:00:00+08:00";
const NOW_SECS: i64 = 1_767_574_800;

/// The codes of a JSON report's `diagnostics` (or of `sopctl test`'s failures).
fn codes_of(json: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect();
    for s in json["scenarios"].as_array().into_iter().flatten() {
        for f in s["failures"].as_array().into_iter().flatten() {
            out.push(f["code"].as_str().unwrap_or_default().to_string());
        }
    }
    out
}

fn run_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = sopctl()
        .current_dir(dir)
        .env("SOPCTL_NOW", NOW)
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stdout is not JSON ({e}): {}{}",
            stdout(&out),
            stderr(&out)
        )
    })
}

/// A lint example's settings, from its `# with `…` in sopctl.yaml` line.
fn lint_settings(yaml: &str) -> Option<String> {
    let line = yaml.lines().find(|l| l.starts_with("# with `"))?;
    let setting = line.strip_prefix("# with `")?.split('`').next()?;
    Some(format!("lint:\n  rules:\n    {setting}\n"))
}

/// The codes `yaml` gives when run as `doc`'s kind of code is found.
fn codes_for(doc: &Doc, yaml: &str, fixed: bool) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("sops")).unwrap();
    let sop = root.join("sops/example.yaml");
    match (doc.kind, doc.code) {
        (_, "config") => {
            std::fs::write(root.join("sopctl.yaml"), yaml).unwrap();
            std::fs::write(&sop, sopctl::check::rules::schema::CODE.fixed).unwrap();
            codes_of(&run_json(root, &["validate", "--format", "json"]))
        }
        (_, "scenario-failed") => {
            std::fs::write(&sop, yaml).unwrap();
            codes_of(&run_json(root, &["test", "--format", "json"]))
        }
        (Kind::Validation, _) => {
            std::fs::write(&sop, yaml).unwrap();
            codes_of(&run_json(root, &["validate", "--format", "json"]))
        }
        (Kind::Lint { .. } | Kind::Meta, _) => {
            let text = if yaml.contains("kind: Roles") {
                yaml.to_string()
            } else {
                format!("{ROLES}{yaml}")
            };
            std::fs::write(&sop, text).unwrap();
            if let Some(config) = lint_settings(doc.example) {
                std::fs::write(root.join("sopctl.yaml"), config).unwrap();
            }
            if doc.code == "stale-review" {
                // The example was last committed two years ago; the fix was just committed.
                let age = if fixed { 3600 } else { 730 * 86_400 };
                git_commit_all(root, NOW_SECS - age);
            }
            codes_of(&run_json(root, &["lint", "--format", "json"]))
        }
    }
}

#[test]
fn every_code_has_a_doc_a_failing_example_and_a_fix() {
    let mut problems = Vec::new();
    let mut seen = 0;
    for doc in sopctl::codes::all() {
        seen += 1;
        let texts = [
            doc.summary,
            doc.what,
            doc.why,
            doc.example,
            doc.fixed,
            doc.help,
        ];
        if texts.iter().any(|t| t.trim().is_empty()) {
            problems.push(format!("{}: a part of its doc is empty", doc.code));
        }
        let bad = codes_for(doc, doc.example, false);
        let strict = doc.kind == Kind::Validation;
        if !bad.iter().any(|c| c == doc.code) || (strict && bad.iter().any(|c| c != doc.code)) {
            problems.push(format!("{}: the example gives {bad:?}", doc.code));
        }
        let good = codes_for(doc, doc.fixed, true);
        if good.iter().any(|c| c == doc.code) || (strict && !good.is_empty()) {
            problems.push(format!("{}: the fixed example gives {good:?}", doc.code));
        }
    }
    assert!(seen > 40, "the registry lists every code ({seen})");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn explain_lists_every_code_grouped_and_knows_config() {
    let out = sopctl().arg("explain").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let v = text.find("Validation codes:").expect("validation group");
    let l = text.find("Lint rules:").expect("lint group");
    let m = text.find("Other codes:").expect("meta group");
    assert!(v < l && l < m, "{text}");
    for doc in sopctl::codes::all() {
        assert!(
            text.contains(&format!("  {} ", doc.code)),
            "{}: {text}",
            doc.code
        );
    }
    let out = sopctl().args(["explain", "config"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("config — ") && text.contains("Fixed"),
        "{text}"
    );
}

#[test]
fn readme_codes_table_matches_the_registry() {
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = (
        "<!-- validation-codes:start -->\n",
        "<!-- validation-codes:end -->",
    );
    let a = readme.find(start).expect("start marker") + start.len();
    let b = readme.find(end).expect("end marker");
    let expected = sopctl::codes::readme_table();
    if readme[a..b] != expected {
        if std::env::var_os("SOPCTL_UPDATE_README").is_some() {
            let updated = format!("{}{}{}", &readme[..a], expected, &readme[b..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!(
                "the README codes table is out of date (run with SOPCTL_UPDATE_README=1 to rewrite it); expected between the markers:\n{expected}"
            );
        }
    }
}
