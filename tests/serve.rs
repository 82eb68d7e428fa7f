//! `sopctl serve`: the real binary over HTTP, with a temporary database.

mod common;

use common::{http, serve};
use serde_json::{json, Value};

const ENV: &[(&str, &str)] = &[
    ("SOPCTL_ADMIN_TOKEN", "adm"),
    (
        "SOPCTL_USER_TOKENS",
        "tz=zhang:sales;tw=wang:sales-manager;tl=li:finance;tzh=zhao:warehouse",
    ),
];

fn bundle(dir: &std::path::Path) -> String {
    let out = dir.join("dist");
    let o = common::run_in(
        &common::repo_root(),
        &["build", "-o", out.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    std::fs::read_to_string(out.join("bundle.json")).unwrap()
}

fn act(addr: &str, token: &str, id: u64, body: Value) -> (u16, Value) {
    http(
        addr,
        "POST",
        &format!("/v1/records/{id}/actions"),
        Some(token),
        Some(&body.to_string()),
    )
}

#[test]
fn bundle_records_auth_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sopctl.db");
    let text = bundle(dir.path());
    let id;
    {
        let s = serve(&db, ENV);
        let a = s.addr.as_str();

        // No token, a wrong token: 401 with a code, on every endpoint.
        for path in ["/openapi.json", "/v1/bundle", "/v1/me/tasks"] {
            let (st, body) = http(a, "GET", path, None, None);
            assert_eq!(st, 401, "{path}");
            assert_eq!(body["error"]["code"], "unauthorized");
        }
        assert_eq!(http(a, "GET", "/v1/bundles", Some("wrong"), None).0, 401);
        let (st, doc) = http(a, "GET", "/openapi.json", Some("tz"), None);
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
        assert_eq!(act(a, "tz", id, json!({"move": "approved"})).0, 200);
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
        let (st, body) = act(
            a,
            "tzh",
            id,
            json!({"complete": {"task": "ship-and-report", "fill": {
                "shipped_at": "2026-01-05T10:00:00+08:00", "tracking_no": "SF1001",
                "shipping_proof": "proof.jpg"}}}),
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
