//! The owner's board: for holders of a process owner's role, the live records by status with
//! counts and the overdue ones marked, and each KPI of the process drawn as a chart.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::due_words::due_words;
use super::{blocking, data, view, Pages};

pub async fn list(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    q: axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    super::work::get(State(p), h, q).await
}

pub async fn get(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    Path(process): Path<String>,
) -> Response {
    blocking(move || {
        let s = match p.signed_in(&h) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let b = match data::active_bundle(&p.app) {
            Ok(b) => b,
            Err(e) => return p.error(super::lang_of(&s), &e),
        };
        let proc_ = b.as_ref().and_then(|b| b.process(&process));
        let lang = data::lang(&s.person, proc_);
        let Some(proc_) = proc_.filter(|x| data::owns(&s.person, x)) else {
            return p.message(lang, StatusCode::FORBIDDEN, "not_allowed", &process);
        };
        let live = match data::live_of(&p.app, &process) {
            Ok(l) => l,
            Err(e) => return p.error(lang, &e),
        };
        let now = p.app.clock.now();
        let columns: Vec<Value> = proc_
            .statuses
            .iter()
            .filter(|st| !st.terminal)
            .map(|st| {
                let rows: Vec<Value> = live
                    .iter()
                    .filter(|sr| sr.record.status == st.id)
                    .map(|sr| {
                        let r = &sr.record;
                        let due = r.tasks.iter().filter_map(|t| t.due).min();
                        let overdue = r.tasks.iter().any(|t| t.overdue || t.due.is_some_and(|d| d < now));
                        json!({"url": format!("/r/{}", r.id), "label": data::label(proc_, r),
                               "overdue": overdue, "due_words": due.map(|d| due_words(d, now, lang))})
                    })
                    .collect();
                let overdue = rows.iter().filter(|r| r["overdue"] == true).count();
                json!({"title": st.title, "count": rows.len(), "overdue": overdue, "rows": rows})
            })
            .collect();
        let charts = match super::charts::charts(&p.app, &s.person, &process, lang) {
            Ok(c) => c,
            Err(e) => return p.error(lang, &e),
        };
        let mut ctx = p.base(&s);
        ctx["process"] = json!({"title": proc_.title, "name": proc_.name});
        ctx["columns"] = json!(columns);
        ctx["charts"] = json!(charts);
        view::page(&p.env, "board.html.j2", lang, ctx, StatusCode::OK)
    })
    .await
}
