//! `GET /v1/kpis`: each KPI of a process per period against its target (SPEC 12), with the
//! open work per role and person, approval waits and the tasks most often late. The answer is
//! computed in `runtime::kpi_api`; this file describes it for the OpenAPI document.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::caller;
use super::openapi::WriteErrors;
use super::{blocking, ApiResult};
use crate::runtime::kpi_api::KpiQuery;
use crate::runtime::service::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct KpisAnswer {
    pub process: String,
    #[schema(format = DateTime)]
    pub from: String,
    #[schema(format = DateTime)]
    pub to: String,
    /// `week` or `month`.
    pub period: String,
    pub kpis: Vec<KpiSeries>,
    /// Open and overdue work per role or person.
    #[schema(value_type = Vec<Object>)]
    pub load: Vec<Value>,
    /// Approval steps per deciding role (`roles`) and the longest waits (`waits`).
    #[schema(value_type = Object)]
    pub approvals: Value,
    /// The tasks most often late, at most five.
    #[schema(value_type = Vec<Object>)]
    pub late_tasks: Vec<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KpiSeries {
    pub id: String,
    pub title: String,
    /// `time`, `share`, `on_time` or `average`.
    pub measure: String,
    /// For `time`: the statistic reported (`p50`, `p90`, `p95`, `avg`).
    pub stat: Option<String>,
    pub target: Option<String>,
    pub periods: Vec<KpiPeriod>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KpiPeriod {
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    /// Seconds for `time`, a fraction 0–1 for `share`/`on_time`, the field's unit for
    /// `average`; null when `count` is 0.
    pub value: Option<f64>,
    pub count: usize,
    /// Null when there is no value or no target.
    pub met: Option<bool>,
}

/// A process's KPIs per period against their targets (internal users and the admin).
#[utoipa::path(
    get,
    path = "/v1/kpis",
    operation_id = "getKpis",
    tag = "kpis",
    params(KpiQuery),
    responses((status = 200, description = "KPIs per period", body = KpisAnswer), WriteErrors)
)]
pub async fn get_kpis(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Query(q): Query<KpiQuery>,
) -> ApiResult {
    let c = caller(&s, &h)?;
    let out = blocking(move || crate::runtime::kpi_api::kpis(&s, &c, &q)).await?;
    Ok(Json(out).into_response())
}
