//! The KPI tables: written with each action (see `kpi_store`), read by `GET /v1/kpis` through
//! indexes on (process, time), so a quarter of a large database is read without a scan.

use rusqlite::{params, params_from_iter, Transaction};

use super::kpi_store::{KpiRows, APPROVAL, TASK};
use super::storage::{Store, StoreError};
use crate::kpi::measure::{Entry, TaskRow};

/// The migration that creates the tables (one step of the store's list).
pub const MIGRATION: &str = "CREATE TABLE kpi_status_entries (
        record INTEGER NOT NULL,
        process TEXT NOT NULL,
        status TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX kpi_entries_at ON kpi_status_entries(process, status, at, record);
    CREATE INDEX kpi_entries_record ON kpi_status_entries(record, status, at);
    CREATE TABLE kpi_tasks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        record INTEGER NOT NULL,
        process TEXT NOT NULL,
        kind TEXT NOT NULL,
        task TEXT NOT NULL,
        assignees TEXT NOT NULL,
        requester TEXT,
        opened INTEGER NOT NULL,
        due INTEGER,
        closed INTEGER,
        done INTEGER NOT NULL DEFAULT 0,
        done_by TEXT
    );
    CREATE INDEX kpi_tasks_closed ON kpi_tasks(process, kind, closed);
    CREATE INDEX kpi_tasks_open ON kpi_tasks(record, kind, task, closed);
    CREATE TABLE kpi_values (
        record INTEGER NOT NULL,
        process TEXT NOT NULL,
        field TEXT NOT NULL,
        value REAL NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX kpi_values_at ON kpi_values(process, field, at);";

/// Writes one action's rows inside its transaction.
pub fn write(tx: &Transaction<'_>, rows: &KpiRows) -> Result<(), StoreError> {
    for e in &rows.entries {
        tx.prepare_cached(
            "INSERT INTO kpi_status_entries (record, process, status, at) VALUES (?, ?, ?, ?)",
        )?
        .execute(params![e.record as i64, e.process, e.status, e.at])?;
    }
    for o in &rows.opened {
        tx.prepare_cached(
            "INSERT INTO kpi_tasks (record, process, kind, task, assignees, requester, opened, due)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![
            o.record as i64,
            o.process,
            o.kind,
            o.task,
            o.assignees,
            o.requester,
            o.opened,
            o.due
        ])?;
    }
    for c in &rows.closed {
        // A rejection names the transition only (`<transition>#`): it closes its open step.
        let (op, task) = if c.task.ends_with('#') {
            ("LIKE", format!("{}%", c.task))
        } else {
            ("=", c.task.clone())
        };
        tx.prepare_cached(&format!(
            "UPDATE kpi_tasks SET closed = ?, done = ?, done_by = ?
             WHERE id = (SELECT id FROM kpi_tasks WHERE record = ? AND kind = ? AND task {op} ?
                         AND closed IS NULL ORDER BY id LIMIT 1)"
        ))?
        .execute(params![c.at, c.done, c.by, c.record as i64, c.kind, task])?;
    }
    for v in &rows.values {
        tx.prepare_cached(
            "INSERT INTO kpi_values (record, process, field, value, at) VALUES (?, ?, ?, ?, ?)",
        )?
        .execute(params![v.record as i64, v.process, v.field, v.value, v.at])?;
    }
    Ok(())
}

/// An open task or approval step, for load and waiting times.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenWork {
    pub kind: String,
    pub task: String,
    pub assignees: String,
    pub requester: Option<String>,
    pub opened: i64,
    pub due: Option<i64>,
}

/// A decided approval step.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    pub task: String,
    pub role: String,
    pub requester: Option<String>,
    pub waited: i64,
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl Store {
    /// The entries into `statuses` of the records that entered one of `anchor` in
    /// `[from, to)`, up to `to`: what `time` and `share` are computed from.
    pub fn kpi_entries(
        &self,
        process: &str,
        anchor: &[&str],
        statuses: &[&str],
        from: i64,
        to: i64,
    ) -> Result<Vec<Entry>, StoreError> {
        let sql = format!(
            "SELECT e.record, e.status, e.at FROM kpi_status_entries e
             WHERE e.record IN (SELECT record FROM kpi_status_entries
                                WHERE process = ? AND status IN ({}) AND at >= ? AND at < ?)
               AND e.status IN ({}) AND e.at < ?
             ORDER BY e.record, e.at",
            placeholders(anchor.len()),
            placeholders(statuses.len())
        );
        let mut args: Vec<rusqlite::types::Value> = vec![process.to_string().into()];
        args.extend(anchor.iter().map(|s| s.to_string().into()));
        args.extend([from.into(), to.into()]);
        args.extend(statuses.iter().map(|s| s.to_string().into()));
        args.push(to.into());
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| {
            Ok(Entry {
                record: r.get::<_, i64>(0)? as u64,
                status: r.get(1)?,
                at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The entries into `statuses` in `[from, to)`: one range scan of a covering index.
    pub fn kpi_entries_in(
        &self,
        process: &str,
        statuses: &[&str],
        from: i64,
        to: i64,
    ) -> Result<Vec<Entry>, StoreError> {
        let sql = format!(
            "SELECT record, status, at FROM kpi_status_entries
             WHERE process = ? AND status IN ({}) AND at >= ? AND at < ?",
            placeholders(statuses.len())
        );
        let mut args: Vec<rusqlite::types::Value> = vec![process.to_string().into()];
        args.extend(statuses.iter().map(|s| s.to_string().into()));
        args.extend([from.into(), to.into()]);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| {
            Ok(Entry {
                record: r.get::<_, i64>(0)? as u64,
                status: r.get(1)?,
                at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The tasks of `task` completed in `[from, to)`.
    pub fn kpi_completions(
        &self,
        process: &str,
        task: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<TaskRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT record, task, opened, due, closed FROM kpi_tasks
             WHERE process = ? AND kind = ? AND closed >= ? AND closed < ? AND done = 1
               AND (? IS NULL OR task = ?)",
        )?;
        let rows = st.query_map(params![process, TASK, from, to, task, task], |r| {
            Ok(TaskRow {
                record: r.get::<_, i64>(0)? as u64,
                task: r.get(1)?,
                opened: r.get(2)?,
                due: r.get(3)?,
                done: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// (record, value, at) of a field's final values in `[from, to)`.
    pub fn kpi_values(
        &self,
        process: &str,
        field: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<(u64, f64, i64)>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT record, value, at FROM kpi_values
             WHERE process = ? AND field = ? AND at >= ? AND at < ?",
        )?;
        let rows = st.query_map(params![process, field, from, to], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Tasks and approval steps of a process still open.
    pub fn kpi_open_work(&self, process: &str) -> Result<Vec<OpenWork>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT t.kind, t.task, t.assignees, t.requester, t.opened, t.due
             FROM kpi_tasks t JOIN records r ON r.id = t.record
             WHERE t.process = ? AND t.kind IN ('task', 'approval') AND t.closed IS NULL
               AND r.terminal = 0",
        )?;
        let rows = st.query_map(params![process], |r| {
            Ok(OpenWork {
                kind: r.get(0)?,
                task: r.get(1)?,
                assignees: r.get(2)?,
                requester: r.get(3)?,
                opened: r.get(4)?,
                due: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Approval steps decided in `[from, to)`, with how long each waited.
    pub fn kpi_decided(
        &self,
        process: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<Decided>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT task, assignees, requester, closed - opened FROM kpi_tasks
             WHERE process = ? AND kind = ? AND closed >= ? AND closed < ? AND done = 1",
        )?;
        let rows = st.query_map(params![process, APPROVAL, from, to], |r| {
            Ok(Decided {
                task: r.get(0)?,
                role: r.get(1)?,
                requester: r.get(2)?,
                waited: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The current fields of records (for `share.where` on terminal records, whose fields
    /// cannot change any more).
    pub fn kpi_record_fields(
        &self,
        ids: &[u64],
    ) -> Result<Vec<(u64, serde_json::Value)>, StoreError> {
        let mut out = Vec::new();
        let mut st = self.conn.prepare_cached(
            "SELECT json_extract(state_json, '$.fields') FROM records WHERE id = ?",
        )?;
        for id in ids {
            let text: Option<String> = st
                .query_row(params![*id as i64], |r| r.get(0))
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })?;
            if let Some(v) = text.and_then(|t| serde_json::from_str(&t).ok()) {
                out.push((*id, v));
            }
        }
        Ok(out)
    }
}
