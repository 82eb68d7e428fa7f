//! KPIs end to end: records walked through a real `sopctl serve` at chosen times
//! (`SOPCTL_NOW`, one server run per moment), then `GET /v1/kpis` checked value by value.

mod common;

use std::path::Path;

use common::{act, http, repo_root, run_in, serve_with, stderr};
use serde_json::{json, Value};

const TOKENS: &str = "tc=chen:clerk;tb=bai:boss;tp=pan:partner";
const ARGS: &[&str] = &["--utc-offset", "+08:00"];

fn bundle(dir: &Path) -> String {
    let out = dir.join("dist");
    let project = repo_root().join("tests/fixtures/kpis");
    let o = run_in(&project, &["build", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(out.join("bundle.json")).unwrap()
}

/// Runs `f` against a server whose clock starts at `now`.
fn at(db: &Path, now: &str, f: impl FnOnce(&str)) {
    let env = [
        ("SOPCTL_ADMIN_TOKEN", "adm"),
        ("SOPCTL_USER_TOKENS", TOKENS),
        ("SOPCTL_NOW", now),
    ];
    let s = serve_with(db, &env, ARGS);
    f(&s.addr);
}

fn create(a: &str, fields: Value) -> u64 {
    let body = json!({"process": "orders", "fields": fields}).to_string();
    let (st, out) = http(a, "POST", "/v1/records", Some("tc"), Some(&body));
    assert_eq!(st, 201, "{out}");
    out["id"].as_u64().unwrap()
}

fn ok(a: &str, token: &str, id: u64, body: Value) {
    let (st, out) = act(a, token, id, body.clone());
    assert_eq!(st, 200, "{body}: {out}");
}

/// (value, count, met) of each period of one KPI.
fn periods(answer: &Value, kpi: &str) -> Vec<(Value, u64, Value)> {
    let k = answer["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == kpi)
        .unwrap_or_else(|| panic!("no KPI {kpi} in {answer}"));
    k["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["value"].clone(),
                p["count"].as_u64().unwrap(),
                p["met"].clone(),
            )
        })
        .collect()
}

/// The records of the approvals on a person's work list.
fn approvals_of(a: &str, token: &str) -> Vec<u64> {
    let (st, work) = http(a, "GET", "/v1/me/work", Some(token), None);
    assert_eq!(st, 200, "{work}");
    work["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["record"]["id"].as_u64().unwrap())
        .collect()
}

/// Four orders walked through two weeks of January 2026 (+08:00).
fn walk(db: &Path, text: &str) {
    let db = db.to_path_buf();
    let (mut r1, mut r2, mut r3) = (0, 0, 0);
    at(&db, "2026-01-05T09:00:00+08:00", |a| {
        assert_eq!(http(a, "PUT", "/v1/bundle", Some("adm"), Some(text)).0, 201);
        r1 = create(a, json!({"score": 5}));
        r2 = create(a, json!({"score": 3}));
        r3 = create(a, json!({}));
    });
    at(&db, "2026-01-05T10:00:00+08:00", |a| {
        ok(a, "tc", r1, json!({"complete": {"task": "pack"}})); // 1 h, on time
    });
    at(&db, "2026-01-05T12:00:00+08:00", |a| {
        ok(a, "tc", r2, json!({"complete": {"task": "pack"}})); // 3 h, 1 h late
        ok(a, "tc", r1, json!({"move": "done"})); // asks the boss
    });
    at(&db, "2026-01-05T13:00:00+08:00", |a| {
        ok(a, "tb", r1, json!({"approve": true})); // waited 1 h
        ok(a, "tc", r3, json!({"move": "returned"}));
    });
    at(&db, "2026-01-12T09:00:00+08:00", |a| {
        ok(a, "tc", r2, json!({"move": "done"}));
        create(a, json!({"score": 4})); // its packing stays open
        assert_eq!(approvals_of(a, "tb"), [r2]);
        assert_eq!(approvals_of(a, "tc"), Vec::<u64>::new());
    });
    // A database from before the approvals index (or a damaged one): rebuilt at start.
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(
        conn.execute("DELETE FROM pending_approvals", []).unwrap(),
        1
    );
    drop(conn);
    at(&db, "2026-01-12T11:00:00+08:00", |a| {
        assert_eq!(approvals_of(a, "tb"), [r2]);
        ok(a, "tb", r2, json!({"approve": true})); // waited 2 h, 1 h past its due time
        assert_eq!(approvals_of(a, "tb"), Vec::<u64>::new());
    });
}

#[test]
fn kpis_per_week_from_records_walked_at_chosen_times() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    walk(&db, &bundle(dir.path()));
    at(&db, "2026-01-12T12:00:00+08:00", |a| {
        let q = "/v1/kpis?process=orders&from=2026-01-05&to=2026-01-19&period=week";
        let (st, k) = http(a, "GET", q, Some("tb"), None);
        assert_eq!(st, 200, "{k}");
        assert_eq!(
            (&k["process"], &k["from"], &k["to"], &k["period"]),
            (
                &json!("orders"),
                &json!("2026-01-05T00:00:00+08:00"),
                &json!("2026-01-19T00:00:00+08:00"),
                &json!("week")
            )
        );
        let first = &k["kpis"][0];
        assert_eq!(
            (
                &first["measure"],
                &first["target"],
                &first["periods"][1]["start"]
            ),
            (
                &json!("time"),
                &json!("p50 <= 1h"),
                &json!("2026-01-12T00:00:00+08:00")
            )
        );
        let none = (Value::Null, 0, Value::Null);
        // Nearest rank: the median of 1 h and 3 h is the first, 1 h.
        assert_eq!(
            periods(&k, "pack-time"),
            [(json!(3600.0), 2, json!(true)), none.clone()]
        );
        assert_eq!(
            periods(&k, "return-rate"),
            [(json!(0.5), 2, json!(false)), (json!(0.0), 1, json!(true))]
        );
        assert_eq!(
            periods(&k, "low-score"),
            [(json!(0.0), 2, json!(true)), (json!(1.0), 1, json!(false))]
        );
        assert_eq!(
            periods(&k, "on-time-pack"),
            [(json!(0.5), 2, json!(false)), none]
        );
        assert_eq!(
            periods(&k, "avg-score"),
            [(json!(5.0), 1, json!(true)), (json!(3.0), 1, json!(false))]
        );
        // r4's packing was due at 11:00: open and overdue for the clerks.
        assert_eq!(
            k["load"],
            json!([{"assignee": "clerk", "kind": "role", "title": "文员", "open": 1, "overdue": 1}])
        );
        assert_eq!(
            k["late_tasks"],
            json!([{"task": "pack", "title": "打包", "completed": 2, "late": 1,
                    "late_share": 0.5, "avg_late": 3600.0, "open_overdue": 1}])
        );
        let boss = &k["approvals"]["roles"][0];
        assert_eq!(
            (
                &boss["role"],
                &boss["decided"],
                &boss["avg_wait"],
                &boss["max_wait"]
            ),
            (&json!("boss"), &json!(2), &json!(5400.0), &json!(7200))
        );
        // The step is due an hour after it is asked: r1 was decided on time, r2 an hour late.
        assert_eq!((&boss["late"], &boss["overdue"]), (&json!(1), &json!(0)));
        assert_eq!(k["approvals"]["waits"][0]["requester"], "chen");
        assert_eq!(k["approvals"]["waits"][0]["waited"], 7200);

        // By month: one period, the whole of January so far.
        let (_, m) = http(
            a,
            "GET",
            "/v1/kpis?process=orders&from=2026-01-01&to=2026-02-01",
            Some("tb"),
            None,
        );
        assert_eq!(
            periods(&m, "return-rate"),
            [(json!(1.0 / 3.0), 3, json!(false))]
        );
    });
}

#[test]
fn kpis_refuse_what_they_cannot_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let text = bundle(dir.path());
    at(&db, "2026-01-05T09:00:00+08:00", |a| {
        let get = |q: &str, t: &str| {
            let (st, body) = http(a, "GET", q, Some(t), None);
            (st, body["error"]["code"].as_str().unwrap_or("").to_string())
        };
        assert_eq!(
            get("/v1/kpis?process=orders", "tb"),
            (409, "no-bundle".into())
        );
        assert_eq!(
            http(a, "PUT", "/v1/bundle", Some("adm"), Some(&text)).0,
            201
        );
        assert_eq!(
            get("/v1/kpis?process=orders", "tp"),
            (403, "not-allowed".into())
        );
        assert_eq!(get("/v1/kpis", "tb"), (400, "bad-request".into()));
        assert_eq!(
            get("/v1/kpis?process=nope", "tb"),
            (404, "unknown-process".into())
        );
        assert_eq!(
            get("/v1/kpis?process=orders&period=day", "tb"),
            (400, "bad-request".into())
        );
        assert_eq!(
            get("/v1/kpis?process=orders&from=soon", "tb"),
            (400, "bad-request".into())
        );
        assert_eq!(
            get("/v1/kpis?process=orders&from=2000-01-01&period=week", "tb"),
            (400, "bad-request".into())
        );
        assert_eq!(http(a, "GET", "/v1/kpis?process=orders", None, None).0, 401);
        // No records yet: every period is there, empty.
        let (st, k) = http(
            a,
            "GET",
            "/v1/kpis?process=orders&from=2025-12-01&to=2026-01-05",
            Some("tb"),
            None,
        );
        assert_eq!(st, 200);
        assert_eq!(
            periods(&k, "pack-time"),
            vec![(Value::Null, 0, Value::Null); 2]
        );
    });
}

#[test]
fn report_writes_the_review_with_charts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    walk(&db, &bundle(dir.path()));
    at(&db, "2026-01-12T12:00:00+08:00", |a| {
        let server = format!("http://{a}");
        let out = dir.path().join("review.md");
        let report = |token: Option<&str>, extra: &[&str]| {
            let mut cmd = common::sopctl();
            cmd.current_dir(dir.path())
                .env_remove("SOPCTL_TOKEN")
                .args([
                    "report",
                    "--server",
                    &server,
                    "--from",
                    "2026-01-05",
                    "--to",
                    "2026-01-19",
                ]);
            if let Some(t) = token {
                cmd.env("SOPCTL_TOKEN", t);
            }
            cmd.args(extra).output().unwrap()
        };
        let o = report(Some("tb"), &["-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let md = std::fs::read_to_string(&out).unwrap();
        assert!(md.contains("## 订单 (`orders`)"), "{md}");
        assert!(md.contains("### 这个流程怎样算做得好"));
        assert!(
            md.contains(
                "**打包时长** — 50% 的订单从「新订单」到「已打包」不超过 1 小时（1/1 期达标）"
            ),
            "{md}"
        );
        assert!(md.contains("![打包时长: "));
        assert!(md.contains("| 打包 | 2 | 1 | 50% | 1 小时 | 1 |"), "{md}");
        assert!(md.contains("| chen | boss | 2 小时 | 已决定 |"), "{md}");
        let svg =
            std::fs::read_to_string(dir.path().join("review.assets/orders-pack-time.svg")).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<title"));

        let page = dir.path().join("review.html");
        let o = report(
            Some("tb"),
            &["--format", "html", "-o", page.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains("<figure><svg") && html.contains("<th scope=\"col\">期间</th>"));

        assert_eq!(report(None, &[]).status.code(), Some(2), "no token");
        let o = report(Some("tp"), &[]);
        assert_eq!(o.status.code(), Some(2), "an external user is refused");
        assert!(stderr(&o).contains("refused"), "{}", stderr(&o));
    });
    let o = common::sopctl()
        .env("SOPCTL_TOKEN", "tb")
        .args(["report", "--server", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot reach"), "{}", stderr(&o));
}

#[test]
fn scenarios_check_kpis_like_the_flow() {
    let project = repo_root().join("tests/fixtures/kpis");
    let o = run_in(&project, &["test"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The same scenario with wrong values fails, naming what was measured.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&project, dir.path());
    let file = dir.path().join("sops/orders.scenario.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "pack-time: 1h, on-time-pack: 50%",
            "pack-time: 2h, on-time-pack: 50%",
        ),
    )
    .unwrap();
    let o = run_in(dir.path(), &["test"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("step 8: kpis: pack-time: expected 2 h, actual 1"),
        "{}",
        stderr(&o)
    );
}
