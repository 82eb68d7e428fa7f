//! Store queries the HTTP API adds: uploaded files and who may read them, a page of records
//! for the list, and a page of a record's history.

use rusqlite::{params, OptionalExtension};

use super::storage::{AuditRow, Store, StoreError, StoredRecord};
use crate::engine::RecordId;

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

pub(super) fn insert_record_files(
    tx: &rusqlite::Transaction<'_>,
    rows: &[(RecordId, String)],
) -> Result<(), StoreError> {
    let mut st =
        tx.prepare_cached("INSERT OR IGNORE INTO record_files (file_id, record_id) VALUES (?, ?)")?;
    for (record, file) in rows {
        st.execute(params![file, *record as i64])?;
    }
    Ok(())
}

impl Store {
    /// Records a stored file; the first upload of the same bytes keeps its name and type.
    pub fn put_file(&mut self, f: &FileRow) -> Result<FileRow, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO files (id, name, size, type, created, uploader)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![f.id, f.name, f.size, f.ty, f.created, f.uploader])?;
        self.file(&f.id)?
            .ok_or_else(|| StoreError::Corrupt(format!("file {} vanished", f.id)))
    }

    pub fn file(&self, id: &str) -> Result<Option<FileRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, name, size, type, created, uploader FROM files WHERE id = ?",
            )?
            .query_row([id], |r| {
                Ok(FileRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    size: r.get(2)?,
                    ty: r.get(3)?,
                    created: r.get(4)?,
                    uploader: r.get(5)?,
                })
            })
            .optional()?)
    }

    /// The records that hold (or held) a file.
    pub fn records_with_file(&self, id: &str) -> Result<Vec<RecordId>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT record_id FROM record_files WHERE file_id = ? ORDER BY record_id",
        )?;
        let rows = st.query_map([id], |r| r.get::<_, i64>(0))?;
        Ok(rows
            .map(|r| r.map(|x| x as RecordId))
            .collect::<Result<_, _>>()?)
    }

    /// Records newest first, filtered by process and status (index-backed), before a cursor.
    pub fn records_page(&self, q: &RecordQuery) -> Result<Vec<StoredRecord>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT state_json, bundle_hash, version FROM records
             WHERE (?1 IS NULL OR process = ?1) AND (?2 IS NULL OR status = ?2)
               AND (?3 IS NULL OR id < ?3)
             ORDER BY id DESC LIMIT ?4",
        )?;
        let rows = st.query_map(
            params![
                q.process,
                q.status,
                q.before.map(|b| b as i64),
                q.limit as i64
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            },
        )?;
        let mut out = vec![];
        for row in rows {
            let (json, bundle_hash, version) = row?;
            out.push(StoredRecord {
                record: serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                bundle_hash,
                version,
            });
        }
        Ok(out)
    }

    /// Up to `limit` audit rows of a record after the row id `after`, oldest first.
    pub fn history_page(
        &self,
        id: RecordId,
        after: i64,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let st = self.conn.prepare_cached(
            "SELECT id, at, actor, action, record_id, bundle_hash, detail_json
             FROM audit WHERE record_id = ? AND id > ? ORDER BY id LIMIT ?",
        )?;
        audit_rows(st, id, after, limit)
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
        let st = self.conn.prepare_cached(
            "SELECT id, at, actor, action, record_id, bundle_hash, detail_json
             FROM audit WHERE record_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        )?;
        audit_rows(st, id, before, limit)
    }
}

/// The rows of a history query over (record, cursor, limit).
fn audit_rows(
    mut st: rusqlite::CachedStatement<'_>,
    id: RecordId,
    cursor: i64,
    limit: usize,
) -> Result<Vec<AuditRow>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = st.query_map(params![id as i64, cursor, limit], |r| {
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

impl Store {
    /// Live records waiting on an approval step.
    pub fn awaiting_approval(&self) -> Result<Vec<StoredRecord>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT state_json, bundle_hash, version FROM records
             WHERE terminal = 0 AND json_extract(state_json, '$.approval') IS NOT NULL
             ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = vec![];
        for row in rows {
            let (json, bundle_hash, version) = row?;
            out.push(StoredRecord {
                record: serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                bundle_hash,
                version,
            });
        }
        Ok(out)
    }
}
