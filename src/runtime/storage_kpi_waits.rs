//! Approval waits as aggregates, like the KPIs (see `kpi_agg`): each decided approval step is
//! a sample of how long it waited, under `wait:<role>` (seconds, with its `kpi_tasks` row as
//! `ref` so the longest waits can name who asked) and, when decided after its due time, under
//! `late:<role>` (how late). `GET /v1/kpis` then reads a role's decisions, mean and longest
//! wait from the day counts instead of every decision in the range.

use super::db::{Db, Row};
use super::kpi_store::APPROVAL;
use super::storage::StoreError;
use super::storage_kpi_agg::{add_ref, bins, percentile, Kept};
use crate::params;

/// Migration 10: which task row a sample came from (approval waits only).
pub const MIGRATION: &str = "ALTER TABLE kpi_samples ADD COLUMN ref INTEGER;";

/// The `kpi_measures` key saying a process's waits are kept (filled from the KPI tables).
pub const MARKER: &str = "waits";

/// The `def` of the marker and of each role's keys: not a KPI measure.
pub const DEF: &str = "\"waits\"";

pub fn wait_key(role: &str) -> String {
    format!("wait:{role}")
}

fn late_key(role: &str) -> String {
    format!("late:{role}")
}

/// A decided approval step, as `kpi_tasks` holds it.
struct Step {
    id: i64,
    role: String,
    opened: i64,
    due: Option<i64>,
    closed: i64,
}

/// The approval row `id` was decided: its wait (and lateness) when the process's waits are kept.
pub fn decided(c: &Db, kept: &mut Kept, id: i64) -> Result<(), StoreError> {
    let row = c
        .query_opt(
            "SELECT id, assignees, opened, due, closed, process FROM kpi_tasks
             WHERE id = ? AND kind = ? AND done = 1 AND closed IS NOT NULL",
            params![id, APPROVAL],
        )?
        .map(|r| Ok::<_, StoreError>((r.get::<String>(5)?, step(&r)?)))
        .transpose()?;
    match row {
        Some((process, step)) if kept.has(c, &process, MARKER)? => sample(c, kept, &process, &step),
        _ => Ok(()),
    }
}

/// Counts one decided step, registering its role's key on first use.
fn sample(c: &Db, kept: &mut Kept, process: &str, s: &Step) -> Result<(), StoreError> {
    let k = wait_key(&s.role);
    if !kept.has(c, process, &k)? {
        c.execute(
            "INSERT OR IGNORE INTO kpi_measures (process, key, def) VALUES (?, ?, ?)",
            params![process, k, DEF],
        )?;
        kept.note(process, &k);
    }
    add_ref(
        c,
        process,
        &k,
        s.closed,
        (s.closed - s.opened) as f64,
        Some(s.id),
    )?;
    if let Some(late) = s.due.map(|d| s.closed - d).filter(|l| *l > 0) {
        add_ref(c, process, &late_key(&s.role), s.closed, late as f64, None)?;
    }
    Ok(())
}

/// Starts keeping `process`'s waits, filled from every approval step it decided so far.
/// Whether it was new.
pub fn ensure(c: &Db, kept: &mut Kept, process: &str) -> Result<bool, StoreError> {
    if kept.has(c, process, MARKER)? {
        return Ok(false);
    }
    let steps = c.query(
        "SELECT id, assignees, opened, due, closed FROM kpi_tasks
         WHERE process = ? AND kind = ? AND done = 1 AND closed IS NOT NULL ORDER BY id",
        params![process, APPROVAL],
    )?;
    for r in &steps {
        sample(c, kept, process, &step(r)?)?;
    }
    c.execute(
        "INSERT INTO kpi_measures (process, key, def) VALUES (?, ?, ?)",
        params![process, MARKER, DEF],
    )?;
    kept.note(process, MARKER);
    Ok(true)
}

/// A step from its (id, assignees, opened, due, closed) columns.
fn step(r: &Row) -> Result<Step, StoreError> {
    Ok(Step {
        id: r.get(0)?,
        role: r.get(1)?,
        opened: r.get(2)?,
        due: r.get(3)?,
        closed: r.get(4)?,
    })
}

/// One deciding role's approval steps decided in a range.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleDecided {
    pub role: String,
    pub decided: u64,
    /// Decided after the step's due time.
    pub late: u64,
    pub total: f64,
    pub longest: Option<f64>,
}

/// Every role with a decision in `[from, to)`, by role id.
pub fn roles(
    c: &Db,
    process: &str,
    (from, to): (i64, i64),
) -> Result<Vec<RoleDecided>, StoreError> {
    let mut out = Vec::new();
    for k in role_keys(c, process)? {
        let b = bins(c, process, &k, from, to)?;
        if b.count() == 0 {
            continue;
        }
        let role = k["wait:".len()..].to_string();
        let late = bins(c, process, &late_key(&role), from, to)?.count();
        out.push(RoleDecided {
            decided: b.count(),
            late,
            total: b.sum(),
            longest: percentile(c, process, &k, (from, to), &b, 100)?,
            role,
        });
    }
    Ok(out)
}

/// The `wait:<role>` keys a process has samples under.
fn role_keys(c: &Db, process: &str) -> Result<Vec<String>, StoreError> {
    let rows = c.query(
        "SELECT key FROM kpi_measures WHERE process = ? AND key >= 'wait:' AND key < 'wait;'
         ORDER BY key",
        params![process],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?)
}

/// A decided step among the longest waits: (waited seconds, who asked, role).
pub type Wait = (i64, Option<String>, String);

/// The `n` longest waits decided in `[from, to)`, the longest first: per role only the top
/// bins that can hold them are read (value and rowid, both in the bin index), then who asked
/// is looked up for those few.
pub fn longest(
    c: &Db,
    process: &str,
    (from, to): (i64, i64),
    n: u64,
) -> Result<Vec<Wait>, StoreError> {
    let mut found: Vec<(f64, i64, String)> = Vec::new();
    for k in role_keys(c, process)? {
        let role = &k["wait:".len()..];
        for bin in top_bins(&bins(c, process, &k, from, to)?, n) {
            let rows = c.query(
                "SELECT value, rowid FROM kpi_samples
         WHERE process = ? AND key = ? AND bin = ? AND at >= ? AND at < ?",
                params![process, k, bin, from, to],
            )?;
            for r in &rows {
                found.push((r.get(0)?, r.get(1)?, role.to_string()));
            }
        }
    }
    // Ties in the order the steps were decided (samples are written as they are).
    found.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    found.truncate(n as usize);
    found
        .into_iter()
        .map(|(v, rowid, role)| {
            let who: Option<String> = c
                .query_opt(
                    "SELECT t.requester FROM kpi_samples s JOIN kpi_tasks t ON t.id = s.ref
                     WHERE s.rowid = ?",
                    params![rowid],
                )?
                .map(|r| r.get(0))
                .transpose()?
                .flatten();
            Ok((v as i64, who, role))
        })
        .collect()
}

/// The highest bins that together hold at least `n` samples (or all of them), highest first.
fn top_bins(b: &super::kpi_agg::Bins, n: u64) -> Vec<i64> {
    let mut seen = 0;
    let mut out = Vec::new();
    for (bin, (count, _)) in b.0.iter().rev() {
        if seen >= n {
            break;
        }
        out.push(*bin);
        seen += count;
    }
    out
}

impl super::storage::Store {
    /// See [`roles`].
    pub fn kpi_wait_roles(
        &self,
        process: &str,
        range: (i64, i64),
    ) -> Result<Vec<RoleDecided>, StoreError> {
        roles(&self.conn, process, range)
    }

    /// See [`longest`].
    pub fn kpi_longest_waits(
        &self,
        process: &str,
        range: (i64, i64),
        n: u64,
    ) -> Result<Vec<Wait>, StoreError> {
        longest(&self.conn, process, range, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::kpi_agg::Bins;

    #[test]
    fn the_top_bins_hold_the_longest_waits() {
        let mut b = Bins::default();
        b.add(3, 4, 12.0);
        b.add(40, 2, 200.0);
        b.add(70, 1, 5000.0);
        assert_eq!(top_bins(&b, 1), [70]);
        assert_eq!(top_bins(&b, 3), [70, 40]);
        assert_eq!(top_bins(&b, 4), [70, 40, 3]);
        assert_eq!(top_bins(&b, 50), [70, 40, 3]);
        assert!(top_bins(&Bins::default(), 5).is_empty());
    }

    /// Inserts a decided step as an action would, and returns its row id.
    fn step(c: &Db, role: &str, who: &str, opened: i64, waited: i64) -> i64 {
        c.insert_id(
            "INSERT INTO kpi_tasks (record, process, kind, task, assignees, requester, opened,
             due, closed, done) VALUES (1, 'p', 'approval', 't#0', ?, ?, ?, ?, ?, 1)",
            params![role, who, opened, opened + 3600, opened + waited],
            "id",
        )
        .unwrap()
    }

    fn answer(store: &crate::runtime::storage::Store) -> (Vec<RoleDecided>, Vec<Wait>) {
        let range = (0, 10 * 86_400);
        (
            store.kpi_wait_roles("p", range).unwrap(),
            store.kpi_longest_waits("p", range, 5).unwrap(),
        )
    }

    #[test]
    fn kept_as_decided_and_filled_later_give_the_same_answer() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::runtime::storage::Store::open(&dir.path().join("w.db")).unwrap();
        let c = &store.conn;
        let mut kept = Kept::default();
        assert!(ensure(c, &mut kept, "p").unwrap());
        // Seven waits over two roles, two of them decided the same long time.
        let waits = [
            ("boss", "chen", 600),
            ("boss", "li", 7200),
            ("boss", "wu", 100_000),
        ];
        let more = [
            ("fin", "li", 50),
            ("fin", "chen", 100_000),
            ("fin", "wu", 3599),
        ];
        for (i, (role, who, w)) in waits.iter().chain(&more).enumerate() {
            let id = step(c, role, who, 1000 * i as i64, *w);
            decided(c, &mut Kept::default(), id).unwrap();
        }
        let kept_as_decided = answer(&store);
        let boss = &kept_as_decided.0[0];
        assert_eq!(
            (boss.role.as_str(), boss.decided, boss.late),
            ("boss", 3, 2)
        );
        assert_eq!((boss.total, boss.longest), (107_800.0, Some(100_000.0)));
        assert_eq!(kept_as_decided.0[1].late, 1);
        let top: Vec<(i64, &str)> = kept_as_decided
            .1
            .iter()
            .map(|(w, who, _)| (*w, who.as_deref().unwrap()))
            .collect();
        assert_eq!(
            top,
            [
                (100_000, "wu"),
                (100_000, "chen"),
                (7200, "li"),
                (3599, "wu"),
                (600, "chen")
            ]
        );

        // A database from before: no samples, no marker; filling gives the same answer.
        c.execute_batch("DELETE FROM kpi_samples; DELETE FROM kpi_days; DELETE FROM kpi_measures;")
            .unwrap();
        assert!(ensure(c, &mut Kept::default(), "p").unwrap());
        assert!(!ensure(c, &mut Kept::default(), "p").unwrap());
        assert_eq!(answer(&store), kept_as_decided);
    }
}
