//! Opening the PostgreSQL store: connecting to a `postgres://` URL with every failure named in
//! one line with a hint, and bringing the schema up to date. The schema is `storage`'s own
//! migrations, rewritten by `storage_pg_dialect`, so both backends share one definition.
//!
//! The applied count lives in `sopctl_schema` (PostgreSQL has no `user_version`). Migrations
//! run under a transaction-scoped advisory lock, so several nodes starting at once on one
//! database apply each migration exactly once.
//!
//! This uses the synchronous `postgres` client; it must not be called on a tokio worker thread
//! (it runs its own runtime), so async callers go through `spawn_blocking`.

use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, NoTls};

use super::storage::{schema_version_known, MIGRATIONS};
use super::storage_pg_dialect::postgres_sql;

/// How long a connection attempt may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The advisory lock key migrations hold ("sopctl" in ASCII), the same on every node.
const MIGRATION_LOCK: i64 = 0x736f_7063_746c;

/// Why the PostgreSQL store could not be opened; each names a fix.
#[derive(Debug)]
pub enum PgOpenError {
    /// The URL does not parse.
    BadUrl { url: String, why: String },
    /// Nothing answered at the address (refused, timed out, unknown host).
    Unreachable { target: String, why: String },
    /// The server refused the user (no such role, wrong password, not allowed by pg_hba).
    AuthFailed { why: String },
    /// The server runs, but the named database does not exist.
    DatabaseMissing { why: String },
    /// The database was migrated by a newer sopctl than this one.
    SchemaNewer { found: i64, known: i64 },
    /// Any other server error.
    Db(postgres::Error),
}

impl PgOpenError {
    /// What to do about it, in one line.
    pub fn hint(&self) -> &'static str {
        match self {
            PgOpenError::BadUrl { .. } => "write it as postgres://USER@HOST:PORT/DATABASE",
            PgOpenError::Unreachable { .. } => {
                "check that PostgreSQL is running and that the host and port are right"
            }
            PgOpenError::AuthFailed { .. } => {
                "check the user and password in the URL, and pg_hba.conf on the server"
            }
            PgOpenError::DatabaseMissing { .. } => {
                "create it first (createdb NAME), or name an existing database in the URL"
            }
            PgOpenError::SchemaNewer { .. } => {
                "run the newer sopctl that migrated this database, or point --db at another one"
            }
            PgOpenError::Db(_) => "check the server's log for the cause",
        }
    }
}

impl std::fmt::Display for PgOpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PgOpenError::BadUrl { url, why } => write!(f, "`{url}` is not a PostgreSQL URL: {why}"),
            PgOpenError::Unreachable { target, why } => {
                write!(f, "cannot reach PostgreSQL at {target}: {why}")
            }
            PgOpenError::AuthFailed { why } => write!(f, "PostgreSQL refused the login: {why}"),
            PgOpenError::DatabaseMissing { why } => write!(f, "{why}"),
            PgOpenError::SchemaNewer { found, known } => write!(
                f,
                "the database's schema is at version {found}, newer than this sopctl knows ({known})"
            ),
            PgOpenError::Db(e) => write!(f, "PostgreSQL error: {}", server_message(e)),
        }
    }
}

impl std::error::Error for PgOpenError {}

/// The server's own words for a database error, else the client's.
fn server_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    }
}

/// Connects to `url` and applies pending migrations.
pub fn open(url: &str) -> Result<Client, PgOpenError> {
    let mut client = connect(url)?;
    migrate(&mut client)?;
    Ok(client)
}

/// Connects to `url`, each failure classified.
pub fn connect(url: &str) -> Result<Client, PgOpenError> {
    let mut config: postgres::Config =
        url.parse()
            .map_err(|e: postgres::Error| PgOpenError::BadUrl {
                url: url.to_string(),
                why: e.to_string(),
            })?;
    config.connect_timeout(CONNECT_TIMEOUT);
    config
        .connect(NoTls)
        .map_err(|e| classify_connect_error(&config, e))
}

fn classify_connect_error(config: &postgres::Config, e: postgres::Error) -> PgOpenError {
    let Some(db) = e.as_db_error() else {
        return PgOpenError::Unreachable {
            target: target_of(config),
            why: std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string()),
        };
    };
    let why = db.message().to_string();
    match *db.code() {
        SqlState::INVALID_CATALOG_NAME => PgOpenError::DatabaseMissing { why },
        SqlState::INVALID_PASSWORD | SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            PgOpenError::AuthFailed { why }
        }
        _ => PgOpenError::Db(e),
    }
}

/// `host:port` as the config names them, for the unreachable message.
fn target_of(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}

/// The number of migrations applied to the database (0 on a fresh one).
pub fn schema_version(client: &mut Client) -> Result<i64, PgOpenError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('sopctl_schema') IS NOT NULL", &[])
        .map_err(PgOpenError::Db)?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_opt("SELECT version FROM sopctl_schema", &[])
        .map_err(PgOpenError::Db)?;
    Ok(row.map_or(0, |r| r.get(0)))
}

/// Applies the migrations not yet applied, each in its own transaction with the version, all
/// under the advisory lock; refuses a schema newer than this binary.
pub fn migrate(client: &mut Client) -> Result<(), PgOpenError> {
    let known = schema_version_known();
    loop {
        let mut tx = client.transaction().map_err(PgOpenError::Db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(PgOpenError::Db)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS sopctl_schema (version BIGINT NOT NULL)")
            .map_err(PgOpenError::Db)?;
        let done = schema_version_in(&mut tx)?;
        if done > known {
            return Err(PgOpenError::SchemaNewer { found: done, known });
        }
        if done == known {
            return tx.commit().map_err(PgOpenError::Db);
        }
        tx.batch_execute(&postgres_sql(MIGRATIONS[done as usize]))
            .map_err(PgOpenError::Db)?;
        tx.execute("DELETE FROM sopctl_schema", &[])
            .map_err(PgOpenError::Db)?;
        tx.execute(
            "INSERT INTO sopctl_schema (version) VALUES ($1)",
            &[&(done + 1)],
        )
        .map_err(PgOpenError::Db)?;
        tx.commit().map_err(PgOpenError::Db)?;
    }
}

fn schema_version_in(tx: &mut postgres::Transaction<'_>) -> Result<i64, PgOpenError> {
    let row = tx
        .query_opt("SELECT version FROM sopctl_schema", &[])
        .map_err(PgOpenError::Db)?;
    Ok(row.map_or(0, |r| r.get(0)))
}
