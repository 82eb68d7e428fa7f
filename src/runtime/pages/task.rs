//! A task page: the record's key fields, the guide with its media, the checklist, who created
//! it and on whose behalf, what happens next, and a form with exactly the `complete.fill`
//! fields and the 完成任务 button. A refusal is the engine's, shown next to the fields.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::due_words::due_words;
use super::form::{self, FormData};
use super::{blocking, data, view, Pages, Signed};
use crate::bundle::{Bundle, Media, Process};
use crate::engine::{Action, RecordId};
use crate::runtime::directory::Directory;
use crate::runtime::error::ApiError;
use crate::runtime::storage::StoredRecord;

pub async fn get(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    Path((id, task)): Path<(RecordId, String)>,
) -> Response {
    blocking(move || match p.signed_in(&h) {
        Ok(s) => show(&p, &s, id, &task, None),
        Err(r) => r,
    })
    .await
}

pub async fn post(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    Path((id, task)): Path<(RecordId, String)>,
    req: Request,
) -> Response {
    super::posted(p, h, req, move |p, s, form| {
        p.with_record(&s, id, |sr, _, proc_| {
            complete(p, &s, sr, proc_, &task, &form)
        })
    })
    .await
}

/// Completes the task with what the form filled, decided by the engine; the task page again
/// with the refusal at its fields when refused.
fn complete(
    p: &Pages,
    s: &Signed,
    sr: &StoredRecord,
    proc_: &Process,
    task: &str,
    form: &FormData,
) -> Response {
    let id = sr.record.id;
    let fill_ids = data::task_def(proc_, &sr.record.status, task)
        .map(|d| d.complete.fill.clone())
        .unwrap_or_default();
    let fill = form::values(proc_, &fill_ids, form, p.app.clock.offset);
    let request = json!({"complete": {"task": task, "fill": fill}, "via": "page"});
    let action = Action::Complete {
        record: id,
        task: task.to_string(),
        fill,
    };
    match p.app.act(
        &s.person.user(),
        Some(id),
        action,
        request,
        "complete",
        None,
        None,
    ) {
        Ok(_) => view::see_other("/?done=task"),
        Err(e) => show(p, s, id, task, Some((form, &e))),
    }
}

/// The task page; after a refused form, with what was typed and the refusal.
pub fn show(
    p: &Pages,
    s: &Signed,
    id: RecordId,
    task: &str,
    refused: Option<(&FormData, &ApiError)>,
) -> Response {
    let (sr, b) = match data::record(&p.app, &s.person, id) {
        Ok(x) => x,
        Err(e) => return p.error(super::lang_of(s), &e),
    };
    let proc_ = b.process(&sr.record.process);
    let lang = data::lang(&s.person, proc_);
    match task_context(p, s, &sr, &b, task, refused) {
        Some(ctx) => {
            let status = if refused.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            view::page(&p.env, "task.html.j2", lang, ctx, status)
        }
        None => {
            // The task is no longer open for this person (done by someone else, or never theirs).
            let text = match refused {
                Some((_, e)) => super::refusal::in_words(&[], e, lang).message,
                None => super::words::word(lang, "refused_gone").to_string(),
            };
            p.message(lang, StatusCode::NOT_FOUND, "not_found", &text)
        }
    }
}

/// Everything the task template shows; None when the task is not open for this person.
pub fn task_context(
    p: &Pages,
    s: &Signed,
    sr: &StoredRecord,
    b: &Bundle,
    task: &str,
    refused: Option<(&FormData, &ApiError)>,
) -> Option<Value> {
    let r = &sr.record;
    let proc_ = b.process(&r.process)?;
    // An `each` task is open once per person: this person's own one.
    let mine = |t: &&crate::engine::OpenTask| {
        t.users.contains(&s.person.id) || t.roles.iter().any(|x| s.person.roles.contains(x))
    };
    let open = r.tasks.iter().filter(|t| t.id == task).find(mine)?;
    let def = data::task_def(proc_, &r.status, task)?;
    let lang = data::lang(&s.person, Some(proc_));
    let now = p.app.clock.now();
    let offset = p.app.clock.offset;
    let said = refused
        .map(|(_, e)| super::refusal::in_words(&proc_.fields, e, lang))
        .unwrap_or_default();
    let (message, errors) = (said.message, said.fields);
    let typed = refused.map(|(f, _)| f);
    let dir = p.app.directory();
    let asked_by = crate::runtime::work::asked_by(r)
        .or_else(|| data::creator(&p.app, r))
        .map(|u| data::name_of(&dir, &u));
    let mut ctx = p.base(s);
    ctx["record"] = record_summary(proc_, sr, offset, &dir);
    ctx["task"] = json!({
        "id": def.id, "title": def.title,
        "guide": def.guide.as_deref().map(|g| crate::render::markdown::to_html(g, 3)),
        "media": def.media.iter().map(media).collect::<Vec<_>>(),
        "checklist": def.checklist,
        "opened": super::due_words::when(open.opened.secs, offset),
        "asked_by": asked_by,
        "on_behalf_of": def.on_behalf_of.as_ref().and_then(|x| data::ref_people(b, &dir, r, x, lang)),
        "due_words": open.due.map(|d| due_words(d, now, lang)),
        "overdue": open.overdue || open.due.is_some_and(|d| d < now),
        // Why it is open again: the reason a rejection gave.
        "sent_back": open.note,
    });
    ctx["next"] = next_step(b, proc_, &r.status, def.complete.then.as_deref());
    ctx["inputs"] = json!(form::inputs(
        proc_,
        &def.complete.fill,
        Some(&r.fields),
        typed,
        &errors,
        offset
    ));
    ctx["multipart"] = json!(def.complete.fill.iter().any(|f| proc_
        .fields
        .iter()
        .any(|x| &x.id == f && x.ty.starts_with("file"))));
    ctx["refused"] = json!(message);
    ctx["action"] = json!(format!("/t/{}/{}", r.id, task));
    Some(ctx)
}

/// The record's identifying fields and status, for the top of a page.
pub fn record_summary(proc_: &Process, sr: &StoredRecord, offset: i32, dir: &Directory) -> Value {
    let r = &sr.record;
    let status = proc_.statuses.iter().find(|x| x.id == r.status);
    let fields: Vec<Value> = proc_
        .fields
        .iter()
        .filter(|f| f.required && r.is_set(&f.id))
        .map(
            |f| json!({"title": f.title, "value": form::display(f, &r.fields[&f.id], offset, dir)}),
        )
        .collect();
    json!({
        "id": r.id, "url": format!("/r/{}", r.id), "label": data::label(proc_, r),
        "process_title": proc_.title, "status_title": status.map(|x| x.title.as_str()),
        "fields": fields,
    })
}

/// "What happens next": the status `then` leads to, and who approves on the way.
fn next_step(b: &Bundle, proc_: &Process, from: &str, then: Option<&str>) -> Value {
    let Some(to) = then else {
        return Value::Null;
    };
    let title = proc_
        .statuses
        .iter()
        .find(|x| x.id == to)
        .map(|x| x.title.clone());
    let approvers: Vec<String> = proc_
        .transitions
        .iter()
        .find(|t| t.from == from && t.to == to)
        .map(|t| {
            t.approval
                .iter()
                .map(|a| {
                    b.roles
                        .iter()
                        .find(|r| r.id == a.role)
                        .map_or(a.role.clone(), |r| r.title.clone())
                })
                .collect()
        })
        .unwrap_or_default();
    json!({"status_title": title.unwrap_or_else(|| to.to_string()), "approvers": approvers})
}

fn media(m: &Media) -> Value {
    let (src, local) = match m {
        Media::Link(l) => (l.url.as_str(), false),
        Media::File(f) => (f.path.as_str(), true),
    };
    let lower = src.to_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    let kind = match ext {
        _ if local => "file",
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" => "image",
        "mp4" | "webm" | "mov" => "video",
        _ => "link",
    };
    let name = src.rsplit('/').next().unwrap_or(src);
    json!({"kind": kind, "src": src, "name": name})
}
