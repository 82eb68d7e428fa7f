//! The store's people tables: API tokens (`api_tokens`) and the people invited at run time
//! (`directory_users`). A child module of `storage`, so it reaches the connection directly.

use super::{Store, StoreError};
use crate::params;
use crate::runtime::db::{Db, Row};
use crate::runtime::directory::DirUser;
use crate::runtime::tokens::ApiToken;

/// The tables, as the migration step that adds them.
pub const MIGRATION: &str = "CREATE TABLE IF NOT EXISTS api_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        created INTEGER NOT NULL,
        expires INTEGER,
        revoked INTEGER
    );
    CREATE TABLE IF NOT EXISTS directory_users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        roles_json TEXT NOT NULL DEFAULT '[]',
        email TEXT,
        phone TEXT,
        language TEXT,
        invited_at INTEGER NOT NULL
    );";

fn token_row(r: &Row) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: r.get(0)?,
        user: r.get(1)?,
        created: r.get(2)?,
        expires: r.get(3)?,
        revoked: r.get(4)?,
    })
}

impl Store {
    /// Stores a new token's hash; returns its id.
    pub fn insert_token(
        &mut self,
        user: &str,
        sha256: &str,
        created: i64,
        expires: Option<i64>,
    ) -> Result<i64, StoreError> {
        Ok(self.conn.insert_id(
            "INSERT INTO api_tokens (user, sha256, created, expires) VALUES (?, ?, ?, ?)",
            params![user, sha256, created, expires],
            "id",
        )?)
    }

    /// The token with this hash, with the hash as stored (for the constant-time check).
    pub fn token_by_hash(&self, sha256: &str) -> Result<Option<(ApiToken, String)>, StoreError> {
        self.conn
            .query_opt(
                "SELECT id, user, created, expires, revoked, sha256 FROM api_tokens
                 WHERE sha256 = ?",
                params![sha256],
            )?
            .map(|r| Ok((token_row(&r)?, r.get(5)?)))
            .transpose()
    }

    pub fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let rows = self.conn.query(
            "SELECT id, user, created, expires, revoked FROM api_tokens ORDER BY id",
            params![],
        )?;
        rows.iter().map(token_row).collect()
    }

    /// Marks a token revoked at `now`; false when there is no such token. Revoking twice keeps
    /// the first time.
    pub fn revoke_token(&mut self, id: i64, now: i64) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE api_tokens SET revoked = COALESCE(revoked, ?) WHERE id = ?",
            params![now, id],
        )?;
        Ok(n > 0)
    }

    /// The people invited at run time, as directory entries.
    pub fn invited_users(&self) -> Result<Vec<(String, DirUser)>, StoreError> {
        let rows = self.conn.query(
            "SELECT id, name, roles_json, email, phone, language FROM directory_users ORDER BY id",
            params![],
        )?;
        let mut out = vec![];
        for r in &rows {
            let (id, name, roles, email, phone, language): (String, String, String, _, _, _) = (
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<Option<String>>(5)?,
            );
            let roles: Vec<String> = serde_json::from_str(&roles)
                .map_err(|e| StoreError::Corrupt(format!("roles of invited user {id}: {e}")))?;
            out.push((
                id,
                DirUser {
                    name,
                    roles,
                    email,
                    phone,
                    language,
                    invited: true,
                    ..DirUser::default()
                },
            ));
        }
        Ok(out)
    }

    /// Adds (or updates) an invited person.
    pub fn invite_user(&mut self, id: &str, u: &DirUser, now: i64) -> Result<(), StoreError> {
        write_invited(&self.conn, id, u, now)
    }
}

/// Adds (or updates) an invited person on `conn` (also inside an action's transaction).
pub(super) fn write_invited(conn: &Db, id: &str, u: &DirUser, now: i64) -> Result<(), StoreError> {
    let roles = serde_json::to_string(&u.roles).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO directory_users (id, name, roles_json, email, phone, language, invited_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, roles_json = excluded.roles_json,
           email = excluded.email, phone = excluded.phone, language = excluded.language",
        params![id, u.name, roles, u.email, u.phone, u.language, now],
    )?;
    Ok(())
}

// Tested on both backends by `tests/storage_contract.rs` (`people_and_tokens`).
