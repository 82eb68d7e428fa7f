//! The runtime's SQLite store: bundles (every version kept), records (the engine's record
//! state as JSON, with a version for optimistic concurrency) and the audit log. WAL mode with
//! `synchronous=FULL`: a committed transaction survives a crash.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::engine::{Record, RecordId};

/// Schema migrations, applied in order; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &["CREATE TABLE bundles (
        hash TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        uploaded_at INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE records (
        id INTEGER PRIMARY KEY,
        process TEXT NOT NULL,
        bundle_hash TEXT NOT NULL,
        state_json TEXT NOT NULL,
        version INTEGER NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        record_id INTEGER,
        bundle_hash TEXT,
        detail_json TEXT NOT NULL
    );
    CREATE INDEX audit_record ON audit(record_id);"];

#[derive(Debug)]
pub enum StoreError {
    /// Another writer changed the record since it was read.
    Conflict(RecordId),
    Db(rusqlite::Error),
    Corrupt(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Conflict(id) => write!(f, "record {id} was changed by someone else"),
            StoreError::Db(e) => write!(f, "database error: {e}"),
            StoreError::Corrupt(m) => write!(f, "corrupt stored data: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Db(e)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BundleRow {
    pub hash: String,
    pub uploaded_at: i64,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub record: Record,
    pub bundle_hash: String,
    pub version: i64,
}

/// One record to write in a commit: `expected_version` None inserts a new record.
pub struct RecordWrite<'a> {
    pub record: &'a Record,
    pub bundle_hash: &'a str,
    pub expected_version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub record_id: Option<RecordId>,
    pub bundle_hash: Option<String>,
    pub detail: serde_json::Value,
}

/// What a new audit row holds (`id` is assigned by the store).
pub struct NewAudit<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub record_id: Option<RecordId>,
    pub bundle_hash: Option<&'a str>,
    pub detail: serde_json::Value,
}

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if missing) the database file and applies pending migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!(
                "could not switch to WAL mode (got {mode})"
            )));
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
        let mut store = Store { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let done: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(done.max(0) as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.execute_batch(&format!("PRAGMA user_version={}", i + 1))?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The active bundle: (hash, json).
    pub fn active_bundle(&self) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT hash, json FROM bundles WHERE active = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    pub fn bundle_json(&self, hash: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT json FROM bundles WHERE hash = ?", [hash], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Every stored version, oldest first.
    pub fn bundles(&self) -> Result<Vec<BundleRow>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT hash, uploaded_at, active FROM bundles ORDER BY uploaded_at, rowid")?;
        let rows = st.query_map([], |r| {
            Ok(BundleRow {
                hash: r.get(0)?,
                uploaded_at: r.get(1)?,
                active: r.get::<_, i64>(2)? != 0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores (if new) and activates a bundle, with an audit row, in one transaction. Returns
    /// whether the bundle was new.
    pub fn put_bundle(
        &mut self,
        hash: &str,
        json: &str,
        at: i64,
        audit: NewAudit<'_>,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO bundles (hash, json, uploaded_at, active) VALUES (?, ?, ?, 0)",
            params![hash, json, at],
        )? == 1;
        tx.execute("UPDATE bundles SET active = 0 WHERE active = 1", [])?;
        tx.execute("UPDATE bundles SET active = 1 WHERE hash = ?", [hash])?;
        insert_audit(&tx, &audit)?;
        tx.commit()?;
        Ok(inserted)
    }

    pub fn record(&self, id: RecordId) -> Result<Option<StoredRecord>, StoreError> {
        let row: Option<(String, String, i64)> = self
            .conn
            .query_row(
                "SELECT state_json, bundle_hash, version FROM records WHERE id = ?",
                [id as i64],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(json, bundle_hash, version)| {
            Ok(StoredRecord {
                record: parse_record(&json)?,
                bundle_hash,
                version,
            })
        })
        .transpose()
    }

    /// Every record (for inboxes; a later slice indexes open tasks).
    pub fn all_records(&self) -> Result<Vec<Record>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT state_json FROM records ORDER BY id")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|j| parse_record(&j?)).collect()
    }

    /// The id the next new record gets.
    pub fn next_record_id(&self) -> Result<RecordId, StoreError> {
        let max: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(id), 0) FROM records", [], |r| r.get(0))?;
        Ok(max as RecordId + 1)
    }

    /// Writes records (each checked against the version it was read at) and one audit row in
    /// one transaction: all or nothing. A record changed since it was read is a conflict.
    pub fn commit(
        &mut self,
        writes: &[RecordWrite<'_>],
        audit: NewAudit<'_>,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for w in writes {
            let json = serde_json::to_string(w.record).expect("a record always serializes");
            let id = w.record.id as i64;
            match w.expected_version {
                None => {
                    let n = tx.execute(
                        "INSERT OR IGNORE INTO records (id, process, bundle_hash, state_json, version)
                         VALUES (?, ?, ?, ?, 1)",
                        params![id, w.record.process, w.bundle_hash, json],
                    )?;
                    if n == 0 {
                        return Err(StoreError::Conflict(w.record.id));
                    }
                }
                Some(v) => {
                    let n = tx.execute(
                        "UPDATE records SET state_json = ?, bundle_hash = ?, version = version + 1
                         WHERE id = ? AND version = ?",
                        params![json, w.bundle_hash, id, v],
                    )?;
                    if n == 0 {
                        return Err(StoreError::Conflict(w.record.id));
                    }
                }
            }
        }
        insert_audit(&tx, &audit)?;
        tx.commit()?;
        Ok(())
    }

    /// The audit rows of one record, oldest first.
    pub fn history(&self, id: RecordId) -> Result<Vec<AuditRow>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, at, actor, action, record_id, bundle_hash, detail_json
             FROM audit WHERE record_id = ? ORDER BY id",
        )?;
        let rows = st.query_map([id as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = vec![];
        for row in rows {
            let (id, at, actor, action, record_id, bundle_hash, detail) = row?;
            out.push(AuditRow {
                id,
                at,
                actor,
                action,
                record_id: record_id.map(|r| r as RecordId),
                bundle_hash,
                detail: serde_json::from_str(&detail)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            });
        }
        Ok(out)
    }
}

fn parse_record(json: &str) -> Result<Record, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn insert_audit(tx: &rusqlite::Transaction<'_>, a: &NewAudit<'_>) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO audit (at, actor, action, record_id, bundle_hash, detail_json)
         VALUES (?, ?, ?, ?, ?, ?)",
        params![
            a.at,
            a.actor,
            a.action,
            a.record_id.map(|r| r as i64),
            a.bundle_hash,
            a.detail.to_string()
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn record(id: RecordId, status: &str) -> Record {
        Record {
            id,
            process: "p".into(),
            status: status.into(),
            fields: BTreeMap::new(),
            tasks: vec![],
            approval: None,
            parent: None,
            children: vec![],
            history: vec![],
        }
    }

    fn w(r: &Record, v: Option<i64>) -> RecordWrite<'_> {
        RecordWrite {
            record: r,
            bundle_hash: "h",
            expected_version: v,
        }
    }

    fn audit(record_id: Option<RecordId>) -> NewAudit<'static> {
        NewAudit {
            at: 1,
            actor: "u",
            action: "test",
            record_id,
            bundle_hash: None,
            detail: serde_json::json!({"k": 1}),
        }
    }

    #[test]
    fn wal_migrations_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        {
            let mut s = Store::open(&path).unwrap();
            assert!(s.put_bundle("h1", "{}", 1, audit(None)).unwrap());
            assert!(!s.put_bundle("h1", "{}", 2, audit(None)).unwrap());
            assert!(s.put_bundle("h2", "{\"x\":1}", 3, audit(None)).unwrap());
        }
        let s = Store::open(&path).unwrap();
        let mode: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(s.active_bundle().unwrap().unwrap().0, "h2");
        let all = s.bundles().unwrap();
        assert_eq!(all.len(), 2);
        assert!(!all[0].active && all[1].active);
        assert_eq!(s.bundle_json("h1").unwrap().unwrap(), "{}");
    }

    #[test]
    fn versions_detect_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("db")).unwrap();
        assert_eq!(s.next_record_id().unwrap(), 1);
        let r = record(1, "a");

        s.commit(&[w(&r, None)], audit(Some(1))).unwrap();
        assert_eq!(s.next_record_id().unwrap(), 2);
        let loaded = s.record(1).unwrap().unwrap();
        assert_eq!(loaded.version, 1);
        assert_eq!(loaded.record, r);

        let b = record(1, "b");
        s.commit(&[w(&b, Some(1))], audit(Some(1))).unwrap();
        // A second writer that read version 1 loses, and nothing of its commit is kept.
        let c = record(1, "c");
        let err = s.commit(&[w(&c, Some(1))], audit(Some(1))).unwrap_err();
        assert!(matches!(err, StoreError::Conflict(1)));
        let now = s.record(1).unwrap().unwrap();
        assert_eq!((now.record.status.as_str(), now.version), ("b", 2));
        assert_eq!(s.history(1).unwrap().len(), 2);
        // Inserting an id that exists is a conflict too.
        assert!(matches!(
            s.commit(&[w(&r, None)], audit(Some(1))),
            Err(StoreError::Conflict(1))
        ));
        assert_eq!(s.all_records().unwrap().len(), 1);
        assert!(s.record(9).unwrap().is_none());
    }
}
