//! The runtime's error answer: an HTTP status and `{"error":{"code","message",…}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::storage::StoreError;
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
            e => ApiError::internal(e.to_string()),
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
