//! `sopctl serve --db postgres://…`, the real binary on a fresh PostgreSQL database: a record
//! started and a task completed over HTTP are still there, with their history, after the
//! server is killed and started again; and a database that cannot be reached, or a missing
//! files folder, is refused in one line with a hint.

mod common;
mod pg_support;

use common::{act, http, serve_db, Server};
use pg_support::FreshPg;
use serde_json::{json, Value};

const ENV: &[(&str, &str)] = &[
    ("SOPCTL_NOW", "2026-01-05T09:00:00+08:00"),
    ("SOPCTL_ADMIN_TOKEN", "adm"),
    ("SOPCTL_USER_TOKENS", "tc=chen:clerk;tb=bai:boss"),
];

/// The KPI fixture's bundle (orders: `pack` completes into `packed`).
fn bundle(dir: &std::path::Path) -> String {
    let out = dir.join("dist");
    let project = common::repo_root().join("tests/fixtures/kpis");
    let o = common::run_in(&project, &["build", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    std::fs::read_to_string(out.join("bundle.json")).unwrap()
}

fn start(url: &str, data: &std::path::Path) -> Server {
    serve_db(
        url,
        ENV,
        &["--data", data.to_str().unwrap(), "--utc-offset", "+08:00"],
    )
}

/// (status, the history's actions) of a record.
fn state(addr: &str, id: u64) -> (String, Vec<Value>) {
    let (st, rec) = http(addr, "GET", &format!("/v1/records/{id}"), Some("tc"), None);
    assert_eq!(st, 200, "{rec}");
    let (st, h) = http(
        addr,
        "GET",
        &format!("/v1/records/{id}/history"),
        Some("tc"),
        None,
    );
    assert_eq!(st, 200, "{h}");
    let actions = h["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    (
        rec["state"]["status"].as_str().unwrap().to_string(),
        actions,
    )
}

#[test]
fn records_and_their_history_survive_a_killed_server() {
    let Some(db) = FreshPg::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("files");
    let text = bundle(dir.path());
    let mut s = start(&db.url(), &data);
    let (st, body) = http(&s.addr, "PUT", "/v1/bundle", Some("adm"), Some(&text));
    assert_eq!(st, 201, "{body}");
    let (st, body) = http(
        &s.addr,
        "POST",
        "/v1/records",
        Some("tc"),
        Some(r#"{"process":"orders","fields":{"score":5}}"#),
    );
    assert_eq!(st, 201, "{body}");
    let id = body["id"].as_u64().unwrap();
    let (st, body) = act(&s.addr, "tc", id, json!({"complete": {"task": "pack"}}));
    assert_eq!(st, 200, "{body}");
    let before = state(&s.addr, id);
    assert_eq!(before.0, "packed");
    assert_eq!(before.1.len(), 2, "{:?}", before.1);

    s.child.kill().expect("SIGKILL the server");
    s.child.wait().unwrap();
    let s = start(&db.url(), &data);
    assert_eq!(
        state(&s.addr, id),
        before,
        "the same record and history after a restart"
    );
    // And it goes on from there: the next step is taken on the restarted server.
    let (st, body) = act(&s.addr, "tc", id, json!({"move": "done"}));
    assert_eq!(st, 200, "{body}");
    let (st, body) = act(&s.addr, "tb", id, json!({"approve": true}));
    assert_eq!(st, 200, "{body}");
    assert_eq!(state(&s.addr, id).0, "done");
    let (st, again) = http(
        &s.addr,
        "POST",
        "/v1/records",
        Some("tc"),
        Some(r#"{"process":"orders","fields":{}}"#),
    );
    assert_eq!(st, 201, "{again}");
    assert!(again["id"].as_u64().unwrap() > id, "ids keep rising");
}

/// The stderr lines and exit code of a `serve` that must refuse to start.
fn refused(args: &[&str]) -> (i32, Vec<String>) {
    let o = common::sopctl()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .envs(ENV.iter().copied())
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    (
        o.status.code().unwrap_or(-1),
        err.lines().map(String::from).collect(),
    )
}

#[test]
fn an_unreachable_database_is_one_line_with_a_hint() {
    let (code, lines) = refused(&["--db", "postgres://nobody@127.0.0.1:1/x"]);
    assert_ne!(code, 0);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0]
            .starts_with("error: cannot open the database: cannot reach PostgreSQL at 127.0.0.1:1"),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("help: check that PostgreSQL is running"),
        "{lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("panicked") || l.contains("{")),
        "{lines:?}"
    );
}

#[test]
fn postgres_needs_a_files_folder_named() {
    let Some(db) = FreshPg::new() else { return };
    let (code, lines) = refused(&["--db", &db.url()]);
    assert_ne!(code, 0);
    assert_eq!(
        lines,
        [
            "error: on PostgreSQL, uploaded files need a folder of their own",
            "  help: pass --data DIR (the same shared folder on every node)"
        ]
    );
}

/// The clock of the servers started a day later: every `pack` (due +2h) is overdue.
const NEXT_DAY: &[(&str, &str)] = &[
    ("SOPCTL_NOW", "2026-01-06T09:00:00+08:00"),
    ("SOPCTL_ADMIN_TOKEN", "adm"),
    ("SOPCTL_USER_TOKENS", "tc=chen:clerk;tb=bai:boss"),
];

/// How many `tick` rows (a timer fired and changed something) a record's history holds.
fn ticks(addr: &str, id: u64) -> usize {
    state(addr, id)
        .1
        .iter()
        .filter(|a| a.as_str() == Some("tick"))
        .count()
}

#[test]
fn two_servers_on_one_database_fire_each_due_timer_once() {
    let Some(db) = FreshPg::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("files");
    let text = bundle(dir.path());
    let ids: Vec<u64> = {
        let s = start(&db.url(), &data);
        assert_eq!(
            http(&s.addr, "PUT", "/v1/bundle", Some("adm"), Some(&text)).0,
            201
        );
        (0..6)
            .map(|_| {
                let (st, body) = http(
                    &s.addr,
                    "POST",
                    "/v1/records",
                    Some("tc"),
                    Some(r#"{"process":"orders","fields":{}}"#),
                );
                assert_eq!(st, 201, "{body}");
                body["id"].as_u64().unwrap()
            })
            .collect()
    };
    let args = ["--data", data.to_str().unwrap(), "--utc-offset", "+08:00"];
    let (a, b) = (
        serve_db(&db.url(), NEXT_DAY, &args),
        serve_db(&db.url(), NEXT_DAY, &args),
    );
    // Both background loops look every second; wait (bounded) until every timer fired.
    let fired = |addr: &str| ids.iter().all(|id| ticks(addr, *id) >= 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !fired(&a.addr) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // A few more rounds of both loops, then each record was ticked once, seen from either.
    std::thread::sleep(std::time::Duration::from_secs(3));
    for id in &ids {
        assert_eq!(ticks(&a.addr, *id), 1, "record {id}");
        assert_eq!(ticks(&b.addr, *id), 1, "record {id}");
    }
}
