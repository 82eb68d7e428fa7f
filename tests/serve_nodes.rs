//! Three `sopctl serve` nodes on one fresh PostgreSQL database (SPEC 15), the real binary:
//! clients spread across the nodes start records, complete tasks and move them, while due
//! timers fire and webhook messages go to a local receiver. One node is killed with SIGKILL
//! mid-load and started again with the same arguments; its clients retry on another node
//! with the same `Idempotency-Key`. Then every acknowledged action is in its record's
//! history once and in order, every due timer fired once, and every outbox message reached
//! the receiver at least once and never while another delivery of it was in flight.
//!
//! Every loop is bounded. With `CI=true` a missing PostgreSQL fails the test.

mod common;
mod pg_support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use common::{serve_db, Server};
use pg_support::FreshPg;
use serde_json::{json, Value};

const ROLES: &str = "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: r }\nspec:\n  roles:\n    clerk: { title: 文员 }\n";

/// A job opens with a task due in two hours (a timer), and entering `busy` sends a webhook.
const JOB: &str = "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: job, title: 作业, owner: role:clerk }\nspec:\n  fields:\n    n: { type: number, title: 序号 }\n  statuses:\n    open:\n      title: 打开\n      initial: true\n      tasks:\n        - { id: check, title: 检查, assignee: role:clerk, due: +2h }\n    busy:\n      title: 处理中\n      notify:\n        - { to: [role:clerk], channel: webhook, message: \"作业 {{ record.n }}\" }\n    done: { title: 完成, terminal: true }\n  transitions:\n    - { from: open, to: busy }\n    - { from: busy, to: open }\n    - { from: busy, to: done }\n";

/// When the records with timers are made; the nodes start a second before those timers are
/// due, so they fall due while the clients are busy.
const SETUP_AT: &str = "2026-01-05T09:00:00+08:00";
const NODES_AT: &str = "2026-01-05T10:59:59+08:00";
/// A node started well past every lease (60 s timers, 300 s outbox): it takes over what the
/// killed node held.
const LATER_AT: &str = "2026-01-05T11:15:00+08:00";

const CLIENTS: usize = 6;
const RECORDS_PER_CLIENT: usize = 4;
const TIMED: usize = 6;
/// How long the receiver holds each delivery: long enough that two nodes sending one message
/// at once would overlap.
const HOLD: Duration = Duration::from_millis(100);

fn env(now: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("SOPCTL_NOW", now),
        ("SOPCTL_ADMIN_TOKEN", "adm"),
        ("SOPCTL_USER_TOKENS", "tc=chen:clerk"),
    ]
}

/// One delivery the receiver saw: the message id and when it arrived and was answered.
#[derive(Clone, Debug)]
struct Delivery {
    id: String,
    from: Instant,
    to: Instant,
}

/// A loopback webhook receiver answering 204 after [`HOLD`], each connection on its own
/// thread so that concurrent deliveries really are concurrent.
fn receiver() -> (String, Arc<Mutex<Vec<Delivery>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(stream) = stream else { continue };
            let log = log.clone();
            std::thread::spawn(move || {
                let from = Instant::now();
                if let Some(id) = read_delivery(&stream) {
                    std::thread::sleep(HOLD);
                    let _ = (&stream).write_all(
                        b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    let to = Instant::now();
                    log.lock().unwrap().push(Delivery { id, from, to });
                }
            });
        }
    });
    (addr, seen)
}

/// The `X-Sopctl-Id` of one webhook request (its body read and dropped).
fn read_delivery(stream: &TcpStream) -> Option<String> {
    let mut r = BufReader::new(stream);
    let (mut line, mut id, mut len) = (String::new(), None, 0usize);
    r.read_line(&mut line).ok()?;
    loop {
        line.clear();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        if k.eq_ignore_ascii_case("x-sopctl-id") {
            id = Some(v.trim().to_string());
        } else if k.eq_ignore_ascii_case("content-length") {
            len = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    id
}

/// One request that may fail because its node died: (status, JSON body) or the I/O error.
fn try_http(
    addr: &str,
    method: &str,
    path: &str,
    body: &str,
    key: &str,
) -> std::io::Result<(u16, Value)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nAuthorization: Bearer tc\r\nIdempotency-Key: {key}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let text = String::from_utf8_lossy(&resp);
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "a cut-off answer");
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(bad)?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(bad)?;
    Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

/// The nodes' addresses as they are now (a restarted node has a new port).
type Nodes = Arc<RwLock<Vec<String>>>;

/// How many requests found their node dead (refused or cut off): the kill hit mid-load.
static CUT_OFF: AtomicUsize = AtomicUsize::new(0);

/// How many actions were acknowledged so far: the kill comes between a quarter and half of
/// the way in.
static ACKED: AtomicUsize = AtomicUsize::new(0);

/// Sends one action until some node answers it with success: on a dead node, a conflict or a
/// server error, the same request (same key) goes to the next node. Returns the answer.
fn until_done(nodes: &Nodes, first: usize, path: &str, body: &str, key: &str) -> Value {
    let mut last = String::new();
    for attempt in 0..60 {
        let addr = {
            let n = nodes.read().unwrap();
            n[(first + attempt) % n.len()].clone()
        };
        match try_http(&addr, "POST", path, body, key) {
            Ok((200 | 201, v)) => {
                ACKED.fetch_add(1, Ordering::SeqCst);
                return v;
            }
            Ok((st @ (409 | 500..=599), v)) => last = format!("{st} {v}"),
            Ok((st, v)) => panic!("{path} {body}: {st} {v}"),
            Err(e) => {
                CUT_OFF.fetch_add(1, Ordering::SeqCst);
                last = e.to_string()
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{path} {body} never succeeded: {last}");
}

/// [`until_done`]; when `lost`, the answer is taken as lost on the way and the same request
/// (same key) goes again to the next node, which must give the first answer back rather than
/// act a second time.
fn act_once(nodes: &Nodes, c: usize, lost: bool, path: &str, body: &str, key: &str) -> Value {
    let first = until_done(nodes, c, path, body, key);
    if lost {
        let again = until_done(nodes, c + 1, path, body, key);
        assert_eq!(again, first, "{path} {body}: the retry got another answer");
    }
    first
}

/// One client's work: records started on its node, each taken through a task and four
/// moves; the first record's answers are each "lost" once and retried. Returns, per record, the request bodies that were acknowledged, in order.
fn client(nodes: Nodes, c: usize) -> Vec<(u64, Vec<Value>)> {
    let steps = [
        json!({"complete": {"task": "check"}}),
        json!({"move": "busy"}),
        json!({"move": "open"}),
        json!({"move": "busy"}),
        json!({"move": "done"}),
    ];
    (0..RECORDS_PER_CLIENT)
        .map(|r| {
            let create = json!({"process": "job", "fields": {"n": c * 100 + r}});
            let key = format!("c{c}r{r}");
            let lost = r == 0;
            let made = act_once(&nodes, c, lost, "/v1/records", &create.to_string(), &key);
            let id = made["id"].as_u64().expect("a record id");
            let path = format!("/v1/records/{id}/actions");
            let mut done = vec![create];
            for (s, step) in steps.iter().enumerate() {
                std::thread::sleep(Duration::from_millis(150));
                act_once(
                    &nodes,
                    c,
                    lost,
                    &path,
                    &step.to_string(),
                    &format!("{key}s{s}"),
                );
                done.push(step.clone());
            }
            (id, done)
        })
        .collect()
}

/// The bundle of [`JOB`], built in `dir`.
fn bundle(dir: &std::path::Path) -> String {
    let sops = dir.join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    std::fs::write(sops.join("roles.yaml"), ROLES).unwrap();
    std::fs::write(sops.join("job.yaml"), JOB).unwrap();
    let o = common::run_in(dir, &["build", "-o", "dist"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    std::fs::read_to_string(dir.join("dist/bundle.json")).unwrap()
}

/// A record's history, oldest first (one page holds it all).
fn history(addr: &str, id: u64) -> Vec<Value> {
    let (st, h) = common::http(
        addr,
        "GET",
        &format!("/v1/records/{id}/history?limit=200"),
        Some("tc"),
        None,
    );
    assert_eq!(st, 200, "{h}");
    h["history"].as_array().unwrap().clone()
}

/// The records whose timers fall due once the nodes run, made on a node of its own.
fn timed_records(url: &str, args: &[&str], text: &str) -> Vec<u64> {
    let s = serve_db(url, &env(SETUP_AT), args);
    let (st, body) = common::http(&s.addr, "PUT", "/v1/bundle", Some("adm"), Some(text));
    assert_eq!(st, 201, "{body}");
    (0..TIMED)
        .map(|n| {
            let (st, body) = common::http(
                &s.addr,
                "POST",
                "/v1/records",
                Some("tc"),
                Some(&json!({"process": "job", "fields": {"n": 900 + n}}).to_string()),
            );
            assert_eq!(st, 201, "{body}");
            body["id"].as_u64().unwrap()
        })
        .collect()
}

/// Waits (at most `secs`) until `done` holds; returns whether it did.
fn wait_for(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

/// How many outbox rows and due timers are still waiting, leaving out those held by the
/// claims of `except` (a dead node's process id).
fn waiting(db: &mut postgres::Client, except: u32, now: i64) -> i64 {
    let held = format!("%:{except}:%");
    let q = "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending'
                 AND (claimed_by IS NULL OR claimed_by NOT LIKE $1))
          + (SELECT count(*) FROM timers WHERE due_at <= $2
                 AND (claimed_by IS NULL OR claimed_by NOT LIKE $1))";
    db.query_one(q, &[&held, &now]).unwrap().get(0)
}

/// Which of `servers` holds a pending outbox row now, if one does.
fn holding_outbox(db: &mut postgres::Client, servers: &[Server]) -> Option<usize> {
    let q = "SELECT claimed_by FROM outbox WHERE state = 'pending' AND claimed_by IS NOT NULL";
    let holders: Vec<String> = db.query(q, &[]).unwrap().iter().map(|r| r.get(0)).collect();
    servers.iter().position(|s| {
        let pid = format!(":{}:", s.child.id());
        holders.iter().any(|h| h.contains(&pid))
    })
}

/// Mid-load (a quarter to five eighths of the actions acknowledged), SIGKILLs a node: the
/// first one seen holding outbox rows, so that their lease must be taken over, else node 1.
/// After a moment down it is started again the same way, at the same place in `nodes`.
/// Returns the killed process's id.
fn kill_one_mid_load(
    servers: &mut [Server],
    nodes: &Nodes,
    pg: &mut postgres::Client,
    start: &dyn Fn() -> Server,
) -> u32 {
    // Each client acknowledges six actions per record, and those of its first record twice.
    let total = CLIENTS * (RECORDS_PER_CLIENT + 1) * 6;
    let share = |eighths: usize| ACKED.load(Ordering::SeqCst) >= total * eighths / 8;
    wait_for(10, || share(2));
    let mut victim = None;
    wait_for(10, || {
        victim = holding_outbox(pg, servers);
        victim.is_some() || share(5)
    });
    let n = victim.unwrap_or(1);
    let dead = servers[n].child.id();
    servers[n].child.kill().expect("SIGKILL a node");
    servers[n].child.wait().unwrap();
    // Down for a moment, as a real restart is: its clients find it gone and go elsewhere.
    std::thread::sleep(Duration::from_millis(300));
    servers[n] = start();
    nodes.write().unwrap()[n] = servers[n].addr.clone();
    dead
}

/// [`NODES_AT`] and [`LATER_AT`] in seconds since the epoch (`date -d … +%s`).
const NODES_SECS: i64 = 1_767_581_999;
const LATER_SECS: i64 = 1_767_582_900;

#[test]
fn three_nodes_one_killed_mid_load_lose_and_repeat_nothing() {
    let Some(db) = FreshPg::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let text = bundle(dir.path());
    let (hook, deliveries) = receiver();
    let channels = dir.path().join("channels.yaml");
    std::fs::write(
        &channels,
        format!("webhook: {{ url: \"http://{hook}/hook\" }}\n"),
    )
    .unwrap();
    let data = dir.path().join("files");
    let args = [
        "--data",
        data.to_str().unwrap(),
        "--channels",
        channels.to_str().unwrap(),
        "--utc-offset",
        "+08:00",
    ];
    let url = db.url();
    let timed = timed_records(&url, &args, &text);

    let mut servers: Vec<Server> = (0..3)
        .map(|_| serve_db(&url, &env(NODES_AT), &args))
        .collect();
    let nodes: Nodes = Arc::new(RwLock::new(
        servers.iter().map(|s| s.addr.clone()).collect(),
    ));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let nodes = nodes.clone();
            std::thread::spawn(move || client(nodes, c))
        })
        .collect();
    let mut pg = sopctl::runtime::storage_pg::connect(&url).unwrap();
    let dead = kill_one_mid_load(&mut servers, &nodes, &mut pg, &|| {
        serve_db(&url, &env(NODES_AT), &args)
    });
    let acked: Vec<(u64, Vec<Value>)> = clients
        .into_iter()
        .flat_map(|h| h.join().expect("a client finished"))
        .collect();

    let cut = CUT_OFF.load(Ordering::SeqCst);
    assert!(
        cut > 0,
        "the kill came after the load: no request found its node dead"
    );
    eprintln!("{cut} requests found their node dead and were retried elsewhere");

    // The live nodes finish their own work; what the dead node held waits for its lease.
    let now = NODES_SECS + 5;
    assert!(
        wait_for(20, || waiting(&mut pg, dead, now) == 0),
        "the live nodes left work undone"
    );
    let held = waiting(&mut pg, 0, NODES_SECS + 5);
    assert!(
        held > 0,
        "the killed node held no outbox rows: nothing to take over"
    );
    let later = serve_db(&url, &env(LATER_AT), &args);
    assert!(
        wait_for(20, || waiting(&mut pg, 0, LATER_SECS) == 0),
        "the dead node's claims were not taken over"
    );
    eprintln!(
        "{} deliveries; {held} rows still held by the dead node, for a later node to take over",
        deliveries.lock().unwrap().len()
    );
    check_histories(&later.addr, &acked, &timed);
    check_deliveries(&mut pg, &deliveries.lock().unwrap());
}

/// Every acknowledged action once and in order; every timed record ticked exactly once.
fn check_histories(addr: &str, acked: &[(u64, Vec<Value>)], timed: &[u64]) {
    assert_eq!(acked.len(), CLIENTS * RECORDS_PER_CLIENT);
    for (id, sent) in acked {
        let got: Vec<Value> = history(addr, *id)
            .iter()
            .map(|e| e["detail"]["request"].clone())
            .collect();
        assert_eq!(
            &got, sent,
            "record {id}: the history holds what was acknowledged"
        );
    }
    for id in timed {
        let ticks = history(addr, *id)
            .iter()
            .filter(|e| e["action"] == "tick")
            .count();
        assert_eq!(ticks, 1, "record {id}: its due timer fired once");
    }
}

/// Every outbox message sent and received, and no two deliveries of one message in flight
/// at the same time.
fn check_deliveries(pg: &mut postgres::Client, seen: &[Delivery]) {
    let rows = pg
        .query("SELECT id::bigint, state FROM outbox ORDER BY id", &[])
        .unwrap();
    assert_eq!(
        rows.len(),
        CLIENTS * RECORDS_PER_CLIENT * 2,
        "two messages per record"
    );
    let mut by_id: BTreeMap<String, Vec<&Delivery>> = BTreeMap::new();
    for d in seen {
        by_id.entry(d.id.clone()).or_default().push(d);
    }
    for r in &rows {
        let (id, state): (i64, String) = (r.get(0), r.get(1));
        assert_eq!(state, "sent", "outbox message {id}");
        let mut got = by_id.remove(&id.to_string()).unwrap_or_default();
        assert!(!got.is_empty(), "outbox message {id} never arrived");
        got.sort_by_key(|d| d.from);
        for w in got.windows(2) {
            assert!(
                w[1].from >= w[0].to,
                "outbox message {id} was delivered twice at once: {w:?}"
            );
        }
    }
    assert!(by_id.is_empty(), "unknown messages arrived: {by_id:?}");
}
