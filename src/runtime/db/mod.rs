//! One connection to the store's database, SQLite or PostgreSQL, behind one small interface:
//! run a statement, read its rows (owned [`Row`]s of [`Value`]s), insert and get the new id,
//! and run a closure in a transaction. The SQL is written once in SQLite's spelling with `?`
//! placeholders; on PostgreSQL each text is translated once
//! (`storage_pg_dialect::postgres_query`) and prepared once per connection, then reused.
//!
//! Methods take `&self` (the store's readers do), so the driver sits in a `RefCell`; a `Db`
//! is used by one thread at a time (the service holds each store under a mutex).

use std::cell::RefCell;
use std::collections::HashMap;

mod pg;
mod value;

pub use value::{FromValue, Row, ToValue, Value};

use super::storage_pg_dialect::postgres_query;

/// Which database a connection talks to, for the few queries spelled per backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How a transaction starts. SQLite's `Immediate` takes the write lock at once (so two
/// writers never both read and then fail to upgrade); PostgreSQL's rows lock as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    Deferred,
    Immediate,
}

/// A database failure, in the driver's words.
#[derive(Debug)]
pub enum DbError {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// A column held another type than the query reads, or a row was missing.
    Type(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Sqlite(e) => write!(f, "{e}"),
            DbError::Postgres(e) => match e.as_db_error() {
                Some(db) => write!(f, "{}", db.message()),
                None => write!(f, "{e}"),
            },
            DbError::Type(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for DbError {}

impl DbError {
    /// Whether this is a uniqueness failure on `table`'s primary key (SQLite names the
    /// table's columns, PostgreSQL the `<table>_pkey` constraint).
    pub fn is_duplicate_key(&self, table: &str) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, Some(m))) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    && m.contains(&format!(" {table}."))
            }
            DbError::Postgres(e) => e.as_db_error().is_some_and(|d| {
                *d.code() == postgres::error::SqlState::UNIQUE_VIOLATION
                    && d.constraint() == Some(&format!("{table}_pkey"))
            }),
            _ => false,
        }
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        DbError::Sqlite(e)
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> DbError {
        DbError::Postgres(e)
    }
}

/// A PostgreSQL client with its prepared statements, keyed by the SQLite text.
struct PgConn {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

impl PgConn {
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(&postgres_query(sql))?;
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

enum Conn {
    Sqlite(rusqlite::Connection),
    Pg(Box<PgConn>),
}

/// One connection (see the module's documentation).
pub struct Db {
    conn: RefCell<Conn>,
}

/// How many SQLite statements stay prepared: more than the store has, so none is re-parsed.
const SQLITE_STATEMENT_CACHE: usize = 128;

impl Db {
    pub fn sqlite(conn: rusqlite::Connection) -> Db {
        conn.set_prepared_statement_cache_capacity(SQLITE_STATEMENT_CACHE);
        Db {
            conn: RefCell::new(Conn::Sqlite(conn)),
        }
    }

    pub fn postgres(client: postgres::Client) -> Db {
        Db {
            conn: RefCell::new(Conn::Pg(Box::new(PgConn {
                client,
                statements: HashMap::new(),
            }))),
        }
    }

    pub fn backend(&self) -> Backend {
        match &*self.conn.borrow() {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Pg(_) => Backend::Postgres,
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, p: &[Value]) -> Result<usize, DbError> {
        match &mut *self.conn.borrow_mut() {
            Conn::Sqlite(c) => Ok(c
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(p))?),
            Conn::Pg(c) => {
                let st = c.statement(sql)?;
                Ok(c.client.execute(&st, &pg::param_refs(p))? as usize)
            }
        }
    }

    /// Every row a query returns.
    pub fn query(&self, sql: &str, p: &[Value]) -> Result<Vec<Row>, DbError> {
        match &mut *self.conn.borrow_mut() {
            Conn::Sqlite(c) => sqlite_rows(c, sql, p),
            Conn::Pg(c) => {
                let st = c.statement(sql)?;
                let rows = c.client.query(&st, &pg::param_refs(p))?;
                rows.iter()
                    .map(|r| Ok(Row(pg::row_values(r)?)))
                    .collect::<Result<_, DbError>>()
            }
        }
    }

    /// The first row a query returns, if any.
    pub fn query_opt(&self, sql: &str, p: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, p)?.into_iter().next())
    }

    /// The first row, which must exist (an aggregate, a row just written).
    pub fn query_one(&self, sql: &str, p: &[Value]) -> Result<Row, DbError> {
        self.query_opt(sql, p)?
            .ok_or_else(|| DbError::Type(format!("no row from `{}`", first_line(sql))))
    }

    /// Runs an `INSERT` and returns the id of the new row: SQLite's rowid, or `id_column`
    /// through `RETURNING` on PostgreSQL.
    pub fn insert_id(&self, sql: &str, p: &[Value], id_column: &str) -> Result<i64, DbError> {
        if self.backend() == Backend::Postgres {
            return self
                .query_one(&format!("{sql} RETURNING {id_column}"), p)?
                .get(0);
        }
        self.execute(sql, p)?;
        match &*self.conn.borrow() {
            Conn::Sqlite(c) => Ok(c.last_insert_rowid()),
            Conn::Pg(_) => unreachable!("handled above"),
        }
    }

    /// Runs several statements without parameters (schema changes, tests' fixtures).
    pub fn execute_batch(&self, sql: &str) -> Result<(), DbError> {
        match &mut *self.conn.borrow_mut() {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(c) => Ok(c.client.batch_execute(&postgres_query(sql))?),
        }
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back when it
    /// returns an error (or panics).
    pub fn transaction<T, E: From<DbError>>(
        &self,
        begin: Begin,
        f: impl FnOnce(&Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let start = match (self.backend(), begin) {
            (Backend::Sqlite, Begin::Immediate) => "BEGIN IMMEDIATE",
            (Backend::Sqlite, Begin::Deferred) => "BEGIN DEFERRED",
            (Backend::Postgres, _) => "BEGIN",
        };
        self.execute_batch(start)?;
        let mut guard = Rollback(Some(self));
        let out = f(self)?;
        guard.0 = None;
        self.execute_batch("COMMIT")?;
        Ok(out)
    }

    /// The SQLite connection itself, for what only SQLite has (its pragmas, in tests).
    pub fn with_sqlite<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> T) -> Option<T> {
        match &*self.conn.borrow() {
            Conn::Sqlite(c) => Some(f(c)),
            Conn::Pg(_) => None,
        }
    }
}

/// Rolls back the open transaction unless disarmed (an error or a panic left it).
struct Rollback<'a>(Option<&'a Db>);

impl Drop for Rollback<'_> {
    fn drop(&mut self) {
        if let Some(db) = self.0 {
            // Nothing more can be done if even the rollback fails: the connection is broken
            // and its next statement says so.
            let _ = db.execute_batch("ROLLBACK");
        }
    }
}

fn sqlite_rows(c: &rusqlite::Connection, sql: &str, p: &[Value]) -> Result<Vec<Row>, DbError> {
    let mut st = c.prepare_cached(sql)?;
    let n = st.column_count();
    let mut rows = st.query(rusqlite::params_from_iter(p))?;
    let mut out = vec![];
    while let Some(r) = rows.next()? {
        let cells = (0..n)
            .map(|i| Ok(sqlite_value(r.get_ref(i)?)))
            .collect::<Result<_, rusqlite::Error>>()?;
        out.push(Row(cells));
    }
    Ok(out)
}

fn sqlite_value(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or("")
}
