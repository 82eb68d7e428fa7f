//! An approval page: the record, the step (what is asked, by whom), and 同意 / 驳回 with a
//! required reason. Only the approvers the engine accepts see the buttons.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::form::FormData;
use super::task::record_summary;
use super::{blocking, data, view, Pages, Signed};
use crate::bundle::{Bundle, Process};
use crate::engine::{Action, RecordId};
use crate::runtime::directory::Directory;
use crate::runtime::error::ApiError;
use crate::runtime::storage::StoredRecord;

pub async fn get(State(p): State<Arc<Pages>>, h: HeaderMap, Path(id): Path<RecordId>) -> Response {
    blocking(move || match p.signed_in(&h) {
        Ok(s) => show(&p, &s, id, None),
        Err(r) => r,
    })
    .await
}

pub async fn post(
    State(p): State<Arc<Pages>>,
    h: HeaderMap,
    Path(id): Path<RecordId>,
    req: Request,
) -> Response {
    super::posted(p, h, req, move |p, s, form| {
        let approve = form.get("decision") == Some("approve");
        let reason = form.get("reason").unwrap_or("").trim().to_string();
        let reason = (!approve).then_some(reason);
        let request = json!({"approve": approve, "reason": reason, "via": "page"});
        let action = Action::Approve {
            record: id,
            approve,
            reason,
        };
        match p.app.act(
            &s.person.user(),
            Some(id),
            action,
            request,
            "approve",
            None,
            None,
        ) {
            Ok(_) => view::see_other(if approve {
                "/?done=approve"
            } else {
                "/?done=reject"
            }),
            Err(e) => show(p, &s, id, Some((&form, &e))),
        }
    })
    .await
}

fn show(p: &Pages, s: &Signed, id: RecordId, refused: Option<(&FormData, &ApiError)>) -> Response {
    p.with_record(s, id, |sr, b, proc_| show_step(p, s, sr, b, proc_, refused))
}

fn show_step(
    p: &Pages,
    s: &Signed,
    sr: &StoredRecord,
    b: &Bundle,
    proc_: &Process,
    refused: Option<(&FormData, &ApiError)>,
) -> Response {
    let id = sr.record.id;
    let lang = data::lang(&s.person, Some(proc_));
    let step = sr.record.approval.as_ref().and_then(|a| {
        let t = proc_.transitions.get(a.transition)?;
        Some((a, t, t.approval.get(a.step)?))
    });
    let decide = Action::Approve {
        record: id,
        approve: true,
        reason: None,
    };
    let Some((a, t, st)) = step.filter(|_| data::Judge::new(&p.app, b, &s.person).may(sr, decide))
    else {
        let text = refused
            .map(|(_, e)| super::refusal::in_words(&proc_.fields, e, lang).message)
            .unwrap_or_else(|| data::label(proc_, &sr.record));
        return p.message(lang, StatusCode::NOT_FOUND, "not_found", &text);
    };
    let role_title = |r: &str| {
        b.roles
            .iter()
            .find(|x| x.id == r)
            .map_or(r.to_string(), |x| x.title.clone())
    };
    let to = proc_
        .statuses
        .iter()
        .find(|x| x.id == t.to)
        .map_or(t.to.clone(), |x| x.title.clone());
    let dir = p.app.directory();
    let mut ctx = p.base(s);
    ctx["record"] = record_summary(proc_, sr, p.app.clock.offset, &dir);
    ctx["step"] = json!({
        "title": t.title, "to": to, "number": a.step + 1, "of": t.approval.len(),
        "role": role_title(&st.role),
        "requester": a.requester.as_deref().map(|u| data::name_of(&dir, u)),
        "others": t.approval.iter().map(|x| role_title(&x.role)).collect::<Vec<_>>(),
    });
    ctx["fields"] = all_fields(proc_, &sr.record, p.app.clock.offset, &dir);
    ctx["action"] = json!(format!("/a/{id}"));
    ctx["reason"] = json!(refused.and_then(|(f, _)| f.get("reason")));
    ctx["refused"] =
        json!(refused.map(|(_, e)| super::refusal::in_words(&proc_.fields, e, lang).message));
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    view::page(&p.env, "approval.html.j2", lang, ctx, status)
}

/// Every filled field of a record, by title, for the approver to check.
pub fn all_fields(
    proc_: &crate::bundle::Process,
    r: &crate::engine::Record,
    offset: i32,
    dir: &Directory,
) -> Value {
    json!(proc_
        .fields
        .iter()
        .filter(|f| r.is_set(&f.id))
        .map(|f| {
            let value = super::form::display(f, &r.fields[&f.id], offset, dir);
            json!({"title": f.title, "value": value, "files": f.ty.starts_with("file")})
        })
        .collect::<Vec<_>>())
}
