//! A person's work: the open tasks they may complete and the approval steps they may decide,
//! with everything a client needs to show them (titles, guide, checklist, media, the fields
//! to fill, due time, who asked). `GET /v1/me/work` and the pages both read it from here.

use std::collections::BTreeMap;

use super::auth::User;
use super::error::ApiError;
use super::service::AppState;
use crate::bundle::{Bundle, Media, Process, Ref, Status};
use crate::engine::{DateTime, Engine, Record, RecordId, World};

pub struct Work {
    /// Overdue first, then by due time (none last), then by record.
    pub tasks: Vec<WorkTask>,
    pub approvals: Vec<WorkApproval>,
}

/// The record a piece of work belongs to, as a client shows it.
pub struct RecordRef {
    pub id: RecordId,
    pub process: String,
    pub process_title: String,
    pub status: String,
    pub status_title: String,
    pub version: i64,
    pub fields: BTreeMap<String, serde_json::Value>,
    /// What tells the record apart for a person (see [`label`]).
    pub label: String,
}

pub struct FillField {
    pub id: String,
    pub title: String,
    pub ty: String,
    pub options: Vec<String>,
    pub required: bool,
}

pub enum MediaItem {
    /// A project file: its path in the project and SHA-256.
    File {
        path: String,
        sha256: String,
    },
    Link {
        url: String,
    },
}

pub struct WorkTask {
    pub record: RecordRef,
    pub task: String,
    pub title: String,
    pub guide: Option<String>,
    pub checklist: Vec<String>,
    pub media: Vec<MediaItem>,
    pub fill: Vec<FillField>,
    /// The status `complete.then` moves to.
    pub then: Option<String>,
    pub opened: DateTime,
    pub due: Option<DateTime>,
    pub overdue: bool,
    /// Who moved the record into this status (the task's creator).
    pub asked_by: Option<String>,
    /// `on_behalf_of`: user ids of that field, or the role id.
    pub on_behalf_of: Vec<String>,
    /// Why the task is open again: the reason of the rejection that reopened it.
    pub note: Option<String>,
}

pub struct WorkApproval {
    pub record: RecordRef,
    pub transition: String,
    pub transition_title: String,
    pub to: String,
    pub to_title: String,
    pub step: usize,
    pub role: String,
    pub mode: String,
    pub requester: Option<String>,
    /// The step's `title` (else the transition's), and what to check before deciding.
    pub title: String,
    pub guide: Option<String>,
    pub checklist: Vec<String>,
    /// When the step is due, if it says.
    pub due: Option<DateTime>,
}

impl AppState {
    pub fn my_work(&self, u: &User) -> Result<Work, ApiError> {
        let store = self.store();
        let now = self.clock.now();
        let world = self.world();
        let mut who = u.roles.clone();
        who.push(u.id.clone());
        let mut tasks = vec![];
        for id in store.assigned_records(&who)? {
            let Some(sr) = store.record(id)? else {
                continue;
            };
            let b = self.bundle(&store, &sr.bundle_hash)?;
            tasks.extend(record_tasks(&b, &sr.record, sr.version, u, now));
        }
        tasks.sort_by_key(|t| (!t.overdue, t.due.is_none(), t.due, t.record.id));
        // Who may decide is the engine's answer (role, four-eyes, `mode: all`), one engine
        // per bundle version.
        let mut by_bundle: BTreeMap<String, Vec<_>> = BTreeMap::new();
        // Only the steps the caller's roles decide: deciders are the step role's holders.
        for sr in store.awaiting_approval_of(&u.roles)? {
            by_bundle
                .entry(sr.bundle_hash.clone())
                .or_default()
                .push(sr);
        }
        let mut approvals = vec![];
        for (hash, records) in by_bundle {
            let b = self.bundle(&store, &hash)?;
            let engine = Engine::new(&b);
            for sr in records {
                approvals.extend(record_approval(
                    &engine, &b, &sr.record, sr.version, u, &world,
                ));
            }
        }
        Ok(Work { tasks, approvals })
    }
}

fn status<'a>(p: &'a Process, id: &str) -> Option<&'a Status> {
    p.statuses.iter().find(|s| s.id == id)
}

fn record_ref(p: &Process, r: &Record, version: i64) -> RecordRef {
    RecordRef {
        id: r.id,
        process: r.process.clone(),
        process_title: p.title.clone(),
        status: r.status.clone(),
        status_title: status(p, &r.status).map_or(r.status.clone(), |s| s.title.clone()),
        version,
        fields: r.fields.clone(),
        label: label(p, r),
    }
}

/// What tells a record apart for a person: its record word and the first two required
/// text or choice fields ("发货单 #3 · 华东电子 · SO-2026-001").
pub fn label(p: &Process, r: &Record) -> String {
    let mut parts = vec![format!(
        "{} #{}",
        p.record.as_deref().unwrap_or(&p.title),
        r.id
    )];
    for f in p
        .fields
        .iter()
        .filter(|f| f.required && (f.ty == "text" || f.ty == "choice"))
        .take(2)
    {
        if let Some(serde_json::Value::String(s)) = r.fields.get(&f.id) {
            parts.push(s.clone());
        }
    }
    parts.join(" · ")
}

/// Who asked for the record's open tasks: the person who moved it into its status (or
/// created it); None when the process itself did.
pub fn asked_by(r: &Record) -> Option<String> {
    r.history.last().and_then(|h| h.by.clone())
}

fn record_tasks(b: &Bundle, r: &Record, version: i64, u: &User, now: DateTime) -> Vec<WorkTask> {
    let Some(p) = b.process(&r.process) else {
        return vec![];
    };
    let st = status(p, &r.status);
    let mine = |t: &&crate::engine::OpenTask| {
        t.users.contains(&u.id) || t.roles.iter().any(|x| u.roles.contains(x))
    };
    r.tasks
        .iter()
        .filter(mine)
        .map(|t| {
            let def = st.and_then(|s| s.tasks.iter().find(|d| d.id == t.id));
            WorkTask {
                record: record_ref(p, r, version),
                task: t.id.clone(),
                title: def.map_or(t.id.clone(), |d| d.title.clone()),
                guide: def.and_then(|d| d.guide.clone()),
                checklist: def.map(|d| d.checklist.clone()).unwrap_or_default(),
                media: def
                    .map(|d| d.media.iter().map(media).collect())
                    .unwrap_or_default(),
                fill: def.map(|d| fill(p, &d.complete.fill)).unwrap_or_default(),
                then: def.and_then(|d| d.complete.then.clone()),
                opened: t.opened,
                due: t.due,
                overdue: t.overdue || t.due.is_some_and(|d| d < now),
                asked_by: asked_by(r),
                on_behalf_of: def
                    .and_then(|d| d.on_behalf_of.as_ref())
                    .map(|x| people(r, x))
                    .unwrap_or_default(),
                note: t.note.clone(),
            }
        })
        .collect()
}

fn media(m: &Media) -> MediaItem {
    match m {
        Media::File(f) => MediaItem::File {
            path: f.path.clone(),
            sha256: f.sha256.clone(),
        },
        Media::Link(l) => MediaItem::Link { url: l.url.clone() },
    }
}

/// The fields a form asks for, in the task's order.
pub fn fill(p: &Process, ids: &[String]) -> Vec<FillField> {
    ids.iter()
        .filter_map(|id| p.fields.iter().find(|f| &f.id == id))
        .map(|f| FillField {
            id: f.id.clone(),
            title: f.title.clone(),
            ty: f.ty.clone(),
            options: f.options.clone(),
            required: true,
        })
        .collect()
}

/// The people a ref names on a record: a field's user ids, or the role id itself.
fn people(r: &Record, x: &Ref) -> Vec<String> {
    match x {
        Ref::Role(role) => vec![role.clone()],
        Ref::Field(f) => match r.fields.get(f) {
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            _ => vec![],
        },
    }
}

/// The pending step of `r`, when the engine says `u` may decide it now.
fn record_approval(
    engine: &Engine<'_>,
    b: &Bundle,
    r: &Record,
    version: i64,
    u: &User,
    w: &World,
) -> Option<WorkApproval> {
    let work = engine.pending_work(w, r)?;
    if !work.approvers.contains(&u.id) {
        return None;
    }
    let p = b.process(&r.process)?;
    let t = work.transition;
    let step = t.approval.get(work.step)?;
    Some(WorkApproval {
        record: record_ref(p, r, version),
        transition: t.id.clone(),
        transition_title: t.title.clone(),
        to: t.to.clone(),
        to_title: status(p, &t.to).map_or(t.to.clone(), |s| s.title.clone()),
        step: work.step,
        role: step.role.clone(),
        mode: step.mode.clone(),
        requester: work.requester.map(str::to_string),
        title: work.title.to_string(),
        guide: work.guide.map(str::to_string),
        checklist: work.checklist.to_vec(),
        due: work.due,
    })
}
