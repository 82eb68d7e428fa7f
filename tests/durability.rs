//! `sopctl serve` under crashes and races: the real binary is killed with SIGKILL while clients
//! write, then restarted on the same database; every action the server acknowledged must still
//! be there. Two clients completing the same task at once: one wins, the other gets a conflict.
//!
//! SIGKILL kills the process, not the machine: what the process handed to the kernel survives
//! even without an fsync, so these tests check that an answer is sent only after the commit
//! (and that recovery and the audit trail hold), not that the fsync itself happens.

mod common;

use common::act;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use common::{http, serve, Conn, Server};
use serde_json::{json, Value};

/// The clock is pinned (it flows on from this instant at each start) so no reminder or
/// deadline of the delivery SOP falls due during a test: the history holds only our actions.
const ENV: &[(&str, &str)] = &[
    ("SOPCTL_NOW", "2026-01-05T09:00:00+08:00"),
    ("SOPCTL_ADMIN_TOKEN", "adm"),
    (
        "SOPCTL_USER_TOKENS",
        "tz=zhang:sales;tw=wang:sales-manager;tl=li:finance;tzh=zhao:warehouse;tzq=qian:warehouse;tb=bot:logistics-bot",
    ),
];

fn upload(addr: &str, text: &str) {
    let (st, body) = http(addr, "PUT", "/v1/bundle", Some("adm"), Some(text));
    assert!(st == 201 || st == 200, "{st} {body}");
}

fn delivery(order_no: &str) -> Value {
    json!({"process": "sales-delivery", "fields": {
        "owner": "zhang", "order_no": order_no, "customer": "华东商贸",
        "ship_address": "上海市浦东新区", "amount": 1000}})
}

fn create(addr: &str, order_no: &str) -> u64 {
    let (st, body) = http(
        addr,
        "POST",
        "/v1/records",
        Some("tz"),
        Some(&delivery(order_no).to_string()),
    );
    assert_eq!(st, 201, "{body}");
    body["id"].as_u64().unwrap()
}

fn history_actions(addr: &str, id: u64) -> Vec<Value> {
    let (st, h) = http(
        addr,
        "GET",
        &format!("/v1/records/{id}/history"),
        Some("tz"),
        None,
    );
    assert_eq!(st, 200, "{h}");
    h["history"].as_array().unwrap().clone()
}

/// SIGKILL, and reap the process.
fn kill9(s: &mut Server) {
    s.child.kill().expect("SIGKILL the server");
    s.child.wait().unwrap();
}

/// A small seeded generator (xorshift64*): the delays of a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed: nearby seeds (clock readings) give unrelated sequences.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)).max(1))
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn seed() -> u64 {
    std::env::var("SOPCTL_DURABILITY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}

/// What one client thread did to one record it created.
#[derive(Debug, Default, Clone)]
struct RecordLog {
    id: u64,
    order_no: String,
    /// Every `ship_address` value sent, in order (the last may not have been answered).
    attempted: Vec<String>,
    /// How many of `attempted` got a 2xx answer (always a prefix: one request at a time).
    acked: usize,
}

/// The value a `set` audit row wrote to `ship_address` (the request is in its detail; the
/// record's owner may edit it, SPEC 10).
fn set_value(row: &Value) -> Option<String> {
    Some(
        row["detail"]["request"]["set"]["ship_address"]
            .as_str()?
            .to_string(),
    )
}

/// Every acknowledged create and set of `logs` is in the database behind `addr`. Returns how
/// many sets were committed although their answer never arrived (killed in between).
fn verify(addr: &str, logs: &[RecordLog], seed: u64) -> usize {
    let mut unanswered = 0;
    let mut conn = Conn::connect(addr).unwrap();
    for log in logs {
        let ctx = format!("seed {seed}, record {log:?}");
        let (st, r) = conn
            .request("GET", &format!("/v1/records/{}", log.id), Some("tz"), None)
            .unwrap();
        assert_eq!(st, 200, "an acknowledged create was lost: {ctx}: {r}");
        let fields = &r["state"]["fields"];
        assert_eq!(fields["order_no"], log.order_no.as_str(), "{ctx}");

        let (st, h) = conn
            .request(
                "GET",
                &format!("/v1/records/{}/history", log.id),
                Some("tz"),
                None,
            )
            .unwrap();
        assert_eq!(st, 200, "{ctx}");
        let rows = h["history"].as_array().unwrap();
        assert_eq!(rows[0]["action"], "create", "{ctx}: {h}");
        let ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ctx}: {h}");
        // The set rows are exactly the first k attempts, k at least the acknowledged ones:
        // none lost, none reordered, none invented.
        let sets: Vec<String> = rows[1..]
            .iter()
            .map(|r| {
                assert_eq!(r["action"], "set", "{ctx}: {h}");
                set_value(r).unwrap_or_else(|| panic!("{ctx}: no value in {r}"))
            })
            .collect();
        assert!(
            sets.len() >= log.acked && sets.len() <= log.attempted.len(),
            "{} set rows for {} acknowledged and {} attempted: {ctx}: {h}",
            sets.len(),
            log.acked,
            log.attempted.len()
        );
        assert_eq!(sets[..], log.attempted[..sets.len()], "{ctx}");
        unanswered += sets.len() - log.acked;
        // The record's state agrees with its audit trail (same transaction).
        match sets.last() {
            Some(v) => assert_eq!(fields["ship_address"], v.as_str(), "{ctx}: {r}"),
            None => assert_eq!(fields["ship_address"], "上海市浦东新区", "{ctx}: {r}"),
        }
    }
    unanswered
}

/// One client: create a record, set its tracking number a few times, repeat, until the server
/// goes away. Every step is logged before it is sent and marked when it is answered.
fn client(
    addr: String,
    thread: usize,
    cycle: usize,
    logs: Arc<Mutex<Vec<RecordLog>>>,
    stop: Arc<AtomicBool>,
) -> Result<usize, String> {
    let Ok(mut conn) = Conn::connect(&addr) else {
        return Ok(0);
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut n = 0usize;
    let mut acks = 0;
    while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
        n += 1;
        let order_no = format!("SO-{cycle}-{thread}-{n}");
        let create = delivery(&order_no).to_string();
        let (st, body) = match conn.request("POST", "/v1/records", Some("tz"), Some(&create)) {
            Ok(x) => x,
            Err(_) => return Ok(acks),
        };
        if st != 201 {
            return Err(format!("create answered {st}: {body}"));
        }
        acks += 1;
        let id = body["id"].as_u64().unwrap();
        let slot = {
            let mut l = logs.lock().unwrap();
            l.push(RecordLog {
                id,
                order_no,
                ..Default::default()
            });
            l.len() - 1
        };
        for k in 0..3 {
            let value = format!("T{cycle}-{thread}-{n}-{k}");
            logs.lock().unwrap()[slot].attempted.push(value.clone());
            let set = json!({"set": {"ship_address": value}}).to_string();
            let path = format!("/v1/records/{id}/actions");
            let (st, body) = match conn.request("POST", &path, Some("tz"), Some(&set)) {
                Ok(x) => x,
                Err(_) => return Ok(acks),
            };
            if st != 200 {
                return Err(format!("set answered {st}: {body}"));
            }
            logs.lock().unwrap()[slot].acked += 1;
            acks += 1;
        }
    }
    Ok(acks)
}

#[test]
fn kill_9_loses_no_acknowledged_action() {
    let seed = seed();
    eprintln!("seed {seed} (replay with SOPCTL_DURABILITY_SEED={seed})");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sopctl.db");
    let text = common::shipped_bundle(dir.path());
    let logs: Arc<Mutex<Vec<RecordLog>>> = Arc::default();

    let mut s = serve(&db, ENV);
    upload(&s.addr, &text);
    for cycle in 1..=3 {
        let stop = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (addr, logs, stop) = (s.addr.clone(), logs.clone(), stop.clone());
                std::thread::spawn(move || client(addr, t, cycle, logs, stop))
            })
            .collect();
        let delay = rng.between(300, 1500);
        std::thread::sleep(Duration::from_millis(delay));
        kill9(&mut s);
        stop.store(true, Ordering::SeqCst);
        let mut acks = 0;
        for t in threads {
            acks += t
                .join()
                .unwrap()
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        }
        assert!(acks > 0, "seed {seed}: no action was acknowledged");

        s = serve(&db, ENV);
        let all = logs.lock().unwrap().clone();
        let unanswered = verify(&s.addr, &all, seed);
        eprintln!(
            "cycle {cycle}: killed after {delay} ms; {acks} acknowledged actions all kept; \
             {unanswered} sets so far committed without an answer"
        );
        // Still writable after recovery.
        create(&s.addr, &format!("SO-after-{cycle}"));
    }
    kill9(&mut s);
    drop(s);

    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "seed {seed}");
    // Every record has its create row, and no audit row points at a missing record.
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit a WHERE a.record_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM records r WHERE r.id = a.record_id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "seed {seed}");
    let uncreated: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM records r WHERE NOT EXISTS
             (SELECT 1 FROM audit a WHERE a.record_id = r.id AND a.action = 'create')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(uncreated, 0, "seed {seed}");
}

/// Creates a delivery record and walks it to `approved`, where the warehouse's
/// `ship-and-report` task is open.
fn to_ship_and_report(a: &str, order_no: &str) -> u64 {
    let id = create(a, order_no);
    assert_eq!(act(a, "tz", id, json!({"move": "approved"})).0, 200);
    assert_eq!(act(a, "tw", id, json!({"approve": true})).0, 200);
    let (st, body) = act(a, "tl", id, json!({"approve": true}));
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["record"]["state"]["status"], "approved");
    id
}

/// Uploads a file (file fields hold the ids of uploaded files) and returns its id.
fn file_id(addr: &str, name: &str) -> Value {
    let (st, f) = common::http_with(
        addr,
        "POST",
        "/v1/files",
        Some("tz"),
        Some(name),
        &[("X-Filename", name)],
    );
    assert_eq!(st, 201, "{f}");
    f["id"].clone()
}

fn ship(addr: &str, tracking_no: &str) -> Value {
    json!({"complete": {"task": "ship-and-report", "fill": {
        "shipped_at": "2026-01-05T10:00:00+08:00", "tracking_no": tracking_no,
        "shipping_proof": file_id(addr, "proof.jpg")}}})
}

#[test]
fn concurrent_completion_one_wins_the_other_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sopctl.db");
    let text = common::shipped_bundle(dir.path());
    let s = serve(&db, ENV);
    let a = s.addr.clone();
    upload(&a, &text);

    for round in 0..10 {
        let id = to_ship_and_report(&a, &format!("SO-race-{round}"));
        let barrier = Arc::new(Barrier::new(2));
        let racers: Vec<_> = [("tzh", "SF-A"), ("tzq", "SF-B")]
            .into_iter()
            .map(|(token, tracking)| {
                let (a, barrier) = (a.clone(), barrier.clone());
                std::thread::spawn(move || {
                    // Connected and ready before the barrier: only the request is raced.
                    let mut c = Conn::connect(&a).unwrap();
                    let body = ship(&a, tracking).to_string();
                    let path = format!("/v1/records/{id}/actions");
                    barrier.wait();
                    let (st, b) = c.request("POST", &path, Some(token), Some(&body)).unwrap();
                    (st, b, tracking)
                })
            })
            .collect();
        let mut out: Vec<(u16, Value, &str)> =
            racers.into_iter().map(|t| t.join().unwrap()).collect();
        out.sort_by_key(|o| o.0);
        let statuses: Vec<u16> = out.iter().map(|o| o.0).collect();
        assert_eq!(statuses, [200, 409], "round {round}: {out:?}");
        let (winner, loser) = (&out[0], &out[1]);
        assert_eq!(
            loser.1["error"]["code"], "conflict",
            "round {round}: the loser's answer: {}",
            loser.1
        );
        assert!(loser.1["error"]["message"].is_string(), "{}", loser.1);

        // Only the winner's completion is stored, once.
        let (_, r) = http(&a, "GET", &format!("/v1/records/{id}"), Some("tz"), None);
        assert_eq!(r["state"]["status"], "shipped");
        assert_eq!(r["state"]["fields"]["tracking_no"], winner.2);
        let completes = history_actions(&a, id)
            .iter()
            .filter(|r| r["action"] == "complete")
            .count();
        assert_eq!(completes, 1, "round {round}");
    }
}

#[test]
fn restart_in_the_middle_of_a_walk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sopctl.db");
    let text = common::shipped_bundle(dir.path());
    let mut s = serve(&db, ENV);
    upload(&s.addr, &text);

    // First half: created, submitted, approved by the sales manager (finance still to come).
    let id = create(&s.addr, "SO-walk");
    assert_eq!(act(&s.addr, "tz", id, json!({"move": "approved"})).0, 200);
    assert_eq!(act(&s.addr, "tw", id, json!({"approve": true})).0, 200);
    kill9(&mut s);

    // Second half on a fresh process: the pending approval picks up where it was.
    let mut s = serve(&db, ENV);
    let a = s.addr.clone();
    let (_, r) = http(&a, "GET", &format!("/v1/records/{id}"), Some("tz"), None);
    assert_eq!(r["state"]["status"], "pending", "{r}");
    assert!(!r["state"]["approval"].is_null(), "{r}");
    let (st, body) = act(&a, "tl", id, json!({"approve": true}));
    assert_eq!(
        (st, &body["record"]["state"]["status"]),
        (200, &json!("approved"))
    );
    let (st, body) = act(&a, "tzh", id, ship(&a, "SF-WALK"));
    assert_eq!(st, 200, "{body}");
    kill9(&mut s);

    let s = serve(&db, ENV);
    let a = s.addr.clone();
    let (st, body) = act(
        &a,
        "tb",
        id,
        json!({"complete": {"task": "track-logistics", "fill": {
            "delivered_at": "2026-01-07T15:00:00+08:00"}}}),
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["record"]["state"]["status"], "delivered");
    let (st, body) = act(
        &a,
        "tz",
        id,
        json!({"complete": {"task": "customer-acceptance", "fill": {
            "accepted_at": "2026-01-08T11:00:00+08:00", "acceptance_proof": file_id(&a, "signed.pdf")}}}),
    );
    assert_eq!(st, 200, "{body}");
    let (st, body) = act(&a, "tl", id, json!({"approve": true}));
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["record"]["state"]["status"], "accepted");

    let rows = history_actions(&a, id);
    let actions: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("create", "zhang"),
            ("move", "zhang"),
            ("approve", "wang"),
            ("approve", "li"),
            ("complete", "zhao"),
            ("complete", "bot"),
            ("complete", "zhang"),
            ("approve", "li"),
        ]
    );
    let ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let (_, r) = http(&a, "GET", &format!("/v1/records/{id}"), Some("tz"), None);
    let f: BTreeMap<String, Value> = serde_json::from_value(r["state"]["fields"].clone()).unwrap();
    assert_eq!(f["tracking_no"], "SF-WALK");
    assert!(!f["accepted_at"].is_null(), "{r}");
}
