//! Which records wait on which role's approval: one row per record with a pending step,
//! written with the record in each action's transaction, so `GET /v1/me/work` reads the
//! approvals of the caller's roles through an index instead of every live record.

use super::db::{Begin, Db};
use super::storage::{stored_record, Store, StoreError, StoredRecord};
use crate::bundle::Bundle;
use crate::engine::{Record, RecordId};
use crate::params;

/// Migration 9: the table (filled at start by [`Store::index_approvals`]).
pub const MIGRATION: &str = "CREATE TABLE pending_approvals (
        record_id INTEGER PRIMARY KEY,
        role TEXT NOT NULL
    );
    CREATE INDEX pending_approvals_role ON pending_approvals(role, record_id);";

/// The role that decides `r`'s pending approval step, if one is pending.
pub fn approval_role(b: &Bundle, r: &Record) -> Option<String> {
    let pa = r.approval.as_ref()?;
    let t = b.process(&r.process)?.transitions.get(pa.transition)?;
    Some(t.approval.get(pa.step)?.role.clone())
}

/// Keeps the row of record `id`: `role` None when no step is pending (or it is terminal).
/// An upsert (not SQLite's `INSERT OR REPLACE`) so both backends run one statement.
pub fn write(tx: &Db, id: RecordId, role: Option<&str>) -> Result<(), StoreError> {
    match role {
        Some(role) => tx.execute(
            "INSERT INTO pending_approvals (record_id, role) VALUES (?, ?)
             ON CONFLICT (record_id) DO UPDATE SET role = excluded.role",
            params![id as i64, role],
        )?,
        None => tx.execute(
            "DELETE FROM pending_approvals WHERE record_id = ?",
            params![id as i64],
        )?,
    };
    Ok(())
}

impl Store {
    /// Live records whose pending step one of `roles` decides, by id.
    pub fn awaiting_approval_of(&self, roles: &[String]) -> Result<Vec<StoredRecord>, StoreError> {
        let mut out = vec![];
        for role in roles {
            let rows = self.conn.query(
                "SELECT r.state_json, r.bundle_hash, r.version FROM pending_approvals p
             JOIN records r ON r.id = p.record_id
             WHERE p.role = ? AND r.terminal = 0",
                params![role],
            )?;
            for r in &rows {
                out.push(stored_record(r)?);
            }
        }
        out.sort_by_key(|s| s.record.id);
        out.dedup_by_key(|s| s.record.id);
        Ok(out)
    }

    /// Rebuilds the table from the records (at start: a database from before it, or one
    /// restored from a copy); `role` is [`approval_role`] with the record's bundle.
    pub fn index_approvals(
        &mut self,
        role: impl Fn(&StoredRecord) -> Option<String>,
    ) -> Result<usize, StoreError> {
        let awaiting = self.awaiting_approval()?;
        self.conn.transaction(Begin::Deferred, |tx| {
            tx.execute("DELETE FROM pending_approvals", params![])?;
            let mut n = 0;
            for sr in &awaiting {
                if let Some(r) = role(sr) {
                    write(tx, sr.record.id, Some(&r))?;
                    n += 1;
                }
            }
            Ok(n)
        })
    }
}
