//! The KPI aggregates' tables (see `kpi_agg`): which measures are kept per process, their
//! samples, and the counts per UTC day and bin. Samples are written in each action's own
//! transaction; a measure a new bundle brings is first filled from the KPI tables of
//! `storage_kpis` (`ensure`), so a KPI added later still covers the past.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::db::{Begin, Db, Value};
use super::kpi_agg::{bin, day, done_key, key, split, Bins};
use super::kpi_store::{EntryRow, TASK};
use super::storage::{Store, StoreError};
use super::storage_kpi_waits as waits;
use crate::bundle::{Bundle, Process};
use crate::engine::eval::{holds, Ctx};
use crate::engine::{DateTime, Record};
use crate::expr::parse_expr;
use crate::kpi::def::Measure;
use crate::kpi::measure::{reached, share_samples, time_samples, Entry, Sample};
use crate::params;

/// Migration 8: the tables.
pub const MIGRATION: &str = "CREATE TABLE kpi_measures (
        process TEXT NOT NULL,
        key TEXT NOT NULL,
        def TEXT NOT NULL,
        PRIMARY KEY (process, key)
    );
    CREATE TABLE kpi_samples (
        process TEXT NOT NULL,
        key TEXT NOT NULL,
        at INTEGER NOT NULL,
        bin INTEGER NOT NULL,
        value REAL NOT NULL
    );
    CREATE INDEX kpi_samples_at ON kpi_samples(process, key, at, bin, value);
    CREATE INDEX kpi_samples_bin ON kpi_samples(process, key, bin, at, value);
    CREATE TABLE kpi_days (
        process TEXT NOT NULL,
        key TEXT NOT NULL,
        day INTEGER NOT NULL,
        bin INTEGER NOT NULL,
        count INTEGER NOT NULL,
        sum REAL NOT NULL,
        PRIMARY KEY (process, key, day, bin)
    ) WITHOUT ROWID;";

/// One sample computed outside the store (a `share.where` needs the record's fields).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleRow {
    pub process: String,
    pub key: String,
    pub at: i64,
    pub value: f64,
}

/// What one process keeps: its KPI measures, and other keys (approval waits, see
/// `storage_kpi_waits`) that are counted but are no KPI.
#[derive(Default)]
struct KeptOf {
    measures: Vec<(String, Measure)>,
    other: Vec<String>,
}

/// The keys kept per process, read once per action.
#[derive(Default)]
pub struct Kept(HashMap<String, KeptOf>);

impl Kept {
    fn of(&mut self, c: &Db, process: &str) -> Result<&KeptOf, StoreError> {
        if !self.0.contains_key(process) {
            let rows = c.query(
                "SELECT key, def FROM kpi_measures WHERE process = ?",
                params![process],
            )?;
            let mut kept = KeptOf::default();
            for row in &rows {
                let (k, def): (String, String) = (row.get(0)?, row.get(1)?);
                if def == waits::DEF {
                    kept.other.push(k);
                    continue;
                }
                let m = serde_json::from_str(&def)
                    .map_err(|e| StoreError::Corrupt(format!("KPI measure {k}: {e}")))?;
                kept.measures.push((k, m));
            }
            self.0.insert(process.to_string(), kept);
        }
        Ok(&self.0[process])
    }

    pub fn has(&mut self, c: &Db, process: &str, k: &str) -> Result<bool, StoreError> {
        let of = self.of(c, process)?;
        Ok(of.measures.iter().any(|(x, _)| x == k) || of.other.iter().any(|x| x == k))
    }

    /// Remembers a key just written to `kpi_measures` (after `has` read the process).
    pub fn note(&mut self, process: &str, k: &str) {
        if let Some(of) = self.0.get_mut(process) {
            of.other.push(k.to_string());
        }
    }
}

/// Adds one sample and counts it in its day and bin.
pub fn add(c: &Db, process: &str, k: &str, at: i64, value: f64) -> Result<(), StoreError> {
    add_ref(c, process, k, at, value, None)
}

/// [`add`], naming the `kpi_tasks` row the sample came from.
pub fn add_ref(
    c: &Db,
    process: &str,
    k: &str,
    at: i64,
    value: f64,
    from_row: Option<i64>,
) -> Result<(), StoreError> {
    let b = bin(value);
    c.execute(
        "INSERT INTO kpi_samples (process, key, at, bin, value, ref) VALUES (?, ?, ?, ?, ?, ?)",
        params![process, k, at, b, value, from_row],
    )?;
    // The existing row named by its table: PostgreSQL would not know which `count` is meant.
    c.execute(
        "INSERT INTO kpi_days (process, key, day, bin, count, sum) VALUES (?, ?, ?, ?, 1, ?)
         ON CONFLICT (process, key, day, bin) DO UPDATE SET count = kpi_days.count + 1, sum = kpi_days.sum + excluded.sum",
        params![process, k, day(at), b, value],
    )?;
    Ok(())
}

/// The samples a status entry (already inserted as row `rowid`) gives: a `time` KPI ending
/// in it, on the record's first entry there; a `share.reached` KPI, on its terminal entry.
pub fn entered(c: &Db, kept: &mut Kept, e: &EntryRow, rowid: i64) -> Result<(), StoreError> {
    let measures = kept.of(c, &e.process)?.measures.clone();
    for (k, m) in &measures {
        let value = match m {
            Measure::Time { from, to } if *to == e.status => time_value(c, e, rowid, from)?,
            Measure::Share {
                reached: Some(r), ..
            } if e.terminal => Some(f64::from(u8::from(
                *r == e.status || seen(c, e.record, r, rowid)?,
            ))),
            _ => None,
        };
        if let Some(v) = value {
            add(c, &e.process, k, e.at, v)?;
        }
    }
    Ok(())
}

/// Whether the record entered `status` before row `rowid`.
fn seen(c: &Db, record: u64, status: &str, rowid: i64) -> Result<bool, StoreError> {
    Ok(c.query_opt(
        "SELECT 1 FROM kpi_status_entries WHERE record = ? AND status = ? AND rowid < ? LIMIT 1",
        params![record as i64, status, rowid],
    )?
    .is_some())
}

/// `time`: only the first entry into `to` counts, from the latest entry into `from` before.
fn time_value(c: &Db, e: &EntryRow, rowid: i64, from: &str) -> Result<Option<f64>, StoreError> {
    if seen(c, e.record, &e.status, rowid)? {
        return Ok(None);
    }
    let start: Option<i64> = c
        .query_opt(
            "SELECT at FROM kpi_status_entries WHERE record = ? AND status = ? AND rowid < ?
             ORDER BY rowid DESC LIMIT 1",
            params![e.record as i64, from, rowid],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    Ok(start.map(|s| (e.at - s) as f64))
}

/// A task completed (`kpi_tasks` row `id`): its lateness, under `done:<task>`.
pub fn completed(c: &Db, kept: &mut Kept, id: i64) -> Result<(), StoreError> {
    let row = c.query_opt(
        "SELECT process, task, due, closed FROM kpi_tasks WHERE id = ? AND kind = ? AND done = 1",
        params![id, TASK],
    )?;
    let Some(row) = row else {
        return Ok(());
    };
    let (process, task, due, closed): (String, String, Option<i64>, i64) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    let k = done_key(&task);
    if kept.has(c, &process, &k)? {
        add(c, &process, &k, closed, lateness(closed, due))?;
    }
    Ok(())
}

fn lateness(done: i64, due: Option<i64>) -> f64 {
    due.map_or(0, |d| (done - d).max(0)) as f64
}

/// A number field's final value: under `value:<field>` when an `average` KPI keeps it.
pub fn valued(
    c: &Db,
    kept: &mut Kept,
    process: &str,
    field: &str,
    at: i64,
    value: f64,
) -> Result<(), StoreError> {
    let k = format!("value:{field}");
    if kept.has(c, process, &k)? {
        add(c, process, &k, at, value)?;
    }
    Ok(())
}

/// The measures a bundle needs: its KPIs, and every task's completions (for the late tasks).
fn wanted(p: &Process) -> Vec<(String, Measure)> {
    let mut out: Vec<(String, Measure)> = p
        .kpis
        .iter()
        .map(|k| (key(&k.measure), k.measure.clone()))
        .collect();
    for t in p.statuses.iter().flat_map(|s| s.tasks.iter()) {
        out.push((done_key(&t.id), Measure::OnTime { task: t.id.clone() }));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// Starts keeping every measure of `bundle` not kept yet, and each process's approval waits,
/// filled from what the KPI tables hold, in one transaction. Cost follows the process's history, once per new measure.
pub fn ensure(c: &Db, bundle: &Bundle, offset: i32) -> Result<usize, StoreError> {
    c.transaction(Begin::Immediate, |tx| {
        let mut added = 0;
        for p in &bundle.processes {
            let mut kept = Kept::default();
            for (k, m) in wanted(p) {
                if kept.has(tx, &p.name, &k)? {
                    continue;
                }
                for s in backfill(tx, p, &m, offset)? {
                    add(tx, &p.name, &k, s.at, s.value)?;
                }
                let def = serde_json::to_string(&m).expect("a measure serializes");
                tx.execute(
                    "INSERT INTO kpi_measures (process, key, def) VALUES (?, ?, ?)",
                    params![p.name, k, def],
                )?;
                added += 1;
            }
            waits::ensure(tx, &mut kept, &p.name)?;
        }
        Ok(added)
    })
}

/// A measure's samples from the KPI tables, by the same functions the scenario runner uses.
fn backfill(c: &Db, p: &Process, m: &Measure, offset: i32) -> Result<Vec<Sample>, StoreError> {
    let terminal: Vec<&str> = p
        .statuses
        .iter()
        .filter(|s| s.terminal)
        .map(|s| s.id.as_str())
        .collect();
    let is_terminal = |s: &str| terminal.contains(&s);
    Ok(match m {
        Measure::Time { from, to } => per_record(c, &p.name, &[from.as_str(), to.as_str()], |g| {
            time_samples(g, from, to)
        })?,
        Measure::Share {
            reached: Some(r), ..
        } => {
            let mut st: Vec<&str> = terminal.clone();
            st.push(r.as_str());
            per_record(c, &p.name, &st, |g| {
                share_samples(g, &is_terminal, &reached(r))
            })?
        }
        Measure::Share { when: Some(w), .. } => {
            let Ok(expr) = parse_expr(w) else {
                return Ok(vec![]);
            };
            per_record(c, &p.name, &terminal, |g| {
                let Some(end) = g.iter().find(|e| is_terminal(&e.status)) else {
                    return vec![];
                };
                let hit = fields(c, end.record).ok().flatten().is_some_and(|r| {
                    let now = DateTime {
                        secs: end.at,
                        offset,
                    };
                    holds(
                        &expr,
                        &Ctx {
                            process: p,
                            record: &r,
                            now,
                            offset,
                        },
                    )
                });
                vec![Sample {
                    at: end.at,
                    value: f64::from(u8::from(hit)),
                }]
            })?
        }
        Measure::Share { .. } => vec![],
        Measure::OnTime { task } => {
            let rows = c.query(
                "SELECT closed, due FROM kpi_tasks WHERE process = ? AND kind = ? AND task = ?
                 AND done = 1 AND closed IS NOT NULL",
                params![p.name, TASK, task],
            )?;
            rows.iter()
                .map(|r| {
                    let (done, due): (i64, Option<i64>) = (r.get(0)?, r.get(1)?);
                    Ok(Sample {
                        at: done,
                        value: lateness(done, due),
                    })
                })
                .collect::<Result<_, StoreError>>()?
        }
        Measure::Average { field } => {
            let rows = c.query(
                "SELECT at, value FROM kpi_values WHERE process = ? AND field = ?",
                params![p.name, field],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(Sample {
                        at: r.get(0)?,
                        value: r.get(1)?,
                    })
                })
                .collect::<Result<_, StoreError>>()?
        }
    })
}

/// Runs `f` over each record's entries into `statuses` (in time order), one record at a time.
fn per_record(
    c: &Db,
    process: &str,
    statuses: &[&str],
    mut f: impl FnMut(&[Entry]) -> Vec<Sample>,
) -> Result<Vec<Sample>, StoreError> {
    let sql = format!(
        "SELECT record, status, at FROM kpi_status_entries WHERE process = ? AND status IN ({})
         ORDER BY record, at, rowid",
        vec!["?"; statuses.len()].join(", ")
    );
    let mut args = vec![Value::Text(process.to_string())];
    args.extend(statuses.iter().map(|s| Value::Text(s.to_string())));
    let rows = c.query(&sql, &args)?;
    let (mut out, mut group) = (Vec::new(), Vec::<Entry>::new());
    for r in &rows {
        let e = Entry {
            record: r.get::<i64>(0)? as u64,
            status: r.get(1)?,
            at: r.get(2)?,
        };
        if group.first().is_some_and(|g| g.record != e.record) {
            out.extend(f(&group));
            group.clear();
        }
        group.push(e);
    }
    if !group.is_empty() {
        out.extend(f(&group));
    }
    Ok(out)
}

/// A record with its current fields (a terminal record's are final).
fn fields(c: &Db, id: u64) -> Result<Option<Record>, StoreError> {
    let text: Option<String> = c
        .query_opt(
            "SELECT state_json FROM records WHERE id = ?",
            params![id as i64],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// The counts per bin of one measure's samples in `[from, to)`.
pub fn bins(c: &Db, process: &str, k: &str, from: i64, to: i64) -> Result<Bins, StoreError> {
    let mut out = Bins::default();
    let (days, edges) = split(from, to);
    if let Some((first, last)) = days {
        // The integer sum cast back to an integer: PostgreSQL's sum of BIGINT is NUMERIC.
        let rows = c.query(
            "SELECT bin, CAST(sum(count) AS INTEGER), sum(sum) FROM kpi_days
             WHERE process = ? AND key = ? AND day >= ? AND day < ? GROUP BY bin",
            params![process, k, first, last],
        )?;
        for r in &rows {
            out.add(r.get(0)?, r.get::<i64>(1)? as u64, r.get(2)?);
        }
    }
    for (a, b) in edges {
        let rows = c.query(
            "SELECT bin, value FROM kpi_samples WHERE process = ? AND key = ? AND at >= ? AND at < ?",
            params![process, k, a, b],
        )?;
        for r in &rows {
            out.add(r.get(0)?, 1, r.get(1)?);
        }
    }
    Ok(out)
}

/// The nearest-rank `p`-th percentile of one measure's samples in `[from, to)`, given their
/// bins: only the samples of the bin holding the rank are read.
pub fn percentile(
    c: &Db,
    process: &str,
    k: &str,
    (from, to): (i64, i64),
    b: &Bins,
    p: u32,
) -> Result<Option<f64>, StoreError> {
    let Some((bin, rank)) = b.locate(p) else {
        return Ok(None);
    };
    let rows = c.query(
        "SELECT value FROM kpi_samples WHERE process = ? AND key = ? AND bin = ? AND at >= ? AND at < ?",
        params![process, k, bin, from, to],
    )?;
    let mut values: Vec<f64> = rows.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?;
    values.sort_by(f64::total_cmp);
    Ok(values.get(rank as usize - 1).copied())
}

impl Store {
    /// Starts keeping `bundle`'s new measures (see [`ensure`]); how many were added.
    pub fn ensure_kpis(&mut self, bundle: &Bundle, offset: i32) -> Result<usize, StoreError> {
        ensure(&self.conn, bundle, offset)
    }

    /// See [`bins`].
    pub fn kpi_bins(&self, process: &str, k: &str, from: i64, to: i64) -> Result<Bins, StoreError> {
        bins(&self.conn, process, k, from, to)
    }

    /// See [`percentile`].
    pub fn kpi_percentile(
        &self,
        process: &str,
        k: &str,
        range: (i64, i64),
        b: &Bins,
        p: u32,
    ) -> Result<Option<f64>, StoreError> {
        percentile(&self.conn, process, k, range, b, p)
    }

    /// A read-only connection to the same database, for queries that must not wait for the
    /// store's lock (WAL lets it read while the writer commits).
    pub fn open_reader(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(Store::with(Db::sqlite(conn)))
    }
}
