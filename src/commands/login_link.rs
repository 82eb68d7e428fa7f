//! `sopctl login-link USER`: prints a one-time sign-in link, for an admin handing a person
//! their first link. Opens the database directly, like `serve` (SQLite allows both at once).

use std::path::Path;

use super::serve::{db_path, DEFAULT_DB, DEFAULT_LISTEN};
use super::{fail, EXIT_ERROR, EXIT_OK};
use crate::runtime::auth::Tokens;
use crate::runtime::clock::Clock;
use crate::runtime::directory::Directory;
use crate::runtime::pages::{data, login};
use crate::runtime::session::{parse_ttl, LINK_TTL_SECS};
use crate::runtime::storage::Store;

pub struct Options<'a> {
    pub user: &'a str,
    pub server: Option<&'a str>,
    pub db: Option<&'a str>,
    pub expires: Option<&'a str>,
    pub next: Option<&'a str>,
    pub tokens: Option<&'a Path>,
    pub users: Option<&'a Path>,
}

pub fn run(o: &Options<'_>) -> i32 {
    let ttl = match o.expires.map(|e| (e, parse_ttl(e))) {
        None => LINK_TTL_SECS,
        Some((_, Some(t))) => t,
        Some((e, None)) => {
            fail(
                &format!("`{e}` is not a duration"),
                "write it like 30m, 12h, 7d or 2w",
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
    let path = match db_path(o.db.unwrap_or(DEFAULT_DB)) {
        Ok(p) => p,
        Err(e) => {
            fail(
                &e,
                "use --db sqlite://FILE, the database `sopctl serve` uses",
            );
            return EXIT_ERROR;
        }
    };
    let mut store = match Store::open(&path) {
        Ok(s) => s,
        Err(e) => {
            fail(
                &format!("cannot open the database {}: {e}", path.display()),
                "pass the --db that `sopctl serve` uses",
            );
            return EXIT_ERROR;
        }
    };
    let directory = match directory(o, &tokens, &store) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if !data::known_user(&directory, o.user) {
        fail(
            &format!("`{}` is not a user the server knows", o.user),
            "add them to the directory the server uses and pass it with --users (or to the \
             tokens file, with --tokens)",
        );
        return EXIT_ERROR;
    }
    let server = o
        .server
        .map(str::to_string)
        .unwrap_or_else(|| format!("http://{DEFAULT_LISTEN}"));
    let now = match Clock::from_env(0) {
        Ok(c) => c.secs(),
        Err(e) => {
            fail(
                &e,
                "unset SOPCTL_NOW, or write it like 2026-01-05T09:00:00+08:00",
            );
            return EXIT_ERROR;
        }
    };
    match login::mint(&mut store, &server, o.user, o.next.unwrap_or("/"), now, ttl) {
        Ok(url) => {
            println!("{url}");
            EXIT_OK
        }
        Err(e) => {
            fail(
                &format!("cannot store the link: {e}"),
                "check that the database is writable",
            );
            EXIT_ERROR
        }
    }
}

/// The people the server knows: the `--users` file, the invited people in the database and
/// the users the tokens name, merged as `serve` merges them.
fn directory(o: &Options<'_>, tokens: &Tokens, store: &Store) -> Result<Directory, i32> {
    let file = match o.users {
        Some(path) => Directory::load(path).map_err(|e| {
            fail(&e.message, &e.help);
            EXIT_ERROR
        })?,
        None => Directory::default(),
    };
    let invited = store.invited_users().unwrap_or_default();
    Ok(file.merged(invited).merged(tokens.directory_users()))
}
