//! `sopctl login-link USER`: prints a one-time sign-in link, for an admin handing a person
//! their first link. Opens the database directly, like `serve` (SQLite allows both at once).

use super::serve::{db_target, open_store, DEFAULT_DB, DEFAULT_LISTEN};
use super::{refuse, Exit, Step};
use crate::cli::LoginLinkArgs;
use crate::runtime::auth::Tokens;
use crate::runtime::clock::Clock;
use crate::runtime::directory::Directory;
use crate::runtime::pages::{data, login};
use crate::runtime::session::{parse_ttl, LINK_TTL_SECS};
use crate::runtime::storage::Store;

pub fn run(o: &LoginLinkArgs) -> Step<Exit> {
    let ttl = match o.expires.as_deref().map(|e| (e, parse_ttl(e))) {
        None => LINK_TTL_SECS,
        Some((_, Some(t))) => t,
        Some((e, None)) => {
            return Err(refuse(
                &format!("`{e}` is not a duration"),
                "write it like 30m, 12h, 7d or 2w",
            ))
        }
    };
    let tokens = Tokens::load(o.tokens.as_deref()).map_err(|e| {
        refuse(
            &format!("bad tokens: {e}"),
            "entries are `token=user:role1,role2`",
        )
    })?;
    let target = db_target(o.db.as_deref().unwrap_or(DEFAULT_DB)).map_err(|e| {
        refuse(
            &e,
            "use --db sqlite://FILE or postgres://…, the database `sopctl serve` uses",
        )
    })?;
    let mut store = open_store(&target)
        .map_err(|(m, _)| refuse(&m, "pass the --db that `sopctl serve` uses"))?;
    let directory = directory(o, &tokens, &store)?;
    if !data::known_user(&directory, &o.user) {
        return Err(refuse(
            &format!("`{}` is not a user the server knows", o.user),
            "add them to the directory the server uses and pass it with --users (or to the \
             tokens file, with --tokens)",
        ));
    }
    let server = o
        .server
        .clone()
        .unwrap_or_else(|| format!("http://{DEFAULT_LISTEN}"));
    let now = Clock::from_env(0).map(|c| c.secs()).map_err(|e| {
        refuse(
            &e,
            "unset SOPCTL_NOW, or write it like 2026-01-05T09:00:00+08:00",
        )
    })?;
    let next = o.next.as_deref().unwrap_or("/");
    let url = login::mint(&mut store, &server, &o.user, next, now, ttl).map_err(|e| {
        refuse(
            &format!("cannot store the link: {e}"),
            "check that the database is writable",
        )
    })?;
    println!("{url}");
    Ok(Exit::Ok)
}

/// The people the server knows: the `--users` file, the invited people in the database and
/// the users the tokens name, merged as `serve` merges them.
fn directory(o: &LoginLinkArgs, tokens: &Tokens, store: &Store) -> Step<Directory> {
    let file = match &o.users {
        Some(path) => Directory::load(path).map_err(|e| refuse(&e.message, &e.help))?,
        None => Directory::default(),
    };
    let invited = store.invited_users().unwrap_or_default();
    Ok(file.merged(invited).merged(tokens.directory_users()))
}
