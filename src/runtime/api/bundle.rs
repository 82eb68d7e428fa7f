//! The bundle the runtime runs: upload (admin), read, versions, live counts.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::{admin, caller};
use super::openapi::{ReadErrors, WriteErrors};
use super::views::{time, StatusCount};
use super::{blocking, json_text, ApiResult};
use crate::runtime::error::ApiError;
use crate::runtime::service::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PutQuery {
    /// `true`: activate even if live records sit in statuses the bundle removes (they stay on
    /// the version they run on).
    pub force: Option<String>,
}

/// What an upload did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BundleAnswer {
    /// `created` (new version), `activated` (a stored version made active again) or
    /// `unchanged` (already active).
    pub status: String,
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrated: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stranded: Option<Vec<StatusCount>>,
    /// Roles of the bundle that nobody in the directory holds (reported, never refused).
    #[serde(default)]
    pub unheld_roles: Vec<String>,
}

/// Upload a bundle (`sopctl build` output) and make it active.
#[utoipa::path(
    put,
    path = "/v1/bundle",
    operation_id = "putBundle",
    tag = "bundle",
    params(PutQuery),
    request_body(content = Object, description = "A bundle.json (see schemas/bundle.schema.json)", content_type = "application/json"),
    responses(
        (status = 200, description = "Already active, or a stored version activated", body = BundleAnswer),
        (status = 201, description = "A new version stored and activated", body = BundleAnswer),
        WriteErrors
    )
)]
pub async fn put_bundle(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Query(q): Query<PutQuery>,
    body: String,
) -> ApiResult {
    admin(&s, &h, "uploads bundles")?;
    let force = q
        .force
        .is_some_and(|v| v.is_empty() || v == "true" || v == "1");
    let (status, out) = blocking(move || s.put_bundle(&body, force)).await?;
    let answer: BundleAnswer = serde_json::from_value(out)
        .map_err(|e| ApiError::internal(format!("an upload answer: {e}")))?;
    Ok((status, Json(answer)).into_response())
}

/// The active bundle, as uploaded.
#[utoipa::path(
    get,
    path = "/v1/bundle",
    operation_id = "getBundle",
    tag = "bundle",
    responses(
        (status = 200, description = "The active bundle.json", body = Object),
        ReadErrors
    )
)]
pub async fn get_bundle(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    let c = caller(&s, &h)?;
    let active = blocking(move || {
        s.deny_outsider(&c, "the bundle")?;
        Ok(s.store().active_bundle()?)
    })
    .await?;
    match active {
        Some((_, json)) => Ok(json_text(json)),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no-bundle",
            "no bundle is active",
        )),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BundleVersions {
    pub bundles: Vec<BundleVersion>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BundleVersion {
    pub hash: String,
    #[schema(format = DateTime)]
    pub uploaded_at: String,
    pub active: bool,
}

/// Every stored bundle version.
#[utoipa::path(
    get,
    path = "/v1/bundles",
    operation_id = "listBundles",
    tag = "bundle",
    responses((status = 200, description = "Stored versions, oldest first", body = BundleVersions), ReadErrors)
)]
pub async fn list_bundles(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    let c = caller(&s, &h)?;
    let offset = s.clock.offset;
    let rows = blocking(move || {
        s.deny_outsider(&c, "the bundles")?;
        Ok(s.store().bundles()?)
    })
    .await?;
    let bundles = rows
        .into_iter()
        .map(|r| BundleVersion {
            hash: r.hash,
            uploaded_at: time(r.uploaded_at, offset),
            active: r.active,
        })
        .collect();
    Ok(Json(BundleVersions { bundles }).into_response())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    /// The active bundle's hash.
    pub bundle: Option<String>,
    pub live: Vec<StatusCount>,
    /// Roles of the active bundle that nobody in the directory holds (reported, never refused).
    pub unheld_roles: Vec<String>,
}

/// The active bundle and the live records per process and status.
#[utoipa::path(
    get,
    path = "/v1/stats",
    operation_id = "getStats",
    tag = "bundle",
    responses((status = 200, description = "Live counts", body = Stats), ReadErrors)
)]
pub async fn stats(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    let c = caller(&s, &h)?;
    let v = blocking(move || {
        s.deny_outsider(&c, "the statistics")?;
        s.stats()
    })
    .await?;
    let stats: Stats =
        serde_json::from_value(v).map_err(|e| ApiError::internal(format!("stats: {e}")))?;
    Ok(Json(stats).into_response())
}
