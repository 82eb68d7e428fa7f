//! Command-line behaviour as a new user meets it.

mod common;

use common::*;

#[test]
fn shipped_sops_validate_clean() {
    let (code, json) = validate_json(&repo_root(), &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 0, "{json}");
}

#[test]
fn shipped_sops_cover_the_seeds() {
    let root = repo_root().join("sops");
    let mut names = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                let text = std::fs::read_to_string(&p).unwrap();
                for line in text.lines().filter(|l| l.starts_with("  name: ")) {
                    names.push(line.trim_start_matches("  name: ").trim().to_string());
                }
            }
        }
    }
    for want in [
        "sales-delivery",
        "order-management",
        "product-sales",
        "purchasing",
        "sales-follow-up",
        "project-expansion",
        "production",
        "repair",
        "finance-bookkeeping",
        "daily-work",
        "order-to-project",
        "translation-project",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "missing process {want}: {names:?}"
        );
    }
}

#[test]
fn paths_limit_the_report_but_references_still_resolve() {
    // Only the process file is named: its roles come from roles.yaml, which is still loaded.
    let out = run_in(
        &repo_root(),
        &["validate", "--format", "json", "sops/销售/销售发货.yaml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let dir = fixtures().join("validate/duplicate-name");
    let (code, json) = validate_json(&dir, &["sops/delivery.yaml"]);
    assert_eq!(
        (code, json["errors"].as_u64()),
        (0, Some(0)),
        "the finding is in another file: {json}"
    );
}

#[test]
fn config_errors_exit_2_with_a_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sopctl.yaml"),
        "sources: [\"sops/**/*.yaml\"]\nrender: { langauge: zh }\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(
        (
            d["code"].as_str(),
            d["file"].as_str(),
            d["line"].as_u64(),
            d["column"].as_u64()
        ),
        (Some("config"), Some("sopctl.yaml"), Some(2), Some(11))
    );
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `language`"),
        "{json}"
    );
}

#[test]
fn missing_config_file_exits_2() {
    let out = sopctl()
        .args(["validate", "--config", "/nonexistent/sopctl.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
}

#[test]
fn sources_from_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sopctl.yaml"),
        "sources: [\"procedures/*.yml\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("procedures")).unwrap();
    std::fs::write(dir.path().join("procedures/a.yml"), "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: r }\nspec: { roles: { sales: { title: 销售 } } }\n").unwrap();
    // A broken file outside the globs is not read.
    std::fs::create_dir_all(dir.path().join("sops")).unwrap();
    std::fs::write(dir.path().join("sops/broken.yaml"), "[").unwrap();
    let (code, json) = validate_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json}");
    // Run from a subfolder: the project root is found upwards.
    let (code, _) = validate_json(&dir.path().join("procedures"), &[]);
    assert_eq!(code, 0);
}

#[test]
fn unknown_format_is_a_usage_error() {
    let out = run_in(&repo_root(), &["validate", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("human, json, sarif or github"));
}

#[test]
fn unknown_command_is_a_usage_error() {
    let out = sopctl().arg("valdate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn schema_command_prints_the_editor_schema() {
    let out = sopctl().arg("schema").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
}

/// `sopctl … | head`: the reader goes away before sopctl writes. sopctl ends quietly, as
/// other tools do, with no panic text; before this, `println!` panicked on the broken pipe.
#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        vec!["schema"],
        vec!["test", "--format", "json"],
        vec!["lint", "--format", "json"],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sopctl"))
            .args(&args)
            .current_dir(repo_root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "sopctl {args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "sopctl {args:?}: {err}");
    }
}
