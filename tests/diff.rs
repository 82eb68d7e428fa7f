//! `sopctl diff` and `sopctl log`: one previous/current fixture pair per change kind (no git
//! needed: a folder is read as a project), then real temporary git repositories for
//! revisions, shallow clones, bundles, invalid files and history.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn diff_dir() -> PathBuf {
    fixtures().join("diff")
}

/// (process, kind, severity) of a JSON diff report.
fn triples(json: &serde_json::Value) -> Vec<String> {
    json["changes"]
        .as_array()
        .expect("changes array")
        .iter()
        .map(|c| {
            let obj = c.as_object().unwrap();
            let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            assert_eq!(keys, ["process", "kind", "severity", "message"], "{c}");
            assert!(!c["message"].as_str().unwrap().is_empty());
            format!(
                "{} {} {}",
                c["process"].as_str().unwrap(),
                c["kind"].as_str().unwrap(),
                c["severity"].as_str().unwrap()
            )
        })
        .collect()
}

fn diff_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["diff", "--format", "json"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    let code = out.status.code().unwrap_or(-1);
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\nstderr: {}",
            stdout(&out),
            stderr(&out)
        )
    });
    (code, json, stderr(&out))
}

#[test]
fn every_fixture_gives_exactly_its_changes() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(diff_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 45, "{} fixtures", dirs.len());
    let mut kinds = std::collections::BTreeSet::new();
    for dir in dirs {
        let (code, json, err) = diff_json(&dir, &["--base", "previous", "--head", "current"]);
        assert_eq!(code, 0, "{}: {err}", dir.display());
        assert!(
            !err.contains("note:"),
            "{}: both sides are valid: {err}",
            dir.display()
        );
        let expected: Vec<String> = std::fs::read_to_string(dir.join("expected.txt"))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        let got = triples(&json);
        assert_eq!(got, expected, "{}", dir.display());
        for t in &got {
            kinds.insert(t.split(' ').nth(1).unwrap().to_string());
        }
        // The fixture's own name is among its kinds (`-required`/`-removed` variants aside).
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            got.iter()
                .any(|t| name.starts_with(t.split(' ').nth(1).unwrap())),
            "{name}: {got:?}"
        );
    }
    for k in [
        "process-added",
        "process-removed",
        "process-title-changed",
        "process-owner-changed",
        "field-added",
        "field-removed",
        "field-renamed",
        "field-type-changed",
        "field-required-changed",
        "field-options-changed",
        "field-title-changed",
        "status-added",
        "status-removed",
        "status-renamed",
        "status-made-terminal",
        "status-title-changed",
        "status-requires-changed",
        "transition-added",
        "transition-removed",
        "transition-approval-changed",
        "transition-by-changed",
        "transition-requires-changed",
        "transition-condition-changed",
        "transition-title-changed",
        "task-added",
        "task-removed",
        "task-assignee-changed",
        "task-due-changed",
        "task-fill-changed",
        "task-then-changed",
        "task-guide-changed",
        "task-checklist-changed",
        "task-title-changed",
        "task-media-changed",
        "task-reminders-changed",
        "task-escalation-changed",
        "notification-added",
        "notification-removed",
        "notification-changed",
        "notification-message-changed",
        "link-start-changed",
        "link-move-parent-changed",
        "role-added",
        "role-removed",
        "role-title-changed",
    ] {
        assert!(kinds.contains(k), "no fixture shows {k}");
    }
}

#[test]
fn a_rename_is_not_a_removal_and_keeps_its_transitions() {
    let dir = diff_dir().join("status-renamed");
    let (_, json, _) = diff_json(&dir, &["--base", "previous", "--head", "current"]);
    assert_eq!(triples(&json), ["order status-renamed behavioral"]);
    let msg = json["changes"][0]["message"].as_str().unwrap();
    assert!(msg.contains("已发货") && msg.contains("`shipped`"), "{msg}");
}

#[test]
fn fail_on_sets_the_exit_code() {
    let breaking = diff_dir().join("status-removed");
    let behavioral = diff_dir().join("task-due-changed");
    let cosmetic = diff_dir().join("task-title-changed");
    let code = |dir: &Path, level: &str| {
        run_in(
            dir,
            &[
                "diff",
                "--base",
                "previous",
                "--head",
                "current",
                "--fail-on",
                level,
            ],
        )
        .status
        .code()
    };
    assert_eq!(code(&breaking, "breaking"), Some(1));
    assert_eq!(code(&breaking, "behavioral"), Some(1));
    assert_eq!(code(&behavioral, "breaking"), Some(0));
    assert_eq!(code(&behavioral, "behavioral"), Some(1));
    assert_eq!(code(&cosmetic, "behavioral"), Some(0));
    let out = run_in(
        &cosmetic,
        &["diff", "--base", "previous", "--head", "current"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).is_empty(), "human output goes to stderr");
    assert!(stderr(&out).contains("task-title-changed"));
    let out = run_in(
        &cosmetic,
        &["diff", "--base", "previous", "--format", "sarif"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn markdown_has_a_summary_table_then_details() {
    let dir = diff_dir().join("status-removed");
    let out = run_in(
        &dir,
        &[
            "diff", "--base", "previous", "--head", "current", "--format", "markdown",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let md = stdout(&out);
    assert!(md.starts_with("## SOP changes\n"), "{md}");
    assert!(md.contains("| 🔴 breaking | 1 |"), "{md}");
    assert!(md.contains("| 🟡 behavioral | 3 |"), "{md}");
    assert!(md.contains("| order | 1 | 2 | 0 |"), "{md}");
    assert!(md.contains("### Details"));
    assert!(md.contains("#### order"));
    assert!(md.contains("- 🔴 **breaking** `status-removed`: status 已发货 (`shipped`) removed"));
}

// --- git ---

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "测试")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "测试")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository whose first commit is `previous` and second `current` of a fixture.
fn two_commits(kind: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(&diff_dir().join(kind).join("previous"), dir);
    git_commit_all(dir, 1_767_600_000);
    std::fs::remove_dir_all(dir.join("sops")).unwrap();
    copy_dir(&diff_dir().join(kind).join("current"), dir);
    git_commit_all(dir, 1_767_700_000);
    tmp
}

#[test]
fn compares_revisions_from_git_objects_without_touching_the_work_tree() {
    let tmp = two_commits("status-removed");
    let dir = tmp.path();
    // An uncommitted change in the working tree, and a staged one.
    let order = dir.join("sops/order.yaml");
    let text = std::fs::read_to_string(&order).unwrap();
    std::fs::write(
        &order,
        text.replace("title: 提交订单", "title: 提交销售订单"),
    )
    .unwrap();
    std::fs::write(dir.join("sops/new.yaml"), "").unwrap();
    git(dir, &["add", "sops/new.yaml"]);
    let before = git(dir, &["status", "--porcelain"]);

    let (code, json, err) = diff_json(dir, &["--base", "HEAD~1", "--head", "HEAD"]);
    assert_eq!(code, 0, "{err}");
    let expected = std::fs::read_to_string(diff_dir().join("status-removed/expected.txt")).unwrap();
    assert_eq!(triples(&json), expected.lines().collect::<Vec<_>>());

    // Default: HEAD against the working tree (whose empty new file is reported and skipped).
    let (code, json, err) = diff_json(dir, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        triples(&json),
        ["order task-title-changed cosmetic"],
        "{err}"
    );
    assert!(err.contains("sops/new.yaml"), "{err}");

    assert_eq!(git(dir, &["status", "--porcelain"]), before);
}

#[test]
fn git_errors_exit_2_with_a_hint() {
    let tmp = two_commits("task-due-changed");
    let out = run_in(tmp.path(), &["diff", "--base", "nope~3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown revision `nope~3`"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());

    let out = run_in(tmp.path(), &["diff", "--base", "missing/bundle.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing/bundle.json does not exist"));

    let plain = tempfile::tempdir().unwrap();
    copy_dir(&diff_dir().join("task-due-changed/current"), plain.path());
    let out = run_in(plain.path(), &["diff"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("not inside a git repository"), "{err}");
    assert!(err.contains("pass bundle files to --base/--head"), "{err}");
}

#[test]
fn a_shallow_clone_needs_the_history_or_a_bundle() {
    let tmp = two_commits("task-due-changed");
    let origin = tmp.path();
    // The released bundle of the first commit.
    let release = tempfile::tempdir().unwrap();
    git(origin, &["checkout", "-q", "HEAD~1"]);
    let out = run_in(origin, &["build", "-o", release.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    git(origin, &["checkout", "-q", "-"]);

    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.display());
    git(
        clones.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let shallow = clones.path().join("shallow");
    let out = run_in(&shallow, &["diff", "--base", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("shallow clone"), "{err}");
    assert!(err.contains("fetch-depth: 0"), "{err}");
    assert!(err.contains("bundle.json"), "{err}");

    let bundle = release.path().join("bundle.json");
    let (code, json, err) = diff_json(&shallow, &["--base", bundle.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(triples(&json), ["order task-due-changed behavioral"]);
}

#[test]
fn a_file_invalid_at_the_base_is_reported_and_the_rest_diffed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(&diff_dir().join("task-due-changed/previous"), dir);
    std::fs::write(
        dir.join("sops/extra.yaml"),
        "apiVersion: sopctl/v1\nkind: [",
    )
    .unwrap();
    git_commit_all(dir, 1_767_600_000);
    std::fs::remove_dir_all(dir.join("sops")).unwrap();
    copy_dir(&diff_dir().join("task-due-changed/current"), dir);
    std::fs::copy(
        diff_dir().join("process-added/current/sops/extra.yaml"),
        dir.join("sops/extra.yaml"),
    )
    .unwrap();
    let (code, json, err) = diff_json(dir, &[]);
    assert_eq!(code, 0, "{err}");
    // extra.yaml is broken at the base: its process is not compared (and not reported as
    // added), the rest is.
    assert_eq!(
        triples(&json),
        ["order task-due-changed behavioral"],
        "{err}"
    );
    assert!(err.contains("sops/extra.yaml"), "{err}");
    assert!(err.contains("not compared"), "{err}");
}

#[test]
fn roles_broken_at_the_base_are_not_reported_as_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(&diff_dir().join("role-title-changed/previous"), dir);
    std::fs::write(dir.join("sops/roles.yaml"), "kind: [").unwrap();
    git_commit_all(dir, 1_767_600_000);
    std::fs::remove_dir_all(dir.join("sops")).unwrap();
    copy_dir(&diff_dir().join("role-title-changed/current"), dir);
    let (code, json, err) = diff_json(dir, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(triples(&json), Vec::<String>::new(), "{err}");
    assert!(err.contains("the project's roles"), "{err}");
}

#[test]
fn a_project_in_a_subfolder_reads_its_own_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let project = dir.join("ops/sop");
    copy_dir(&diff_dir().join("field-renamed/previous"), &project);
    std::fs::write(
        project.join("sopctl.yaml"),
        "sources: [\"sops/**/*.yaml\"]\n",
    )
    .unwrap();
    git_commit_all(dir, 1_767_600_000);
    std::fs::remove_dir_all(project.join("sops")).unwrap();
    copy_dir(&diff_dir().join("field-renamed/current"), &project);
    let (code, json, err) = diff_json(&project, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(triples(&json), ["order field-renamed behavioral"]);
}

#[test]
fn log_lists_the_history_of_one_process() {
    let tmp = two_commits("task-due-changed");
    let dir = tmp.path();
    let order = dir.join("sops/order.yaml");
    let text = std::fs::read_to_string(&order).unwrap();
    std::fs::write(&order, text.replace("title: 发货\n", "title: 仓库发货\n")).unwrap();
    git_commit_all(dir, 1_767_800_000);
    // A commit that does not touch the sources is skipped.
    std::fs::write(dir.join("README.md"), "x").unwrap();
    git_commit_all(dir, 1_767_900_000);

    let out = run_in(dir, &["log", "order", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stderr(&out);
    let heads: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(heads.len(), 3, "{text}");
    assert!(heads[0].contains("2026-01-07 测试  SOPs"), "{text}");
    let body: Vec<&str> = text.lines().filter(|l| l.starts_with(' ')).collect();
    assert!(
        body[0].contains("cosmetic") && body[0].contains("task-title-changed"),
        "{text}"
    );
    assert!(body[1].contains("task-due-changed"), "{text}");
    assert!(body[2].contains("process-added"), "{text}");

    let out = run_in(dir, &["log", "ordr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `order`?"),
        "{}",
        stderr(&out)
    );
}
