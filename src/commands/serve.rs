//! `sopctl serve`: the runtime. Opens (or creates) the database (a SQLite file, or a
//! PostgreSQL database several nodes may share), loads the tokens and the directory, starts
//! the background loop and serves the HTTP API until interrupted.

use std::path::PathBuf;
use std::sync::Arc;

use super::{refuse, Exit, Step};
use crate::cli::ServeArgs;
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

/// Where `--db` says the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Sqlite(PathBuf),
    /// A `postgres://` (or `postgresql://`) URL, as given.
    Postgres(String),
}

/// `postgres://…` → PostgreSQL; anything [`db_path`] takes → a SQLite file.
pub fn db_target(url: &str) -> Result<DbTarget, String> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(DbTarget::Postgres(url.to_string()));
    }
    db_path(url).map(DbTarget::Sqlite)
}

/// Opens one store on `target`, every failure in one line with a hint (a PostgreSQL store is
/// its own connection; a SQLite one its own handle on the file).
pub fn open_store(target: &DbTarget) -> Result<Store, (String, String)> {
    match target {
        DbTarget::Sqlite(path) => Store::open(path).map_err(|e| {
            (
                format!("cannot open the database {}: {e}", path.display()),
                "check that the folder exists and is writable, or pass --db sqlite://FILE".into(),
            )
        }),
        DbTarget::Postgres(url) => Store::open_postgres(url).map_err(|e| {
            (
                format!("cannot open the database: {e}"),
                e.hint().to_string(),
            )
        }),
    }
}

/// The three connections to the database: the writer, the people's (token checks and the
/// invited, off the writer's lock) and a reader (KPI answers beside the writer, WAL).
struct Stores {
    store: Store,
    people: Store,
    reader: Store,
}

pub fn run(o: &ServeArgs) -> Step<Exit> {
    let listen = o.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
    let clock = clock(o)?;
    let channels = channels(o)?;
    let tokens = Tokens::load(o.tokens.as_deref()).map_err(|e| {
        refuse(
            &format!("bad tokens: {e}"),
            "entries are `token=user:role1,role2`",
        )
    })?;
    let directory =
        DirectoryHandle::open(o.users.as_deref()).map_err(|e| refuse(&e.message, &e.help))?;
    let target = db_target(o.db.as_deref().unwrap_or(DEFAULT_DB)).map_err(|e| {
        refuse(
            &e,
            "use --db sqlite://FILE, or --db postgres://USER@HOST/DATABASE",
        )
    })?;
    let stores = open_stores(&target)?;
    if tokens.is_empty() && stores.people.tokens().is_ok_and(|t| t.is_empty()) {
        return Err(refuse(
            "no tokens are configured, so no request could be served",
            "create one with `sopctl token create USER`, or set SOPCTL_ADMIN_TOKEN and \
             SOPCTL_USER_TOKENS, or pass --tokens FILE",
        ));
    }
    let (files, data, max_upload) = file_store(o, &target)?;
    crate::runtime::listen::raise_fd_limit();
    let listener = std::net::TcpListener::bind(listen).map_err(|e| {
        refuse(
            &format!("cannot listen on {listen}: {e}"),
            "is another sopctl serve running? pick another address with --listen",
        )
    })?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| refuse(&format!("cannot start the runtime: {e}"), ""))?;
    let env = crate::runtime::pages::view::environment(o.templates.as_deref()).map_err(|e| {
        refuse(
            &e,
            "fix the template, or remove it from the --templates folder to use the shipped one",
        )
    })?;
    let public_url = public_url(o, &listener)?;
    let mut channels = channels;
    channels.public_url = public_url.clone();
    let mut state = AppState::new(stores.store, tokens, clock, files)
        .with_people(directory, stores.people)
        .with_reader(stores.reader);
    if let Some(secs) = o.request_timeout {
        state.request_timeout = std::time::Duration::from_secs(secs);
    }
    let state = Arc::new(state);
    let mut limits = Limits::default();
    if let Some(n) = o.max_connections {
        limits.max_connections = n as usize;
    }
    prepare_indexes(&state)?;
    let pages = Arc::new(crate::runtime::pages::Pages {
        app: state.clone(),
        env,
        public_url,
        files_dir: data,
        max_upload,
    });
    let result = rt.block_on(serve(state, Arc::new(channels), pages, listener, limits));
    // Blocking work still running (a request past its bound) must not keep the process alive.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    result.map_err(|e| refuse(&format!("the server stopped: {e}"), ""))?;
    Ok(Exit::Ok)
}

/// The channels file (`--channels`), or none.
fn channels(o: &ServeArgs) -> Step<ChannelsConfig> {
    match o.channels.as_deref().map(ChannelsConfig::load).transpose() {
        Ok(c) => Ok(c.unwrap_or_default()),
        Err(e) => Err(refuse(
            &format!("bad channels file: {e}"),
            "see the README's Serve section for the format",
        )),
    }
}

/// The address links in messages and pages point at: `--public-url`, else where it listens.
fn public_url(o: &ServeArgs, listener: &std::net::TcpListener) -> Step<String> {
    match listener.local_addr() {
        Ok(a) => Ok(o
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{a}"))),
        Err(e) => Err(refuse(
            &format!("cannot read the listening address: {e}"),
            "",
        )),
    }
}

/// The KPI aggregates and the approvals index, brought up to date before any request.
fn prepare_indexes(state: &AppState) -> Step<()> {
    state
        .keep_kpis()
        .and_then(|_| state.index_approvals())
        .map_err(|e| {
            refuse(
                &format!(
                    "cannot prepare the KPI aggregates and the approvals index: {}",
                    e.body["error"]["message"]
                ),
                "the database may be damaged; restore it from a backup",
            )
        })
        .map(|_| ())
}

/// The clock due dates are computed with: `--utc-offset`, and the test clock of the
/// environment if set.
fn clock(o: &ServeArgs) -> Step<Clock> {
    let offset = match o.utc_offset.as_deref().map(|s| (s, parse_offset(s))) {
        None => 0,
        Some((_, Some(off))) => off,
        Some((s, None)) => {
            return Err(refuse(
                &format!("`{s}` is not a UTC offset"),
                "write it like +08:00, -05:30 or UTC",
            ))
        }
    };
    Clock::from_env(offset)
        .map_err(|e| refuse(&e, "unset it, or write it like 2026-01-05T09:00:00+08:00"))
}

/// The writer, the people's and the reader's connections. On SQLite the reader is opened
/// read-only; on PostgreSQL each is simply its own connection.
fn open_stores(target: &DbTarget) -> Step<Stores> {
    let open = || open_store(target).map_err(|(m, h)| refuse(&m, &h));
    let (store, people) = (open()?, open()?);
    let reader = match target {
        DbTarget::Sqlite(path) => Store::open_reader(path).map_err(|e| {
            refuse(
                &format!("cannot open the database {} to read: {e}", path.display()),
                "",
            )
        })?,
        DbTarget::Postgres(_) => open()?,
    };
    Ok(Stores {
        store,
        people,
        reader,
    })
}

/// Uploaded files: `--data DIR` (its folder and path) and `--max-upload SIZE`. Beside a SQLite
/// file by default; on PostgreSQL the folder must be named, since every node sharing the
/// database must read the same files (a per-node default would lose them between nodes).
fn file_store(o: &ServeArgs, db: &DbTarget) -> Step<(FileStore, PathBuf, usize)> {
    let max_upload = match o.max_upload.as_deref().map(|s| (s, parse_size(s))) {
        None => DEFAULT_MAX_UPLOAD,
        Some((_, Some(n))) => n,
        Some((s, None)) => {
            return Err(refuse(
                &format!("`{s}` is not a size"),
                "write it in bytes or with a unit, like 20MiB or 512KiB",
            ))
        }
    };
    let data = match (o.data.clone(), db) {
        (Some(dir), _) => dir,
        (None, DbTarget::Sqlite(path)) => FileStore::default_dir(path),
        (None, DbTarget::Postgres(_)) => {
            return Err(refuse(
                "on PostgreSQL, uploaded files need a folder of their own",
                "pass --data DIR (the same shared folder on every node)",
            ))
        }
    };
    let files = FileStore::open(&data, max_upload).map_err(|e| {
        refuse(
            &format!("cannot use the data folder {}: {e}", data.display()),
            "check that it is writable, or pass --data DIR",
        )
    })?;
    Ok((files, data, max_upload))
}

/// The server loop, with the background worker, until Ctrl-C or SIGTERM.
async fn serve(
    state: Arc<AppState>,
    channels: Arc<ChannelsConfig>,
    pages: Arc<crate::runtime::pages::Pages>,
    listener: std::net::TcpListener,
    limits: Limits,
) -> std::io::Result<()> {
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
        assert_eq!(
            db_target("postgres://u@h/d").unwrap(),
            DbTarget::Postgres("postgres://u@h/d".into())
        );
        assert_eq!(
            db_target("postgresql://h/d").unwrap(),
            DbTarget::Postgres("postgresql://h/d".into())
        );
        assert_eq!(
            db_target("sqlite://a.db").unwrap(),
            DbTarget::Sqlite("a.db".into())
        );
        assert!(db_target("mysql://x").is_err());
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
