//! Bounds on a request: how long it may take, and a JSON error for whatever axum answers by
//! itself (an unknown path, a wrong method, a body over its limit, a malformed path or query)
//! so that every answer, success or not, has the documented shape.

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::runtime::error::ApiError;

/// The longest a request may take, body upload included, unless `serve --request-timeout`
/// says otherwise.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The bounds every API request passes through: the JSON body limit, the JSON envelope for
/// what axum answers by itself, and the request timeout. One function, so the server and the
/// bench that measures their cost (`benches/bounds.rs`) layer the same things.
pub fn apply<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    max_json: usize,
    limit: Duration,
) -> Router<S> {
    router
        .layer(DefaultBodyLimit::max(max_json))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::from_fn_with_state(limit, timeout))
}

/// Ends a request that runs past the server's request timeout with `408 timeout`.
pub async fn timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            format!(
                "the request took longer than {}s; send it again",
                limit.as_secs()
            ),
        )
        .into_response(),
    }
}

/// Turns a plain-text error answer into the JSON envelope, keeping its status.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let r = next.run(req).await;
    let status = r.status();
    // JSON errors are already the envelope; a page's HTML error is for a person.
    let answered = r
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if status.as_u16() < 400 || answered {
        return r;
    }
    let text = axum::body::to_bytes(r.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let (code, default) = match status {
        StatusCode::NOT_FOUND => ("not-found", "no such path; see /openapi.json"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method-not-allowed",
            "this path does not take that method; see /openapi.json",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload-too-large",
            "the body is larger than this endpoint accepts",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported-media-type",
            "send the body with the documented Content-Type",
        ),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long"),
        s if s.is_server_error() => ("internal", "the server failed; the request had no effect"),
        _ => ("bad-request", "the request is malformed"),
    };
    let message = if text.trim().is_empty() || status == StatusCode::PAYLOAD_TOO_LARGE {
        default.to_string()
    } else {
        text.trim().to_string()
    };
    ApiError::new(status, code, message).into_response()
}
