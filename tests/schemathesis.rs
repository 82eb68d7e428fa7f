//! schemathesis against a running server: it generates requests from `schemas/openapi.json`
//! (as served at `/openapi.json`) and fails on any 5xx, an answer outside its documented
//! schema, an undocumented status or content type. Bounded in examples and time (about two
//! minutes). Skipped with a note when schemathesis is not installed, unless `CI=true`
//! (`.ci/install-schemathesis.sh` installs it under `target/`).

mod api_support;
mod common;

use api_support::{bundle, call, ENV, ORDER};
use serde_json::json;

fn schemathesis() -> Option<std::path::PathBuf> {
    let local = common::repo_root().join("target/schemathesis-venv/bin/schemathesis");
    if local.exists() {
        return Some(local);
    }
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("schemathesis"))
            .find(|f| f.exists())
    })
}

#[test]
fn schemathesis_finds_no_server_error_and_no_undocumented_answer() {
    let Some(bin) = schemathesis() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "schemathesis is missing: run .ci/install-schemathesis.sh"
        );
        eprintln!("note: schemathesis is not installed; skipped (.ci/install-schemathesis.sh)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = common::serve(&dir.path().join("db"), ENV);
    let a = s.addr.as_str();
    let text = bundle(&[("order", ORDER)]);
    assert_eq!(
        call(
            a,
            "PUT",
            "/v1/bundle",
            Some("adm"),
            serde_json::from_str(&text).ok().as_ref()
        )
        .status,
        201
    );
    let body = json!({"process": "order", "fields": {"owner": "zhang", "customer": "甲"}});
    assert_eq!(
        call(a, "POST", "/v1/records", Some("ts"), Some(&body)).status,
        201
    );
    let out = std::process::Command::new(bin)
        .args(["run", &format!("http://{a}/openapi.json")])
        .args(["--header", "Authorization: Bearer ts"])
        .args(["--checks", "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", "15", "--max-time", "110", "--request-timeout", "10"])
        // One worker: two threads trip a CPython 3.11 race in hypothesis' lambda parsing
        // ("AST constructor recursion depth mismatch"), a tool error, not a server one.
        .args(["--seed", "14", "--workers", "1", "--no-color"])
        .env("SCHEMATHESIS_HOOKS", "")
        .output()
        .expect("schemathesis runs");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{report}"
    );
}
