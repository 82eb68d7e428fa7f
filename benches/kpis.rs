//! `GET /v1/kpis` over a large database: 1,000,000 sales-delivery records spread over a year,
//! their KPI rows generated straight into SQLite (status entries, the shipping task, two
//! approval steps, final amounts), the aggregates filled from them as a server does at start, then the answer for
//! one process over the last quarter by month, computed by the same function the HTTP handler
//! calls. Prints the median of several runs; the target is
//! under 200 ms. `SOPCTL_BENCH_RECORDS` changes the count.

use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use rusqlite::{params, Connection};
use sopctl::bundle::Bundle;
use sopctl::kpi::period::{periods, PeriodKind};
use sopctl::runtime::kpi_answer::{answer, Ask};
use sopctl::runtime::storage::Store;

const BIN: &str = env!("CARGO_BIN_EXE_sopctl");
const YEAR_START: i64 = 1_735_660_800; // 2025-01-01T00:00:00+08:00
const DAY: i64 = 86_400;
const OFFSET: i32 = 8 * 3600;

fn records() -> u64 {
    std::env::var("SOPCTL_BENCH_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

/// The shipped `sops/` built with the release binary.
fn shipped(dir: &Path) -> Bundle {
    let out = dir.join("dist");
    let st = std::process::Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", "-o"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    Bundle::from_json(&std::fs::read_to_string(out.join("bundle.json")).unwrap()).unwrap()
}

/// A cheap deterministic spread (no RNG dependency): hours in `0..n` from the record id.
fn spread(id: u64, salt: u64, n: u64) -> i64 {
    ((id.wrapping_mul(2_654_435_761).wrapping_add(salt * 40_503)) % n) as i64
}

/// Generates each record's rows: pending → (two approval steps) → approved → shipped →
/// accepted (3% returned).
fn generate(db: &Path, n: u64) {
    drop(Store::open(db).unwrap()); // creates the tables
    let mut c = Connection::open(db).unwrap();
    c.execute_batch("PRAGMA synchronous=OFF;").unwrap();
    let tx = c.transaction().unwrap();
    {
        let mut entry = tx
            .prepare("INSERT INTO kpi_status_entries (record, process, status, at) VALUES (?, 'sales-delivery', ?, ?)")
            .unwrap();
        let mut task = tx
            .prepare("INSERT INTO kpi_tasks (record, process, kind, task, assignees, opened, due, closed, done, done_by) VALUES (?, 'sales-delivery', 'task', 'ship-and-report', 'warehouse', ?, ?, ?, 1, 'zhao')")
            .unwrap();
        let mut step = tx
            .prepare("INSERT INTO kpi_tasks (record, process, kind, task, assignees, requester, opened, due, closed, done, done_by) VALUES (?, 'sales-delivery', 'approval', ?, ?, 'li', ?, ?, ?, 1, 'wang')")
            .unwrap();
        let mut record = tx
            .prepare("INSERT INTO records (id, process, bundle_hash, state_json, version, status, terminal) VALUES (?, 'sales-delivery', 'h', '{\"fields\":{}}', 1, ?, 1)")
            .unwrap();
        for id in 1..=n {
            let created = YEAR_START + (id as i64 * 365 * DAY) / n as i64;
            let approved = created + 3600 * (1 + spread(id, 1, 30));
            let shipped = approved + 3600 * (1 + spread(id, 2, 40));
            let end = shipped + DAY * (2 + spread(id, 3, 5));
            let last = if spread(id, 4, 100) < 3 {
                "returned"
            } else {
                "accepted"
            };
            for (s, at) in [
                ("pending", created),
                ("approved", approved),
                ("shipped", shipped),
                (last, end),
            ] {
                entry.execute(params![id as i64, s, at]).unwrap();
            }
            task.execute(params![id as i64, approved, approved + DAY, shipped])
                .unwrap();
            // The two approval steps between pending and approved, each due 4 hours after
            // it is asked: the sales manager's first, then finance's.
            let first = created + (approved - created) / 3;
            for (s, role, opened, closed) in [
                ("pending>approved#0", "sales-manager", created, first),
                ("pending>approved#1", "finance", first, approved),
            ] {
                step.execute(params![
                    id as i64,
                    s,
                    role,
                    opened,
                    opened + 4 * 3600,
                    closed
                ])
                .unwrap();
            }
            record.execute(params![id as i64, last]).unwrap();
        }
    }
    tx.commit().unwrap();
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let bundle = shipped(dir.path());
    let db = dir.path().join("kpis.db");
    let n = records();
    let t = Instant::now();
    generate(&db, n);
    eprintln!(
        "generated {n} records' KPI rows in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let mut store = Store::open(&db).unwrap();
    // What a server does at start on a database from before the aggregates: fill them.
    let t = Instant::now();
    let added = store.ensure_kpis(&bundle, OFFSET).unwrap();
    eprintln!(
        "filled {added} measures' aggregates from the KPI tables in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let process = bundle.process("sales-delivery").unwrap();
    // The last quarter of the year, by month: what a quarterly review asks.
    let to = YEAR_START + 365 * DAY;
    let from = to - 92 * DAY;
    let ask = Ask {
        process,
        from,
        to,
        periods: periods(PeriodKind::Month, from, to, OFFSET).unwrap(),
        now: to,
        offset: OFFSET,
    };
    let mut times = Vec::new();
    let mut out = serde_json::Value::Null;
    for _ in 0..7 {
        let t = Instant::now();
        out = answer(&store, &bundle, &ask, "month").unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let counts: Vec<u64> = out["kpis"][0]["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .collect();
    let decided: Vec<String> = out["approvals"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["role"], r["decided"]))
        .collect();
    assert!(!decided.is_empty(), "the approval waits must be measured");
    eprintln!(
        "GET /v1/kpis (sales-delivery, {} KPIs, a quarter by month over {n} records; records per month {counts:?}; approval steps decided {decided:?}): median {:.0} ms, fastest {:.0} ms, slowest {:.0} ms",
        out["kpis"].as_array().unwrap().len(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    let mut g = c.benchmark_group("kpis");
    g.sample_size(10);
    g.bench_function("quarter_by_month", |b| {
        b.iter(|| answer(&store, &bundle, &ask, "month").unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
