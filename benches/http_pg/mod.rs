//! The PostgreSQL half of `cargo bench --bench http`: completions/s through one `serve` node
//! and through three nodes sharing one database (clients spread round-robin across them),
//! each on a fresh database made for the run and dropped after it, and the raw commit rate
//! of the same server: one version-checked UPDATE of a ~1 KB JSON row per transaction, one
//! thread, as the SQLite half measures. The admin URL is the tests' (`SOPCTL_TEST_PG`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`); without a server the rows are skipped.

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};

use super::{bundle, json_kb, put_bundle, serve_url, throughput, Series, Server};

/// The server the databases are made on, named as the tests name it.
fn admin_url() -> String {
    std::env::var("SOPCTL_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A client on `url`, giving up after 3 s when nothing answers.
fn connect(url: &str) -> Result<Client, postgres::Error> {
    let mut config = postgres::Config::from_str(url)?;
    config.connect_timeout(Duration::from_secs(3));
    config.connect(NoTls)
}

/// A database made for this run, dropped (with any connection left to it) when dropped.
struct FreshDb {
    name: String,
}

impl FreshDb {
    fn new(admin: &mut Client) -> FreshDb {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "sopctl_bench_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("the bench's role may create databases");
        FreshDb { name }
    }

    fn url(&self) -> String {
        let admin = admin_url();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        format!("{base}/{}", self.name)
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = connect(&admin_url()) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `n` nodes on `url` sharing the files folder `data`: the first is started and given the
/// bundle, then the others start and load it from the database.
fn start_nodes(url: &str, n: usize, text: &str, data: &Path) -> Vec<Server> {
    let data = data.to_str().unwrap();
    let first = serve_url(url, &["--data", data], None);
    put_bundle(&first.addr, text);
    let mut nodes = vec![first];
    for _ in 1..n {
        nodes.push(serve_url(url, &["--data", data], None));
    }
    nodes
}

/// Completions/s through `n` nodes on a fresh database; the nodes are killed at the end.
fn nodes_series(admin: &mut Client, dir: &Path, text: &str, n: usize) -> Vec<super::Point> {
    let db = FreshDb::new(admin);
    let nodes = start_nodes(&db.url(), n, text, &dir.join(format!("files{n}")));
    let addrs: Vec<String> = nodes.iter().map(|s| s.addr.clone()).collect();
    let label = format!("postgres, {n} node{}", if n == 1 { "" } else { "s" });
    let points = throughput(&label, &addrs);
    drop(nodes);
    points
}

/// A table like the runtime's `records` (and its audit), `rows` rows of ~1 KB of JSON.
fn raw_table(c: &mut Client, rows: i64) {
    c.batch_execute(
        "CREATE TABLE raw_records (id BIGINT PRIMARY KEY, process TEXT NOT NULL,
             bundle_hash TEXT NOT NULL, state_json TEXT NOT NULL, version BIGINT NOT NULL);
         CREATE TABLE raw_audit (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
             at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, record_id BIGINT,
             bundle_hash TEXT, detail_json TEXT NOT NULL);
         CREATE INDEX raw_audit_record ON raw_audit(record_id);",
    )
    .unwrap();
    let mut tx = c.transaction().unwrap();
    let ins = tx
        .prepare("INSERT INTO raw_records VALUES ($1, 'chain', 'sha256:x', $2, 1)")
        .unwrap();
    for id in 1..=rows {
        tx.execute(&ins, &[&id, &json_kb(id, 0)]).unwrap();
    }
    tx.commit().unwrap();
}

/// One transaction = one version-checked UPDATE of a ~1 KB row (and, with `audit`, one
/// audit INSERT), committed by one thread over one connection until `budget` runs out.
/// Returns the count and transactions per second.
fn raw_rate(c: &mut Client, audit: bool, budget: Duration) -> (u64, f64) {
    const ROWS: i64 = 1000;
    c.batch_execute("DROP TABLE IF EXISTS raw_records, raw_audit")
        .unwrap();
    raw_table(c, ROWS);
    let bodies: Vec<String> = (0..16).map(|n| json_kb(1, n)).collect();
    let upd = c
        .prepare("UPDATE raw_records SET state_json = $1, version = version + 1 WHERE id = $2 AND version = $3")
        .unwrap();
    let ins = c
        .prepare("INSERT INTO raw_audit (at, actor, action, record_id, bundle_hash, detail_json)
                  VALUES ($1, 'ann', 'complete', $2, 'sha256:x', '{\"action\":\"Complete\",\"events\":[]}')")
        .unwrap();
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < budget {
        let id = (n as i64 % ROWS) + 1;
        let version = (n as i64 / ROWS) + 1;
        let mut tx = c.transaction().unwrap();
        let changed = tx
            .execute(&upd, &[&bodies[(n % 16) as usize], &id, &version])
            .unwrap();
        assert_eq!(changed, 1);
        if audit {
            tx.execute(&ins, &[&(n as i64), &id]).unwrap();
        }
        tx.commit().unwrap();
        n += 1;
    }
    (n, n as f64 / start.elapsed().as_secs_f64())
}

/// The raw commit rates on a fresh database of the same server; returns the UPDATE alone's.
fn raw_figures(admin: &mut Client) -> f64 {
    let db = FreshDb::new(admin);
    let mut c = connect(&db.url()).unwrap();
    let show = |c: &mut Client, what: &str| -> String {
        c.query_one(&format!("SHOW {what}"), &[]).unwrap().get(0)
    };
    let settings = format!(
        "fsync={}, synchronous_commit={}, wal_sync_method={}",
        show(&mut c, "fsync"),
        show(&mut c, "synchronous_commit"),
        show(&mut c, "wal_sync_method")
    );
    let budget = Duration::from_secs(3);
    let mut alone = 0.0;
    for audit in [false, true] {
        let (n, rate) = raw_rate(&mut c, audit, budget);
        if !audit {
            alone = rate;
        }
        println!(
            "postgres: {settings}, 1 UPDATE of ~1 KB{} per transaction: {n:>6} in {}s = {rate:>7.0} transactions/s",
            if audit { " + 1 audit INSERT" } else { "" },
            budget.as_secs()
        );
    }
    alone
}

/// The PostgreSQL series (one node, three nodes), or none, with a note, when no server
/// answers at the admin URL.
pub(crate) fn figures(dir: &Path) -> Vec<Series> {
    let url = admin_url();
    let mut admin = match connect(&url) {
        Ok(c) => c,
        Err(e) => {
            println!("postgres: no server answers at {url} ({e}): the PostgreSQL rows are skipped");
            return Vec::new();
        }
    };
    let text = bundle(&dir.join("project"));
    let one = nodes_series(&mut admin, dir, &text, 1);
    let raw = raw_figures(&mut admin);
    let three = nodes_series(&mut admin, dir, &text, 3);
    vec![
        Series {
            label: "PostgreSQL, 1 node".into(),
            raw: Some(raw),
            points: one,
        },
        Series {
            label: "PostgreSQL, 3 nodes".into(),
            raw: Some(raw),
            points: three,
        },
    ]
}
