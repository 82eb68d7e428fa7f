//! Runtime speed end to end: task completions per second through `sopctl serve` (the release
//! binary, HTTP/1.1 keep-alive on loopback, SQLite in WAL mode with synchronous=FULL), with
//! 1, 4, 16 and 64 concurrent clients, and the p50/p99 latency of a completion. Then the
//! ceiling on the same disk: raw SQLite transactions per second (one UPDATE of a ~1 KB JSON
//! row per transaction, single thread), with synchronous=FULL and, for reference, NORMAL.
//!
//! Then the same on PostgreSQL (`http_pg`): one node, and three nodes on one database with
//! the clients spread round-robin across them, beside the raw commit rate of the same
//! database. It runs on a fresh database on `SOPCTL_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`, as the tests), dropped at the end; without
//! a server those rows are skipped with a note. A summary table ends this part.
//!
//! Also the latency of reads while a wave of 1,000 reminders falls due at once, and of
//! `GET /v1/me/work` in a database of 100,000 records.
//!
//! The process is the engine bench's chain (10 statuses, each with one task whose `complete`
//! fills a field and fires `then`), built with `sopctl build -o` into a temporary folder.
//!
//! `cargo bench --bench http` prints the figures, then lets criterion time a small batch.
//! `SOPCTL_BENCH_SECS` sets the measuring time per client count (default 6);
//! `SOPCTL_BENCH_BIN` runs another `sopctl` binary instead of this tree's.

#[path = "../tests/common/mod.rs"]
mod common;
mod http_pg;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::Conn;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rusqlite::{params, Connection};
use serde_json::json;

const STEPS: usize = 10;
const BIN: &str = env!("CARGO_BIN_EXE_sopctl");

/// The binary under test: this tree's, or `SOPCTL_BENCH_BIN` (another build, e.g. an earlier
/// commit's, to measure both in one sitting on the same machine).
fn bin() -> String {
    std::env::var("SOPCTL_BENCH_BIN").unwrap_or_else(|_| BIN.to_string())
}

fn secs() -> f64 {
    std::env::var("SOPCTL_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6.0)
}

/// Writes the chain project into `dir` and builds it; returns the bundle's JSON.
fn bundle(dir: &Path) -> String {
    let sops = dir.join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    std::fs::write(
        sops.join("roles.yaml"),
        "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: r }\nspec:\n  roles:\n    worker: { title: 工人 }\n    boss: { title: 主管 }\n",
    )
    .unwrap();
    let mut p = String::from(
        "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: chain, title: 流水, owner: role:boss }\nspec:\n  fields:\n    owner: { type: user, title: 归属人, required: true }\n    amount: { type: money, title: 金额, default: 0 }\n",
    );
    for i in 0..STEPS {
        p += &format!("    note{i}: {{ type: text, title: 记录{i} }}\n");
    }
    p += "  statuses:\n";
    for i in 0..STEPS {
        p += &format!(
            "    s{i}:\n      title: 第{i}步\n      initial: {}\n      tasks:\n        - {{ id: t{i}, title: 任务{i}, assignee: role:worker, due: +1d, remind_before: [1h], complete: {{ fill: [note{i}], then: s{} }} }}\n",
            i == 0,
            i + 1
        );
    }
    p += &format!("    s{STEPS}: {{ title: 完成, terminal: true }}\n    cancelled: {{ title: 取消, terminal: true }}\n  transitions:\n");
    for i in 0..STEPS {
        p += &format!("    - {{ from: s{i}, to: s{} }}\n", i + 1);
    }
    p += "    - { from: \"*\", to: cancelled, when: \"amount > 100\" }\n";
    std::fs::write(sops.join("chain.yaml"), p).unwrap();
    let out = dir.join("dist");
    let o = Command::new(bin())
        .current_dir(dir)
        .args(["build", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "sopctl build: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_to_string(out.join("bundle.json")).unwrap()
}

/// `sopctl serve` on a free port; killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path) -> Server {
    serve_at(db, None)
}

/// `sopctl serve` with its clock starting at `now` (`SOPCTL_NOW`) when given.
fn serve_at(db: &Path, now: Option<&str>) -> Server {
    serve_url(&format!("sqlite://{}", db.display()), &[], now)
}

/// `sopctl serve --db URL ARGS…` on a free loopback port (any `--db`, a `postgres://` URL too).
fn serve_url(db: &str, args: &[&str], now: Option<&str>) -> Server {
    use std::io::BufRead;
    let mut cmd = Command::new(bin());
    match now {
        Some(n) => cmd.env("SOPCTL_NOW", n),
        None => cmd.env_remove("SOPCTL_NOW"),
    };
    let mut child = cmd
        .args(["serve", "--listen", "127.0.0.1:0", "--db", db])
        .args(args)
        .env("SOPCTL_ADMIN_TOKEN", "adm")
        .env("SOPCTL_USER_TOKENS", "ta=ann:worker;tb=bob:boss")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut addr = String::new();
    for line in lines.by_ref() {
        if let Some(a) = line.unwrap().strip_prefix("listening on http://") {
            addr = a.trim().to_string();
            break;
        }
    }
    assert!(!addr.is_empty(), "serve did not start");
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

const CREATE: &str = r#"{"process":"chain","fields":{"owner":"bob"}}"#;

fn create(c: &mut Conn) -> u64 {
    let (st, body) = c
        .request("POST", "/v1/records", Some("ta"), Some(CREATE))
        .unwrap();
    assert_eq!(st, 201, "{body}");
    body["id"].as_u64().unwrap()
}

fn complete(c: &mut Conn, id: u64, step: usize) {
    let body =
        json!({"complete": {"task": format!("t{step}"), "fill": {format!("note{step}"): "ok"}}});
    let (st, b) = c
        .request(
            "POST",
            &format!("/v1/records/{id}/actions"),
            Some("ta"),
            Some(&body.to_string()),
        )
        .unwrap();
    assert_eq!(st, 200, "{b}");
}

/// Creates `n` records with `clients` connections (round-robin over the nodes at `addrs`);
/// returns their ids.
fn create_many(addrs: &[String], n: usize, clients: usize) -> Vec<u64> {
    let per = n.div_ceil(clients);
    let threads: Vec<_> = (0..clients)
        .map(|i| {
            let addr = addrs[i % addrs.len()].clone();
            std::thread::spawn(move || {
                let mut c = Conn::connect(&addr).unwrap();
                (0..per).map(|_| create(&mut c)).collect::<Vec<_>>()
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect()
}

struct Run {
    completions: usize,
    secs: f64,
    /// Every completion's latency, sorted.
    latencies: Vec<Duration>,
}

/// `clients` threads, each over one keep-alive connection to one of the nodes at `addrs`
/// (client `i` to node `i mod n`), complete every task of their share of `ids` (a record's
/// ten in order) until the records or `budget` run out.
fn complete_all(addrs: &[String], ids: &[u64], clients: usize, budget: Duration) -> Run {
    // Exactly `clients` shares (some may be one record shorter), so the barrier counts right.
    let shares: Vec<Vec<u64>> = (0..clients)
        .map(|i| ids.iter().skip(i).step_by(clients).copied().collect())
        .collect();
    let barrier = Arc::new(Barrier::new(clients + 1));
    let threads: Vec<_> = shares
        .into_iter()
        .enumerate()
        .map(|(i, mine)| {
            let (addr, barrier) = (addrs[i % addrs.len()].clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut c = Conn::connect(&addr).unwrap();
                let mut lat = Vec::with_capacity(mine.len() * STEPS);
                barrier.wait();
                let end = Instant::now() + budget;
                'records: for id in mine {
                    for step in 0..STEPS {
                        if Instant::now() >= end {
                            break 'records;
                        }
                        let t = Instant::now();
                        complete(&mut c, id, step);
                        lat.push(t.elapsed());
                    }
                }
                lat
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    let mut latencies: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let secs = start.elapsed().as_secs_f64();
    latencies.sort();
    Run {
        completions: latencies.len(),
        secs,
        latencies,
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// One client count's figures (in [`CLIENTS`] order): completions/s and the latency percentiles in ms.
struct Point {
    rate: f64,
    p50: f64,
    p99: f64,
}

/// One backend and node count: its points, and the raw commit rate of its database.
struct Series {
    label: String,
    raw: Option<f64>,
    points: Vec<Point>,
}

const CLIENTS: [usize; 4] = [1, 4, 16, 64];

/// Completions/s with 1, 4, 16 and 64 clients spread round-robin over the nodes at `addrs`,
/// which serve the chain bundle already. Prints a line per client count.
fn throughput(label: &str, addrs: &[String]) -> Vec<Point> {
    // A first short run sizes the record pools: enough records for `secs()` at about that
    // rate, with room for the rate to triple with more clients or nodes.
    let probe_ids = create_many(addrs, 20, 1);
    let probe = complete_all(addrs, &probe_ids, 1, Duration::from_secs(60));
    let rate = probe.completions as f64 / probe.secs;
    let budget = Duration::from_secs_f64(secs());
    let mut points = Vec::new();
    for clients in CLIENTS {
        let want = (rate * budget.as_secs_f64() * 3.0 / STEPS as f64).ceil() as usize;
        let ids = create_many(addrs, want.max(clients * 2), clients.min(8));
        let r = complete_all(addrs, &ids, clients, budget);
        let p = Point {
            rate: r.completions as f64 / r.secs,
            p50: pct(&r.latencies, 0.50),
            p99: pct(&r.latencies, 0.99),
        };
        println!(
            "http: {label}: {clients:>2} clients: {:>6} completions in {:.2}s = {:>7.0} completions/s; latency p50 {:.2} ms, p99 {:.2} ms",
            r.completions, r.secs, p.rate, p.p50, p.p99,
        );
        points.push(p);
    }
    points
}

/// Puts the chain bundle through the node at `addr`.
fn put_bundle(addr: &str, text: &str) {
    let mut c = Conn::connect(addr).unwrap();
    let (st, b) = c
        .request("PUT", "/v1/bundle", Some("adm"), Some(text))
        .unwrap();
    assert_eq!(st, 201, "{b}");
}

/// SQLite, one node: completions/s, then the raw commit rates on the same disk.
fn http_figures(dir: &Path) -> Series {
    let text = bundle(dir);
    let points = {
        let server = serve(&dir.join("http.db"));
        put_bundle(&server.addr, &text);
        throughput("sqlite, 1 node", std::slice::from_ref(&server.addr))
    };
    let raw = sqlite_figures(dir);
    Series {
        label: "SQLite, 1 node".into(),
        raw: Some(raw),
        points,
    }
}

/// The summary: a Markdown table of every series, completions/s and p50/p99 per client count.
fn print_table(all: &[Series]) {
    println!("\n| backend | raw commits/s | 1 client | 4 clients | 16 clients | 64 clients |");
    println!("|---|---|---|---|---|---|");
    for s in all {
        let raw = s.raw.map_or("–".to_string(), |r| format!("{r:.0}"));
        let cells: Vec<String> = s
            .points
            .iter()
            .map(|p| format!("{:.0} ({:.1} / {:.1} ms)", p.rate, p.p50, p.p99))
            .collect();
        println!("| {} | {raw} | {} |", s.label, cells.join(" | "));
    }
    println!("(completions/s, with p50 / p99 latency; raw: one UPDATE of ~1 KB per transaction, one thread)\n");
}

/// A table like the runtime's `records`, filled with `rows` rows of ~1 KB of JSON.
fn sqlite_table(path: &Path, synchronous: &str, rows: i64) -> Connection {
    let _ = std::fs::remove_file(path);
    let conn = Connection::open(path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch(&format!(
        "PRAGMA synchronous={synchronous};
         CREATE TABLE records (id INTEGER PRIMARY KEY, process TEXT NOT NULL,
             bundle_hash TEXT NOT NULL, state_json TEXT NOT NULL, version INTEGER NOT NULL);
         CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
             actor TEXT NOT NULL, action TEXT NOT NULL, record_id INTEGER,
             bundle_hash TEXT, detail_json TEXT NOT NULL);
         CREATE INDEX audit_record ON audit(record_id);"
    ))
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for id in 1..=rows {
        tx.execute(
            "INSERT INTO records VALUES (?, 'chain', 'sha256:x', ?, 1)",
            params![id, json_kb(id, 0)],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    conn
}

/// About 1 KB of record-like JSON.
fn json_kb(id: i64, n: u64) -> String {
    let notes: serde_json::Map<String, serde_json::Value> = (0..STEPS)
        .map(|i| {
            (
                format!("note{i}"),
                json!(format!("{n:08}-{}", "x".repeat(60))),
            )
        })
        .collect();
    json!({"id": id, "process": "chain", "status": format!("s{}", n % 10), "fields": notes,
        "tasks": [{"id": "t0", "users": [], "roles": ["worker"], "due": "2026-01-06T09:00:00Z"}]})
    .to_string()
}

/// One transaction = one version-checked UPDATE of a ~1 KB row (and, with `audit`, one
/// audit INSERT, as the server's commit does). Returns transactions per second.
fn sqlite_rate(path: &Path, synchronous: &str, audit: bool, budget: Duration) -> (u64, f64) {
    const ROWS: i64 = 1000;
    let mut conn = sqlite_table(path, synchronous, ROWS);
    let bodies: Vec<String> = (0..16).map(|n| json_kb(1, n)).collect();
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < budget {
        let id = (n as i64 % ROWS) + 1;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        let changed = tx
            .execute(
                "UPDATE records SET state_json = ?, version = version + 1 WHERE id = ? AND version = ?",
                params![bodies[(n % 16) as usize], id, (n as i64 / ROWS) + 1],
            )
            .unwrap();
        assert_eq!(changed, 1);
        if audit {
            tx.execute(
                "INSERT INTO audit (at, actor, action, record_id, bundle_hash, detail_json)
                 VALUES (?, 'ann', 'complete', ?, 'sha256:x', ?)",
                params![n as i64, id, r#"{"action":"Complete","events":[]}"#],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        n += 1;
    }
    (n, n as f64 / start.elapsed().as_secs_f64())
}

/// Raw SQLite commits on the same disk; returns the synchronous=FULL rate of the UPDATE alone.
fn sqlite_figures(dir: &Path) -> f64 {
    let budget = Duration::from_secs(3);
    let mut full = 0.0;
    for (sync, audit) in [("FULL", false), ("FULL", true), ("NORMAL", false)] {
        let (n, rate) = sqlite_rate(&dir.join("raw.db"), sync, audit, budget);
        if sync == "FULL" && !audit {
            full = rate;
        }
        println!(
            "sqlite: WAL, synchronous={sync:<6}, 1 UPDATE of ~1 KB{} per transaction: {n:>6} in {}s = {rate:>7.0} transactions/s",
            if audit { " + 1 audit INSERT" } else { "" },
            budget.as_secs()
        );
    }
    full
}

/// Reads while a wave of timers fires: `records` records whose reminders (1 h before a task
/// due in a day) all fall due at once after a restart 23.5 h later. Prints the latency of a
/// single-record GET, one every 5 ms, while the background loop works through them.
fn timer_wave(dir: &Path, records: usize) {
    let text = bundle(&dir.join("wave"));
    let db = dir.join("wave.db");
    {
        let s = serve_at(&db, Some("2026-01-05T09:00:00+08:00"));
        let mut c = Conn::connect(&s.addr).unwrap();
        let (st, _) = c
            .request("PUT", "/v1/bundle", Some("adm"), Some(&text))
            .unwrap();
        assert_eq!(st, 201);
        create_many(std::slice::from_ref(&s.addr), records, 4);
    }
    for (label, now) in [
        ("no timer due", "2026-01-05T09:00:10+08:00"),
        ("all reminders due", "2026-01-06T08:30:00+08:00"),
    ] {
        let s = serve_at(&db, Some(now));
        let mut c = Conn::connect(&s.addr).unwrap();
        let mut lat = vec![];
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(4) {
            let t = Instant::now();
            let (st, _) = c.request("GET", "/v1/records/1", Some("ta"), None).unwrap();
            assert_eq!(st, 200);
            lat.push(t.elapsed());
            std::thread::sleep(Duration::from_millis(5));
        }
        lat.sort();
        println!(
            "timers: {records} records, {label:<17}: GET /v1/records/1 p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms ({} reads in 4s)",
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            lat.last().unwrap().as_secs_f64() * 1000.0,
            lat.len()
        );
    }
}

/// Pages one action writes to the write-ahead log: the WAL's growth over one create and its
/// ten completions on a fresh database (fewer frames than the auto-checkpoint's 1,000, so
/// nothing is rewound in between), against the raw transaction's. Commit time on this disk
/// follows the bytes written: this is where an action's time goes besides the fsync itself.
fn wal_pages(dir: &Path) {
    let db = dir.join("wal.db");
    let text = bundle(&dir.join("wal"));
    let server = serve(&db);
    let mut conn = Conn::connect(&server.addr).unwrap();
    let (st, _) = conn
        .request("PUT", "/v1/bundle", Some("adm"), Some(&text))
        .unwrap();
    assert_eq!(st, 201);
    let wal = db.with_extension("db-wal");
    let frames = || std::fs::metadata(&wal).map_or(0, |m| m.len().saturating_sub(32) / (4096 + 24));
    let warm = create(&mut conn);
    complete(&mut conn, warm, 0);
    let before = frames();
    let id = create(&mut conn);
    let after_create = frames();
    for step in 0..STEPS {
        complete(&mut conn, id, step);
    }
    let after = frames();
    println!(
        "WAL pages written: a create {}, a completion {:.1} on average ({} for the ten); the raw UPDATE + audit INSERT transaction {:.1}",
        after_create - before,
        (after - after_create) as f64 / STEPS as f64,
        after - after_create,
        raw_wal_pages(&dir.join("rawwal.db"))
    );
}

/// The WAL pages of the raw bench's transaction (one UPDATE and one audit INSERT), on average
/// over ten after a truncating checkpoint.
fn raw_wal_pages(path: &Path) -> f64 {
    let mut conn = sqlite_table(path, "FULL", 1000);
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    for n in 0..10 {
        let tx = conn.transaction().unwrap();
        tx.execute(
            "UPDATE records SET state_json = ?, version = version + 1 WHERE id = ?",
            params![json_kb(n + 1, 1), n + 1],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO audit (at, actor, action, record_id, bundle_hash, detail_json)
             VALUES (?, 'ann', 'complete', ?, 'sha256:x', '{}')",
            params![n, n + 1],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    let len = std::fs::metadata(path.with_extension("db-wal"))
        .unwrap()
        .len();
    len.saturating_sub(32) as f64 / (4096.0 + 24.0) / 10.0
}

/// `GET /v1/me/work` in a large database: `seed` records made through the API (each with its
/// first task open for the workers), copied in SQL to `total` records of which one in a
/// hundred stays open, the rest finished. A worker's list then holds `total / 100` tasks; the
/// boss's holds none, which shows the cost of the database's size alone.
fn my_work_at_scale(dir: &Path, seed: usize, total: usize) {
    let db = dir.join("work.db");
    let text = bundle(&dir.join("work"));
    {
        let server = serve(&db);
        let mut conn = Conn::connect(&server.addr).unwrap();
        let (st, _) = conn
            .request("PUT", "/v1/bundle", Some("adm"), Some(&text))
            .unwrap();
        assert_eq!(st, 201);
        create_many(std::slice::from_ref(&server.addr), seed, 4);
    }
    let c = Connection::open(&db).unwrap();
    c.execute_batch("PRAGMA synchronous=OFF; BEGIN;").unwrap();
    for k in 1..(total / seed) as i64 {
        let open = k % 100 == 0;
        let shift = k * seed as i64;
        c.execute(
            "INSERT INTO records (id, process, bundle_hash, state_json, version, status, terminal)
             SELECT id + ?1, process, bundle_hash,
                    json_set(state_json, '$.id', id + ?1, '$.status', CASE WHEN ?2 THEN status ELSE 's10' END),
                    version, CASE WHEN ?2 THEN status ELSE 's10' END, NOT ?2
             FROM records WHERE id <= ?3",
            params![shift, open, seed as i64],
        )
        .unwrap();
        if open {
            c.execute(
                "INSERT INTO assignments (record_id, task, assignee)
                 SELECT record_id + ?, task, assignee FROM assignments WHERE record_id <= ?",
                params![shift, seed as i64],
            )
            .unwrap();
        }
    }
    c.execute_batch("COMMIT;").unwrap();
    let server = serve(&db);
    let mut conn = Conn::connect(&server.addr).unwrap();
    for (who, token) in [("a worker", "ta"), ("the boss", "tb")] {
        let mut lat = Vec::new();
        let mut tasks = 0;
        for _ in 0..15 {
            let t = Instant::now();
            let (st, body) = conn
                .request("GET", "/v1/me/work", Some(token), None)
                .unwrap();
            lat.push(t.elapsed());
            assert_eq!(st, 200, "{body}");
            tasks = body["tasks"].as_array().map_or(0, Vec::len);
        }
        lat.sort();
        println!(
            "GET /v1/me/work over {total} records, {who} ({tasks} open tasks in the answer): p50 {:.1} ms, p99 {:.1} ms",
            pct(&lat, 0.50),
            pct(&lat, 0.99)
        );
    }
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = tmp.path().to_path_buf();
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    let mut all = vec![http_figures(&dir)];
    all.extend(http_pg::figures(&dir.join("pg")));
    print_table(&all);
    timer_wave(&dir, 1000);
    wal_pages(&dir);
    my_work_at_scale(&dir, 100, 100_000);

    // Criterion: one record's ten completions over one connection.
    let text = bundle(&dir.join("criterion"));
    let server = serve(&dir.join("criterion.db"));
    let mut conn = Conn::connect(&server.addr).unwrap();
    let (st, _) = conn
        .request("PUT", "/v1/bundle", Some("adm"), Some(&text))
        .unwrap();
    assert_eq!(st, 201);
    let mut g = c.benchmark_group("http");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Elements(STEPS as u64));
    g.bench_function("create + complete 10 tasks, 1 client", |b| {
        b.iter(|| {
            let id = create(&mut conn);
            for step in 0..STEPS {
                complete(&mut conn, id, step);
            }
        })
    });
    g.finish();
    drop(server);
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at the end: {}", load.trim());
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
