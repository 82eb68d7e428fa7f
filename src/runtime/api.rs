//! The HTTP JSON API (axum). Every endpoint needs a bearer token. Each action loads the record
//! and its version, runs the engine, then writes the record (version-checked) and an audit row
//! in one transaction; the response is sent only after the commit.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::auth::{Caller, Tokens, User};
use super::storage::{NewAudit, RecordWrite, Store, StoreError};
use crate::bundle::Bundle;
use crate::engine::{
    error as ecode, Action, Actor, DateTime, Engine, EngineError, Event, RecordId, World,
};

/// The OpenAPI document, shipped in the repository.
pub const OPENAPI: &str = include_str!("../../schemas/openapi.json");

pub struct AppState {
    pub store: Mutex<Store>,
    pub tokens: Tokens,
    bundles: Mutex<HashMap<String, Arc<Bundle>>>,
}

impl AppState {
    pub fn new(store: Store, tokens: Tokens) -> AppState {
        AppState {
            store: Mutex::new(store),
            tokens,
            bundles: Mutex::new(HashMap::new()),
        }
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/v1/bundle", get(get_bundle).put(put_bundle))
        .route("/v1/bundles", get(list_bundles))
        .route("/v1/records", post(create_record))
        .route("/v1/records/{id}", get(get_record))
        .route("/v1/records/{id}/actions", post(record_action))
        .route("/v1/records/{id}/history", get(history))
        .route("/v1/me/tasks", get(my_tasks))
        .with_state(state)
}

/// An error response: `{"error":{"code","message",…}}`.
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({"error": {"code": code, "message": message.into()}}),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Conflict(id) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("record {id} was changed by someone else; read it again"),
            ),
            e => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> ApiError {
        let status = match e.code {
            ecode::NOT_ALLOWED => StatusCode::FORBIDDEN,
            ecode::NO_SUCH_RECORD | ecode::NO_SUCH_PROCESS => StatusCode::NOT_FOUND,
            ecode::NO_SUCH_TRANSITION | ecode::NO_SUCH_TASK => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let mut body = json!({"error": {"code": e.code, "message": e.message}});
        if !e.fields.is_empty() {
            body["error"]["fields"] = json!(e.fields);
        }
        ApiError { status, body }
    }
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

fn now() -> DateTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    DateTime { secs, offset: 0 }
}

fn lock(s: &AppState) -> std::sync::MutexGuard<'_, Store> {
    s.store.lock().unwrap_or_else(|e| e.into_inner())
}

/// The active bundle, parsed once per hash.
fn active(s: &AppState, store: &Store) -> Result<Arc<Bundle>, ApiError> {
    let Some((hash, text)) = store.active_bundle()? else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no-bundle",
            "no bundle is active; PUT /v1/bundle first",
        ));
    };
    let mut cache = s.bundles.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(b) = cache.get(&hash) {
        return Ok(b.clone());
    }
    let b = Arc::new(
        Bundle::from_json(&text)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e))?,
    );
    cache.insert(hash, b.clone());
    Ok(b)
}

async fn openapi(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    caller(&s, &h)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response())
}

async fn put_bundle(State(s): State<Arc<AppState>>, h: HeaderMap, body: String) -> ApiResult {
    if caller(&s, &h)? != Caller::Admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not-allowed",
            "only the admin token uploads bundles",
        ));
    }
    let b = Bundle::from_json(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid-bundle", e))?;
    let hash = b.content_hash();
    if hash != b.hash {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "hash-mismatch",
            format!(
                "the bundle says hash {} but its contents hash to {hash}",
                b.hash
            ),
        ));
    }
    let mut store = lock(&s);
    if store.active_bundle()?.is_some_and(|(h, _)| h == hash) {
        return Ok((
            StatusCode::OK,
            Json(json!({"status": "unchanged", "hash": hash})),
        )
            .into_response());
    }
    let at = now().secs;
    let inserted = store.put_bundle(
        &hash,
        &body,
        at,
        NewAudit {
            at,
            actor: "admin",
            action: "bundle",
            record_id: None,
            bundle_hash: Some(&hash),
            detail: json!({}),
        },
    )?;
    let (status, word) = if inserted {
        (StatusCode::CREATED, "created")
    } else {
        (StatusCode::OK, "activated")
    };
    Ok((status, Json(json!({"status": word, "hash": hash}))).into_response())
}

async fn get_bundle(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    caller(&s, &h)?;
    let store = lock(&s);
    match store.active_bundle()? {
        Some((_, json)) => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            json,
        )
            .into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no-bundle",
            "no bundle is active",
        )),
    }
}

async fn list_bundles(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    caller(&s, &h)?;
    let rows = lock(&s).bundles()?;
    let list: Vec<Value> = rows
        .iter()
        .map(|r| json!({"hash": r.hash, "uploaded_at": r.uploaded_at, "active": r.active}))
        .collect();
    Ok(Json(json!({ "bundles": list })).into_response())
}

fn bad(msg: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad-request", msg)
}

fn object(v: Option<&Value>) -> Result<BTreeMap<String, Value>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        Some(_) => Err(bad("fields must be an object")),
    }
}

async fn create_record(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Json(body): Json<Value>,
) -> ApiResult {
    let u = user(&s, &h)?;
    let process = body
        .get("process")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("`process` is required"))?
        .to_string();
    let fields = object(body.get("fields"))?;
    let (id, out) = run(&s, &u, None, Action::Create { process, fields }, "create")?;
    Ok((StatusCode::CREATED, Json(json!({"record": out, "id": id}))).into_response())
}

async fn record_action(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Path(id): Path<RecordId>,
    Json(body): Json<Value>,
) -> ApiResult {
    let u = user(&s, &h)?;
    let (name, action) = if let Some(f) = body.get("set") {
        (
            "set",
            Action::Set {
                record: id,
                fields: object(Some(f))?,
            },
        )
    } else if let Some(to) = body.get("move") {
        let to = to.as_str().ok_or_else(|| bad("`move` names a status"))?;
        (
            "move",
            Action::Move {
                record: id,
                to: to.to_string(),
            },
        )
    } else if let Some(a) = body.get("approve") {
        let approve = a
            .as_bool()
            .ok_or_else(|| bad("`approve` is true or false"))?;
        (
            "approve",
            Action::Approve {
                record: id,
                approve,
            },
        )
    } else if let Some(c) = body.get("complete") {
        let task = c
            .get("task")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("`complete.task` is required"))?;
        let fill = object(c.get("fill"))?;
        (
            "complete",
            Action::Complete {
                record: id,
                task: task.to_string(),
                fill,
            },
        )
    } else {
        return Err(bad("the body is one of set, move, approve or complete"));
    };
    let (_, out) = run(&s, &u, Some(id), action, name)?;
    Ok(Json(json!({ "record": out })).into_response())
}

/// Runs one action: load, engine, commit with version checks and an audit row.
fn run(
    s: &AppState,
    u: &User,
    id: Option<RecordId>,
    action: Action,
    name: &str,
) -> Result<(RecordId, Value), ApiError> {
    let mut store = lock(s);
    let bundle = active(s, &store)?;
    let engine = Engine::new(&bundle);
    let mut world = World::new(s.tokens.directory(), 0);
    world.next_id = store.next_record_id()?;
    // The record, its parent and its children: what one action can touch.
    let mut versions: BTreeMap<RecordId, i64> = BTreeMap::new();
    if let Some(id) = id {
        let Some(main) = store.record(id)? else {
            return Err(EngineError::new(ecode::NO_SUCH_RECORD, format!("no record {id}")).into());
        };
        let mut related: Vec<RecordId> = main.record.children.clone();
        related.extend(main.record.parent);
        versions.insert(id, main.version);
        world.records.insert(id, main.record);
        for r in related {
            if let Some(sr) = store.record(r)? {
                versions.insert(r, sr.version);
                world.records.insert(r, sr.record);
            }
        }
    }
    let before = world.records.clone();
    let actor = Actor {
        user: u.id.clone(),
        roles: u.roles.clone(),
    };
    let detail_action = format!("{action:?}");
    let events = engine.apply(&mut world, &actor, action, now())?;
    let main_id = id.unwrap_or_else(|| {
        events
            .iter()
            .find_map(|e| match e {
                Event::Created { record, .. } => Some(*record),
                _ => None,
            })
            .unwrap_or(world.next_id.saturating_sub(1))
    });
    let writes: Vec<RecordWrite<'_>> = world
        .records
        .values()
        .filter(|r| before.get(&r.id) != Some(r))
        .map(|r| RecordWrite {
            record: r,
            bundle_hash: &bundle.hash,
            expected_version: versions.get(&r.id).copied(),
        })
        .collect();
    let events_json: Vec<Value> = events.iter().map(event_json).collect();
    store.commit(
        &writes,
        NewAudit {
            at: now().secs,
            actor: &u.id,
            action: name,
            record_id: Some(main_id),
            bundle_hash: Some(&bundle.hash),
            detail: json!({"action": detail_action, "events": events_json}),
        },
    )?;
    let out = world
        .records
        .get(&main_id)
        .map(|r| serde_json::to_value(r).expect("a record serializes"))
        .unwrap_or(Value::Null);
    Ok((main_id, json!({"state": out, "events": events_json})))
}

fn event_json(e: &Event) -> Value {
    match e {
        Event::Created { record, process } => {
            json!({"type": "created", "record": record, "process": process})
        }
        Event::FieldsSet { record, fields } => {
            json!({"type": "fields-set", "record": record, "fields": fields})
        }
        Event::Moved {
            record,
            transition,
            from,
            to,
            by,
            ..
        } => {
            json!({"type": "moved", "record": record, "transition": transition, "from": from, "to": to, "by": by})
        }
        Event::TaskOpened {
            record,
            task,
            assignees,
            due,
        } => {
            json!({"type": "task-opened", "record": record, "task": task, "assignees": assignees, "due": due.map(|d| d.to_string())})
        }
        Event::TaskClosed {
            record,
            task,
            completed_by,
        } => {
            json!({"type": "task-closed", "record": record, "task": task, "completed_by": completed_by})
        }
        Event::ApprovalRequested {
            record,
            transition,
            step,
            role,
        } => {
            json!({"type": "approval-requested", "record": record, "transition": transition, "step": step, "role": role})
        }
        Event::Approved {
            record,
            transition,
            step,
            by,
        } => {
            json!({"type": "approved", "record": record, "transition": transition, "step": step, "by": by})
        }
        Event::Rejected {
            record,
            transition,
            by,
        } => json!({"type": "rejected", "record": record, "transition": transition, "by": by}),
        Event::Notified {
            record,
            to,
            channel,
            message,
            ..
        } => {
            json!({"type": "notified", "record": record, "to": to, "channel": channel, "message": message})
        }
        Event::Overdue { record, task } => {
            json!({"type": "overdue", "record": record, "task": task})
        }
        Event::ChildStarted {
            parent,
            child,
            process,
        } => json!({"type": "child-started", "record": parent, "child": child, "process": process}),
    }
}

async fn get_record(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Path(id): Path<RecordId>,
) -> ApiResult {
    caller(&s, &h)?;
    let store = lock(&s);
    match store.record(id)? {
        Some(r) => Ok(Json(
            json!({"state": r.record, "version": r.version, "bundle_hash": r.bundle_hash}),
        )
        .into_response()),
        None => Err(EngineError::new(ecode::NO_SUCH_RECORD, format!("no record {id}")).into()),
    }
}

async fn history(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Path(id): Path<RecordId>,
) -> ApiResult {
    caller(&s, &h)?;
    let store = lock(&s);
    if store.record(id)?.is_none() {
        return Err(EngineError::new(ecode::NO_SUCH_RECORD, format!("no record {id}")).into());
    }
    let rows: Vec<Value> = store
        .history(id)?
        .into_iter()
        .map(|a| json!({"id": a.id, "at": a.at, "actor": a.actor, "action": a.action, "bundle_hash": a.bundle_hash, "detail": a.detail}))
        .collect();
    Ok(Json(json!({ "history": rows })).into_response())
}

async fn my_tasks(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    let u = user(&s, &h)?;
    let store = lock(&s);
    let mut out = vec![];
    for r in store.all_records()? {
        for t in &r.tasks {
            if t.users.contains(&u.id) || t.roles.iter().any(|x| u.roles.contains(x)) {
                out.push(json!({"record": r.id, "process": r.process, "status": r.status, "task": t.id, "due": t.due.map(|d| d.to_string()), "overdue": t.overdue}));
            }
        }
    }
    Ok(Json(json!({ "tasks": out })).into_response())
}
