//! Records: list, create, read, history.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::actions::{idempotency_key, object};
use super::auth::{reader, user};
use super::openapi::{ReadErrors, WriteErrors};
use super::views::{time, Outcome, RecordView};
use super::{blocking, parse_body, ApiResult};
use crate::engine::{Action, RecordId};
use crate::runtime::error::ApiError;
use crate::runtime::listing::{ListFilter, Listed};
use crate::runtime::service::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only records of this process.
    pub process: Option<String>,
    /// Only records in this status.
    pub status: Option<String>,
    /// `true`: only records the caller takes part in.
    pub mine: Option<bool>,
    /// `true`: only records with an open task past its due time.
    pub overdue: Option<bool>,
    /// Text to find in a field value.
    pub q: Option<String>,
    /// Records per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecordPage {
    pub records: Vec<RecordSummary>,
    /// Pass as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecordSummary {
    pub id: RecordId,
    pub process: String,
    pub process_title: String,
    pub status: String,
    pub status_title: String,
    pub version: i64,
    /// Field id → value.
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, Value>,
    /// Ids of the open tasks.
    pub open_tasks: Vec<String>,
    pub overdue: bool,
    pub awaiting_approval: bool,
    pub parent: Option<RecordId>,
}

fn summary(l: Listed) -> RecordSummary {
    let r = l.record.record;
    RecordSummary {
        id: r.id,
        process_title: l.process_title,
        status_title: l.status_title,
        version: l.record.version,
        open_tasks: r.open_task_ids(),
        overdue: l.overdue,
        awaiting_approval: r.approval.is_some(),
        parent: r.parent,
        process: r.process,
        status: r.status,
        fields: r.fields,
    }
}

/// A page of the records the caller may see, newest first.
#[utoipa::path(
    get,
    path = "/v1/records",
    operation_id = "listRecords",
    tag = "records",
    params(ListQuery),
    responses((status = 200, description = "A page of records", body = RecordPage), ReadErrors)
)]
pub async fn list_records(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    let u = reader(&s, &h)?;
    let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            c.parse::<RecordId>()
                .map_err(|_| ApiError::bad("`cursor` is the `next_cursor` of a page"))?,
        ),
    };
    let f = ListFilter {
        process: q.process,
        status: q.status,
        mine: q.mine.unwrap_or(false),
        overdue: q.overdue.unwrap_or(false),
        q: q.q,
        limit: q.limit.unwrap_or(50) as usize,
        before,
    };
    let (rows, next) = blocking(move || s.list_records(u.as_ref(), &f)).await?;
    let page = RecordPage {
        records: rows.into_iter().map(summary).collect(),
        next_cursor: next.map(|n| n.to_string()),
    };
    Ok(Json(page).into_response())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreateRequest {
    /// The process to start a record of.
    pub process: String,
    /// Field id → value: the creation fields.
    #[schema(value_type = Object)]
    #[serde(default)]
    pub fields: Option<BTreeMap<String, Value>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: RecordId,
    pub record: Outcome,
}

/// Start a record of a process.
#[utoipa::path(
    post,
    path = "/v1/records",
    operation_id = "createRecord",
    tag = "records",
    request_body = CreateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "A client's id for this request: a retry gets the first answer")),
    responses((status = 201, description = "Created", body = Created), WriteErrors)
)]
pub async fn create_record(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    body: String,
) -> ApiResult {
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
    let record = Outcome::from_service(&out)?;
    Ok((StatusCode::CREATED, Json(Created { id, record })).into_response())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecordRead {
    pub state: RecordView,
    /// Send it back as `version` with an action to refuse a stale change.
    pub version: i64,
    pub bundle_hash: String,
}

/// One record.
#[utoipa::path(
    get,
    path = "/v1/records/{id}",
    operation_id = "getRecord",
    tag = "records",
    params(("id" = u64, Path, description = "The record id")),
    responses((status = 200, description = "The record", body = RecordRead), ReadErrors)
)]
pub async fn get_record(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Path(id): Path<RecordId>,
) -> ApiResult {
    let u = reader(&s, &h)?;
    let r = blocking(move || s.read_record(u.as_ref(), id)).await?;
    let read = RecordRead {
        state: RecordView::from(&r.record),
        version: r.version,
        bundle_hash: r.bundle_hash,
    };
    Ok(Json(read).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HistoryPage {
    pub history: Vec<AuditView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditView {
    pub id: i64,
    #[schema(format = DateTime)]
    pub at: String,
    pub actor: String,
    /// `create`, `set`, `move`, `approve`, `complete`, `tick` (the background loop).
    pub action: String,
    pub bundle_hash: Option<String>,
    /// `request` (long texts cut), `changed` (field → new value) and `events`.
    #[schema(value_type = Object)]
    pub detail: Value,
}

/// A record's audit log, oldest first, a page at a time.
#[utoipa::path(
    get,
    path = "/v1/records/{id}/history",
    operation_id = "getRecordHistory",
    tag = "records",
    params(("id" = u64, Path, description = "The record id"), HistoryQuery),
    responses((status = 200, description = "A page of the history", body = HistoryPage), ReadErrors)
)]
pub async fn history(
    State(s): State<Arc<AppState>>,
    h: HeaderMap,
    Path(id): Path<RecordId>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult {
    let u = reader(&s, &h)?;
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c
            .parse::<i64>()
            .map_err(|_| ApiError::bad("`cursor` is the `next_cursor` of a page"))?,
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 200) as usize;
    let offset = s.clock.offset;
    let rows = blocking(move || {
        s.read_record(u.as_ref(), id)?;
        Ok(s.read_store().history_page(id, after, limit + 1)?)
    })
    .await?;
    let more = rows.len() > limit;
    let history: Vec<AuditView> = rows
        .into_iter()
        .take(limit)
        .map(|a| AuditView {
            id: a.id,
            at: time(a.at, offset),
            actor: a.actor,
            action: a.action,
            bundle_hash: a.bundle_hash,
            detail: a.detail,
        })
        .collect();
    let next_cursor = more
        .then(|| history.last().map(|a| a.id.to_string()))
        .flatten();
    Ok(Json(HistoryPage {
        history,
        next_cursor,
    })
    .into_response())
}
