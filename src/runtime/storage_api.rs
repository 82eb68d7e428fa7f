//! Store queries the HTTP API adds: uploaded files and who may read them, a page of records
//! for the list, and a page of a record's history.

use super::db::{Db, Row};
use super::storage::{AuditRow, Store, StoreError, StoredRecord};
use crate::engine::RecordId;
use crate::params;

/// An uploaded file's metadata (its bytes live in the data folder, see `files.rs`).
#[derive(Debug, Clone, PartialEq)]
pub struct FileRow {
    pub id: String,
    pub name: String,
    pub size: i64,
    pub ty: String,
    pub created: i64,
    pub uploader: String,
}

/// Which records to list: every filter is optional; `before` is the cursor (an id).
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    pub process: Option<String>,
    pub status: Option<String>,
    pub before: Option<RecordId>,
    pub limit: usize,
}

pub(super) fn insert_record_files(tx: &Db, rows: &[(RecordId, String)]) -> Result<(), StoreError> {
    for (record, file) in rows {
        tx.execute(
            "INSERT OR IGNORE INTO record_files (file_id, record_id) VALUES (?, ?)",
            params![file, *record as i64],
        )?;
    }
    Ok(())
}

impl Store {
    /// Records a stored file; the first upload of the same bytes keeps its name and type.
    pub fn put_file(&mut self, f: &FileRow) -> Result<FileRow, StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO files (id, name, size, type, created, uploader)
                 VALUES (?, ?, ?, ?, ?, ?)",
            params![f.id, f.name, f.size, f.ty, f.created, f.uploader],
        )?;
        self.file(&f.id)?
            .ok_or_else(|| StoreError::Corrupt(format!("file {} vanished", f.id)))
    }

    pub fn file(&self, id: &str) -> Result<Option<FileRow>, StoreError> {
        self.conn
            .query_opt(
                "SELECT id, name, size, type, created, uploader FROM files WHERE id = ?",
                params![id],
            )?
            .map(|r| {
                Ok(FileRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    size: r.get(2)?,
                    ty: r.get(3)?,
                    created: r.get(4)?,
                    uploader: r.get(5)?,
                })
            })
            .transpose()
    }

    /// The records that hold (or held) a file.
    pub fn records_with_file(&self, id: &str) -> Result<Vec<RecordId>, StoreError> {
        let ids: Vec<i64> = self.column(
            "SELECT record_id FROM record_files WHERE file_id = ? ORDER BY record_id",
            params![id],
        )?;
        Ok(ids.into_iter().map(|x| x as RecordId).collect())
    }

    /// Records newest first, filtered by process and status (index-backed), before a cursor.
    pub fn records_page(&self, q: &RecordQuery) -> Result<Vec<StoredRecord>, StoreError> {
        // The casts type the optional filters for PostgreSQL, which cannot infer a parameter
        // from `? IS NULL`; in SQLite they change nothing.
        self.records_where(
            "SELECT state_json, bundle_hash, version FROM records
             WHERE (CAST(?1 AS TEXT) IS NULL OR process = ?1)
               AND (CAST(?2 AS TEXT) IS NULL OR status = ?2)
               AND (CAST(?3 AS INTEGER) IS NULL OR id < ?3)
             ORDER BY id DESC LIMIT ?4",
            params![
                q.process,
                q.status,
                q.before.map(|b| b as i64),
                q.limit as i64
            ],
        )
    }

    /// Up to `limit` audit rows of a record after the row id `after`, oldest first.
    pub fn history_page(
        &self,
        id: RecordId,
        after: i64,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        self.audit_rows(
            "SELECT id, at, actor, action, record_id, bundle_hash, detail_json
             FROM audit WHERE record_id = ? AND id > ? ORDER BY id LIMIT ?",
            id,
            after,
            limit,
        )
    }

    /// Up to `limit` audit rows of a record before the row id `before`, newest first: the
    /// same page as `history_page`, read from the other end (the record page shows the
    /// latest rows and links to older ones).
    pub fn history_page_back(
        &self,
        id: RecordId,
        before: i64,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        self.audit_rows(
            "SELECT id, at, actor, action, record_id, bundle_hash, detail_json
             FROM audit WHERE record_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
            id,
            before,
            limit,
        )
    }

    /// The rows of a history query over (record, cursor, limit).
    fn audit_rows(
        &self,
        sql: &str,
        id: RecordId,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.conn.query(sql, params![id as i64, cursor, limit])?;
        rows.iter().map(audit_row).collect()
    }
}

fn audit_row(r: &Row) -> Result<AuditRow, StoreError> {
    let detail: String = r.get(6)?;
    Ok(AuditRow {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        record_id: r.get::<Option<i64>>(4)?.map(|r| r as RecordId),
        bundle_hash: r.get(5)?,
        detail: serde_json::from_str(&detail).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

impl Store {
    /// Live records waiting on an approval step.
    pub fn awaiting_approval(&self) -> Result<Vec<StoredRecord>, StoreError> {
        self.records_where(
            "SELECT state_json, bundle_hash, version FROM records
             WHERE terminal = 0 AND json_extract(state_json, '$.approval') IS NOT NULL
             ORDER BY id",
            params![],
        )
    }
}
