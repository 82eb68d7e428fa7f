//! The people's side of `sopctl serve` (SPEC 12), over HTTP with the real binary: the
//! directory (`--users`, reloaded), API tokens from `sopctl token`, what external people may
//! see, and messages in the reader's language with titles.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{act, http, http_with, serve_with};
use serde_json::{json, Value};

const USERS: &str = "users:
  zhang: { name: 张三, roles: [pm], language: zh }
  wang:  { name: Wang Wei, roles: [manager], email: wang@example.com, language: en }
  ken:   { name: 肯, roles: [manager] }
  lisa:  { name: Lisa, roles: [translator-ext], language: en }
  bob:   { name: Bob, roles: [translator-ext] }
";

const ADMIN: &[(&str, &str)] = &[("SOPCTL_ADMIN_TOKEN", "adm")];

/// The fixture project built into `dir/dist`; returns the bundle's JSON.
fn bundle(dir: &Path) -> String {
    let out = dir.join("dist");
    let project = common::fixtures().join("people");
    let o = common::run_in(&project, &["build", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    std::fs::read_to_string(out.join("bundle.json")).unwrap()
}

fn db_url(db: &Path) -> String {
    format!("sqlite://{}", db.display())
}

/// `sopctl token …` on the test database; (exit code, stdout, stderr).
fn token_cmd(db: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = common::sopctl();
    c.arg("token").args(args).arg("--db").arg(db_url(db));
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        common::stdout(&o),
        common::stderr(&o),
    )
}

fn new_token(db: &Path, user: &str) -> String {
    let (code, out, err) = token_cmd(db, &["create", user], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("shown only this once"), "{err}");
    out.trim().to_string()
}

struct Setup {
    _dir: tempfile::TempDir,
    db: PathBuf,
    users: PathBuf,
    text: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.yaml");
    std::fs::write(&users, USERS).unwrap();
    Setup {
        db: dir.path().join("sopctl.db"),
        text: bundle(dir.path()),
        users,
        _dir: dir,
    }
}

fn create(a: &str, token: &str, process: &str, fields: Value) -> u64 {
    let body = json!({"process": process, "fields": fields}).to_string();
    let (st, out) = http(a, "POST", "/v1/records", Some(token), Some(&body));
    assert_eq!(st, 201, "{out}");
    out["id"].as_u64().unwrap()
}

fn translation(a: &str, token: &str, order: &str, who: &str) -> u64 {
    create(
        a,
        token,
        "translation-task",
        json!({"order_no": order, "customer": "华东商贸", "implementer": who}),
    )
}

/// Polls `GET path` (bounded) until `ok` holds; returns the last answer.
fn wait_for(a: &str, path: &str, token: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..50 {
        last = http(a, "GET", path, Some(token), None).1;
        if ok(&last) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    last
}

#[test]
fn tokens_from_sopctl_token_work_until_revoked_or_expired() {
    let s = setup();
    let tz = new_token(&s.db, "zhang");
    let tl = new_token(&s.db, "lisa");
    // Made "in 2020" with an hour to live: long expired now.
    let (code, old, err) = token_cmd(
        &s.db,
        &["create", "wang", "--expires", "1h"],
        &[("SOPCTL_NOW", "2020-01-01T00:00:00Z")],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = token_cmd(
        &s.db,
        &["create", "carol", "--users", s.users.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("`carol` is not in"), "{err}");
    let (code, _, err) = token_cmd(&s.db, &["create", "Carol"], &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not a user id") && err.contains("help:"),
        "{err}"
    );
    assert_eq!(
        token_cmd(&s.db, &["create", "li", "--expires", "3y"], &[]).0,
        2
    );

    let users = ["--users", s.users.to_str().unwrap()];
    let srv = serve_with(&s.db, ADMIN, &users);
    let a = srv.addr.as_str();
    assert_eq!(
        http(a, "PUT", "/v1/bundle", Some("adm"), Some(&s.text)).0,
        201
    );
    assert_eq!(http(a, "GET", "/v1/me/tasks", Some(&tz), None).0, 200);
    // The scheme is case-insensitive (RFC 9110).
    let auth = format!("bearer {tz}");
    let (st, _) = http_with(
        a,
        "GET",
        "/v1/me/tasks",
        None,
        None,
        &[("Authorization", &auth)],
    );
    assert_eq!(st, 200);
    let (st, body) = http(a, "GET", "/v1/me/tasks", Some(old.trim()), None);
    assert_eq!(st, 401, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{body}"
    );
    assert_eq!(
        http(a, "GET", "/v1/me/tasks", Some("sopctl_nope"), None).0,
        401
    );

    // The human list names the users, never the tokens.
    let (_, human, _) = token_cmd(&s.db, &["list"], &[]);
    assert!(
        human.starts_with("ID\tUSER") && human.contains("carol"),
        "{human}"
    );
    assert!(!human.contains(&tz));

    // Revoked while the server runs: refused at once.
    assert_eq!(http(a, "GET", "/v1/me/tasks", Some(&tl), None).0, 200);
    let (_, list, _) = token_cmd(&s.db, &["list", "--format", "json"], &[]);
    let list: Value = serde_json::from_str(&list).unwrap();
    let rows = list["tokens"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "{list}");
    assert!(rows
        .iter()
        .all(|r| r.get("token").is_none() && r["revoked"].is_null()));
    assert!(
        !list.to_string().contains(&tl),
        "the list never shows a token"
    );
    let lisa_id = rows.iter().find(|r| r["user"] == "lisa").unwrap()["id"].clone();
    let (code, _, err) = token_cmd(&s.db, &["revoke", &lisa_id.to_string()], &[]);
    assert_eq!(code, 0, "{err}");
    let (st, body) = http(a, "GET", "/v1/me/tasks", Some(&tl), None);
    assert_eq!(st, 401, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("revoked"));
    assert_eq!(token_cmd(&s.db, &["revoke", "999"], &[]).0, 2);
    let (_, list, _) = token_cmd(&s.db, &["list", "--format", "json"], &[]);
    assert!(list.contains("\"revoked\":\"20"), "{list}");
}

#[test]
fn a_token_whose_user_left_the_directory_is_refused() {
    let s = setup();
    let carol = new_token(&s.db, "carol");
    let srv = serve_with(&s.db, ADMIN, &["--users", s.users.to_str().unwrap()]);
    let (st, body) = http(&srv.addr, "GET", "/v1/me/tasks", Some(&carol), None);
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (403, Some("not-allowed"))
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("directory"));
}

#[test]
fn a_hash_in_a_tokens_file_is_part_of_the_token() {
    let s = setup();
    let file = s.db.with_file_name("tokens.txt");
    std::fs::write(
        &file,
        "# the admin\nadmin=Sup3r#Secret\nt#z=zhang:pm   # zhang\n",
    )
    .unwrap();
    let args = ["--tokens", file.to_str().unwrap()];
    let srv = serve_with(&s.db, &[], &args);
    let a = srv.addr.as_str();
    assert_eq!(
        http(a, "PUT", "/v1/bundle", Some("Sup3r"), Some(&s.text)).0,
        401
    );
    let (st, body) = http(a, "PUT", "/v1/bundle", Some("Sup3r#Secret"), Some(&s.text));
    assert_eq!(st, 201, "{body}");
    assert_eq!(http(a, "GET", "/v1/me/tasks", Some("t#z"), None).0, 200);
}

#[test]
fn external_people_see_only_their_own_records_and_tasks() {
    let s = setup();
    let (tz, tl, tb) = (
        new_token(&s.db, "zhang"),
        new_token(&s.db, "lisa"),
        new_token(&s.db, "bob"),
    );
    let srv = serve_with(&s.db, ADMIN, &["--users", s.users.to_str().unwrap()]);
    let a = srv.addr.as_str();
    let (st, up) = http(a, "PUT", "/v1/bundle", Some("adm"), Some(&s.text));
    assert_eq!(st, 201);
    assert_eq!(up["unheld_roles"], json!(["auditor"]), "{up}");

    let hers = translation(a, &tz, "SO-1", "lisa");
    let his = translation(a, &tz, "SO-2", "bob");
    let budget = create(a, &tz, "budget", json!({"title": "Q1", "amount": 1000}));

    assert_eq!(
        http(a, "GET", &format!("/v1/records/{hers}"), Some(&tl), None).0,
        200
    );
    for id in [his, budget] {
        let (st, body) = http(a, "GET", &format!("/v1/records/{id}"), Some(&tl), None);
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (403, Some("not-allowed"))
        );
        let path = format!("/v1/records/{id}/history");
        assert_eq!(http(a, "GET", &path, Some(&tl), None).0, 403);
    }
    let (st, _) = act(
        a,
        &tl,
        his,
        json!({"complete": {"task": "translate", "fill": {"draft": "x"}}}),
    );
    assert_eq!(st, 403, "she cannot act on a colleague's record");
    // Bob sees his, not hers; the internal project manager sees both.
    assert_eq!(
        http(a, "GET", &format!("/v1/records/{his}"), Some(&tb), None).0,
        200
    );
    assert_eq!(
        http(a, "GET", &format!("/v1/records/{hers}"), Some(&tb), None).0,
        403
    );
    assert_eq!(
        http(a, "GET", &format!("/v1/records/{his}"), Some(&tz), None).0,
        200
    );

    let (_, tasks) = http(a, "GET", "/v1/me/tasks", Some(&tl), None);
    let tasks = tasks["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(
        (tasks[0]["record"].as_u64(), tasks[0]["task"].as_str()),
        (Some(hers), Some("translate"))
    );

    for path in ["/v1/bundle", "/v1/bundles", "/v1/stats", "/v1/outbox"] {
        let (st, body) = http(a, "GET", path, Some(&tl), None);
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (403, Some("not-allowed")),
            "{path}"
        );
    }
    let (st, stats) = http(a, "GET", "/v1/stats", Some(&tz), None);
    assert_eq!(st, 200);
    assert_eq!(stats["unheld_roles"], json!(["auditor"]));
}

#[test]
fn the_directory_is_reloaded_and_a_bad_one_keeps_the_last_good() {
    let s = setup();
    let tz = new_token(&s.db, "zhang");
    let tdave = new_token(&s.db, "dave");
    let srv = serve_with(&s.db, ADMIN, &["--users", s.users.to_str().unwrap()]);
    let a = srv.addr.as_str();
    assert_eq!(
        http(a, "PUT", "/v1/bundle", Some("adm"), Some(&s.text)).0,
        201
    );
    assert_eq!(http(a, "GET", "/v1/stats", Some(&tdave), None).0, 403);

    // dave joins as the auditor: picked up without a restart.
    let more = format!("{USERS}  dave:  {{ name: 戴夫, roles: [auditor] }}\n");
    std::fs::write(&s.users, &more).unwrap();
    let stats = wait_for(a, "/v1/stats", &tz, |v| v["unheld_roles"] == json!([]));
    assert_eq!(stats["unheld_roles"], json!([]), "{stats}");
    assert_eq!(http(a, "GET", "/v1/stats", Some(&tdave), None).0, 200);

    // A broken file (an unknown key) is not taken: dave stays, the server keeps serving.
    std::fs::write(
        &s.users,
        format!("{more}  eve: {{ name: 伊芙, rolez: [pm] }}\n"),
    )
    .unwrap();
    let _ = std::process::Command::new("kill")
        .args(["-HUP", &srv.child.id().to_string()])
        .status();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(http(a, "GET", "/v1/stats", Some(&tdave), None).0, 200);

    // SIGHUP after a good change: dave is gone.
    std::fs::write(&s.users, USERS).unwrap();
    let _ = std::process::Command::new("kill")
        .args(["-HUP", &srv.child.id().to_string()])
        .status();
    let gone = wait_for(a, "/v1/stats", &tdave, |v| {
        v["error"]["code"] == "not-allowed"
    });
    assert_eq!(gone["error"]["code"], "not-allowed", "{gone}");
}

#[test]
fn a_bad_directory_at_start_is_a_located_error() {
    let s = setup();
    std::fs::write(
        &s.users,
        "users:\n  li: { name: 李, emial: li@example.com }\n",
    )
    .unwrap();
    let o = common::sopctl()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--db",
            &db_url(&s.db),
            "--users",
        ])
        .arg(&s.users)
        .env("SOPCTL_ADMIN_TOKEN", "adm")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(
        err.contains("users.yaml:2:") && err.contains("emial"),
        "{err}"
    );
    assert!(err.contains("help:"), "{err}");
}

/// Messages of one user's inbox, newest first.
fn inbox(a: &str, token: &str) -> Vec<String> {
    let (_, body) = http(a, "GET", "/v1/me/inbox", Some(token), None);
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn messages_are_in_the_readers_language_with_titles_not_ids() {
    let s = setup();
    let [tz, tw, tk, tl, tb] = ["zhang", "wang", "ken", "lisa", "bob"].map(|u| new_token(&s.db, u));
    let srv = serve_with(
        &s.db,
        ADMIN,
        &[
            "--users",
            s.users.to_str().unwrap(),
            "--utc-offset",
            "+08:00",
        ],
    );
    let a = srv.addr.as_str();
    assert_eq!(
        http(a, "PUT", "/v1/bundle", Some("adm"), Some(&s.text)).0,
        201
    );

    // A task assigned: Lisa reads English, Bob (no language) the process's Chinese.
    let id = translation(a, &tz, "SO-1", "lisa");
    translation(a, &tz, "SO-2", "bob");
    let lisa = inbox(a, &tl);
    assert_eq!(lisa.len(), 1, "{lisa:?}");
    assert!(
        lisa[0].starts_with("New task “完成翻译” for 翻译单 #1 · SO-1 · 华东商贸, due "),
        "{lisa:?}"
    );
    let bob = inbox(a, &tb);
    assert!(
        bob[0].starts_with("新任务「完成翻译」：翻译单 #2 · SO-2 · 华东商贸，请在 "),
        "{bob:?}"
    );
    assert!(
        inbox(a, &tz).is_empty(),
        "no word to the creator about others' tasks"
    );

    // Approval requested: Wang in English, Ken (no language) in Chinese.
    let done = act(
        a,
        &tl,
        id,
        json!({"complete": {"task": "translate", "fill": {"draft": "done"}}}),
    );
    assert_eq!(done.0, 200, "{}", done.1);
    let (st, moved) = act(a, &tz, id, json!({"move": "done"}));
    assert_eq!(st, 200, "{moved}");
    assert_eq!(
        inbox(a, &tw)[0],
        "Approval requested: “审核通过” for 翻译单 #1 · SO-1 · 华东商贸"
    );
    assert_eq!(
        inbox(a, &tk)[0],
        "请审批「审核通过」：翻译单 #1 · SO-1 · 华东商贸"
    );
    let events = moved["record"]["events"].to_string();
    assert!(events.contains("请审批「审核通过」"), "{events}");

    // Rejected with a reason: the requester reads who and why, in Chinese.
    let (st, body) = act(
        a,
        &tw,
        id,
        json!({"approve": false, "reason": "术语不一致"}),
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        inbox(a, &tz)[0],
        "「审核通过」被Wang Wei驳回：翻译单 #1 · SO-1 · 华东商贸。理由：术语不一致"
    );

    // An English process: Ken (no language) now reads English; the SOP's own template is
    // rendered for everyone, in events and inboxes alike, never shown raw.
    let b = create(a, &tz, "budget", json!({"title": "Q1", "amount": 1234.5}));
    assert_eq!(act(a, &tz, b, json!({"move": "approved"})).0, 200);
    assert_eq!(
        inbox(a, &tk)[0],
        "Approval requested: “批准预算” for 预算申请 #3 · Q1 · 1,234.50"
    );
    let (st, body) = act(a, &tk, b, json!({"approve": true}));
    assert_eq!(st, 200, "{body}");
    let events = body["record"]["events"].to_string();
    assert!(events.contains("预算 Q1 已批准，金额 1234.5"), "{events}");
    assert!(!events.contains("{{"), "{events}");
    assert_eq!(inbox(a, &tz)[0], "预算 Q1 已批准，金额 1234.5");
    for t in [&tz, &tw, &tk, &tl, &tb] {
        for m in inbox(a, t) {
            assert!(
                !m.contains("{{") && !m.contains("->") && !m.contains("translate"),
                "{m}"
            );
        }
    }
}
