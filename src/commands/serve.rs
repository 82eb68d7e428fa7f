//! `sopctl serve`: the runtime. Opens (or creates) the SQLite database, loads the tokens and
//! the directory, starts the background loop and serves the HTTP API until interrupted.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{fail, EXIT_ERROR, EXIT_OK};
use crate::runtime::api::router;
use crate::runtime::auth::Tokens;
use crate::runtime::channels::ChannelsConfig;
use crate::runtime::clock::{parse_offset, Clock};
use crate::runtime::directory::DirectoryHandle;
use crate::runtime::files::{FileStore, DEFAULT_MAX_UPLOAD};
use crate::runtime::listen::{self, Limits};
use crate::runtime::service::AppState;
use crate::runtime::storage::Store;
use crate::runtime::worker;

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

pub struct Options<'a> {
    pub listen: Option<&'a str>,
    pub db: Option<&'a str>,
    pub tokens: Option<&'a Path>,
    pub utc_offset: Option<&'a str>,
    pub channels: Option<&'a Path>,
    pub users: Option<&'a Path>,
    pub public_url: Option<&'a str>,
    pub templates: Option<&'a Path>,
    pub data: Option<&'a Path>,
    pub max_upload: Option<&'a str>,
    /// Seconds one API request may take.
    pub request_timeout: Option<u64>,
    /// Connections served at once.
    pub max_connections: Option<u64>,
}

pub fn run(o: &Options<'_>) -> i32 {
    let listen = o.listen.unwrap_or(DEFAULT_LISTEN);
    let db = o.db.unwrap_or(DEFAULT_DB);
    let offset = match o.utc_offset.map(|s| (s, parse_offset(s))) {
        None => 0,
        Some((_, Some(off))) => off,
        Some((s, None)) => {
            fail(
                &format!("`{s}` is not a UTC offset"),
                "write it like +08:00, -05:30 or UTC",
            );
            return EXIT_ERROR;
        }
    };
    let clock = match Clock::from_env(offset) {
        Ok(c) => c,
        Err(e) => {
            fail(&e, "unset it, or write it like 2026-01-05T09:00:00+08:00");
            return EXIT_ERROR;
        }
    };
    let channels = match o.channels.map(ChannelsConfig::load).transpose() {
        Ok(c) => Arc::new(c.unwrap_or_default()),
        Err(e) => {
            fail(
                &format!("bad channels file: {e}"),
                "see the README's Serve section for the format",
            );
            return EXIT_ERROR;
        }
    };
    let tokens = match Tokens::load(o.tokens) {
        Ok(t) => t,
        Err(e) => {
            fail(
                &format!("bad tokens: {e}"),
                "entries are `token=user:role1,role2`",
            );
            return EXIT_ERROR;
        }
    };
    let directory = match DirectoryHandle::open(o.users) {
        Ok(d) => d,
        Err(e) => {
            fail(&e.message, &e.help);
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
    // A second connection: token checks and the invited people, off the store's lock.
    let people = match Store::open(&path) {
        Ok(s) => s,
        Err(e) => {
            fail(
                &format!("cannot open the database {}: {e}", path.display()),
                "",
            );
            return EXIT_ERROR;
        }
    };
    // A third, read-only: KPI answers read beside the writer (WAL), off the store's lock.
    let reader = match Store::open_reader(&path) {
        Ok(s) => s,
        Err(e) => {
            fail(
                &format!("cannot open the database {} to read: {e}", path.display()),
                "",
            );
            return EXIT_ERROR;
        }
    };
    if tokens.is_empty() && people.tokens().is_ok_and(|t| t.is_empty()) {
        fail(
            "no tokens are configured, so no request could be served",
            "create one with `sopctl token create USER`, or set SOPCTL_ADMIN_TOKEN and \
             SOPCTL_USER_TOKENS, or pass --tokens FILE",
        );
        return EXIT_ERROR;
    }
    // Files: `--data DIR` and `--max-upload SIZE`.
    let max_upload = match o.max_upload.map(parse_size) {
        None => DEFAULT_MAX_UPLOAD,
        Some(Some(n)) => n,
        Some(None) => {
            fail(
                &format!("`{}` is not a size", o.max_upload.unwrap_or_default()),
                "write it in bytes or with a unit, like 20MiB or 512KiB",
            );
            return EXIT_ERROR;
        }
    };
    let data = o
        .data
        .map(Path::to_path_buf)
        .unwrap_or_else(|| FileStore::default_dir(&path));
    let files = match FileStore::open(&data, max_upload) {
        Ok(f) => f,
        Err(e) => {
            fail(
                &format!("cannot use the data folder {}: {e}", data.display()),
                "check that it is writable, or pass --data DIR",
            );
            return EXIT_ERROR;
        }
    };
    crate::runtime::listen::raise_fd_limit();
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
    let env = match crate::runtime::pages::view::environment(o.templates) {
        Ok(e) => e,
        Err(e) => {
            fail(
                &e,
                "fix the template, or remove it from the --templates folder to use the shipped one",
            );
            return EXIT_ERROR;
        }
    };
    let public_url = match listener.local_addr() {
        Ok(a) => o
            .public_url
            .map(str::to_string)
            .unwrap_or_else(|| format!("http://{a}")),
        Err(e) => {
            fail(&format!("cannot read the listening address: {e}"), "");
            return EXIT_ERROR;
        }
    };
    let mut channels = (*channels).clone();
    channels.public_url = public_url.clone();
    let channels = Arc::new(channels);
    let mut state = AppState::new(store, tokens, clock, files)
        .with_people(directory, people)
        .with_reader(reader);
    if let Some(secs) = o.request_timeout {
        state.request_timeout = std::time::Duration::from_secs(secs);
    }
    let state = Arc::new(state);
    let mut limits = Limits::default();
    if let Some(n) = o.max_connections {
        limits.max_connections = n as usize;
    }
    if let Err(e) = state.keep_kpis().and_then(|_| state.index_approvals()) {
        fail(
            &format!(
                "cannot prepare the KPI aggregates and the approvals index: {}",
                e.body["error"]["message"]
            ),
            "the database may be damaged; restore it from a backup",
        );
        return EXIT_ERROR;
    }
    let pages = Arc::new(crate::runtime::pages::Pages {
        app: state.clone(),
        env,
        public_url,
        files_dir: data.clone(),
        max_upload,
    });
    let result = rt.block_on(async move {
        tokio::spawn(worker::run(
            state.clone(),
            channels,
            std::time::Duration::from_secs(1),
        ));
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let stop = shutdown()?;
        reload_on_hangup(state.clone())?;
        eprintln!("listening on http://{}", listener.local_addr()?);
        listen::serve(
            listener,
            router(state)
                .merge(crate::runtime::pages::router(pages))
                // Paths neither the API nor the pages know get the API's JSON envelope.
                .layer(axum::middleware::from_fn(
                    crate::runtime::api::bounds::json_errors,
                )),
            limits,
            stop,
        )
        .await
    });
    // Blocking work still running (a request past its bound) must not keep the process alive.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            fail(&format!("the server stopped: {e}"), "");
            EXIT_ERROR
        }
    }
}

/// `20MiB`, `512KiB`, `1GiB`, `1000000` (bytes); `MB`/`KB` are read as the binary units too.
fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: usize = s[..digits].parse().ok()?;
    let unit = match s[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(unit).filter(|n| *n > 0)
}

/// Ctrl-C, or SIGTERM (what `docker stop` and systemd send): finish the requests in flight,
/// then exit. Nothing is lost either way: every answered action is already committed.
/// The handlers are installed when this is called, before the server says it is listening:
/// a signal that comes right after that line must not find the default action (death).
#[cfg(unix)]
fn shutdown() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        eprintln!("shutting down");
    })
}

/// SIGHUP re-reads the directory file (a bad file keeps the last good directory).
#[cfg(unix)]
fn reload_on_hangup(state: Arc<AppState>) -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            let s = state.clone();
            let _ = tokio::task::spawn_blocking(move || s.refresh_directory_file(true)).await;
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn reload_on_hangup(_state: Arc<AppState>) -> std::io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
fn shutdown() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("shutting down");
    })
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

    #[test]
    fn sizes() {
        assert_eq!(parse_size("20MiB"), Some(20 * 1024 * 1024));
        assert_eq!(parse_size("512 KiB"), Some(512 * 1024));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("0"), None);
        assert_eq!(parse_size("lots"), None);
    }
}
