//! `sopctl serve`: the runtime. Opens (or creates) the SQLite database, loads the tokens and
//! serves the HTTP API until interrupted.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{fail, EXIT_ERROR, EXIT_OK};
use crate::runtime::api::{router, AppState};
use crate::runtime::auth::Tokens;
use crate::runtime::storage::Store;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:7070";
pub const DEFAULT_DB: &str = "sqlite://sopctl.db";

/// `sqlite://PATH` (or a bare path) → the file path.
pub fn db_path(url: &str) -> Result<PathBuf, String> {
    if let Some(p) = url.strip_prefix("sqlite://") {
        if p.is_empty() {
            return Err(format!("`{url}` names no file"));
        }
        Ok(PathBuf::from(p))
    } else if url.contains("://") {
        Err(format!("`{url}` is not a sqlite:// URL"))
    } else {
        Ok(PathBuf::from(url))
    }
}

pub fn run(listen: Option<&str>, db: Option<&str>, tokens: Option<&Path>) -> i32 {
    let listen = listen.unwrap_or(DEFAULT_LISTEN);
    let db = db.unwrap_or(DEFAULT_DB);
    let tokens = match Tokens::load(tokens) {
        Ok(t) if t.is_empty() => {
            fail(
                "no tokens are configured, so no request could be served",
                "set SOPCTL_ADMIN_TOKEN and SOPCTL_USER_TOKENS, or pass --tokens FILE",
            );
            return EXIT_ERROR;
        }
        Ok(t) => t,
        Err(e) => {
            fail(
                &format!("bad tokens: {e}"),
                "entries are `token=user:role1,role2`",
            );
            return EXIT_ERROR;
        }
    };
    let path = match db_path(db) {
        Ok(p) => p,
        Err(e) => {
            fail(&e, "use --db sqlite://FILE");
            return EXIT_ERROR;
        }
    };
    let store = match Store::open(&path) {
        Ok(s) => s,
        Err(e) => {
            fail(
                &format!("cannot open the database {}: {e}", path.display()),
                "check that the folder exists and is writable, or pass --db sqlite://FILE",
            );
            return EXIT_ERROR;
        }
    };
    let listener = match std::net::TcpListener::bind(listen) {
        Ok(l) => l,
        Err(e) => {
            fail(
                &format!("cannot listen on {listen}: {e}"),
                "is another sopctl serve running? pick another address with --listen",
            );
            return EXIT_ERROR;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            fail(&format!("cannot start the runtime: {e}"), "");
            return EXIT_ERROR;
        }
    };
    let state = Arc::new(AppState::new(store, tokens));
    let result = rt.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        eprintln!("listening on http://{}", listener.local_addr()?);
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    });
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            fail(&format!("the server stopped: {e}"), "");
            EXIT_ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_urls() {
        assert_eq!(db_path("sqlite://a.db").unwrap(), PathBuf::from("a.db"));
        assert_eq!(db_path("b.db").unwrap(), PathBuf::from("b.db"));
        assert!(db_path("postgres://x").is_err());
        assert!(db_path("sqlite://").is_err());
    }
}
