//! `sopctl test`: the scenario runner on passing and failing scenarios, coverage, and the
//! shipped SOPs' scenarios.

mod common;

use common::*;

fn scenario_dir(name: &str) -> std::path::PathBuf {
    fixtures().join("scenarios").join(name)
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}\n{}", stdout(out), stderr(out)))
}

#[test]
fn a_passing_scenario_exits_0_and_reports_coverage() {
    let out = run_in(&scenario_dir("passing"), &["test", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("ok     ship-it"), "{err}");
    assert!(
        err.contains("delivery    1/2    50.0%  not taken: pending->cancelled"),
        "{err}"
    );
}

#[test]
fn min_coverage_fails_below_and_passes_at_or_above() {
    let dir = scenario_dir("passing");
    let below = run_in(&dir, &["test", "--min-coverage", "60"]);
    assert_eq!(below.status.code(), Some(1));
    assert!(stderr(&below).contains("below --min-coverage 60%"));
    let at = run_in(&dir, &["test", "--min-coverage", "50"]);
    assert_eq!(at.status.code(), Some(0), "{}", stderr(&at));
}

#[test]
fn a_failing_expect_is_reported_at_its_key_with_expected_and_actual() {
    let out = run_in(&scenario_dir("failing"), &["test", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json = json_of(&out);
    assert_eq!(json["failed"], 1);
    assert_eq!(json["ok"], false);
    let failures = json["scenarios"][0]["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 2, "{failures:#?}");
    let f = &failures[0];
    assert_eq!(f["code"], "scenario-failed");
    assert_eq!(f["file"], "sops/scenario.yaml");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(13), Some(17))
    );
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("expected cancelled, actual shipped"), "{msg}");
    // A step that fails without `expect.error` fails the scenario, at the step.
    let f = &failures[1];
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(14), Some(7))
    );
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("no-such-transition"));
}

#[test]
fn human_output_shows_the_failing_step_in_the_file() {
    let out = run_in(&scenario_dir("failing"), &["test", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("sops/scenario.yaml:13:17"), "{err}");
    assert!(err.contains("FAILED ship-it"), "{err}");
}

#[test]
fn the_shipped_sops_pass_with_full_coverage() {
    let out = run_in(
        &repo_root(),
        &["test", "--min-coverage", "100", "--format", "json"],
    );
    let json = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{json:#}");
    assert_eq!(json["failed"], 0);
    assert_eq!(json["coverage"]["percent"], 100.0);
    let processes = json["coverage"]["processes"].as_array().unwrap();
    assert_eq!(processes.len(), 13);
    let files: std::collections::BTreeSet<&str> = json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert!(
        files.iter().all(|f| f.starts_with("sops/scenarios/")),
        "{files:?}"
    );
}

#[test]
fn named_paths_run_only_their_scenarios() {
    let out = run_in(
        &repo_root(),
        &[
            "test",
            "sops/scenarios/sales-delivery.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = json_of(&out);
    for s in json["scenarios"].as_array().unwrap() {
        assert_eq!(s["process"], "sales-delivery");
    }
}

#[test]
fn validation_errors_stop_the_run() {
    let dir = fixtures().join("validate").join("scenario-unknown-process");
    let out = run_in(&dir, &["test"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown-process"), "{}", stderr(&out));
}

#[test]
fn explain_knows_scenario_failed() {
    let out = sopctl()
        .args(["explain", "scenario-failed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("expect"));
}
