//! The runtime's SQLite store: bundles (every version kept), records (the engine's record
//! state as JSON, with a version for optimistic concurrency) and the audit log. WAL mode with
//! `synchronous=FULL`: a committed transaction survives a crash.

use std::path::Path;

use rusqlite::Connection;

use super::db::{Backend, Begin, Db, DbError, FromValue, Row, Value};
use crate::engine::{Record, RecordId};
use crate::params;

#[path = "storage_sessions.rs"]
mod sessions;
pub use sessions::{LoginLink, NewSession, SessionRow};

/// Schema migrations, applied in order; `PRAGMA user_version` counts those applied.
pub(crate) const MIGRATIONS: &[&str] = &[
    "CREATE TABLE bundles (
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
    CREATE INDEX audit_record ON audit(record_id);",
    // 2: what the background loop and the inboxes need, as rows so they survive restarts.
    "ALTER TABLE records ADD COLUMN status TEXT NOT NULL DEFAULT '';
    ALTER TABLE records ADD COLUMN terminal INTEGER NOT NULL DEFAULT 0;
    UPDATE records SET status = json_extract(state_json, '$.status');
    CREATE INDEX records_live ON records(terminal, process, status);
    CREATE TABLE timers (
        record_id INTEGER PRIMARY KEY,
        due_at INTEGER NOT NULL
    );
    CREATE INDEX timers_due ON timers(due_at);
    CREATE TABLE assignments (
        record_id INTEGER NOT NULL,
        task TEXT NOT NULL,
        assignee TEXT NOT NULL,
        PRIMARY KEY (record_id, task, assignee)
    );
    CREATE INDEX assignments_assignee ON assignments(assignee);
    CREATE TABLE inbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user TEXT NOT NULL,
        at INTEGER NOT NULL,
        record_id INTEGER,
        reason TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE INDEX inbox_user ON inbox(user, id);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at INTEGER NOT NULL,
        record_id INTEGER,
        channel TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        last_error TEXT
    );
    CREATE INDEX outbox_due ON outbox(state, next_at);",
    // 3: answers to requests sent with an `Idempotency-Key`, so a retry does not act twice.
    "CREATE TABLE idempotency (
        user TEXT NOT NULL,
        key TEXT NOT NULL,
        answer TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (user, key)
    );
    CREATE INDEX idempotency_at ON idempotency(at);",
    // 4: API tokens and the people invited at run time.
    people::MIGRATION,
    // 5: sign-in links and browser sessions for the pages.
    sessions::MIGRATION,
    // 6: the API's record list (by process and status, newest first) and uploaded files;
    // `record_files` says which records ever held a file, for who may download it.
    "CREATE INDEX records_process_status ON records(process, status, id);
    CREATE INDEX records_status ON records(status, id);
    CREATE TABLE files (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        type TEXT NOT NULL,
        created INTEGER NOT NULL,
        uploader TEXT NOT NULL
    );
    CREATE TABLE record_files (
        file_id TEXT NOT NULL,
        record_id INTEGER NOT NULL,
        PRIMARY KEY (file_id, record_id)
    );",
    // 7: what KPIs are computed from (see storage_kpis).
    super::storage_kpis::MIGRATION,
    // 8: KPI samples counted per day and bin, so `GET /v1/kpis` does not read every record
    // (see storage_kpi_agg).
    super::storage_kpi_agg::MIGRATION,
    // 9: who must decide each pending approval step (see storage_approvals).
    super::storage_approvals::MIGRATION,
    // 10: which task row a KPI sample came from, so the longest approval waits name who
    // asked (see storage_kpi_waits).
    super::storage_kpi_waits::MIGRATION,
    // 11: timer and outbox leases, for several nodes on one PostgreSQL database (see
    // storage_claims).
    super::storage_claims::MIGRATION,
];

#[path = "storage_people.rs"]
mod people;

/// How many schema migrations this binary knows (the version a current database is at, on
/// either backend).
pub fn schema_version_known() -> i64 {
    MIGRATIONS.len() as i64
}

/// How long an `Idempotency-Key` is remembered (seconds).
pub const IDEMPOTENCY_TTL: i64 = 24 * 3600;

#[derive(Debug)]
pub enum StoreError {
    /// Another writer changed the record since it was read.
    Conflict(RecordId),
    /// Another request with the same `Idempotency-Key` was committed first (by another node,
    /// or another connection): this one is not, and a retry gets the first one's answer.
    KeyTaken,
    Db(DbError),
    Corrupt(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Conflict(id) => write!(f, "record {id} was changed by someone else"),
            StoreError::KeyTaken => write!(
                f,
                "a request with the same Idempotency-Key was committed first"
            ),
            StoreError::Db(e) => write!(f, "database error: {e}"),
            StoreError::Corrupt(m) => write!(f, "corrupt stored data: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> StoreError {
        StoreError::Db(e)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Db(DbError::Sqlite(e))
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
    /// Whether its status is terminal (terminal records are not live).
    pub terminal: bool,
    /// When the background loop must look at it next (unix seconds), if ever.
    pub timer: Option<i64>,
    /// The role that decides its pending approval step, if any (`storage_approvals`).
    pub approval_role: Option<String>,
}

/// A message for one user's inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInbox {
    pub user: String,
    pub record_id: Option<RecordId>,
    pub reason: String,
    pub message: String,
}

/// A message to deliver through an external channel, with retries.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbox {
    pub record_id: Option<RecordId>,
    pub channel: String,
    pub payload: serde_json::Value,
}

/// An outbox row the delivery worker picks up.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub created_at: i64,
    pub record_id: Option<RecordId>,
    pub channel: String,
    pub payload: serde_json::Value,
    pub state: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InboxRow {
    pub id: i64,
    pub at: i64,
    pub record_id: Option<RecordId>,
    pub reason: String,
    pub message: String,
}

/// Everything one action writes, committed in one transaction.
pub struct Commit<'a> {
    pub writes: Vec<RecordWrite<'a>>,
    pub audit: Option<NewAudit<'a>>,
    pub inbox: Vec<NewInbox>,
    pub outbox: Vec<NewOutbox>,
    /// Timers to set without writing the record (a tick that changed nothing).
    pub timers: Vec<(RecordId, Option<i64>)>,
    /// (user, key, answer): what a retry with the same `Idempotency-Key` gets back.
    pub idempotency: Option<(String, String, String)>,
    /// (record, file id): files the written records hold (see `storage_api`).
    pub record_files: Vec<(RecordId, String)>,
    /// What the KPIs keep from this action.
    pub kpi: super::kpi_store::KpiRows,
    /// People the action invited (SPEC 12), added to `directory_users` with it.
    pub invited: Vec<(String, crate::runtime::directory::DirUser)>,
}

impl<'a> Commit<'a> {
    /// Only timers: what a tick that changed nothing writes.
    pub fn timers(timers: Vec<(RecordId, Option<i64>)>) -> Commit<'a> {
        Commit {
            writes: vec![],
            audit: None,
            inbox: vec![],
            outbox: vec![],
            timers,
            idempotency: None,
            record_files: vec![],
            kpi: Default::default(),
            invited: vec![],
        }
    }

    pub fn new(writes: Vec<RecordWrite<'a>>, audit: NewAudit<'a>) -> Commit<'a> {
        Commit {
            writes,
            audit: Some(audit),
            inbox: vec![],
            outbox: vec![],
            timers: vec![],
            idempotency: None,
            record_files: vec![],
            kpi: Default::default(),
            invited: vec![],
        }
    }
}

/// Live (not terminal) records per process and status.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveCount {
    pub process: String,
    pub status: String,
    pub records: i64,
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
    pub(super) conn: Db,
    /// The name this connection's claims carry (`storage_claims`): host, process and a
    /// random part, so two stores never share one.
    pub(super) node: String,
}

/// A name no other store has: `<host>:<pid>:<random>`.
fn node_name() -> String {
    let mut r = [0u8; 4];
    let _ = getrandom::fill(&mut r);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        u32::from_be_bytes(r)
    )
}

impl Store {
    pub(super) fn with(conn: Db) -> Store {
        Store {
            conn,
            node: node_name(),
        }
    }
}

/// A stored record from its (state_json, bundle_hash, version) columns.
pub(super) fn stored_record(r: &Row) -> Result<StoredRecord, StoreError> {
    Ok(StoredRecord {
        record: parse_record(&r.get::<String>(0)?)?,
        bundle_hash: r.get(1)?,
        version: r.get(2)?,
    })
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
        let mut store = Store::with(Db::sqlite(conn));
        store.migrate()?;
        Ok(store)
    }

    /// Connects to a `postgres://` URL and brings its schema up to date (see `storage_pg`):
    /// each call is its own connection, so every node and every store of one node has one.
    pub fn open_postgres(url: &str) -> Result<Store, super::storage_pg::PgOpenError> {
        Ok(Store::with(Db::postgres(super::storage_pg::open(url)?)))
    }

    /// Which database this store is on.
    pub fn backend(&self) -> Backend {
        self.conn.backend()
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let done: i64 = self
            .conn
            .query_one("PRAGMA user_version", params![])?
            .get(0)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(done.max(0) as usize) {
            self.conn.transaction(Begin::Deferred, |tx| {
                tx.execute_batch(sql)?;
                tx.execute_batch(&format!("PRAGMA user_version={}", i + 1))
            })?;
        }
        Ok(())
    }

    /// The active bundle: (hash, json).
    pub fn active_bundle(&self) -> Result<Option<(String, String)>, StoreError> {
        self.conn
            .query_opt("SELECT hash, json FROM bundles WHERE active = 1", params![])?
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .transpose()
    }

    /// The active bundle's hash only: what most requests need, without its text.
    pub fn active_hash(&self) -> Result<Option<String>, StoreError> {
        self.one_column("SELECT hash FROM bundles WHERE active = 1", params![])
    }

    pub fn bundle_json(&self, hash: &str) -> Result<Option<String>, StoreError> {
        self.one_column("SELECT json FROM bundles WHERE hash = ?", params![hash])
    }

    /// The first column of the first row, if there is one.
    pub(super) fn one_column<T: FromValue>(
        &self,
        sql: &str,
        p: &[Value],
    ) -> Result<Option<T>, StoreError> {
        Ok(self.conn.query_opt(sql, p)?.map(|r| r.get(0)).transpose()?)
    }

    /// The first column of every row.
    pub(super) fn column<T: FromValue>(
        &self,
        sql: &str,
        p: &[Value],
    ) -> Result<Vec<T>, StoreError> {
        let rows = self.conn.query(sql, p)?;
        Ok(rows.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?)
    }

    /// Every stored version, oldest first.
    pub fn bundles(&self) -> Result<Vec<BundleRow>, StoreError> {
        let rows = self.conn.query(
            "SELECT hash, uploaded_at, active FROM bundles ORDER BY uploaded_at, rowid",
            params![],
        )?;
        rows.iter()
            .map(|r| {
                Ok(BundleRow {
                    hash: r.get(0)?,
                    uploaded_at: r.get(1)?,
                    active: r.get::<i64>(2)? != 0,
                })
            })
            .collect()
    }

    /// Stores (if new) and activates a bundle, with an audit row, in one transaction. Returns
    /// whether the bundle was new.
    /// Records moved onto the new version (`migrated`) are written in the same transaction.
    pub fn put_bundle(
        &mut self,
        hash: &str,
        json: &str,
        at: i64,
        audit: NewAudit<'_>,
        migrated: &[RecordWrite<'_>],
    ) -> Result<bool, StoreError> {
        self.conn.transaction(Begin::Immediate, |tx| {
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO bundles (hash, json, uploaded_at, active) VALUES (?, ?, ?, 0)",
                params![hash, json, at],
            )? == 1;
            tx.execute("UPDATE bundles SET active = 0 WHERE active = 1", params![])?;
            tx.execute("UPDATE bundles SET active = 1 WHERE hash = ?", params![hash])?;
            for w in migrated {
                write_record(tx, w)?;
            }
            insert_audit(tx, &audit)?;
            Ok(inserted)
        })
    }

    pub fn record(&self, id: RecordId) -> Result<Option<StoredRecord>, StoreError> {
        self.conn
            .query_opt(
                "SELECT state_json, bundle_hash, version FROM records WHERE id = ?",
                params![id as i64],
            )?
            .map(|r| stored_record(&r))
            .transpose()
    }

    /// Every live (not terminal) record, with its version and bundle.
    pub fn live_records(&self) -> Result<Vec<StoredRecord>, StoreError> {
        self.records_where(
            "SELECT state_json, bundle_hash, version FROM records WHERE terminal = 0 ORDER BY id",
            params![],
        )
    }

    /// The records a query over (state_json, bundle_hash, version) returns.
    pub(super) fn records_where(
        &self,
        sql: &str,
        p: &[Value],
    ) -> Result<Vec<StoredRecord>, StoreError> {
        self.conn.query(sql, p)?.iter().map(stored_record).collect()
    }

    /// How many live records sit in each status.
    pub fn live_counts(&self) -> Result<Vec<LiveCount>, StoreError> {
        let rows = self.conn.query(
            "SELECT process, status, COUNT(*) FROM records WHERE terminal = 0
             GROUP BY process, status ORDER BY process, status",
            params![],
        )?;
        rows.iter()
            .map(|r| {
                Ok(LiveCount {
                    process: r.get(0)?,
                    status: r.get(1)?,
                    records: r.get(2)?,
                })
            })
            .collect()
    }

    /// Ids of records with an open task assigned to one of `who` (user ids and role ids).
    pub fn assigned_records(&self, who: &[String]) -> Result<Vec<RecordId>, StoreError> {
        let mut ids = std::collections::BTreeSet::new();
        for w in who {
            let found: Vec<i64> = self.column(
                "SELECT record_id FROM assignments WHERE assignee = ?",
                params![w],
            )?;
            ids.extend(found.into_iter().map(|i| i as RecordId));
        }
        Ok(ids.into_iter().collect())
    }

    /// Records whose timer is due at `now`, earliest first.
    pub fn due_timers(&self, now: i64, limit: usize) -> Result<Vec<RecordId>, StoreError> {
        let ids: Vec<i64> = self.column(
            "SELECT record_id FROM timers WHERE due_at <= ? ORDER BY due_at, record_id LIMIT ?",
            params![now, limit as i64],
        )?;
        Ok(ids.into_iter().map(|x| x as RecordId).collect())
    }

    /// The timer of one record, if set.
    pub fn timer(&self, id: RecordId) -> Result<Option<i64>, StoreError> {
        self.one_column(
            "SELECT due_at FROM timers WHERE record_id = ?",
            params![id as i64],
        )
    }

    /// A user's inbox, newest first.
    pub fn inbox(&self, user: &str, limit: usize) -> Result<Vec<InboxRow>, StoreError> {
        let rows = self.conn.query(
            "SELECT id, at, record_id, reason, message FROM inbox WHERE user = ?
             ORDER BY id DESC LIMIT ?",
            params![user, limit as i64],
        )?;
        rows.iter()
            .map(|r| {
                Ok(InboxRow {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    record_id: r.get::<Option<i64>>(2)?.map(|x| x as RecordId),
                    reason: r.get(3)?,
                    message: r.get(4)?,
                })
            })
            .collect()
    }

    /// Pending outbox rows due at `now`, oldest first.
    pub fn outbox_due(&self, now: i64, limit: usize) -> Result<Vec<OutboxRow>, StoreError> {
        self.outbox_query(
            "WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2",
            params![now, limit as i64],
        )
    }

    /// Every outbox row of a record (or all rows), oldest first.
    pub fn outbox(&self, record: Option<RecordId>) -> Result<Vec<OutboxRow>, StoreError> {
        match record {
            Some(id) => self.outbox_query("WHERE record_id = ?1 ORDER BY id", params![id as i64]),
            None => self.outbox_query("ORDER BY id", params![]),
        }
    }

    fn outbox_query(&self, tail: &str, p: &[Value]) -> Result<Vec<OutboxRow>, StoreError> {
        let rows = self.conn.query(
            &format!(
                "SELECT id, created_at, record_id, channel, payload_json, state, attempts, next_at,
             last_error FROM outbox {tail}"
            ),
            p,
        )?;
        rows.iter().map(outbox_row).collect()
    }

    /// Records the result of one delivery attempt: `Ok` → sent; `Err((msg, Some(at)))` → retry
    /// at `at`; `Err((msg, None))` → failed for good.
    pub fn outbox_attempted(
        &mut self,
        id: i64,
        result: Result<(), (String, Option<i64>)>,
    ) -> Result<(), StoreError> {
        match result {
            Ok(()) => self.conn.execute(
                "UPDATE outbox SET state = 'sent', attempts = attempts + 1, last_error = NULL,
                 claimed_by = NULL, lease_until = NULL WHERE id = ?",
                params![id],
            )?,
            Err((msg, Some(at))) => self.conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ?,
                 claimed_by = NULL, lease_until = NULL WHERE id = ?",
                params![at, msg, id],
            )?,
            Err((msg, None)) => self.conn.execute(
                "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?,
                 claimed_by = NULL, lease_until = NULL WHERE id = ?",
                params![msg, id],
            )?,
        };
        Ok(())
    }

    /// The answer stored for a user's `Idempotency-Key`, if it was used.
    pub fn idempotent(&self, user: &str, key: &str) -> Result<Option<String>, StoreError> {
        self.one_column(
            "SELECT answer FROM idempotency WHERE user = ? AND key = ?",
            params![user, key],
        )
    }

    /// Forgets idempotency keys used before `before` (unix seconds).
    pub fn forget_idempotency(&mut self, before: i64) -> Result<usize, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM idempotency WHERE at < ?", params![before])?)
    }

    /// The user and time of the last completion of `task` on a record, from the audit log.
    pub fn last_completion(
        &self,
        id: RecordId,
        task: &str,
    ) -> Result<Option<(String, i64)>, StoreError> {
        self.conn
            .query_opt(
                "SELECT actor, at FROM audit WHERE record_id = ? AND action = 'complete'
                 AND json_extract(detail_json, '$.request.complete.task') = ?
                 ORDER BY id DESC LIMIT 1",
                params![id as i64, task],
            )?
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .transpose()
    }

    /// The id the next new record gets. On SQLite (one server per file) the next after the
    /// highest; on PostgreSQL drawn from the records' sequence, so nodes sharing the database
    /// never hand out the same id (an id drawn and not used leaves a gap).
    pub fn next_record_id(&self) -> Result<RecordId, StoreError> {
        let sql = match self.backend() {
            Backend::Sqlite => "SELECT COALESCE(MAX(id), 0) + 1 FROM records",
            Backend::Postgres => "SELECT nextval(pg_get_serial_sequence('records', 'id'))",
        };
        let next: i64 = self.conn.query_one(sql, params![])?.get(0)?;
        Ok(next as RecordId)
    }

    /// Writes records (each checked against the version it was read at), their timers and
    /// task assignments, inbox and outbox rows and the audit row in one transaction: all or
    /// nothing. A record changed since it was read is a conflict.
    pub fn commit(&mut self, c: &Commit<'_>) -> Result<(), StoreError> {
        self.conn
            .transaction(Begin::Immediate, |tx| commit_in(tx, c))
            .map_err(|e| match e {
                StoreError::Db(db) if db.is_duplicate_key("idempotency") => StoreError::KeyTaken,
                e => e,
            })
    }

    /// The audit rows of one record, oldest first (all of them: see `history_page`).
    pub fn history(&self, id: RecordId) -> Result<Vec<AuditRow>, StoreError> {
        self.history_page(id, 0, i64::MAX as usize)
    }
}

pub(super) fn outbox_row(r: &Row) -> Result<OutboxRow, StoreError> {
    let payload: String = r.get(4)?;
    Ok(OutboxRow {
        id: r.get(0)?,
        created_at: r.get(1)?,
        record_id: r.get::<Option<i64>>(2)?.map(|x| x as RecordId),
        channel: r.get(3)?,
        payload: serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        state: r.get(5)?,
        attempts: r.get(6)?,
        next_at: r.get(7)?,
        last_error: r.get(8)?,
    })
}

/// The body of [`Store::commit`], inside its transaction.
fn commit_in(tx: &Db, c: &Commit<'_>) -> Result<(), StoreError> {
    for w in &c.writes {
        write_record(tx, w)?;
    }
    for (id, at) in &c.timers {
        set_timer(tx, *id, *at)?;
    }
    let at = c.audit.as_ref().map(|a| a.at).unwrap_or(0);
    for m in &c.inbox {
        tx.execute(
            "INSERT INTO inbox (user, at, record_id, reason, message) VALUES (?, ?, ?, ?, ?)",
            params![
                m.user,
                at,
                m.record_id.map(|r| r as i64),
                m.reason,
                m.message
            ],
        )?;
    }
    for m in &c.outbox {
        tx.execute(
            "INSERT INTO outbox (created_at, record_id, channel, payload_json, next_at)
             VALUES (?, ?, ?, ?, ?)",
            params![
                at,
                m.record_id.map(|r| r as i64),
                m.channel,
                m.payload.to_string(),
                at
            ],
        )?;
    }
    if let Some((user, key, answer)) = &c.idempotency {
        tx.execute(
            "INSERT INTO idempotency (user, key, answer, at) VALUES (?, ?, ?, ?)",
            params![user, key, answer, at],
        )?;
    }
    super::storage_kpis::write(tx, &c.kpi)?;
    if let Some(a) = &c.audit {
        insert_audit(tx, a)?;
    }
    super::storage_api::insert_record_files(tx, &c.record_files)?;
    for (id, u) in &c.invited {
        people::write_invited(tx, id, u, at)?;
    }
    Ok(())
}

/// Inserts or version-checks and updates one record, with its timer and task assignments.
fn write_record(tx: &Db, w: &RecordWrite<'_>) -> Result<(), StoreError> {
    let json = serde_json::to_string(w.record).expect("a record always serializes");
    let id = w.record.id as i64;
    let n = match w.expected_version {
        None => tx.execute(
            "INSERT OR IGNORE INTO records
                 (id, process, bundle_hash, state_json, version, status, terminal)
                 VALUES (?, ?, ?, ?, 1, ?, ?)",
            params![
                id,
                w.record.process,
                w.bundle_hash,
                json,
                w.record.status,
                w.terminal
            ],
        )?,
        Some(v) => tx.execute(
            "UPDATE records SET state_json = ?, bundle_hash = ?, version = version + 1,
                 status = ?, terminal = ? WHERE id = ? AND version = ?",
            params![json, w.bundle_hash, w.record.status, w.terminal, id, v],
        )?,
    };
    if n == 0 {
        return Err(StoreError::Conflict(w.record.id));
    }
    if w.expected_version.is_none() && tx.backend() == Backend::Postgres {
        sequence_past(tx, id)?;
    }
    set_timer(tx, w.record.id, w.timer)?;
    let role = w.approval_role.as_deref().filter(|_| !w.terminal);
    super::storage_approvals::write(tx, w.record.id, role)?;
    tx.execute("DELETE FROM assignments WHERE record_id = ?", params![id])?;
    for t in &w.record.tasks {
        for who in t.roles.iter().chain(&t.users) {
            tx.execute(
                "INSERT OR IGNORE INTO assignments (record_id, task, assignee) VALUES (?, ?, ?)",
                params![id, t.id, who],
            )?;
        }
    }
    Ok(())
}

/// Moves the records' sequence past `id`: an action that starts child records gives them the
/// ids after the one it drew (the engine counts on), so the sequence must not hand those out
/// again. (`setval` is not rolled back with the transaction: at worst a gap.)
fn sequence_past(tx: &Db, id: i64) -> Result<(), StoreError> {
    tx.query(
        "SELECT setval(pg_get_serial_sequence('records', 'id'), ?1)
         WHERE ?1 > COALESCE(pg_sequence_last_value(
             CAST(pg_get_serial_sequence('records', 'id') AS regclass)), 0)",
        params![id],
    )?;
    Ok(())
}

/// Sets or clears a record's timer. An upsert rather than SQLite's `INSERT OR REPLACE`, so
/// both backends run the same statement (the row is keyed by the record: same effect).
fn set_timer(tx: &Db, id: RecordId, at: Option<i64>) -> Result<(), StoreError> {
    match at {
        Some(at) => tx.execute(
            "INSERT INTO timers (record_id, due_at) VALUES (?, ?)
             ON CONFLICT (record_id) DO UPDATE SET due_at = excluded.due_at,
               claimed_by = NULL, lease_until = NULL",
            params![id as i64, at],
        )?,
        None => tx.execute("DELETE FROM timers WHERE record_id = ?", params![id as i64])?,
    };
    Ok(())
}

fn parse_record(json: &str) -> Result<Record, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn insert_audit(tx: &Db, a: &NewAudit<'_>) -> Result<(), StoreError> {
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

    fn record(id: RecordId, status: &str) -> Record {
        Record::new(id, "p", status)
    }

    fn w(r: &Record, v: Option<i64>) -> RecordWrite<'_> {
        RecordWrite {
            record: r,
            bundle_hash: "h",
            expected_version: v,
            terminal: false,
            timer: None,
            approval_role: None,
        }
    }

    fn commit_of<'a>(writes: Vec<RecordWrite<'a>>, a: NewAudit<'a>) -> Commit<'a> {
        Commit::new(writes, a)
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
            assert!(s.put_bundle("h1", "{}", 1, audit(None), &[]).unwrap());
            assert!(!s.put_bundle("h1", "{}", 2, audit(None), &[]).unwrap());
            assert!(s
                .put_bundle("h2", "{\"x\":1}", 3, audit(None), &[])
                .unwrap());
        }
        let s = Store::open(&path).unwrap();
        let mode: String = s
            .conn
            .query_one("PRAGMA journal_mode", params![])
            .unwrap()
            .get(0)
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(s.active_bundle().unwrap().unwrap().0, "h2");
        assert_eq!(s.active_hash().unwrap().as_deref(), Some("h2"));
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

        s.commit(&commit_of(vec![w(&r, None)], audit(Some(1))))
            .unwrap();
        assert_eq!(s.next_record_id().unwrap(), 2);
        let loaded = s.record(1).unwrap().unwrap();
        assert_eq!(loaded.version, 1);
        assert_eq!(loaded.record, r);

        let b = record(1, "b");
        s.commit(&commit_of(vec![w(&b, Some(1))], audit(Some(1))))
            .unwrap();
        // A second writer that read version 1 loses, and nothing of its commit is kept.
        let c = record(1, "c");
        let err = s
            .commit(&commit_of(vec![w(&c, Some(1))], audit(Some(1))))
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(1)));
        let now = s.record(1).unwrap().unwrap();
        assert_eq!((now.record.status.as_str(), now.version), ("b", 2));
        assert_eq!(s.history(1).unwrap().len(), 2);
        // Inserting an id that exists is a conflict too.
        assert!(matches!(
            s.commit(&commit_of(vec![w(&r, None)], audit(Some(1)))),
            Err(StoreError::Conflict(1))
        ));
        assert_eq!(s.live_records().unwrap().len(), 1);
        assert!(s.record(9).unwrap().is_none());
    }

    #[test]
    fn timers_assignments_inbox_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("db")).unwrap();
        let mut r = record(1, "a");
        r.tasks.push(crate::engine::OpenTask {
            id: "t".into(),
            roles: vec!["warehouse".into()],
            users: vec![],
            opened: crate::engine::DateTime { secs: 0, offset: 0 },
            due: None,
            reminders: vec![],
            overdue: false,
            escalate_at: None,
            note: None,
        });
        let mut write = w(&r, None);
        write.timer = Some(100);
        let mut commit = commit_of(vec![write], audit(Some(1)));
        commit.inbox.push(NewInbox {
            user: "zhang".into(),
            record_id: Some(1),
            reason: "status".into(),
            message: "hi".into(),
        });
        commit.outbox.push(NewOutbox {
            record_id: Some(1),
            channel: "webhook".into(),
            payload: serde_json::json!({"m": 1}),
        });
        s.commit(&commit).unwrap();
        assert_eq!(s.due_timers(99, 10).unwrap(), Vec::<RecordId>::new());
        assert_eq!(s.due_timers(100, 10).unwrap(), vec![1]);
        assert_eq!(s.assigned_records(&["warehouse".into()]).unwrap(), vec![1]);
        assert!(s.assigned_records(&["sales".into()]).unwrap().is_empty());
        assert_eq!(s.inbox("zhang", 10).unwrap()[0].message, "hi");
        let due = s.outbox_due(1, 10).unwrap();
        assert_eq!((due.len(), due[0].payload["m"].as_i64()), (1, Some(1)));
        s.outbox_attempted(due[0].id, Err(("down".into(), Some(50))))
            .unwrap();
        assert!(s.outbox_due(49, 10).unwrap().is_empty());
        s.outbox_attempted(due[0].id, Ok(())).unwrap();
        assert!(s.outbox_due(1000, 10).unwrap().is_empty());
        let all = s.outbox(Some(1)).unwrap();
        assert_eq!((all[0].state.as_str(), all[0].attempts), ("sent", 2));
        // The task closed and the record went terminal: no assignment, not live, no timer.
        let mut done = record(1, "z");
        done.tasks.clear();
        let mut write = w(&done, Some(1));
        write.terminal = true;
        s.commit(&commit_of(vec![write], audit(Some(1)))).unwrap();
        assert!(s
            .assigned_records(&["warehouse".into()])
            .unwrap()
            .is_empty());
        assert!(s.live_counts().unwrap().is_empty());
        assert!(s.due_timers(i64::MAX, 10).unwrap().is_empty());
    }
}
