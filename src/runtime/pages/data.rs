//! What the pages ask of the runtime beyond its service functions: who the person is and how
//! they are named, a record as they may see it, whether the engine would let them act, where
//! an upload goes. Their work is `AppState::my_work`, the list `GET /v1/me/work` answers.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::words::Lang;
use crate::bundle::{Bundle, Process, Ref};
use crate::engine::{
    error as ecode, Action, Actor, DateTime, Engine, EngineError, Record, RecordId,
};
use crate::runtime::auth::User;
use crate::runtime::directory::Directory;
use crate::runtime::error::ApiError;
use crate::runtime::service::AppState;
use crate::runtime::storage::StoredRecord;

/// The person signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    /// Display name from the directory (the user id when it gives none).
    pub name: String,
    pub roles: Vec<String>,
    /// `zh` / `en` from the directory; None: the process's language.
    pub language: Option<String>,
}

impl Person {
    pub fn user(&self) -> User {
        User {
            id: self.id.clone(),
            roles: self.roles.clone(),
        }
    }

    fn actor(&self) -> Actor {
        Actor {
            user: self.id.clone(),
            roles: self.roles.clone(),
        }
    }
}

/// A person by user id, if the directory knows them.
pub fn person(app: &AppState, id: &str) -> Option<Person> {
    let dir = app.directory();
    let u = dir.get(id)?;
    Some(Person {
        id: id.to_string(),
        name: if u.name.is_empty() {
            id.to_string()
        } else {
            u.name.clone()
        },
        roles: u.roles.clone(),
        language: u.language.clone(),
    })
}

/// Whether a user id is in a directory (for `sopctl login-link`, which has no server state).
pub fn known_user(directory: &crate::runtime::directory::Directory, id: &str) -> bool {
    directory.get(id).is_some()
}

/// The language of a person's pages: theirs, else the process's, else Chinese.
pub fn lang(person: &Person, process: Option<&Process>) -> Lang {
    Lang::parse(
        person
            .language
            .as_deref()
            .or(process.and_then(|p| p.language.as_deref())),
    )
}

/// The active bundle (None before the first upload).
pub fn active_bundle(app: &AppState) -> Result<Option<Arc<Bundle>>, ApiError> {
    let store = app.store();
    if store.active_hash()?.is_none() {
        return Ok(None);
    }
    app.active(&store).map(Some)
}

/// A record the person may see, with the bundle it runs on.
pub fn record(
    app: &AppState,
    p: &Person,
    id: RecordId,
) -> Result<(StoredRecord, Arc<Bundle>), ApiError> {
    let sr = app.read_record(Some(&p.user()), id)?;
    let b = app.bundle(&app.store(), &sr.bundle_hash)?;
    Ok((sr, b))
}

/// Asks the engine what a person may do, without storing anything: the pages offer a button
/// only when the engine would not answer `not-allowed` (one rule, the engine's). One engine
/// and one directory per page, however many buttons it weighs.
pub struct Judge<'b> {
    engine: Engine<'b>,
    world: crate::engine::World,
    actor: Actor,
    now: DateTime,
}

impl<'b> Judge<'b> {
    pub fn new(app: &AppState, b: &'b Bundle, p: &Person) -> Judge<'b> {
        Judge {
            engine: Engine::new(b),
            world: app.world(),
            actor: p.actor(),
            now: app.clock.now(),
        }
    }

    /// What the engine would answer to `action` on `sr` (or on nothing, for a create).
    pub fn try_action(&self, sr: Option<&StoredRecord>, action: Action) -> Result<(), EngineError> {
        let mut world = self.world.clone();
        if let Some(sr) = sr {
            world.next_id = u64::MAX / 2;
            world.records.insert(sr.record.id, sr.record.clone());
        }
        self.engine
            .apply(&mut world, &self.actor, action, self.now)
            .map(|_| ())
    }

    /// Whether the engine lets the person do `action` (it may still ask for fields).
    pub fn may(&self, sr: &StoredRecord, action: Action) -> bool {
        match self.try_action(Some(sr), action) {
            Ok(()) => true,
            Err(e) => e.code != ecode::NOT_ALLOWED && e.code != ecode::NO_SUCH_TRANSITION,
        }
    }

    /// Whether the person may start a record of `process` (the engine's create rule).
    pub fn may_create(&self, process: &str) -> bool {
        let action = Action::Create {
            process: process.to_string(),
            fields: BTreeMap::new(),
        };
        match self.try_action(None, action) {
            Ok(()) => true,
            Err(e) => e.code != ecode::NOT_ALLOWED && e.code != ecode::NO_SUCH_PROCESS,
        }
    }
}

/// A task's definition in a status.
pub fn task_def<'a>(p: &'a Process, status: &str, task: &str) -> Option<&'a crate::bundle::Task> {
    p.statuses
        .iter()
        .find(|s| s.id == status)?
        .tasks
        .iter()
        .find(|t| t.id == task)
}

/// A person as pages show them: their directory name, else the id (a role's title for a role).
pub fn name_of(dir: &Directory, id: &str) -> String {
    match dir.get(id) {
        Some(u) if !u.name.is_empty() => u.name.clone(),
        _ => id.to_string(),
    }
}

/// Several people by name, joined for a sentence.
pub fn names_of(dir: &Directory, ids: &[String], lang: Lang) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    ids.iter()
        .map(|u| name_of(dir, u))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Who started a record by hand (its first audit row, a `create`); None for a record the
/// process started (a child) or when the log cannot be read.
pub fn creator(app: &AppState, r: &Record) -> Option<String> {
    if r.parent.is_some() {
        return None;
    }
    let rows = app.store().history_page(r.id, 0, 1).ok()?;
    rows.into_iter()
        .find(|a| a.action == "create")
        .map(|a| a.actor)
}

/// The people a ref names on a record, by name; a role by its title.
pub fn ref_people(b: &Bundle, dir: &Directory, r: &Record, x: &Ref, lang: Lang) -> Option<String> {
    let ids: Vec<String> = match x {
        Ref::Role(role) => {
            let title = b.roles.iter().find(|x| &x.id == role).map(|x| &x.title);
            return Some(title.unwrap_or(role).clone());
        }
        Ref::Field(f) => match r.fields.get(f)? {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
            _ => return None,
        },
    };
    (!ids.is_empty()).then(|| names_of(dir, &ids, lang))
}

pub use crate::runtime::work::label;

/// The fields a person fills when starting a record: the required ones and those no task,
/// transition or status names (SPEC 10 "Who writes a field", at creation).
pub fn creation_fields(p: &Process) -> Vec<&crate::bundle::Field> {
    let mut named: Vec<&str> = vec![];
    for s in &p.statuses {
        named.extend(s.requires.iter().map(String::as_str));
        for t in &s.tasks {
            named.extend(t.complete.fill.iter().map(String::as_str));
        }
    }
    for t in &p.transitions {
        named.extend(t.requires.iter().map(String::as_str));
    }
    p.fields
        .iter()
        .filter(|f| f.required || !named.contains(&f.id.as_str()))
        .collect()
}

/// The live records of a process (for its owner's board).
pub fn live_of(app: &AppState, process: &str) -> Result<Vec<StoredRecord>, ApiError> {
    Ok(app
        .store()
        .live_records()?
        .into_iter()
        .filter(|sr| sr.record.process == process)
        .collect())
}

/// Whether the person holds the process owner's role (who sees the board).
pub fn owns(p: &Person, proc_: &Process) -> bool {
    matches!(&proc_.owner, Some(Ref::Role(r)) if p.roles.contains(r))
}

/// Stores an upload from a page form where `POST /v1/files` stores files (the server's data
/// folder, by content, and the `files` table), and returns its id for the field.
pub fn store_upload(
    app: &AppState,
    name: &str,
    mime: &str,
    bytes: &[u8],
) -> Result<String, String> {
    let id = app
        .files
        .put(bytes)
        .map_err(|e| format!("cannot store the upload: {e}"))?;
    let row = crate::runtime::storage_api::FileRow {
        id: id.clone(),
        name: name.to_string(),
        size: bytes.len() as i64,
        ty: mime.to_string(),
        created: app.clock.secs(),
        uploader: "page".into(),
    };
    app.store()
        .put_file(&row)
        .map_err(|e| format!("cannot store the upload: {e}"))?;
    Ok(id)
}

/// An uploaded file's bytes and (name, type), if stored.
pub fn read_upload(app: &AppState, id: &str) -> Option<(Vec<u8>, String, String)> {
    let row = app.store().file(id).ok()??;
    let bytes = std::fs::read(app.files.path(id)?).ok()?;
    Some((bytes, row.name, row.ty))
}

/// The person's latest messages (their inbox, newest first): what was said, and the record.
pub fn messages(app: &AppState, p: &Person, n: usize) -> Result<Vec<Value>, ApiError> {
    let rows = app.store().inbox(&p.id, n)?;
    Ok(rows
        .into_iter()
        .map(|m| {
            json!({"at": m.at, "text": m.message, "reason": m.reason,
                   "url": m.record_id.map(|r| format!("/r/{r}"))})
        })
        .collect())
}
