//! The new-record pages: `/new` lists the processes this person may start (the engine's
//! create rule), `/new/<process>` asks the creation fields.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::form::{self, FormData};
use super::{blocking, data, view, Pages, Signed};
use crate::engine::Action;
use crate::runtime::error::ApiError;

pub async fn list(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    q: axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    // The list is on "my work"; this address exists for bookmarks and the header link.
    super::work::get(State(p), h, q).await
}

pub async fn get(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    Path(process): Path<String>,
) -> Response {
    blocking(move || match p.signed_in(&h) {
        Ok(s) => show(&p, &s, &process, None),
        Err(r) => r,
    })
    .await
}

pub async fn post(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    Path(process): Path<String>,
    req: Request,
) -> Response {
    super::posted(p, h, req, move |p, s, form| {
        let b = match data::active_bundle(&p.app) {
            Ok(Some(b)) => b,
            Ok(None) => return show(p, &s, &process, None),
            Err(e) => return p.error(super::lang_of(&s), &e),
        };
        let Some(proc_) = b.process(&process) else {
            return show(p, &s, &process, None);
        };
        let ids: Vec<String> = data::creation_fields(proc_)
            .iter()
            .map(|f| f.id.clone())
            .collect();
        let fields = form::values(proc_, &ids, &form, p.app.clock.offset);
        let request = json!({"process": process, "fields": fields, "via": "page"});
        let action = Action::Create {
            process: process.clone(),
            fields,
        };
        match p.app.act(
            &s.person.user(),
            None,
            action,
            request,
            "create",
            None,
            None,
        ) {
            Ok((id, _)) => view::see_other(&format!("/r/{id}?done=create")),
            Err(e) => show(p, &s, &process, Some((&form, &e))),
        }
    })
    .await
}

fn show(p: &Pages, s: &Signed, process: &str, refused: Option<(&FormData, &ApiError)>) -> Response {
    let b = match data::active_bundle(&p.app) {
        Ok(b) => b,
        Err(e) => return p.error(super::lang_of(s), &e),
    };
    let proc_ = b.as_ref().and_then(|b| b.process(process));
    let lang = data::lang(&s.person, proc_);
    let (Some(b), Some(proc_)) = (b.as_deref(), proc_) else {
        return p.message(lang, StatusCode::NOT_FOUND, "not_found", process);
    };
    if !data::Judge::new(&p.app, b, &s.person).may_create(process) {
        return p.message(lang, StatusCode::FORBIDDEN, "not_allowed", &proc_.title);
    }
    let ids: Vec<String> = data::creation_fields(proc_)
        .iter()
        .map(|f| f.id.clone())
        .collect();
    let said = refused
        .map(|(_, e)| super::refusal::in_words(&proc_.fields, e, lang))
        .unwrap_or_default();
    let (message, errors) = (said.message, said.fields);
    let mut ctx = p.base(s);
    ctx["process"] = json!({"title": proc_.title, "record": proc_.record, "purpose": proc_.purpose.as_deref().map(|g| crate::render::markdown::to_html(g, 3))});
    ctx["inputs"] = json!(form::inputs(
        proc_,
        &ids,
        None,
        refused.map(|x| x.0),
        &errors,
        p.app.clock.offset
    ));
    ctx["multipart"] = json!(ids.iter().any(|f| proc_
        .fields
        .iter()
        .any(|x| &x.id == f && x.ty.starts_with("file"))));
    ctx["refused"] = json!((!message.is_empty()).then_some(message));
    ctx["action"] = json!(format!("/new/{process}"));
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    view::page(&p.env, "new.html.j2", lang, ctx, status)
}
