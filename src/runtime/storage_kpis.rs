//! The KPI tables: written with each action (see `kpi_store`). The KPIs themselves are read
//! from the aggregates these rows feed (`storage_kpi_agg`); open work and approval waits are
//! read here, through indexes on (process, kind, closed).

use super::db::Db;
use super::kpi_store::{CloseRow, KpiRows, APPROVAL, TASK};
use super::storage::{Store, StoreError};
use super::storage_kpi_agg as agg;
use crate::params;

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

/// Writes one action's rows inside its transaction, and the KPI samples they give (see
/// `storage_kpi_agg`).
pub fn write(tx: &Db, rows: &KpiRows) -> Result<(), StoreError> {
    let mut kept = agg::Kept::default();
    for e in &rows.entries {
        let rowid = tx.insert_id(
            "INSERT INTO kpi_status_entries (record, process, status, at) VALUES (?, ?, ?, ?)",
            params![e.record as i64, e.process, e.status, e.at],
            "rowid",
        )?;
        agg::entered(tx, &mut kept, e, rowid)?;
    }
    for o in &rows.opened {
        tx.execute(
            "INSERT INTO kpi_tasks (record, process, kind, task, assignees, requester, opened, due)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                o.record as i64,
                o.process,
                o.kind,
                o.task,
                o.assignees,
                o.requester,
                o.opened,
                o.due
            ],
        )?;
    }
    for c in &rows.closed {
        close(tx, &mut kept, c)?;
    }
    for v in &rows.values {
        tx.execute(
            "INSERT INTO kpi_values (record, process, field, value, at) VALUES (?, ?, ?, ?, ?)",
            params![v.record as i64, v.process, v.field, v.value, v.at],
        )?;
        agg::valued(tx, &mut kept, &v.process, &v.field, v.at, v.value)?;
    }
    for w in &rows.wheres {
        if kept.has(tx, &w.process, &w.key)? {
            agg::add(tx, &w.process, &w.key, w.at, w.value)?;
        }
    }
    Ok(())
}

/// Closes the open row a close names; a completed task gives its `done:` sample.
fn close(tx: &Db, kept: &mut agg::Kept, c: &CloseRow) -> Result<(), StoreError> {
    // A rejection names the transition only (`<transition>#`): it closes its open step.
    let (op, task) = if c.task.ends_with('#') {
        ("LIKE", format!("{}%", c.task))
    } else {
        ("=", c.task.clone())
    };
    let id: Option<i64> = tx
        .query_opt(
            &format!(
                "SELECT id FROM kpi_tasks WHERE record = ? AND kind = ? AND task {op} ?
             AND closed IS NULL ORDER BY id LIMIT 1"
            ),
            params![c.record as i64, c.kind, task],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    let Some(id) = id else { return Ok(()) };
    tx.execute(
        "UPDATE kpi_tasks SET closed = ?, done = ?, done_by = ? WHERE id = ?",
        params![c.at, c.done, c.by, id],
    )?;
    if c.done && c.kind == TASK {
        agg::completed(tx, kept, id)?;
    } else if c.done && c.kind == APPROVAL {
        super::storage_kpi_waits::decided(tx, kept, id)?;
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

impl Store {
    /// Tasks and approval steps of a process still open.
    pub fn kpi_open_work(&self, process: &str) -> Result<Vec<OpenWork>, StoreError> {
        let rows = self.conn.query(
            "SELECT t.kind, t.task, t.assignees, t.requester, t.opened, t.due
             FROM kpi_tasks t JOIN records r ON r.id = t.record
             WHERE t.process = ? AND t.kind IN ('task', 'approval') AND t.closed IS NULL
               AND r.terminal = 0",
            params![process],
        )?;
        rows.iter()
            .map(|r| {
                Ok(OpenWork {
                    kind: r.get(0)?,
                    task: r.get(1)?,
                    assignees: r.get(2)?,
                    requester: r.get(3)?,
                    opened: r.get(4)?,
                    due: r.get(5)?,
                })
            })
            .collect()
    }
}
