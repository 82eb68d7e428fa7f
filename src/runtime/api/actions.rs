//! `POST /v1/records/{id}/actions`: one verb per request (set, move, approve, complete).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::user;
use super::openapi::WriteErrors;
use super::views::Outcome;
use super::{blocking, parse_body, ApiResult};
use crate::engine::{Action, RecordId};
use crate::runtime::error::ApiError;
use crate::runtime::service::AppState;

/// Exactly one of `set`, `move`, `approve` or `complete`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActionRequest {
    /// Field id → value to write. Here and in every `fill` and `fields`, a person field
    /// (`user`, or an item of `users`) whose SOP field has a `role:` may take
    /// `{"invite": {"name", "email"|"phone"}}`: a new person, invited with that role.
    #[schema(value_type = Option<Object>)]
    pub set: Option<BTreeMap<String, Value>>,
    /// The status to move to (its transition's `requires` must be filled).
    #[serde(rename = "move")]
    pub move_to: Option<String>,
    /// With `move`: the fields the transition and its target require, sent with the move.
    #[schema(value_type = Option<Object>)]
    pub fill: Option<BTreeMap<String, Value>>,
    /// Decide the pending approval step.
    pub approve: Option<bool>,
    /// Why, when `approve` is false (required then).
    pub reason: Option<String>,
    pub complete: Option<CompleteRequest>,
    /// The version the client read: a different stored version is a 409.
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CompleteRequest {
    pub task: String,
    /// The task's `complete.fill` fields.
    #[schema(value_type = Option<Object>)]
    pub fill: Option<BTreeMap<String, Value>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActionAnswer {
    pub record: Outcome,
}

pub fn object(v: Option<&Value>) -> Result<BTreeMap<String, Value>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        Some(_) => Err(ApiError::bad("fields must be an object")),
    }
}

const VERBS: [&str; 4] = ["set", "move", "approve", "complete"];

/// The one verb of a body, as an engine action.
fn parse_action(id: RecordId, body: &Value) -> Result<(&'static str, Action), ApiError> {
    let given: Vec<&str> = VERBS
        .into_iter()
        .filter(|v| body.get(v).is_some_and(|x| !x.is_null()))
        .collect();
    let verb = match given.as_slice() {
        [one] => *one,
        [] => {
            return Err(ApiError::bad(
                "the body is one of set, move, approve or complete",
            ))
        }
        many => {
            return Err(ApiError::bad(&format!(
                "one action per request: this body has {}",
                many.join(" and ")
            )))
        }
    };
    let action = match verb {
        "set" => Action::Set {
            record: id,
            fields: object(body.get("set"))?,
        },
        "move" => Action::Move {
            record: id,
            to: body["move"]
                .as_str()
                .ok_or_else(|| ApiError::bad("`move` names a status"))?
                .to_string(),
            fields: object(body.get("fill"))?,
        },
        // The engine decides whether a rejection's reason will do (one rule for the API,
        // the pages and `sopctl test`).
        "approve" => Action::Approve {
            record: id,
            approve: body["approve"]
                .as_bool()
                .ok_or_else(|| ApiError::bad("`approve` is true or false"))?,
            reason: match body.get("reason") {
                None | Some(Value::Null) => None,
                Some(Value::String(r)) => Some(r.clone()),
                Some(_) => return Err(ApiError::bad("`reason` is text")),
            },
        },
        _ => Action::Complete {
            record: id,
            task: body["complete"]
                .get("task")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::bad("`complete.task` is required"))?
                .to_string(),
            fill: object(body["complete"].get("fill"))?,
        },
    };
    Ok((verb_name(verb), action))
}

fn verb_name(v: &str) -> &'static str {
    VERBS.into_iter().find(|x| *x == v).unwrap_or("act")
}

/// Act on a record.
#[utoipa::path(
    post,
    path = "/v1/records/{id}/actions",
    operation_id = "actOnRecord",
    tag = "records",
    params(
        ("id" = u64, Path, description = "The record id"),
        ("Idempotency-Key" = Option<String>, Header, description = "A client's id for this request: a retry gets the first answer")
    ),
    request_body = ActionRequest,
    responses((status = 200, description = "Done", body = ActionAnswer), WriteErrors)
)]
pub async fn record_action(
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
    let record = Outcome::from_service(&out)?;
    Ok(Json(ActionAnswer { record }).into_response())
}

/// The `Idempotency-Key` header: a client's id for one request, so that a retry after a lost
/// answer does not act twice.
pub fn idempotency_key(h: &HeaderMap) -> Result<Option<String>, ApiError> {
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
