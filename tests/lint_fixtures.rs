//! Every lint rule fires at the exact file, line and column its fixture names with
//! `# expect: RULE@WHERE`, nothing else fires, and its fixed twin `<rule>-fixed` lints clean.
//!
//! Each fixture is linted in a temporary copy committed to a fresh git repository 35 days
//! before the pinned "now" (`SOPCTL_NOW`), so that `stale-review` sees the same history
//! wherever and whenever the tests run.

mod common;

use std::path::Path;

use common::*;

const NOW: &str = "2026-01-05T09:00:00+08:00";
/// 2026-01-05T09:00:00+08:00 in seconds since the epoch.
const NOW_SECS: i64 = 1_767_574_800;
const COMMITTED_DAYS_AGO: i64 = 35;

fn lint_fixture(case: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(case, tmp.path());
    git_commit_all(tmp.path(), NOW_SECS - COMMITTED_DAYS_AGO * 86_400);
    lint_json(tmp.path(), extra, &[("SOPCTL_NOW", NOW)])
}

fn cases() -> Vec<std::path::PathBuf> {
    let mut cases: Vec<_> = std::fs::read_dir(fixtures().join("lint"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_fixture_reports_exactly_what_it_expects() {
    let cases = cases();
    assert!(cases.len() >= 32, "fixtures are present");
    let mut failures = Vec::new();
    for case in &cases {
        let expected = expectations(case);
        let (code, json) = lint_fixture(case, &[]);
        let actual = findings(&json);
        let all_warnings = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["severity"] == "warning");
        if actual != expected || code != 0 || !all_warnings {
            failures.push(format!(
                "{}: exit {code} (want 0)\n  expected: {expected:?}\n  actual:   {actual:?}\n  report: {json}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_a_fixture_and_a_fixed_twin() {
    let root = fixtures().join("lint");
    let names = sopctl::lint::registry().iter().map(|r| r.name()).chain(
        [
            sopctl::lint::ALLOW_WITHOUT_REASON,
            sopctl::lint::ALLOW_BAD_RULE,
        ]
        .map(|d| d.code),
    );
    let mut problems = Vec::new();
    for name in names {
        let broken = root.join(name);
        let fixed = root.join(format!("{name}-fixed"));
        if !broken.is_dir() || !expectations(&broken).iter().any(|e| e.0 == name) {
            problems.push(format!("{name}: no fixture expecting it"));
        }
        if !fixed.is_dir() {
            problems.push(format!("{name}: no fixed twin"));
        } else if !expectations(&fixed).is_empty() {
            problems.push(format!("{name}-fixed: expects findings"));
        }
    }
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn deny_warnings_fails_on_a_fixture_and_passes_its_twin() {
    let root = fixtures().join("lint");
    let (code, json) = lint_fixture(&root.join("idle-status"), &["--deny-warnings"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 1);
    let (code, json) = lint_fixture(&root.join("idle-status-fixed"), &["--deny-warnings"]);
    assert_eq!(code, 0, "{json}");
}
