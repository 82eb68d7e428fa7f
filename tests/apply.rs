//! `sopctl apply`: the real binary against a real `sopctl serve` with a temporary database.

mod common;

use common::act;

use std::path::Path;
use std::process::Output;

use common::{http, serve, stderr, stdout};
use serde_json::{json, Value};

const ENV: &[(&str, &str)] = &[
    ("SOPCTL_ADMIN_TOKEN", "adm"),
    ("SOPCTL_USER_TOKENS", "tc=chen:clerk;tb=boss1:boss"),
];

const ROLES: &str = "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: r }\nspec:\n  roles:\n    clerk: { title: 文员 }\n    boss: { title: 主管 }\n";

const LEAVE: &str = "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: leave, title: 请假, owner: role:boss }\nspec:\n  fields:\n    owner: { type: user, title: 申请人, required: true }\n    note: { type: text, title: 说明 }\n  statuses:\n    draft: { title: 草稿, initial: true }\n    review: { title: 审核中 }\n    done: { title: 完成, terminal: true }\n  transitions:\n    - { from: draft, to: review }\n    - { from: review, to: done }\n";

/// LEAVE without the `review` status: a record sitting there would be stranded.
fn leave_without_review() -> String {
    LEAVE
        .replace("    review: { title: 审核中 }\n", "")
        .replace(
            "    - { from: draft, to: review }\n    - { from: review, to: done }\n",
            "    - { from: draft, to: done }\n",
        )
}

/// A project folder holding the roles and one `leave` process.
fn leave_project(dir: &Path, process: &str) {
    let sops = dir.join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    std::fs::write(sops.join("roles.yaml"), ROLES).unwrap();
    std::fs::write(sops.join("leave.yaml"), process).unwrap();
}

/// Runs `sopctl apply` in `dir` with `token` as SOPCTL_TOKEN (none when `None`).
fn apply(dir: &Path, token: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = common::sopctl();
    cmd.current_dir(dir).arg("apply").args(args);
    cmd.env_remove("SOPCTL_TOKEN");
    if let Some(t) = token {
        cmd.env("SOPCTL_TOKEN", t);
    }
    cmd.output().expect("sopctl runs")
}

fn url(addr: &str) -> String {
    format!("http://{addr}")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn active_hash(addr: &str) -> Option<String> {
    let (st, body) = http(addr, "GET", "/v1/bundle", Some("adm"), None);
    match st {
        200 => body["hash"].as_str().map(str::to_string),
        404 => None,
        other => panic!("GET /v1/bundle answered {other}: {body}"),
    }
}

/// A `leave` record moved to `review`; returns its id.
fn record_in_review(addr: &str) -> u64 {
    let (st, body) = http(
        addr,
        "POST",
        "/v1/records",
        Some("tc"),
        Some(r#"{"process":"leave","fields":{"owner":"chen","note":"n"}}"#),
    );
    assert_eq!(st, 201, "{body}");
    let id = body["id"].as_u64().unwrap();
    assert_eq!(act(addr, "tc", id, json!({"move": "review"})).0, 200);
    id
}

#[test]
fn fresh_server_dry_run_then_apply_then_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), ENV);
    let server = url(&s.addr);
    let root = common::repo_root();

    // The shipped SOPs against an empty server: every process is new; nothing is uploaded.
    let o = apply(&root, Some("adm"), &["--server", &server, "--dry-run"]);
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(stdout(&o).is_empty(), "human output is on stderr");
    assert!(err.contains("which runs no bundle yet"), "{err}");
    assert!(err.contains("process-added"), "{err}");
    assert!(
        err.contains("process 销售发货 (`sales-delivery`) added"),
        "{err}"
    );
    assert!(
        err.contains("live records in affected statuses: none"),
        "{err}"
    );
    assert!(err.contains("dry run: nothing uploaded"), "{err}");
    assert_eq!(active_hash(&s.addr), None, "a dry run uploads nothing");

    // Applied: the server runs the bundle `sopctl build` writes.
    let o = apply(&root, Some("adm"), &["--server", &server]);
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.contains("created and activated"), "{err}");
    let built = dir.path().join("dist");
    let b = common::run_in(&root, &["build", "-o", built.to_str().unwrap()]);
    assert!(b.status.success(), "{}", stderr(&b));
    let text = std::fs::read_to_string(built.join("bundle.json")).unwrap();
    let hash = serde_json::from_str::<Value>(&text).unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(active_hash(&s.addr).as_deref(), Some(hash.as_str()));
    assert!(err.contains(&format!("applied {hash}")), "{err}");

    // Again: nothing to do, even without --dry-run, and no plan.
    let o = apply(&root, Some("adm"), &["--server", &server]);
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(
        err.contains(&format!("nothing to do: the server already runs {hash}")),
        "{err}"
    );
    assert!(!err.contains("process-added"), "{err}");
    let (_, list) = http(&s.addr, "GET", "/v1/bundles", Some("adm"), None);
    assert_eq!(list["bundles"].as_array().unwrap().len(), 1);
}

#[test]
fn a_changed_project_shows_its_plan_with_live_records_and_applies() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), ENV);
    let server = url(&s.addr);
    let project = dir.path().join("project");
    // The server address comes from sopctl.yaml this time.
    leave_project(&project, LEAVE);
    std::fs::write(
        project.join("sopctl.yaml"),
        format!("apply: {{ server: \"{server}\" }}\n"),
    )
    .unwrap();
    let o = apply(&project, Some("adm"), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let first = active_hash(&s.addr).expect("applied");
    record_in_review(&s.addr);
    record_in_review(&s.addr);

    // A retitled status (cosmetic), and a field now required to leave `review` (behavioral).
    std::fs::write(
        project.join("sops/leave.yaml"),
        LEAVE
            .replace("draft: { title: 草稿", "draft: { title: 起草")
            .replace(
                "- { from: review, to: done }",
                "- { from: review, to: done, requires: [note] }",
            ),
    )
    .unwrap();
    let o = apply(&project, Some("adm"), &["--dry-run"]);
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.contains("status-title-changed"), "{err}");
    assert!(err.contains("transition-requires-changed"), "{err}");
    assert!(
        err.contains("leave/review: 2 live records (审核中)  (transition-requires-changed)"),
        "{err}"
    );
    assert!(
        !err.contains("leave/draft"),
        "a cosmetic change touches no records: {err}"
    );
    assert_eq!(active_hash(&s.addr).as_deref(), Some(first.as_str()));

    let o = apply(&project, Some("adm"), &[]);
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.contains("applied sha256:"), "{err}");
    assert_ne!(active_hash(&s.addr).as_deref(), Some(first.as_str()));
}

#[test]
fn tokens_and_unreachable_servers_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), ENV);
    let server = url(&s.addr);
    let root = common::repo_root();

    let o = apply(&root, Some("wrong"), &["--server", &server]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("error: the server refused the token (401 unauthorized"),
        "{err}"
    );
    assert!(err.contains("help: set SOPCTL_TOKEN"), "{err}");

    // A user token reads the bundle but may not upload it.
    let o = apply(&root, Some("tc"), &["--server", &server]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("refused the token (403"), "{err}");
    assert_eq!(active_hash(&s.addr), None);

    let o = apply(&root, None, &["--server", &server]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("error: SOPCTL_TOKEN is not set"), "{err}");
    assert!(err.contains("help: export SOPCTL_TOKEN="), "{err}");

    // A port that was bound and closed: nothing listens there.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let o = apply(&root, Some("adm"), &["--server", &url(&closed)]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains(&format!("error: cannot reach http://{closed}: ")),
        "{err}"
    );
    assert!(
        err.contains("help: is `sopctl serve` running? pass --server URL"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "one line and a hint: {err}");

    let o = apply(&root, Some("adm"), &["--server", "127.0.0.1:7070"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not an http:// or https:// URL"));
}

#[test]
fn a_bundle_file_is_applied_and_a_broken_one_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), ENV);
    let server = url(&s.addr);
    let project = dir.path().join("project");
    leave_project(&project, LEAVE);
    let b = common::run_in(&project, &["build", "-o", "release"]);
    assert!(b.status.success(), "{}", stderr(&b));
    // The SOPs change afterwards: the file, not the project, is what gets applied.
    std::fs::write(project.join("sops/leave.yaml"), leave_without_review()).unwrap();

    let o = apply(
        &project,
        Some("adm"),
        &["--server", &server, "--bundle", "release/bundle.json"],
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.contains("plan: release/bundle.json"), "{err}");
    let text = std::fs::read_to_string(project.join("release/bundle.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(active_hash(&s.addr).as_deref(), file["hash"].as_str());

    std::fs::write(
        project.join("broken.json"),
        "{\"format\": \"sopctl-bundle/1\"",
    )
    .unwrap();
    let o = apply(
        &project,
        Some("adm"),
        &["--server", &server, "--bundle", "broken.json"],
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("error: broken.json is not a sopctl bundle"),
        "{err}"
    );

    let mut tampered = file.clone();
    tampered["processes"][0]["title"] = json!("改过");
    std::fs::write(project.join("tampered.json"), tampered.to_string()).unwrap();
    let o = apply(
        &project,
        Some("adm"),
        &["--server", &server, "--bundle", "tampered.json"],
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("does not match its contents"), "{err}");

    let o = apply(
        &project,
        Some("adm"),
        &["--server", &server, "--bundle", "missing.json"],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot read missing.json: it does not exist"));
    assert_eq!(active_hash(&s.addr).as_deref(), file["hash"].as_str());
}

#[test]
fn invalid_sops_are_reported_with_positions_and_nothing_is_uploaded() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), ENV);
    let project = dir.path().join("project");
    leave_project(&project, &LEAVE.replace("to: done }", "to: finished }"));
    let o = apply(&project, Some("adm"), &["--server", &url(&s.addr)]);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(err.contains("error[unknown-status]"), "{err}");
    assert!(err.contains("sops/leave.yaml:14:"), "{err}");
    assert!(err.contains("nothing applied"), "{err}");
    assert_eq!(active_hash(&s.addr), None);
}

#[test]
fn live_records_in_a_removed_status_refuse_the_upload_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), ENV);
    let server = url(&s.addr);
    let project = dir.path().join("project");
    leave_project(&project, LEAVE);
    assert_eq!(
        code(&apply(&project, Some("adm"), &["--server", &server])),
        0
    );
    let first = active_hash(&s.addr).unwrap();
    let id = record_in_review(&s.addr);
    record_in_review(&s.addr);
    record_in_review(&s.addr);

    std::fs::write(project.join("sops/leave.yaml"), leave_without_review()).unwrap();
    let o = apply(&project, Some("adm"), &["--server", &server]);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    // The plan said it before the upload, and the refusal says it again.
    assert!(err.contains("status-removed"), "{err}");
    assert!(
        err.contains("leave/review: 3 live records (审核中)  (status-removed)"),
        "{err}"
    );
    assert!(
        err.contains("error: the server refused the bundle: "),
        "{err}"
    );
    assert!(
        err.contains("\n  leave/review: 3 live records (审核中)\n"),
        "{err}"
    );
    assert!(
        err.contains("help: rename with `was:` to migrate them, or pass --force to leave them on their current version"),
        "{err}"
    );
    assert_eq!(active_hash(&s.addr).as_deref(), Some(first.as_str()));

    // JSON: one object on stdout, with the stranded statuses.
    let o = apply(
        &project,
        Some("adm"),
        &["--server", &server, "--format", "json"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["result"], "refused");
    assert_eq!(
        v["stranded"],
        json!([{"process": "leave", "status": "review", "records": 3}])
    );
    assert_eq!(v["error"]["code"], "would-strand");

    let o = apply(&project, Some("adm"), &["--server", &server, "--force"]);
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(
        err.contains("3 records left on their current version"),
        "{err}"
    );
    assert_ne!(active_hash(&s.addr).as_deref(), Some(first.as_str()));
    // The pinned record still runs on its version.
    assert_eq!(act(&s.addr, "tc", id, json!({"move": "done"})).0, 200);

    // The two records left behind are in no change of the next plan, but the next bundle
    // lacks their status too: the plan names them, and the runtime refuses again.
    std::fs::write(
        project.join("sops/leave.yaml"),
        leave_without_review().replace("草稿", "起草"),
    )
    .unwrap();
    let o = apply(&project, Some("adm"), &["--server", &server]);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(
        err.contains("leave/review: 2 live records  (no such status in the new bundle)"),
        "{err}"
    );
}

#[test]
fn a_rename_with_was_migrates_live_records() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), ENV);
    let server = url(&s.addr);
    let project = dir.path().join("project");
    leave_project(&project, LEAVE);
    assert_eq!(
        code(&apply(&project, Some("adm"), &["--server", &server])),
        0
    );
    record_in_review(&s.addr);
    std::fs::write(
        project.join("sops/leave.yaml"),
        LEAVE
            .replace(
                "review: { title: 审核中 }",
                "checking: { title: 审核中, was: [review] }",
            )
            .replace("to: review", "to: checking")
            .replace("from: review", "from: checking"),
    )
    .unwrap();
    let o = apply(&project, Some("adm"), &["--server", &server]);
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.contains("status-renamed"), "{err}");
    // The live record sits in the old id on the server.
    assert!(
        err.contains("leave/review: 1 live record (审核中)  (status-renamed)"),
        "{err}"
    );
    assert!(err.contains("1 record moved to renamed statuses"), "{err}");
}

#[test]
fn json_output_has_the_plan_and_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), ENV);
    let server = url(&s.addr);
    let project = dir.path().join("project");
    leave_project(&project, LEAVE);

    let o = apply(
        &project,
        Some("adm"),
        &["--server", &server, "--dry-run", "--format", "json"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["server"], server.as_str());
    assert_eq!(v["current"], Value::Null);
    assert!(v["bundle"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(v["result"], "dry-run");
    assert_eq!(v["live"], json!([]));
    assert_eq!(v["stranded"], json!([]));
    let changes = v["changes"].as_array().unwrap();
    assert!(changes.contains(&json!({
        "process": "leave",
        "kind": "process-added",
        "severity": "behavioral",
        "message": "process 请假 (`leave`) added, with 3 statuses"
    })));
    for c in changes {
        let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["kind", "message", "process", "severity"]);
    }
    assert_eq!(active_hash(&s.addr), None);

    let o = apply(
        &project,
        Some("adm"),
        &["--server", &server, "--format", "json"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["result"], "applied");
    let bundle = v["bundle"].as_str().unwrap().to_string();
    assert_eq!(active_hash(&s.addr).as_deref(), Some(bundle.as_str()));

    let o = apply(
        &project,
        Some("adm"),
        &["--server", &server, "--format", "json"],
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["result"], "unchanged");
    assert_eq!(v["current"], bundle.as_str());
    assert_eq!(v["changes"], json!([]));

    // Errors leave stdout empty.
    let o = apply(
        &project,
        Some("wrong"),
        &["--server", &server, "--format", "json"],
    );
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).is_empty());
    let o = apply(&project, Some("adm"), &["--format", "sarif"]);
    assert_eq!(code(&o), 2);
}
