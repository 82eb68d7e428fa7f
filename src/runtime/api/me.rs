//! The caller's work (`/v1/me/work`), open tasks (`/v1/me/tasks`) and inbox.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::user;
use super::openapi::ReadErrors;
use super::views::{dt, time};
use super::{blocking, ApiResult};
use crate::engine::RecordId;
use crate::runtime::error::ApiError;
use crate::runtime::service::AppState;
use crate::runtime::work::{self, MediaItem};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkView {
    /// Overdue first, then by due time.
    pub tasks: Vec<WorkTaskView>,
    pub approvals: Vec<WorkApprovalView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecordRefView {
    pub id: RecordId,
    pub process: String,
    pub process_title: String,
    pub status: String,
    pub status_title: String,
    pub version: i64,
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FillFieldView {
    pub id: String,
    pub title: String,
    /// The field type (`text`, `number`, `choice`, `file`, …).
    #[serde(rename = "type")]
    pub ty: String,
    pub options: Vec<String>,
    pub required: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MediaView {
    /// `file` (a project file, by path and SHA-256) or `link`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkTaskView {
    pub record: RecordRefView,
    pub task: String,
    pub title: String,
    /// Markdown.
    pub guide: Option<String>,
    pub checklist: Vec<String>,
    pub media: Vec<MediaView>,
    /// What completing asks for.
    pub fill: Vec<FillFieldView>,
    /// The status completing moves the record to.
    pub then: Option<String>,
    #[schema(format = DateTime)]
    pub opened: String,
    #[schema(format = DateTime)]
    pub due: Option<String>,
    pub overdue: bool,
    pub asked_by: Option<String>,
    pub on_behalf_of: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkApprovalView {
    pub record: RecordRefView,
    pub transition: String,
    pub transition_title: String,
    pub to: String,
    pub to_title: String,
    /// Index of the pending step.
    pub step: usize,
    pub role: String,
    /// `any` or `all`.
    pub mode: String,
    pub requester: Option<String>,
    /// The step's title (else the transition's).
    pub title: String,
    /// What to check before deciding (Markdown).
    pub guide: Option<String>,
    pub checklist: Vec<String>,
    #[schema(format = DateTime)]
    pub due: Option<String>,
}

fn record_ref(r: work::RecordRef) -> RecordRefView {
    RecordRefView {
        id: r.id,
        process: r.process,
        process_title: r.process_title,
        status: r.status,
        status_title: r.status_title,
        version: r.version,
        fields: r.fields,
    }
}

fn media(m: MediaItem) -> MediaView {
    match m {
        MediaItem::File { path, sha256 } => MediaView {
            kind: "file".into(),
            path: Some(path),
            sha256: Some(sha256),
            url: None,
        },
        MediaItem::Link { url } => MediaView {
            kind: "link".into(),
            path: None,
            sha256: None,
            url: Some(url),
        },
    }
}

fn task(t: work::WorkTask) -> WorkTaskView {
    WorkTaskView {
        record: record_ref(t.record),
        task: t.task,
        title: t.title,
        guide: t.guide,
        checklist: t.checklist,
        media: t.media.into_iter().map(media).collect(),
        fill: t
            .fill
            .into_iter()
            .map(|f| FillFieldView {
                id: f.id,
                title: f.title,
                ty: f.ty,
                options: f.options,
                required: f.required,
            })
            .collect(),
        then: t.then,
        opened: dt(t.opened),
        due: t.due.map(dt),
        overdue: t.overdue,
        asked_by: t.asked_by,
        on_behalf_of: t.on_behalf_of,
    }
}

fn approval(a: work::WorkApproval) -> WorkApprovalView {
    WorkApprovalView {
        record: record_ref(a.record),
        transition: a.transition,
        transition_title: a.transition_title,
        to: a.to,
        to_title: a.to_title,
        step: a.step,
        role: a.role,
        mode: a.mode,
        requester: a.requester,
        title: a.title,
        guide: a.guide,
        checklist: a.checklist,
        due: a.due.map(dt),
    }
}

/// The caller's open tasks and the approval steps they may decide.
#[utoipa::path(
    get,
    path = "/v1/me/work",
    operation_id = "getMyWork",
    tag = "me",
    responses((status = 200, description = "Tasks and approvals", body = WorkView), ReadErrors)
)]
pub async fn my_work(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    let u = user(&s, &h)?;
    let w = blocking(move || s.my_work(&u)).await?;
    let view = WorkView {
        tasks: w.tasks.into_iter().map(task).collect(),
        approvals: w.approvals.into_iter().map(approval).collect(),
    };
    Ok(Json(view).into_response())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MyTasks {
    pub tasks: Vec<MyTask>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MyTask {
    pub record: RecordId,
    pub process: String,
    pub status: String,
    pub task: String,
    pub title: Option<String>,
    /// Field ids `complete.fill` asks for.
    pub fill: Option<Vec<String>>,
    #[schema(format = DateTime)]
    pub due: Option<String>,
    pub overdue: bool,
    pub version: i64,
}

/// The caller's open tasks, briefly (see `/v1/me/work` for everything).
#[utoipa::path(
    get,
    path = "/v1/me/tasks",
    operation_id = "getMyTasks",
    tag = "me",
    responses((status = 200, description = "Open tasks", body = MyTasks), ReadErrors)
)]
pub async fn my_tasks(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    let u = user(&s, &h)?;
    let v = blocking(move || s.my_tasks(&u)).await?;
    let tasks: MyTasks =
        serde_json::from_value(v).map_err(|e| ApiError::internal(format!("tasks: {e}")))?;
    Ok(Json(tasks).into_response())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Inbox {
    pub messages: Vec<InboxMessage>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InboxMessage {
    pub id: i64,
    #[schema(format = DateTime)]
    pub at: String,
    pub record: Option<RecordId>,
    /// `status:<id>`, `approval-requested`, `rejected`, `reminder:<task>`, `escalation:<task>`.
    pub reason: String,
    pub message: String,
}

/// The caller's latest 200 messages, newest first.
#[utoipa::path(
    get,
    path = "/v1/me/inbox",
    operation_id = "getMyInbox",
    tag = "me",
    responses((status = 200, description = "Messages", body = Inbox), ReadErrors)
)]
pub async fn my_inbox(State(s): State<Arc<AppState>>, h: HeaderMap) -> ApiResult {
    let u = user(&s, &h)?;
    let offset = s.clock.offset;
    let rows = blocking(move || Ok(s.store().inbox(&u.id, 200)?)).await?;
    let messages = rows
        .into_iter()
        .map(|m| InboxMessage {
            id: m.id,
            at: time(m.at, offset),
            record: m.record_id,
            reason: m.reason,
            message: m.message,
        })
        .collect();
    Ok(Json(Inbox { messages }).into_response())
}
