//! The HTTP JSON API (axum): thin handlers over [`AppState`]. Each handler carries its
//! OpenAPI description (`#[utoipa::path]`) and its routes are registered from it, so the
//! document served at `/openapi.json` (and committed as `schemas/openapi.json`) is the code.
//! Store and engine work is blocking, so it runs on tokio's blocking pool.

mod actions;
mod admin;
pub mod auth;
pub mod bounds;
mod bundle;
mod files;
mod kpis;
mod me;
pub mod openapi;
mod records;
pub mod views;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Router;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use super::error::ApiError;
use super::service::AppState;

/// The largest JSON request body (records, actions).
pub const MAX_JSON: usize = 1024 * 1024;
/// The largest bundle upload.
pub const MAX_BUNDLE: usize = 32 * 1024 * 1024;

type ApiResult = Result<Response, ApiError>;

/// Every route with its description; `max_upload` bounds `POST /v1/files`.
pub fn api(max_upload: usize) -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(openapi::document))
        .routes(limit(
            routes!(bundle::get_bundle, bundle::put_bundle),
            MAX_BUNDLE,
        ))
        .routes(routes!(bundle::list_bundles))
        .routes(routes!(bundle::stats))
        .routes(routes!(records::list_records, records::create_record))
        .routes(routes!(records::get_record))
        .routes(routes!(actions::record_action))
        .routes(routes!(records::history))
        .routes(limit(routes!(files::upload), max_upload + 64 * 1024))
        .routes(routes!(files::download))
        .routes(routes!(me::my_work))
        .routes(routes!(me::my_tasks))
        .routes(routes!(me::my_inbox))
        .routes(routes!(admin::outbox))
        .routes(routes!(kpis::get_kpis))
}

fn limit(
    (schemas, paths, router): UtoipaMethodRouter<Arc<AppState>>,
    bytes: usize,
) -> UtoipaMethodRouter<Arc<AppState>> {
    (schemas, paths, router.layer(DefaultBodyLimit::max(bytes)))
}

/// The router the server runs: the routes, the JSON body bound, the request timeout and the
/// JSON answer for anything axum refuses by itself (unknown path, wrong method, …).
pub fn router(state: Arc<AppState>) -> Router {
    let max_upload = state.files.max_upload;
    let (router, _) = api(max_upload).split_for_parts();
    let limit = state.request_timeout;
    bounds::apply(router, MAX_JSON, limit).with_state(state)
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
    ([(CONTENT_TYPE, "application/json")], text).into_response()
}

fn parse_body(body: &str) -> Result<serde_json::Value, ApiError> {
    serde_json::from_str(body).map_err(|e| ApiError::bad(&format!("the body is not JSON: {e}")))
}
