//! `/` — my work: open tasks and pending approvals, overdue first, each with its record, the
//! due time in words and who asked; then what the person may start, and their boards.

use std::sync::Arc;

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::due_words::due_words;
use super::words::Lang;
use super::{blocking, data, view, Pages};
use crate::engine::{DateTime, RecordId};
use crate::runtime::service::AppState;
use crate::runtime::work::Work;

pub async fn get(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    q: Query<BTreeMap<String, String>>,
) -> Response {
    blocking(move || {
        let s = match p.signed_in(&h) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let bundle = match data::active_bundle(&p.app) {
            Ok(b) => b,
            Err(e) => return p.error(super::lang_of(&s), &e),
        };
        let first = bundle.as_ref().and_then(|b| b.processes.first());
        let lang = data::lang(&s.person, first);
        let items = match p.app.my_work(&s.person.user()) {
            Ok(w) => items(&p.app, w, lang),
            Err(e) => return p.error(lang, &e),
        };
        let (mut starts, mut boards) = (vec![], vec![]);
        let judge = bundle
            .as_deref()
            .map(|b| data::Judge::new(&p.app, b, &s.person));
        for pr in bundle.iter().flat_map(|b| b.processes.iter()) {
            if judge.as_ref().is_some_and(|j| j.may_create(&pr.name)) {
                starts.push(json!({"url": format!("/new/{}", pr.name), "title": pr.title}));
            }
            if data::owns(&s.person, pr) {
                boards.push(json!({"url": format!("/board/{}", pr.name), "title": pr.title}));
            }
        }
        let messages = match data::messages(&p.app, &s.person, 5) {
            Ok(m) => m,
            Err(e) => return p.error(lang, &e),
        };
        let messages: Vec<Value> = messages
            .into_iter()
            .map(|mut m| {
                let at = m["at"].as_i64().unwrap_or(0);
                m["when"] = json!(super::due_words::when(at, p.app.clock.offset));
                m
            })
            .collect();
        let mut ctx = p.base(&s);
        ctx["items"] = json!(items);
        ctx["messages"] = json!(messages);
        ctx["starts"] = json!(starts);
        ctx["boards"] = json!(boards);
        ctx["done"] = json!(done_word(&q, lang));
        view::page(&p.env, "work.html.j2", lang, ctx, StatusCode::OK)
    })
    .await
}

/// The work `GET /v1/me/work` lists, as the page shows it: tasks and approvals in one list,
/// overdue first, then by due time (none last); due times in words, people by name.
fn items(app: &AppState, w: Work, lang: Lang) -> Vec<Value> {
    let now = app.clock.now();
    let dir = app.directory();
    let name = |u: &Option<String>| u.as_deref().map(|u| data::name_of(&dir, u));
    let mut out: Vec<(bool, Option<DateTime>, RecordId, Value)> = vec![];
    for t in w.tasks {
        let v = json!({
            "kind": "task", "url": format!("/t/{}/{}", t.record.id, t.task), "title": t.title,
            "process_title": t.record.process_title, "label": t.record.label,
            "overdue": t.overdue, "due_words": t.due.map(|d| due_words(d, now, lang)),
            "asked_by": name(&t.asked_by),
            "on_behalf_of": (!t.on_behalf_of.is_empty()).then(|| data::names_of(&dir, &t.on_behalf_of, lang)),
        });
        out.push((t.overdue, t.due, t.record.id, v));
    }
    for a in w.approvals {
        let overdue = a.due.is_some_and(|d| d < now);
        let v = json!({
            "kind": "approval", "url": format!("/a/{}", a.record.id), "title": a.title,
            "process_title": a.record.process_title, "label": a.record.label,
            "overdue": overdue, "due_words": a.due.map(|d| due_words(d, now, lang)),
            "asked_by": name(&a.requester),
        });
        out.push((overdue, a.due, a.record.id, v));
    }
    out.sort_by_key(|(late, due, id, _)| {
        (!*late, due.is_none(), due.as_ref().map(|d| d.secs), *id)
    });
    out.into_iter().map(|(.., v)| v).collect()
}

/// The line that confirms what a form just did (`?done=task` after a redirect).
pub fn done_word(q: &BTreeMap<String, String>, lang: super::words::Lang) -> Option<&'static str> {
    let key = match q.get("done")?.as_str() {
        "task" => "done_task",
        "approve" => "done_approve",
        "reject" => "done_reject",
        "move" => "done_move",
        "create" => "done_create",
        _ => return None,
    };
    Some(super::words::word(lang, key))
}
