//! The store's sign-in links and browser sessions (see `runtime::session`). Tokens are never
//! stored: only their SHA-256. Reads never write, so a `GET` of a page changes nothing.

use super::{Store, StoreError};
use crate::params;
use crate::runtime::db::{Backend, Begin, Row};
use crate::runtime::session::{self, SESSION_ABSOLUTE_SECS, SESSION_IDLE_SECS};

/// The migration step that adds the tables (appended to the store's list).
pub const MIGRATION: &str = "CREATE TABLE login_links (
        hash TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        next TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
    );
    CREATE TABLE sessions (
        hash TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX sessions_expiry ON sessions(expires_at);";

/// A link that still works: who it signs in and where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginLink {
    pub user: String,
    pub next: String,
}

/// A live session: its user and the CSRF token its forms carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user: String,
    pub csrf: String,
}

/// A session just started: the cookie token (shown once) and the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub row: SessionRow,
}

impl Store {
    /// Mints a one-time link for `user` leading to `next`; returns the token (never stored).
    pub fn create_login_link(
        &mut self,
        user: &str,
        next: &str,
        now: i64,
        ttl: i64,
    ) -> Result<String, StoreError> {
        let token = session::new_token();
        self.conn.execute(
            "INSERT INTO login_links (hash, user, next, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?)",
            params![session::hash(&token), user, next, now, now + ttl],
        )?;
        Ok(token)
    }

    /// The link a token names, if it is unused and not expired. Reads only.
    pub fn login_link(&self, token: &str, now: i64) -> Result<Option<LoginLink>, StoreError> {
        self.conn
            .query_opt(
                "SELECT user, next FROM login_links
                 WHERE hash = ? AND used_at IS NULL AND expires_at > ?",
                params![session::hash(token), now],
            )?
            .map(|r| link_row(&r))
            .transpose()
    }

    /// Spends a link and starts a session, in one transaction: of two requests with the same
    /// link, one signs in. None when the link is unknown, used or expired.
    pub fn spend_login_link(
        &mut self,
        token: &str,
        now: i64,
    ) -> Result<Option<(LoginLink, NewSession)>, StoreError> {
        self.conn.transaction(Begin::Immediate, |tx| {
            let h = session::hash(token);
            let n = tx.execute(
                "UPDATE login_links SET used_at = ?1
             WHERE hash = ?2 AND used_at IS NULL AND expires_at > ?1",
                params![now, h],
            )?;
            if n == 0 {
                return Ok(None);
            }
            let link = link_row(&tx.query_one(
                "SELECT user, next FROM login_links WHERE hash = ?",
                params![h],
            )?)?;
            // Old rows go when someone signs in: no timer needed, and a GET never deletes.
            tx.execute(
                "DELETE FROM sessions WHERE expires_at <= ?1 OR seen_at <= ?2",
                params![now, now - SESSION_IDLE_SECS],
            )?;
            tx.execute(
                "DELETE FROM login_links WHERE expires_at <= ?",
                params![now - SESSION_ABSOLUTE_SECS],
            )?;
            let (token, csrf) = (session::new_token(), session::new_token());
            tx.execute(
                "INSERT INTO sessions (hash, user, csrf, created_at, seen_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
                params![
                    session::hash(&token),
                    link.user,
                    csrf,
                    now,
                    now,
                    now + SESSION_ABSOLUTE_SECS
                ],
            )?;
            let row = SessionRow {
                user: link.user.clone(),
                csrf,
            };
            Ok(Some((link, NewSession { token, row })))
        })
    }

    /// The live session a cookie token names. Reads only.
    pub fn session(&self, token: &str, now: i64) -> Result<Option<SessionRow>, StoreError> {
        self.conn
            .query_opt(
                "SELECT user, csrf FROM sessions
                 WHERE hash = ? AND expires_at > ? AND seen_at > ?",
                params![session::hash(token), now, now - SESSION_IDLE_SECS],
            )?
            .map(|r| {
                Ok(SessionRow {
                    user: r.get(0)?,
                    csrf: r.get(1)?,
                })
            })
            .transpose()
    }

    /// The person acted (sent a form): the idle time starts again.
    pub fn touch_session(&mut self, token: &str, now: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sessions SET seen_at = ? WHERE hash = ?",
            params![now, session::hash(token)],
        )?;
        Ok(())
    }

    /// Sign-out.
    pub fn end_session(&mut self, token: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM sessions WHERE hash = ?",
            params![session::hash(token)],
        )?;
        Ok(())
    }

    /// Every row of every table, as text: what the "no GET changes state" tests compare.
    /// PostgreSQL keeps no row order, so there each table's rows are sorted by their text.
    pub fn dump(&self) -> Result<String, StoreError> {
        let tables: Vec<String> = match self.backend() {
            Backend::Sqlite => self.column(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                params![],
            )?,
            Backend::Postgres => self.column(
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
                 WHERE table_schema = current_schema() ORDER BY 1",
                params![],
            )?,
        };
        let mut out = String::new();
        for t in tables {
            let mut rows: Vec<String> = self
                .conn
                .query(&format!("SELECT * FROM \"{t}\""), params![])?
                .iter()
                .map(dump_row)
                .collect();
            if self.backend() == Backend::Postgres {
                rows.sort();
            }
            out.push_str(&format!("== {t}\n"));
            for row in rows {
                out.push_str(&row);
                out.push('\n');
            }
        }
        Ok(out)
    }
}

fn link_row(r: &Row) -> Result<LoginLink, StoreError> {
    Ok(LoginLink {
        user: r.get(0)?,
        next: r.get(1)?,
    })
}

/// One row as the dump prints it: each cell as `Some(<value>)`, as it always has.
fn dump_row(r: &Row) -> String {
    let cells: Vec<String> = r.0.iter().map(|v| format!("{:?}", Some(v))).collect();
    cells.join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(&d.path().join("s.db")).unwrap();
        (d, s)
    }

    #[test]
    fn a_link_works_once_and_not_after_it_expires() {
        let (_d, mut s) = store();
        let t = s
            .create_login_link("zhang", "/t/1/ship", 1000, 3600)
            .unwrap();
        assert!(
            !s.dump().unwrap().contains(&t),
            "the token itself is never stored"
        );
        let peek = s.login_link(&t, 1001).unwrap().unwrap();
        assert_eq!(peek.next, "/t/1/ship");
        let before = s.dump().unwrap();
        s.login_link(&t, 1002).unwrap();
        assert_eq!(
            before,
            s.dump().unwrap(),
            "looking at a link changes nothing"
        );
        let (link, new) = s.spend_login_link(&t, 1003).unwrap().unwrap();
        assert_eq!(link.user, "zhang");
        assert_eq!(s.session(&new.token, 1004).unwrap().unwrap().user, "zhang");
        assert!(s.spend_login_link(&t, 1005).unwrap().is_none(), "used");
        assert!(s.login_link(&t, 1005).unwrap().is_none());
        let late = s.create_login_link("li", "/", 1000, 3600).unwrap();
        assert!(
            s.spend_login_link(&late, 4600).unwrap().is_none(),
            "expired"
        );
        assert!(s.spend_login_link("made-up", 1000).unwrap().is_none());
    }

    #[test]
    fn sessions_expire_when_idle_or_old_and_end_at_sign_out() {
        let (_d, mut s) = store();
        let t = s.create_login_link("zhang", "/", 0, 3600).unwrap();
        let (_, new) = s.spend_login_link(&t, 10).unwrap().unwrap();
        assert!(s
            .session(&new.token, 10 + SESSION_IDLE_SECS - 1)
            .unwrap()
            .is_some());
        assert!(s
            .session(&new.token, 10 + SESSION_IDLE_SECS)
            .unwrap()
            .is_none());
        s.touch_session(&new.token, 10 + SESSION_IDLE_SECS - 1)
            .unwrap();
        assert!(s
            .session(&new.token, 10 + SESSION_IDLE_SECS + 5)
            .unwrap()
            .is_some());
        assert!(s
            .session(&new.token, 10 + SESSION_ABSOLUTE_SECS)
            .unwrap()
            .is_none());
        assert!(s.session("other", 20).unwrap().is_none());
        s.end_session(&new.token).unwrap();
        assert!(s.session(&new.token, 20).unwrap().is_none());
    }
}
