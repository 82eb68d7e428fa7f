//! Due timers and outbox rows claimed by one node at a time, for several `serve` processes on
//! one PostgreSQL database (SPEC 15). A claim is a lease: the node's id and a time after which
//! the row may be taken by another node (the first one died or hung). Rows are picked with
//! `FOR UPDATE SKIP LOCKED`, so two nodes claiming at once never both take a row and neither
//! waits for the other.
//!
//! On SQLite there is one server per file, so claiming is just reading what is due: the
//! columns stay empty and nothing more is written than before.

use super::db::Backend;
use super::storage::{outbox_row, OutboxRow, Store, StoreError};
use crate::engine::RecordId;
use crate::params;

/// Migration 11: who holds each timer and outbox row, and until when.
pub const MIGRATION: &str = "ALTER TABLE timers ADD COLUMN claimed_by TEXT;
    ALTER TABLE timers ADD COLUMN lease_until INTEGER;
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE outbox ADD COLUMN lease_until INTEGER;";

/// How long a node holds a timer it took (seconds): far more than one tick takes.
pub const TIMER_LEASE: i64 = 60;

/// How long a node holds an outbox row it took: more than a channel's slowest attempt.
pub const OUTBOX_LEASE: i64 = 300;

impl Store {
    /// The due timers this node may fire now, earliest first: on PostgreSQL each is leased
    /// to this connection's node until `now + lease`, and rows another node holds are
    /// skipped. Setting or clearing the timer (the tick's commit) ends the lease.
    pub fn claim_due_timers(
        &self,
        now: i64,
        limit: usize,
        lease: i64,
    ) -> Result<Vec<RecordId>, StoreError> {
        if self.backend() == Backend::Sqlite {
            return self.due_timers(now, limit);
        }
        let rows = self.conn.query(
            "UPDATE timers SET claimed_by = ?, lease_until = ? WHERE record_id IN (
                 SELECT record_id FROM timers
                 WHERE due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
                 ORDER BY due_at, record_id LIMIT ? FOR UPDATE SKIP LOCKED)
             RETURNING due_at, record_id",
            params![self.node, now + lease, now, now, limit as i64],
        )?;
        let mut due: Vec<(i64, i64)> = rows
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .collect::<Result<_, StoreError>>()?;
        due.sort();
        Ok(due.into_iter().map(|(_, id)| id as RecordId).collect())
    }

    /// The pending outbox rows this node may send now, oldest first: on PostgreSQL each is
    /// leased until `now + lease` (so no other node sends it meanwhile), and a lease that ran
    /// out (a node died mid-delivery) is taken over. Recording the attempt ends the lease.
    pub fn claim_outbox(
        &self,
        now: i64,
        limit: usize,
        lease: i64,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        if self.backend() == Backend::Sqlite {
            return self.outbox_due(now, limit);
        }
        let rows = self.conn.query(
            "UPDATE outbox SET claimed_by = ?, lease_until = ? WHERE id IN (
                 SELECT id FROM outbox
                 WHERE state = 'pending' AND next_at <= ?
                   AND (lease_until IS NULL OR lease_until <= ?)
                 ORDER BY next_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
             RETURNING id, created_at, record_id, channel, payload_json, state, attempts,
                 next_at, last_error",
            params![self.node, now + lease, now, now, limit as i64],
        )?;
        let mut out = rows.iter().map(outbox_row).collect::<Result<Vec<_>, _>>()?;
        out.sort_by_key(|o| (o.next_at, o.id));
        Ok(out)
    }

    /// Who holds an outbox row and until when (None when nobody does).
    pub fn outbox_claim(&self, id: i64) -> Result<Option<(String, i64)>, StoreError> {
        let row = self.conn.query_opt(
            "SELECT claimed_by, lease_until FROM outbox WHERE id = ?",
            params![id],
        )?;
        let Some(r) = row else { return Ok(None) };
        Ok(
            match (r.get::<Option<String>>(0)?, r.get::<Option<i64>>(1)?) {
                (Some(by), Some(until)) => Some((by, until)),
                _ => None,
            },
        )
    }

    /// The name this store's claims carry.
    pub fn node(&self) -> &str {
        &self.node
    }
}
