//! The HTTP JSON API (axum): thin handlers over [`AppState`]. Every endpoint needs a bearer
//! token. Store and engine work is blocking, so it runs on tokio's blocking pool.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::auth::{Caller, User};
use super::error::ApiError;
use super::service::AppState;
use crate::engine::{Action, RecordId};

/// The OpenAPI document, shipped in the repository.
pub const OPENAPI: &str = include_str!("../../schemas/openapi.json");

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/v1/bundle", get(get_bundle).put(put_bundle))
        .route("/v1/bundles", get(list_bundles))
        .route("/v1/stats", get(stats))
        .route("/v1/records", post(create_record))
        .route("/v1/records/{id}", get(get_record))
        .route("/v1/records/{id}/actions", post(record_action))
        .route("/v1/records/{id}/history", get(history))
        .route("/v1/me/tasks", get(my_tasks))
        .route("/v1/me/inbox", get(my_inbox))
        .route("/v1/outbox", get(outbox))
        .route("/v1/kpis", get(super::kpi_api::get_kpis))
        .with_state(state)
}

type ApiResult = Result<Response, ApiError>;

fn caller(s: &AppState, h: &HeaderMap) -> Result<Caller, ApiError> {
    let header = h
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    s.tokens.caller(header).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid `Authorization: Bearer TOKEN` header is required",
        )
    })
}

fn user(s: &AppState, h: &HeaderMap) -> Result<User, ApiError> {
    match caller(s, h)? {
        Caller::User(u) => Ok(u),
        Caller::Admin => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not-allowed",
            "the admin token manages bundles; use a user token",
        )),
    }
}

fn admin(s: &AppState, h: &HeaderMap, what: &str) -> Result<(), ApiError> {
    if caller(s, h)? != Caller::Admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not-allowed",
            format!("only the admin token {what}"),
        ));
    }
    Ok(())
}

/// Runs blocking store work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("the request failed: {e}")))?
}

fn json_text(text: String) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response()
}

async fn openapi(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    caller(&s, &h)?;
    Ok(json_text(OPENAPI.to_string()))
}

async fn put_bundle(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
    body: String,
) -> ApiResult {
    admin(&s, &h, "uploads bundles")?;
    let force = q
        .get("force")
        .is_some_and(|v| v.is_empty() || v == "true" || v == "1");
    let (status, out) = blocking(move || s.put_bundle(&body, force)).await?;
    Ok((status, Json(out)).into_response())
}

async fn get_bundle(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    caller(&s, &h)?;
    let active = blocking(move || Ok(s.store().active_bundle()?)).await?;
    match active {
        Some((_, json)) => Ok(json_text(json)),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no-bundle",
            "no bundle is active",
        )),
    }
}

async fn list_bundles(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    caller(&s, &h)?;
    let rows = blocking(move || Ok(s.store().bundles()?)).await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|r| json!({"hash": r.hash, "uploaded_at": r.uploaded_at, "active": r.active}))
        .collect();
    Ok(Json(json!({ "bundles": list })).into_response())
}

async fn stats(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    caller(&s, &h)?;
    Ok(Json(blocking(move || s.stats()).await?).into_response())
}

fn object(v: Option<&Value>) -> Result<BTreeMap<String, Value>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        Some(_) => Err(ApiError::bad("fields must be an object")),
    }
}

fn parse_body(body: &str) -> Result<Value, ApiError> {
    serde_json::from_str(body).map_err(|e| ApiError::bad(&format!("the body is not JSON: {e}")))
}

async fn create_record(State(s): State<Arc<AppState>>, h: HeaderMap, body: String) -> ApiResult {
    let u = user(&s, &h)?;
    let body = parse_body(&body)?;
    let process = body
        .get("process")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad("`process` is required"))?
        .to_string();
    let fields = object(body.get("fields"))?;
    let key = idempotency_key(&h)?;
    let (id, out) = blocking(move || {
        s.act(
            &u,
            None,
            Action::Create { process, fields },
            body,
            "create",
            None,
            key.as_deref(),
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"record": out, "id": id}))).into_response())
}

/// `{"set":{…}}`, `{"move":"status"}`, `{"approve":bool}` or `{"complete":{"task","fill"}}`,
/// optionally with `"version": N` (the version the client read; a different one is a 409).
fn parse_action(id: RecordId, body: &Value) -> Result<(&'static str, Action), ApiError> {
    if let Some(f) = body.get("set") {
        let fields = object(Some(f))?;
        return Ok(("set", Action::Set { record: id, fields }));
    }
    if let Some(to) = body.get("move") {
        let to = to
            .as_str()
            .ok_or_else(|| ApiError::bad("`move` names a status"))?;
        return Ok((
            "move",
            Action::Move {
                record: id,
                to: to.to_string(),
            },
        ));
    }
    if let Some(a) = body.get("approve") {
        let approve = a
            .as_bool()
            .ok_or_else(|| ApiError::bad("`approve` is true or false"))?;
        return Ok((
            "approve",
            Action::Approve {
                record: id,
                approve,
            },
        ));
    }
    if let Some(c) = body.get("complete") {
        let task = c
            .get("task")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad("`complete.task` is required"))?;
        let fill = object(c.get("fill"))?;
        return Ok((
            "complete",
            Action::Complete {
                record: id,
                task: task.to_string(),
                fill,
            },
        ));
    }
    Err(ApiError::bad(
        "the body is one of set, move, approve or complete",
    ))
}

async fn record_action(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Path(id): Path<RecordId>,
    body: String,
) -> ApiResult {
    let u = user(&s, &h)?;
    let body = parse_body(&body)?;
    let (name, action) = parse_action(id, &body)?;
    let version = match body.get("version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .ok_or_else(|| ApiError::bad("`version` is a number"))?,
        ),
    };
    let key = idempotency_key(&h)?;
    let (_, out) =
        blocking(move || s.act(&u, Some(id), action, body, name, version, key.as_deref())).await?;
    Ok(Json(json!({ "record": out })).into_response())
}

/// The `Idempotency-Key` header: a client's id for one request, so that a retry after a lost
/// answer does not act twice.
fn idempotency_key(h: &HeaderMap) -> Result<Option<String>, ApiError> {
    match h.get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(k) if !k.is_empty() && k.len() <= 200 => Ok(Some(k.to_string())),
            _ => Err(ApiError::bad(
                "`Idempotency-Key` is 1 to 200 visible ASCII characters",
            )),
        },
    }
}

/// The user behind a caller; None for the admin, who may read everything.
fn as_user(c: Caller) -> Option<User> {
    match c {
        Caller::User(u) => Some(u),
        Caller::Admin => None,
    }
}

async fn get_record(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Path(id): Path<RecordId>,
) -> ApiResult {
    let u = as_user(caller(&s, &h)?);
    let r = blocking(move || s.read_record(u.as_ref(), id)).await?;
    Ok(
        Json(json!({"state": r.record, "version": r.version, "bundle_hash": r.bundle_hash}))
            .into_response(),
    )
}

async fn history(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Path(id): Path<RecordId>,
) -> ApiResult {
    let u = as_user(caller(&s, &h)?);
    let rows = blocking(move || {
        s.read_record(u.as_ref(), id)?;
        Ok(s.store().history(id)?)
    })
    .await?;
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|a| json!({"id": a.id, "at": a.at, "actor": a.actor, "action": a.action, "bundle_hash": a.bundle_hash, "detail": a.detail}))
        .collect();
    Ok(Json(json!({ "history": rows })).into_response())
}

async fn my_tasks(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    let u = user(&s, &h)?;
    Ok(Json(blocking(move || s.my_tasks(&u)).await?).into_response())
}

async fn my_inbox(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    let u = user(&s, &h)?;
    let rows = blocking(move || Ok(s.store().inbox(&u.id, 200)?)).await?;
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|m| json!({"id": m.id, "at": m.at, "record": m.record_id, "reason": m.reason, "message": m.message}))
        .collect();
    Ok(Json(json!({ "messages": rows })).into_response())
}

async fn outbox(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult {
    admin(&s, &h, "reads the outbox")?;
    let record = match q.get("record") {
        Some(r) => Some(
            r.parse::<RecordId>()
                .map_err(|_| ApiError::bad("`record` is a record id"))?,
        ),
        None => None,
    };
    let rows = blocking(move || Ok(s.store().outbox(record)?)).await?;
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|o| json!({"id": o.id, "created_at": o.created_at, "record": o.record_id, "channel": o.channel, "state": o.state, "attempts": o.attempts, "next_at": o.next_at, "last_error": o.last_error, "payload": o.payload}))
        .collect();
    Ok(Json(json!({ "messages": rows })).into_response())
}
