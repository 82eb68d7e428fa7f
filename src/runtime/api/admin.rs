//! What only the admin token reads: the outbox of messages to external channels.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::auth::admin;
use super::openapi::ReadErrors;
use super::views::time;
use super::{blocking, ApiResult};
use crate::engine::RecordId;
use crate::runtime::service::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only the messages of this record.
    pub record: Option<RecordId>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Outbox {
    pub messages: Vec<OutboxMessage>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OutboxMessage {
    pub id: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub record: Option<RecordId>,
    pub channel: String,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    #[schema(format = DateTime)]
    pub next_at: String,
    pub last_error: Option<String>,
    #[schema(value_type = Object)]
    pub payload: Value,
}

/// Messages to external channels and their delivery state.
#[utoipa::path(
    get,
    path = "/v1/outbox",
    operation_id = "getOutbox",
    tag = "admin",
    params(OutboxQuery),
    responses((status = 200, description = "Messages", body = Outbox), ReadErrors)
)]
pub async fn outbox(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Query(q): Query<OutboxQuery>,
) -> ApiResult {
    admin(&s, &h, "reads the outbox")?;
    let offset = s.clock.offset;
    let rows = blocking(move || Ok(s.store().outbox(q.record)?)).await?;
    let messages = rows
        .into_iter()
        .map(|o| OutboxMessage {
            id: o.id,
            created_at: time(o.created_at, offset),
            record: o.record_id,
            channel: o.channel,
            state: o.state,
            attempts: o.attempts,
            next_at: time(o.next_at, offset),
            last_error: o.last_error,
            payload: o.payload,
        })
        .collect();
    Ok(Json(Outbox { messages }).into_response())
}
