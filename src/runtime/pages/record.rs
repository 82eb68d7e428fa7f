//! A record page: the status path with the current status marked, the details, open tasks,
//! history, and one button per manual transition the engine lets this person take, asking for
//! that transition's `requires` fields. Also serves a record's uploaded files to its readers.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::due_words::{due_words, when};
use super::form::{self, FormData};
use super::task::record_summary;
use super::{blocking, data, view, Pages, Signed};
use crate::bundle::{Bundle, Process};
use crate::engine::{Action, RecordId};
use crate::runtime::directory::Directory;
use crate::runtime::error::ApiError;
use crate::runtime::storage::{AuditRow, StoredRecord};

pub async fn get(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    Path(id): Path<RecordId>,
    q: axum::extract::Query<BTreeMap<String, String>>,
) -> Response {
    blocking(move || match p.signed_in(&h) {
        Ok(s) => {
            let done = super::work::done_word(&q, super::lang_of(&s));
            // `?before=<row>`: an older page of the history (a cursor that is not a row id is
            // the newest page).
            let before = q.get("before").and_then(|c| c.parse::<i64>().ok());
            show(&p, &s, id, None, done, before)
        }
        Err(r) => r,
    })
    .await
}

pub async fn post_move(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    Path((id, to)): Path<(RecordId, String)>,
    req: Request,
) -> Response {
    super::posted(p, h, req, move |p, s, form| {
        p.with_record(&s, id, |sr, _, proc_| {
            move_with_fields(p, &s, sr, proc_, &to, &form)
        })
    })
    .await
}

/// The move to `to` with the fields the form filled, decided by the engine; the record page
/// again with the refusal at its fields when refused.
fn move_with_fields(
    p: &Pages,
    s: &Signed,
    sr: &StoredRecord,
    proc_: &Process,
    to: &str,
    form: &FormData,
) -> Response {
    let id = sr.record.id;
    let ids = move_fields(proc_, &sr.record.status, to);
    let fields = form::values(proc_, &ids, form, p.app.clock.offset);
    let user = s.person.user();
    // The fields travel with the move, in one action: the engine decides both together.
    let req = json!({"move": to, "fill": fields, "via": "page"});
    let mv = Action::Move {
        record: id,
        to: to.to_string(),
        fields,
    };
    match p
        .app
        .act(&user, Some(id), mv, req, "move", Some(sr.version), None)
    {
        Ok(_) => view::see_other(&format!("/r/{id}?done=move")),
        Err(e) => show(p, s, id, Some((to, form, &e)), None, None),
    }
}

/// The fields a move asks for: the transition's `requires` and the target's.
fn move_fields(proc_: &Process, from: &str, to: &str) -> Vec<String> {
    let mut ids: Vec<String> = proc_
        .transitions
        .iter()
        .find(|t| t.to == to && (t.from == from || t.from_any))
        .map(|t| t.requires.clone())
        .unwrap_or_default();
    if let Some(st) = proc_.statuses.iter().find(|x| x.id == to) {
        ids.extend(
            st.requires
                .iter()
                .filter(|f| !ids.contains(f))
                .cloned()
                .collect::<Vec<_>>(),
        );
    }
    ids
}

pub type Refused<'a> = Option<(&'a str, &'a FormData, &'a ApiError)>;

/// Rows of history a record page shows at once, newest first.
pub const HISTORY_PAGE: usize = 50;

/// The history rows before `before` (newest first, one page) and the cursor of the next
/// older page, through the same storage paging as `GET /v1/records/{id}/history`.
fn history_page(
    p: &Pages,
    id: RecordId,
    before: Option<i64>,
) -> Result<(Vec<AuditRow>, Option<i64>), ApiError> {
    let before = before.unwrap_or(i64::MAX);
    let mut rows = p
        .app
        .store()
        .history_page_back(id, before, HISTORY_PAGE + 1)?;
    let older = (rows.len() > HISTORY_PAGE).then(|| rows[HISTORY_PAGE - 1].id);
    rows.truncate(HISTORY_PAGE);
    Ok((rows, older))
}

/// The record page (public for the render bench); `before` pages the history.
pub fn show(
    p: &Pages,
    s: &Signed,
    id: RecordId,
    refused: Refused<'_>,
    done: Option<&str>,
    before: Option<i64>,
) -> Response {
    let (sr, b) = match data::record(&p.app, &s.person, id) {
        Ok(x) => x,
        Err(e) => return p.error(super::lang_of(s), &e),
    };
    let Some(proc_) = b.process(&sr.record.process) else {
        return p.error(
            super::lang_of(s),
            &ApiError::bad("the record's process is gone"),
        );
    };
    let lang = data::lang(&s.person, Some(proc_));
    let (history, older) = match history_page(p, id, before) {
        Ok(h) => h,
        Err(e) => return p.error(lang, &e),
    };
    let dir = p.app.directory();
    let offset = p.app.clock.offset;
    let now = p.app.clock.now();
    let mut ctx = p.base(s);
    ctx["record"] = record_summary(proc_, &sr, offset, &dir);
    ctx["path"] = status_path(proc_, &sr);
    ctx["fields"] = super::approval::all_fields(proc_, &sr.record, offset, &dir);
    ctx["tasks"] = json!(sr
        .record
        .tasks
        .iter()
        .map(|t| {
            let title = data::task_def(proc_, &sr.record.status, &t.id).map(|d| d.title.clone());
            let mine = t.users.contains(&s.person.id)
                || t.roles.iter().any(|x| s.person.roles.contains(x));
            json!({"title": title, "url": mine.then(|| format!("/t/{}/{}", id, t.id)),
               "due_words": t.due.map(|d| due_words(d, now, lang))})
        })
        .collect::<Vec<_>>());
    ctx["approval_url"] = json!(sr.record.approval.as_ref().map(|_| format!("/a/{id}")));
    ctx["history"] = json!(history
        .iter()
        .map(|h| history_row(proc_, h, offset, &dir))
        .collect::<Vec<_>>());
    ctx["older_url"] = json!(older.map(|c| format!("/r/{id}?before={c}")));
    ctx["newest_url"] = json!(before.map(|_| format!("/r/{id}")));
    ctx["moves"] = json!(moves(p, s, &b, proc_, &sr, refused));
    ctx["done"] = json!(done);
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    view::page(&p.env, "record.html.j2", lang, ctx, status)
}

/// The manual transitions from here the engine would let this person take, each with the
/// inputs it asks for (and, after a refusal, what was typed and the errors).
fn moves(
    p: &Pages,
    s: &Signed,
    b: &Bundle,
    proc_: &Process,
    sr: &StoredRecord,
    refused: Refused<'_>,
) -> Vec<Value> {
    let r = &sr.record;
    let lang = data::lang(&s.person, Some(proc_));
    let judge = data::Judge::new(&p.app, b, &s.person);
    let mut out = vec![];
    for t in &proc_.transitions {
        let from_here = t.from == r.status || (t.from_any && !is_terminal(proc_, &r.status));
        if !from_here || t.when.is_some() || r.approval.is_some() {
            continue;
        }
        let action = Action::Move {
            record: r.id,
            to: t.to.clone(),
            fields: Default::default(),
        };
        if !judge.may(sr, action) {
            continue;
        }
        let ids = move_fields(proc_, &r.status, &t.to);
        let this = refused.filter(|(to, ..)| *to == t.to);
        let said = this
            .map(|(_, _, e)| super::refusal::in_words(&proc_.fields, e, lang))
            .unwrap_or_default();
        let (message, errors) = (said.message, said.fields);
        let inputs = form::inputs(
            proc_,
            &ids,
            Some(&r.fields),
            this.map(|x| x.1),
            &errors,
            p.app.clock.offset,
        );
        out.push(json!({
            "title": t.title, "action": format!("/r/{}/move/{}", r.id, t.to),
            "inputs": inputs, "refused": (!message.is_empty()).then_some(message),
            "multipart": ids.iter().any(|f| proc_.fields.iter().any(|x| &x.id == f && x.ty.starts_with("file"))),
        }));
    }
    out
}

fn is_terminal(proc_: &Process, status: &str) -> bool {
    proc_.statuses.iter().any(|x| x.id == status && x.terminal)
}

/// The statuses in display order: those reached, the current one, those not reached. A
/// terminal status is shown only when reached (a path, not every ending).
fn status_path(proc_: &Process, sr: &StoredRecord) -> Value {
    let r = &sr.record;
    let mut reached: Vec<&str> = proc_
        .statuses
        .iter()
        .filter(|x| x.initial)
        .map(|x| x.id.as_str())
        .collect();
    for h in &r.history {
        if let Some(t) = proc_.transitions.iter().find(|t| t.id == h.transition) {
            reached.push(&t.to);
        }
    }
    json!(proc_
        .statuses
        .iter()
        .filter(|x| !x.terminal || x.id == r.status)
        .map(|x| json!({"title": x.title, "current": x.id == r.status, "reached": reached.contains(&x.id.as_str())}))
        .collect::<Vec<_>>())
}

fn history_row(proc_: &Process, h: &AuditRow, offset: i32, dir: &Directory) -> Value {
    let req = &h.detail["request"];
    let title_of = |status: &str| {
        proc_
            .statuses
            .iter()
            .find(|x| x.id == status)
            .map(|x| x.title.clone())
    };
    let mut what: Vec<String> = vec![];
    if let Some(task) = req["complete"]["task"].as_str() {
        let t = proc_
            .statuses
            .iter()
            .flat_map(|x| x.tasks.iter())
            .find(|t| t.id == task);
        what.push(t.map_or(task.to_string(), |t| t.title.clone()));
    }
    if let Some(reason) = req["reason"].as_str() {
        what.push(reason.to_string());
    }
    for e in h.detail["events"].as_array().into_iter().flatten() {
        if e["type"] == "moved" {
            let to = e["to"].as_str().unwrap_or("");
            what.push(format!(
                "→ {}",
                title_of(to).unwrap_or_else(|| to.to_string())
            ));
        }
    }
    json!({"at": when(h.at, offset), "who": data::name_of(dir, &h.actor), "action": h.action,
           "what": what.join(" · ")})
}

/// `GET /files/<record>/<id>`: an uploaded file, to those who may read a record holding it.
pub async fn file(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    Path((id, file)): Path<(RecordId, String)>,
) -> Response {
    blocking(move || {
        let s = match p.signed_in(&h) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let lang = super::lang_of(&s);
        let (sr, _) = match data::record(&p.app, &s.person, id) {
            Ok(x) => x,
            Err(e) => return p.error(lang, &e),
        };
        let holds =
            sr.record.fields.values().any(|v| {
                v == &json!(file) || v.as_array().is_some_and(|a| a.contains(&json!(file)))
            });
        match data::read_upload(&p.app, &file).filter(|_| holds) {
            Some((bytes, name, mime)) => (
                [
                    (header::CONTENT_TYPE, mime),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("inline; filename*=UTF-8''{}", pct(&name)),
                    ),
                ],
                bytes,
            )
                .into_response(),
            None => p.message(lang, StatusCode::NOT_FOUND, "not_found", &file),
        }
    })
    .await
}

/// Percent-encodes a file name for `Content-Disposition`.
fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
