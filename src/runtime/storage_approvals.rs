//! Which records wait on which role's approval: one row per record with a pending step,
//! written with the record in each action's transaction, so `GET /v1/me/work` reads the
//! approvals of the caller's roles through an index instead of every live record.

use rusqlite::{params, Transaction};

use super::storage::{Store, StoreError, StoredRecord};
use crate::bundle::Bundle;
use crate::engine::{Record, RecordId};

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
pub fn write(tx: &Transaction<'_>, id: RecordId, role: Option<&str>) -> Result<(), StoreError> {
    match role {
        Some(role) => tx
            .prepare_cached(
                "INSERT OR REPLACE INTO pending_approvals (record_id, role) VALUES (?, ?)",
            )?
            .execute(params![id as i64, role])?,
        None => tx
            .prepare_cached("DELETE FROM pending_approvals WHERE record_id = ?")?
            .execute([id as i64])?,
    };
    Ok(())
}

impl Store {
    /// Live records whose pending step one of `roles` decides, by id.
    pub fn awaiting_approval_of(&self, roles: &[String]) -> Result<Vec<StoredRecord>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT r.state_json, r.bundle_hash, r.version FROM pending_approvals p
             JOIN records r ON r.id = p.record_id
             WHERE p.role = ? AND r.terminal = 0",
        )?;
        let mut out = vec![];
        for role in roles {
            let rows = st.query_map([role], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
            })?;
            for row in rows {
                let (json, bundle_hash, version) = row?;
                out.push(StoredRecord {
                    record: serde_json::from_str(&json)
                        .map_err(|e: serde_json::Error| StoreError::Corrupt(e.to_string()))?,
                    bundle_hash,
                    version,
                });
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
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM pending_approvals", [])?;
        let mut n = 0;
        for sr in &awaiting {
            if let Some(r) = role(sr) {
                write(&tx, sr.record.id, Some(&r))?;
                n += 1;
            }
        }
        tx.commit()?;
        Ok(n)
    }
}
