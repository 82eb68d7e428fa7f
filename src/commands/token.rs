//! `sopctl token create|list|revoke`: API tokens, made and listed straight in the database the
//! server uses (the same `--db` default as `serve`). A token is printed once, on create; only
//! its SHA-256 is stored, so a lost token cannot be shown again, only revoked and replaced.

use serde_json::json;

use super::{fail, Exit, Step};
use crate::cli::{TokenArgs, TokenCommand};
use crate::commands::serve::{db_target, open_store, DEFAULT_DB};
use crate::engine::DateTime;
use crate::runtime::clock::Clock;
use crate::runtime::directory::{is_identifier, Directory};
use crate::runtime::storage::Store;
use crate::runtime::tokens::{self, ApiToken};

pub fn run(a: &TokenArgs) -> Step<Exit> {
    let json = a.format.unwrap_or_default().is_json();
    let r = match &a.command {
        TokenCommand::Create {
            user,
            db,
            expires,
            users,
        } => open(db.as_deref()).and_then(|s| create(s, user, expires.as_deref(), users, json)),
        TokenCommand::List { db } => open(db.as_deref()).and_then(|s| list(&s, json)),
        TokenCommand::Revoke { id, db } => open(db.as_deref()).and_then(|s| revoke(s, *id, json)),
    };
    r.map_err(|(message, help)| {
        fail(&message, &help);
        Exit::Error
    })?;
    Ok(Exit::Ok)
}

type Outcome<T> = Result<T, (String, String)>;

fn open(db: Option<&str>) -> Outcome<Store> {
    let url = db.unwrap_or(DEFAULT_DB);
    let target = db_target(url).map_err(|e| {
        (
            e,
            "use --db sqlite://FILE or postgres://USER@HOST/DATABASE".to_string(),
        )
    })?;
    open_store(&target).map_err(|(m, _)| {
        (
            m,
            "check the path or URL, or pass the --db that `sopctl serve` uses".into(),
        )
    })
}

fn now() -> Outcome<i64> {
    Clock::from_env(0)
        .map(|c| c.secs())
        .map_err(|e| (e, "unset SOPCTL_NOW".into()))
}

fn rfc3339(secs: i64) -> String {
    DateTime { secs, offset: 0 }.to_string()
}

/// Whether `user` is known: in the `--users` file or among the invited people.
fn check_user(store: &Store, user: &str, users: &Option<std::path::PathBuf>) -> Outcome<()> {
    let Some(file) = users else { return Ok(()) };
    let d = Directory::load(file).map_err(|e| (e.message, e.help))?;
    let invited = store.invited_users().unwrap_or_default();
    if d.get(user).is_none() && !invited.iter().any(|(id, _)| id == user) {
        eprintln!(
            "warning: `{user}` is not in {}; the token is created, but the server refuses it \
             until they are added",
            file.display()
        );
    }
    Ok(())
}

fn create(
    mut store: Store,
    user: &str,
    expires: Option<&str>,
    users: &Option<std::path::PathBuf>,
    json: bool,
) -> Outcome<()> {
    if !is_identifier(user) {
        return Err((
            format!("`{user}` is not a user id"),
            "a user id is lower-case letters, digits, `-` and `_`, starting with a letter".into(),
        ));
    }
    let lifetime = match expires {
        None => None,
        Some(e) => Some(tokens::parse_lifetime(e).ok_or_else(|| {
            (
                format!("`{e}` is not a lifetime"),
                "write a number and a unit: 30m, 12h, 90d or 2w".to_string(),
            )
        })?),
    };
    check_user(&store, user, users)?;
    let created = now()?;
    let expires = lifetime.map(|l| created.saturating_add(l));
    let token = tokens::generate().map_err(|e| (e, String::new()))?;
    let id = store
        .insert_token(user, &tokens::hash(&token), created, expires)
        .map_err(|e| (format!("cannot store the token: {e}"), String::new()))?;
    if json {
        println!(
            "{}",
            json!({"id": id, "user": user, "token": token, "created": rfc3339(created),
                   "expires": expires.map(rfc3339)})
        );
    } else {
        println!("{token}");
        let until = expires.map_or("until revoked".to_string(), |e| {
            format!("until {}", rfc3339(e))
        });
        eprintln!(
            "token {id} for {user}, valid {until}. It is shown only this once: keep it now \
             (sopctl keeps only its SHA-256)."
        );
    }
    Ok(())
}

fn row_json(t: &ApiToken) -> serde_json::Value {
    json!({"id": t.id, "user": t.user, "created": rfc3339(t.created),
           "expires": t.expires.map(rfc3339), "revoked": t.revoked.map(rfc3339)})
}

fn list(store: &Store, json: bool) -> Outcome<()> {
    let rows = store
        .tokens()
        .map_err(|e| (format!("cannot read the tokens: {e}"), String::new()))?;
    if json {
        let rows: Vec<_> = rows.iter().map(row_json).collect();
        println!("{}", json!({ "tokens": rows }));
        return Ok(());
    }
    if rows.is_empty() {
        eprintln!("no API tokens; make one with `sopctl token create USER`");
        return Ok(());
    }
    println!("ID\tUSER\tCREATED\tEXPIRES\tREVOKED");
    for t in &rows {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            t.id,
            t.user,
            rfc3339(t.created),
            t.expires.map_or("-".into(), rfc3339),
            t.revoked.map_or("-".into(), rfc3339)
        );
    }
    Ok(())
}

fn revoke(mut store: Store, id: i64, json: bool) -> Outcome<()> {
    let at = now()?;
    let found = store
        .revoke_token(id, at)
        .map_err(|e| (format!("cannot revoke the token: {e}"), String::new()))?;
    if !found {
        return Err((
            format!("there is no token {id}"),
            "see the ids with `sopctl token list`".into(),
        ));
    }
    let t = store
        .tokens()
        .ok()
        .and_then(|ts| ts.into_iter().find(|t| t.id == id));
    if json {
        println!("{}", t.as_ref().map_or(json!({"id": id}), row_json));
    } else {
        let who = t.map_or(String::new(), |t| format!(" ({})", t.user));
        eprintln!("token {id}{who} revoked: it no longer works");
    }
    Ok(())
}
