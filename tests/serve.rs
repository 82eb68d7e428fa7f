//! `sopctl serve`: the real binary over HTTP, with a temporary database.

mod common;

use common::act;

use common::{http, serve};
use serde_json::{json, Value};

const ENV: &[(&str, &str)] = &[
    ("SOPCTL_ADMIN_TOKEN", "adm"),
    (
        "SOPCTL_USER_TOKENS",
        "tz=zhang:sales;tw=wang:sales-manager;tl=li:finance;tzh=zhao:warehouse",
    ),
];

#[test]
fn bundle_records_auth_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sopctl.db");
    let text = common::shipped_bundle(dir.path());
    let id;
    {
        let s = serve(&db, ENV);
        let a = s.addr.as_str();

        // No token, a wrong token: 401 with a code, on every endpoint but the document.
        for path in ["/v1/bundle", "/v1/me/tasks"] {
            let (st, body) = http(a, "GET", path, None, None);
            assert_eq!(st, 401, "{path}");
            assert_eq!(body["error"]["code"], "unauthorized");
        }
        assert_eq!(http(a, "GET", "/v1/bundles", Some("wrong"), None).0, 401);
        let (st, doc) = http(a, "GET", "/openapi.json", None, None);
        assert_eq!((st, doc["openapi"].as_str()), (200, Some("3.1.0")));

        // Bundles: only the admin uploads; the same hash twice is a no-op.
        assert_eq!(http(a, "PUT", "/v1/bundle", Some("tz"), Some(&text)).0, 403);
        let (st, body) = http(a, "PUT", "/v1/bundle", Some("adm"), Some(&text));
        assert_eq!((st, body["status"].as_str()), (201, Some("created")));
        let (st, body) = http(a, "PUT", "/v1/bundle", Some("adm"), Some(&text));
        assert_eq!((st, body["status"].as_str()), (200, Some("unchanged")));
        let mut tampered: Value = serde_json::from_str(&text).unwrap();
        tampered["hash"] = json!("sha256:0000");
        let (st, body) = http(
            a,
            "PUT",
            "/v1/bundle",
            Some("adm"),
            Some(&tampered.to_string()),
        );
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (400, Some("hash-mismatch"))
        );
        let (_, list) = http(a, "GET", "/v1/bundles", Some("adm"), None);
        assert_eq!(list["bundles"].as_array().unwrap().len(), 1);
        let (st, active) = http(a, "GET", "/v1/bundle", Some("tz"), None);
        assert_eq!(st, 200);
        assert_eq!(active["hash"], body_hash(&text));

        // A sales-delivery record, walked over HTTP.
        let create = json!({"process": "sales-delivery", "fields": {
            "owner": "zhang", "order_no": "SO-1001", "customer": "华东商贸",
            "ship_address": "上海市浦东新区", "amount": 1000}});
        let (st, body) = http(
            a,
            "POST",
            "/v1/records",
            Some("tz"),
            Some(&create.to_string()),
        );
        assert_eq!(st, 201, "{body}");
        id = body["id"].as_u64().unwrap();
        assert_eq!(body["record"]["state"]["status"], "pending");

        let (st, body) = act(a, "tzh", id, json!({"move": "approved"}));
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (403, Some("not-allowed"))
        );
        let (st, body) = act(a, "tz", id, json!({"move": "shipped"}));
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (409, Some("no-such-transition"))
        );
        // Nobody but finance writes the refund: the engine's refusal names who may.
        let (st, body) = act(a, "tz", id, json!({"set": {"refunded_amount": 1000000}}));
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (403, Some("not-allowed"))
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("finance"),
            "{body}"
        );
        assert_eq!(act(a, "tz", id, json!({"move": "approved"})).0, 200);
        // A rejection needs a reason.
        let (st, body) = act(a, "tw", id, json!({"approve": false}));
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (422, Some("invalid-value"))
        );
        assert_eq!(body["error"]["fields"], json!(["reason"]), "{body}");
        assert_eq!(act(a, "tw", id, json!({"approve": true})).0, 200);
        let (st, body) = act(a, "tl", id, json!({"approve": true}));
        assert_eq!(st, 200);
        assert_eq!(body["record"]["state"]["status"], "approved");

        // The warehouse sees its task; completing it without the fields is a 422.
        let (_, tasks) = http(a, "GET", "/v1/me/tasks", Some("tzh"), None);
        assert_eq!(tasks["tasks"][0]["task"], "ship-and-report");
        let (st, body) = act(
            a,
            "tzh",
            id,
            json!({"complete": {"task": "ship-and-report", "fill": {"tracking_no": "SF1001"}}}),
        );
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (422, Some("missing-fields"))
        );
        assert!(!body["error"]["fields"].as_array().unwrap().is_empty());
        // A file field takes the id of an uploaded file, not a name.
        let (st, body) = act(
            a,
            "tzh",
            id,
            json!({"complete": {"task": "ship-and-report", "fill": {
                "shipped_at": "2026-01-05T10:00:00+08:00", "tracking_no": "SF1001",
                "shipping_proof": "proof.jpg"}}}),
        );
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (422, Some("invalid-value"))
        );
        assert_eq!(body["error"]["fields"][0]["id"], "shipping_proof");
        let (st, file) = common::http_with(
            a,
            "POST",
            "/v1/files",
            Some("tzh"),
            Some("JPEG bytes"),
            &[("X-Filename", "proof.jpg")],
        );
        assert_eq!(st, 201, "{file}");
        let (st, body) = act(
            a,
            "tzh",
            id,
            json!({"complete": {"task": "ship-and-report", "fill": {
                "shipped_at": "2026-01-05T10:00:00+08:00", "tracking_no": "SF1001",
                "shipping_proof": file["id"]}}}),
        );
        assert_eq!(st, 200, "{body}");
        assert_eq!(body["record"]["state"]["status"], "shipped");

        let (st, h) = http(
            a,
            "GET",
            &format!("/v1/records/{id}/history"),
            Some("tz"),
            None,
        );
        assert_eq!(st, 200);
        let actions: Vec<&str> = h["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["create", "move", "approve", "approve", "complete"]
        );
        assert_eq!(http(a, "GET", "/v1/records/999", Some("tz"), None).0, 404);
    }

    // Restarted on the same database: the record and the bundle are still there.
    let s = serve(&db, ENV);
    let (st, body) = http(
        &s.addr,
        "GET",
        &format!("/v1/records/{id}"),
        Some("tz"),
        None,
    );
    assert_eq!(st, 200);
    assert_eq!(body["state"]["status"], "shipped");
    assert_eq!(body["state"]["fields"]["tracking_no"], "SF1001");
    let (st, body) = http(&s.addr, "PUT", "/v1/bundle", Some("adm"), Some(&text));
    assert_eq!((st, body["status"].as_str()), (200, Some("unchanged")));
}

fn body_hash(text: &str) -> Value {
    serde_json::from_str::<Value>(text).unwrap()["hash"].clone()
}

#[test]
fn port_taken_and_no_tokens_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = held.local_addr().unwrap().to_string();
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    let o = common::sopctl()
        .args(["serve", "--listen", &addr, "--db", &db])
        .env("SOPCTL_ADMIN_TOKEN", "adm")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("cannot listen on"),
        "{}",
        common::stderr(&o)
    );
    let o = common::sopctl()
        .args(["serve", "--listen", "127.0.0.1:0", "--db", &db])
        .env_remove("SOPCTL_ADMIN_TOKEN")
        .env_remove("SOPCTL_USER_TOKENS")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let bad_db = format!("sqlite://{}", dir.path().join("no/such/dir/x.db").display());
    let o = common::sopctl()
        .args(["serve", "--listen", "127.0.0.1:0", "--db", &bad_db])
        .env("SOPCTL_ADMIN_TOKEN", "adm")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("cannot open the database"));
}

const ROLES: &str = "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: r }\nspec:\n  roles:\n    clerk: { title: 文员 }\n    boss: { title: 主管 }\n    guest: { title: 外部顾问, external: true }\n";

const V1: &str = "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: leave, title: 请假, owner: role:boss }\nspec:\n  fields:\n    owner: { type: user, title: 申请人, required: true }\n    note: { type: text, title: 说明 }\n  statuses:\n    draft: { title: 草稿, initial: true }\n    review: { title: 审核中 }\n    done: { title: 完成, terminal: true }\n  transitions:\n    - { from: draft, to: review }\n    - { from: review, to: done }\n";

/// Builds a bundle from one process document (plus the roles) in a temporary project.
fn bundle_of(process: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let sops = dir.path().join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    std::fs::write(sops.join("roles.yaml"), ROLES).unwrap();
    std::fs::write(sops.join("leave.yaml"), process).unwrap();
    let o = common::run_in(dir.path(), &["build", "-o", "dist"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    std::fs::read_to_string(dir.path().join("dist/bundle.json")).unwrap()
}

fn put(addr: &str, text: &str, query: &str) -> (u16, Value) {
    http(
        addr,
        "PUT",
        &format!("/v1/bundle{query}"),
        Some("adm"),
        Some(text),
    )
}

const LEAVE_ENV: &[(&str, &str)] = &[
    ("SOPCTL_ADMIN_TOKEN", "adm"),
    (
        "SOPCTL_USER_TOKENS",
        "tc=chen:clerk;tb=boss1:boss;tg=wu:guest",
    ),
];

#[test]
fn upload_migrates_renamed_statuses_and_refuses_to_strand() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), LEAVE_ENV);
    let a = s.addr.as_str();
    let v1 = bundle_of(V1);
    assert_eq!(put(a, &v1, "").0, 201);
    let (st, body) = http(
        a,
        "POST",
        "/v1/records",
        Some("tc"),
        Some(r#"{"process":"leave","fields":{"owner":"chen","note":"n"}}"#),
    );
    assert_eq!(st, 201, "{body}");
    let id = body["id"].as_u64().unwrap();
    assert_eq!(act(a, "tc", id, json!({"move": "review"})).0, 200);
    let (_, stats) = http(a, "GET", "/v1/stats", Some("tc"), None);
    assert_eq!(
        stats["live"],
        json!([{"process": "leave", "status": "review", "records": 1}])
    );

    // A rename with `was` carries the live record over to the new version.
    let v2 = bundle_of(
        &V1.replace(
            "review: { title: 审核中 }",
            "checking: { title: 审核中, was: [review] }",
        )
        .replace("to: review", "to: checking")
        .replace("from: review", "from: checking"),
    );
    let (st, body) = put(a, &v2, "");
    assert_eq!((st, body["migrated"].as_u64()), (201, Some(1)), "{body}");
    let (_, rec) = http(a, "GET", &format!("/v1/records/{id}"), Some("tc"), None);
    assert_eq!(rec["state"]["status"], "checking");
    assert_eq!(rec["bundle_hash"], body_hash(&v2));

    // Removing the status the record sits in would strand it: refused with the counts.
    let v3 = bundle_of(&V1.replace("    review: { title: 审核中 }\n", "").replace(
        "    - { from: draft, to: review }\n    - { from: review, to: done }\n",
        "    - { from: draft, to: done }\n",
    ));
    let (st, body) = put(a, &v3, "");
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (409, Some("would-strand"))
    );
    assert_eq!(
        body["error"]["stranded"],
        json!([{"process": "leave", "status": "checking", "records": 1}])
    );
    let (_, active) = http(a, "GET", "/v1/bundle", Some("tc"), None);
    assert_eq!(
        active["hash"],
        body_hash(&v2),
        "a refused upload changes nothing"
    );

    // Forced: the record stays on the version it runs on, and still works there.
    let (st, body) = put(a, &v3, "?force=true");
    assert_eq!((st, body["pinned"].as_u64()), (201, Some(1)), "{body}");
    let (_, rec) = http(a, "GET", &format!("/v1/records/{id}"), Some("tc"), None);
    assert_eq!(rec["bundle_hash"], body_hash(&v2));
    let (st, body) = act(a, "tc", id, json!({"move": "done"}));
    assert_eq!(st, 200, "{body}");
    let (_, stats) = http(a, "GET", "/v1/stats", Some("tc"), None);
    assert_eq!(stats["live"], json!([]));
    assert_eq!(stats["bundle"], body_hash(&v3));
    // New records start on the active version.
    let (_, body) = http(
        a,
        "POST",
        "/v1/records",
        Some("tc"),
        Some(r#"{"process":"leave","fields":{"owner":"chen"}}"#),
    );
    let id2 = body["id"].as_u64().unwrap();
    let (_, rec) = http(a, "GET", &format!("/v1/records/{id2}"), Some("tc"), None);
    assert_eq!(rec["bundle_hash"], body_hash(&v3));
    // The upload is audited, with its counts.
    let (_, hist) = http(
        a,
        "GET",
        &format!("/v1/records/{id}/history"),
        Some("tc"),
        None,
    );
    assert_eq!(
        hist["history"][0]["detail"]["request"]["fields"]["note"],
        "n"
    );
}

#[test]
fn timers_fire_after_a_restart_and_fill_the_inbox() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let text = common::shipped_bundle(dir.path());
    let env_at = |now: &'static str| {
        let mut e = ENV.to_vec();
        e.push(("SOPCTL_NOW", now));
        e
    };
    let id;
    {
        let s = serve(&db, &env_at("2026-01-05T09:00:00+08:00"));
        let a = s.addr.as_str();
        assert_eq!(
            http(a, "PUT", "/v1/bundle", Some("adm"), Some(&text)).0,
            201
        );
        let create = json!({"process": "sales-delivery", "fields": {
            "owner": "zhang", "order_no": "SO-1", "customer": "华东商贸",
            "ship_address": "上海", "amount": 1000}});
        let (st, body) = http(
            a,
            "POST",
            "/v1/records",
            Some("tz"),
            Some(&create.to_string()),
        );
        assert_eq!(st, 201);
        id = body["id"].as_u64().unwrap();
        // `submit-delivery` is due in 4 h with a reminder 1 h before: nothing yet.
        let (_, tasks) = http(a, "GET", "/v1/me/tasks", Some("tz"), None);
        assert_eq!(tasks["tasks"][0]["task"], "submit-delivery");
        assert_eq!(tasks["tasks"][0]["overdue"], false);
        let (_, inbox) = http(a, "GET", "/v1/me/inbox", Some("tz"), None);
        assert_eq!(inbox["messages"], json!([]));
    } // killed

    // Five hours later (the server was down): the reminder and the overdue mark fire.
    let s = serve(&db, &env_at("2026-01-05T14:00:00+08:00"));
    let a = s.addr.as_str();
    let mut inbox = Value::Null;
    for _ in 0..50 {
        inbox = http(a, "GET", "/v1/me/inbox", Some("tz"), None).1;
        if !inbox["messages"].as_array().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Newest first: the overdue mark, then the reminder (both told to the assignee).
    for _ in 0..50 {
        if inbox["messages"].as_array().unwrap().len() >= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        inbox = http(a, "GET", "/v1/me/inbox", Some("tz"), None).1;
    }
    let messages = inbox["messages"].as_array().unwrap();
    let reasons: Vec<&str> = messages
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["overdue:submit-delivery", "reminder:submit-delivery"],
        "{inbox}"
    );
    assert!(messages.iter().all(|m| m["record"] == id));
    let (_, tasks) = http(a, "GET", "/v1/me/tasks", Some("tz"), None);
    assert_eq!(tasks["tasks"][0]["overdue"], true);
    let (_, hist) = http(
        a,
        "GET",
        &format!("/v1/records/{id}/history"),
        Some("tz"),
        None,
    );
    let last = hist["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["actor"].as_str(), last["action"].as_str()),
        (Some("system"), Some("tick"))
    );
    // Fired once: the timer moved on.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let (_, again) = http(a, "GET", "/v1/me/inbox", Some("tz"), None);
    assert_eq!(again["messages"].as_array().unwrap().len(), 2);
}

#[test]
fn completing_a_completed_task_is_a_conflict_and_stale_versions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), ENV);
    let a = s.addr.as_str();
    // The shipped sops/, pushed the way an admin does it.
    let o = common::sopctl()
        .args(["apply", "--server", &format!("http://{a}")])
        .current_dir(common::repo_root())
        .env("SOPCTL_TOKEN", "adm")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains("created and activated"));
    let create = json!({"process": "sales-delivery", "fields": {
        "owner": "zhang", "order_no": "SO-1", "customer": "c", "ship_address": "a", "amount": 1}});
    let (_, body) = http(
        a,
        "POST",
        "/v1/records",
        Some("tz"),
        Some(&create.to_string()),
    );
    let id = body["id"].as_u64().unwrap();
    let (_, rec) = http(a, "GET", &format!("/v1/records/{id}"), Some("tz"), None);
    let v = rec["version"].as_i64().unwrap();
    let done = json!({"complete": {"task": "submit-delivery"}, "version": v});
    assert_eq!(act(a, "tz", id, done.clone()).0, 200);
    let (st, body) = act(
        a,
        "tz",
        id,
        json!({"complete": {"task": "submit-delivery"}}),
    );
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already completed by zhang"));
    let (st, body) = act(a, "tz", id, json!({"set": {"customer": "x"}, "version": v}));
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    let (st, _) = act(
        a,
        "tz",
        id,
        json!({"set": {"customer": "x"}, "version": "one"}),
    );
    assert_eq!(st, 400);
}

#[test]
fn every_documented_path_exists_and_needs_a_token() {
    // All but the OpenAPI document itself, which client generators fetch without one.
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), ENV);
    let doc: Value = serde_json::from_str(include_str!("../schemas/openapi.json")).unwrap();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let path = path.replace("{id}", "1");
        for method in ops.as_object().unwrap().keys() {
            if method == "parameters" || path == "/openapi.json" {
                continue;
            }
            let (st, body) = http(&s.addr, &method.to_uppercase(), &path, None, Some("{}"));
            assert_eq!(
                (st, body["error"]["code"].as_str()),
                (401, Some("unauthorized")),
                "{method} {path}"
            );
        }
    }
}

#[test]
fn external_people_see_only_their_records() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), LEAVE_ENV);
    let a = s.addr.as_str();
    assert_eq!(put(a, &bundle_of(V1), "").0, 201);
    let mut ids = vec![];
    for owner in ["chen", "wu"] {
        let body = json!({"process": "leave", "fields": {"owner": owner}}).to_string();
        let (st, r) = http(a, "POST", "/v1/records", Some("tc"), Some(&body));
        assert_eq!(st, 201, "{r}");
        ids.push(r["id"].as_u64().unwrap());
    }
    let get = |tok: &str, id: u64| http(a, "GET", &format!("/v1/records/{id}"), Some(tok), None);
    let (st, body) = get("tg", ids[0]);
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (403, Some("not-allowed"))
    );
    assert_eq!(
        http(
            a,
            "GET",
            &format!("/v1/records/{}/history", ids[0]),
            Some("tg"),
            None
        )
        .0,
        403
    );
    assert_eq!(act(a, "tg", ids[0], json!({"set": {"note": "x"}})).0, 403);
    assert_eq!(get("tg", ids[1]).0, 200);
    assert_eq!(get("tb", ids[0]).0, 200);
    assert_eq!(get("adm", ids[0]).0, 200);
}

#[test]
fn time_based_conditions_fire_from_the_background_loop() {
    let process = "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: leave, title: 请假, owner: role:boss }\nspec:\n  fields:\n    owner: { type: user, title: 申请人, required: true }\n    start_at: { type: datetime, title: 开始 }\n  statuses:\n    waiting: { title: 待开始, initial: true }\n    away: { title: 休假中 }\n    done: { title: 完成, terminal: true }\n  transitions:\n    - { from: waiting, to: away, when: \"now > start_at\" }\n    - { from: away, to: done }\n";
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let text = bundle_of(process);
    let at = |now: &'static str| {
        let mut e = LEAVE_ENV.to_vec();
        e.push(("SOPCTL_NOW", now));
        e
    };
    let id;
    {
        let s = serve(&db, &at("2026-03-01T09:00:00+08:00"));
        let a = s.addr.as_str();
        assert_eq!(put(a, &text, "").0, 201);
        let body = json!({"process": "leave", "fields": {"owner": "chen", "start_at": "2026-03-02T09:00:00+08:00"}});
        let (st, r) = http(
            a,
            "POST",
            "/v1/records",
            Some("tc"),
            Some(&body.to_string()),
        );
        assert_eq!(st, 201, "{r}");
        id = r["id"].as_u64().unwrap();
        assert_eq!(r["record"]["state"]["status"], "waiting");
    }
    // The next day: the loop re-checks the condition and the record moves by itself.
    let s = serve(&db, &at("2026-03-02T10:00:00+08:00"));
    let mut status = Value::Null;
    for _ in 0..50 {
        status = http(
            &s.addr,
            "GET",
            &format!("/v1/records/{id}"),
            Some("tc"),
            None,
        )
        .1["state"]["status"]
            .clone();
        if status == "away" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(status, "away");
    let (_, hist) = http(
        &s.addr,
        "GET",
        &format!("/v1/records/{id}/history"),
        Some("tc"),
        None,
    );
    let last = hist["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor"], "system");
    assert_eq!(last["detail"]["events"][0]["type"], "moved");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = serve(&dir.path().join("db"), ENV);
    let pid = s.child.id().to_string();
    let st = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(st.success());
    for _ in 0..100 {
        if let Some(code) = s.child.try_wait().unwrap() {
            assert_eq!(code.code(), Some(0));
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the server did not stop on SIGTERM");
}

#[test]
fn an_idempotency_key_makes_a_retry_safe() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), LEAVE_ENV);
    let a = s.addr.as_str();
    assert_eq!(put(a, &bundle_of(V1), "").0, 201);
    let create = r#"{"process":"leave","fields":{"owner":"chen"}}"#;
    let send = |path: &str, body: &str, key: &str| {
        common::http_with(
            a,
            "POST",
            path,
            Some("tc"),
            Some(body),
            &[("Idempotency-Key", key)],
        )
    };
    let (st1, first) = send("/v1/records", create, "req-1");
    let (st2, again) = send("/v1/records", create, "req-1");
    assert_eq!((st1, st2), (201, 201));
    assert_eq!(first, again, "the retry gets the first answer");
    let id = first["id"].as_u64().unwrap();
    let (_, stats) = http(a, "GET", "/v1/stats", Some("tc"), None);
    assert_eq!(stats["live"][0]["records"], 1, "one record, not two");
    let path = format!("/v1/records/{id}/actions");
    assert_eq!(send(&path, r#"{"move":"review"}"#, "req-2").0, 200);
    assert_eq!(send(&path, r#"{"move":"review"}"#, "req-2").0, 200);
    let (_, hist) = http(
        a,
        "GET",
        &format!("/v1/records/{id}/history"),
        Some("tc"),
        None,
    );
    assert_eq!(hist["history"].as_array().unwrap().len(), 2);
    // The same key for another request is refused; keys are per user.
    let (st, body) = send(&path, r#"{"move":"done"}"#, "req-2");
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (422, Some("idempotency-key-reused"))
    );
    let (st, _) = common::http_with(
        a,
        "POST",
        "/v1/records",
        Some("tb"),
        Some(r#"{"process":"leave","fields":{"owner":"boss1"}}"#),
        &[("Idempotency-Key", "req-1")],
    );
    assert_eq!(st, 201);
    let (_, stats) = http(a, "GET", "/v1/stats", Some("tc"), None);
    let total: u64 = stats["live"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["records"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 2);
}

#[test]
fn escalations_fire_in_the_servers_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let text = common::shipped_bundle(dir.path());
    let at = |now: &'static str| {
        let mut e = ENV.to_vec();
        e.push(("SOPCTL_NOW", now));
        e
    };
    let args = ["--utc-offset", "+08:00"];
    let id;
    {
        let s = common::serve_with(&db, &at("2026-01-05T09:00:00+08:00"), &args);
        let a = s.addr.as_str();
        assert_eq!(
            http(a, "PUT", "/v1/bundle", Some("adm"), Some(&text)).0,
            201
        );
        let create = json!({"process": "sales-delivery", "fields": {
            "owner": "zhang", "order_no": "SO-7", "customer": "c", "ship_address": "a", "amount": 1}});
        let (_, body) = http(
            a,
            "POST",
            "/v1/records",
            Some("tz"),
            Some(&create.to_string()),
        );
        id = body["id"].as_u64().unwrap();
        assert_eq!(act(a, "tz", id, json!({"move": "approved"})).0, 200);
        assert_eq!(act(a, "tw", id, json!({"approve": true})).0, 200);
        assert_eq!(act(a, "tl", id, json!({"approve": true})).0, 200);
        // `today 18:00` is 18:00 in the server's offset, not UTC.
        let (_, tasks) = http(a, "GET", "/v1/me/tasks", Some("tzh"), None);
        assert_eq!(tasks["tasks"][0]["task"], "ship-and-report");
        assert_eq!(tasks["tasks"][0]["due"], "2026-01-05T18:00:00+08:00");
    }
    // Two days later the task is overdue by more than `escalate.after: 1d`: the sales manager
    // is told, the warehouse got its reminders.
    let s = common::serve_with(&db, &at("2026-01-07T09:00:00+08:00"), &args);
    let a = s.addr.as_str();
    let mut inbox = Value::Null;
    for _ in 0..50 {
        inbox = http(a, "GET", "/v1/me/inbox", Some("tw"), None).1;
        if inbox["messages"].as_array().is_some_and(|m| {
            m.iter()
                .any(|m| m["reason"] == "escalation:ship-and-report")
        }) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let reasons: Vec<&str> = inbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"escalation:ship-and-report"), "{inbox}");
    let (_, wh) = http(a, "GET", "/v1/me/inbox", Some("tzh"), None);
    let reminders = wh["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["reason"] == "reminder:ship-and-report")
        .count();
    assert_eq!(reminders, 2, "remind_before: [2h, 0m]: {wh}");
    let (_, tasks) = http(a, "GET", "/v1/me/tasks", Some("tzh"), None);
    assert_eq!(tasks["tasks"][0]["overdue"], true);
}
