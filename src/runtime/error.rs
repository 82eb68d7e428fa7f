//! The runtime's error answer: an HTTP status and `{"error":{"code","message",…}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::storage::StoreError;
use crate::bundle::{Field, Process};
use crate::engine::{error as ecode, EngineError};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({"error": {"code": code, "message": message.into()}}),
        }
    }

    pub fn bad(msg: &str) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", msg)
    }

    pub fn conflict(msg: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", msg)
    }

    pub fn internal(msg: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", msg)
    }

    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
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
            StoreError::Conflict(id) => ApiError::conflict(format!(
                "record {id} was changed by someone else; read it again"
            )),
            StoreError::KeyTaken => ApiError::conflict(
                "a request with the same Idempotency-Key was committed at the same time; \
                 send it again to get its answer"
                    .to_string(),
            ),
            e => ApiError::internal(e.to_string()),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> ApiError {
        from_engine(e, None)
    }
}

/// An engine refusal as an answer. With the process known, `fields` name each field by id and
/// title (the engine may name them either way), and an `invalid-value` on a choice field says
/// which values it takes (`allowed`).
pub fn from_engine(e: EngineError, p: Option<&Process>) -> ApiError {
    let status = match e.code {
        ecode::NOT_ALLOWED => StatusCode::FORBIDDEN,
        ecode::NO_SUCH_RECORD | ecode::NO_SUCH_PROCESS => StatusCode::NOT_FOUND,
        ecode::NO_SUCH_TRANSITION | ecode::NO_SUCH_TASK => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    // The engine names fields by id (`field_ids`) beside their titles; ids are exact.
    let mut names = if e.field_ids.is_empty() {
        e.fields.clone()
    } else {
        e.field_ids.clone()
    };
    if names.is_empty() && e.code == ecode::INVALID_VALUE {
        names.extend(named_in(&e.message));
    }
    let fields: Vec<&Field> = names
        .iter()
        .filter_map(|n| p?.fields.iter().find(|f| &f.id == n || &f.title == n))
        .collect();
    let mut body = json!({"error": {"code": e.code, "message": e.message}});
    if !fields.is_empty() {
        body["error"]["fields"] = json!(fields
            .iter()
            .map(|f| json!({"id": f.id, "title": f.title}))
            .collect::<Vec<_>>());
    } else if !names.is_empty() {
        body["error"]["fields"] = json!(names
            .iter()
            .map(|n| json!({"id": n, "title": n}))
            .collect::<Vec<_>>());
    }
    if let [f] = fields.as_slice() {
        if e.code == ecode::INVALID_VALUE && f.ty == "choice" {
            body["error"]["allowed"] = json!(f.options);
        }
    }
    ApiError { status, body }
}

/// The field id the engine names last in a message, as "… (`field_id`)".
fn named_in(message: &str) -> Option<String> {
    let start = message.rfind("(`")? + 2;
    let end = start + message[start..].find("`)")?;
    Some(message[start..end].to_string())
}
