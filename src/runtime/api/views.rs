//! The shapes the API answers with, as types: the OpenAPI document is derived from them, and
//! engine values are converted here, at the boundary (times become RFC 3339 strings in the
//! server's UTC offset; the engine's `{secs, offset}` never leaves the server).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::engine::{DateTime, Record, RecordId};

/// RFC 3339 in the given offset.
pub fn time(secs: i64, offset: i32) -> String {
    DateTime { secs, offset }.to_string()
}

pub fn dt(d: DateTime) -> String {
    d.to_string()
}

/// The error envelope of every answer that is not a success.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable word: `unauthorized`, `not-allowed`, `bad-request`, `missing-fields`,
    /// `invalid-value`, `invalid-bundle`, `conflict`, `timeout`, `payload-too-large`, …
    pub code: String,
    /// What went wrong and what to do, in words.
    pub message: String,
    /// The fields concerned (`missing-fields`, `not-allowed` on fields, `invalid-value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldRef>>,
    /// The values a choice field accepts (`invalid-value` on a choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// Live records a bundle upload would strand (`would-strand`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stranded: Option<Vec<StatusCount>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldRef {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusCount {
    pub process: String,
    pub status: String,
    pub records: i64,
}

/// A record as the engine keeps it, with times as RFC 3339.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecordView {
    pub id: RecordId,
    pub process: String,
    pub status: String,
    /// Field id → value (`file`/`files` values are file ids, `sha256:…`).
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, Value>,
    pub tasks: Vec<OpenTaskView>,
    pub approval: Option<ApprovalView>,
    pub parent: Option<RecordId>,
    pub children: Vec<RecordId>,
    pub history: Vec<StepView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OpenTaskView {
    pub id: String,
    /// Role ids when the task is assigned to a role (any holder may complete it).
    pub roles: Vec<String>,
    /// User ids when it is assigned to a user field.
    pub users: Vec<String>,
    #[schema(format = DateTime)]
    pub opened: String,
    #[schema(format = DateTime)]
    pub due: Option<String>,
    pub overdue: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApprovalView {
    /// Index of the transition in the process.
    pub transition: usize,
    pub step: usize,
    pub requester: Option<String>,
    pub approved_by: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StepView {
    #[schema(format = DateTime)]
    pub at: String,
    pub transition: String,
    pub by: Option<String>,
}

impl From<&Record> for RecordView {
    fn from(r: &Record) -> RecordView {
        RecordView {
            id: r.id,
            process: r.process.clone(),
            status: r.status.clone(),
            fields: r.fields.clone(),
            tasks: r
                .tasks
                .iter()
                .map(|t| OpenTaskView {
                    id: t.id.clone(),
                    roles: t.roles.clone(),
                    users: t.users.clone(),
                    opened: dt(t.opened),
                    due: t.due.map(dt),
                    overdue: t.overdue,
                })
                .collect(),
            approval: r.approval.as_ref().map(|a| ApprovalView {
                transition: a.transition,
                step: a.step,
                requester: a.requester.clone(),
                approved_by: a.approved_by.iter().cloned().collect(),
            }),
            parent: r.parent,
            children: r.children.clone(),
            history: r
                .history
                .iter()
                .map(|h| StepView {
                    at: dt(h.at),
                    transition: h.transition.clone(),
                    by: h.by.clone(),
                })
                .collect(),
        }
    }
}

/// What an action did: the record after it, and the engine's events in order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Outcome {
    pub state: RecordView,
    /// Each event is an object with a `type` (`created`, `fields-set`, `moved`,
    /// `task-opened`, `task-closed`, `approval-requested`, `approved`, `rejected`, `notified`,
    /// `overdue`, `child-started`) and the record it concerns; times are RFC 3339.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Value>,
}

impl Outcome {
    /// From the service's answer `{"state": <engine record>, "events": [...]}`.
    pub fn from_service(out: &Value) -> Result<Outcome, crate::runtime::error::ApiError> {
        let record: Record = serde_json::from_value(out["state"].clone())
            .map_err(|e| crate::runtime::error::ApiError::internal(format!("a record: {e}")))?;
        let events = out["events"].as_array().cloned().unwrap_or_default();
        Ok(Outcome {
            state: RecordView::from(&record),
            events,
        })
    }
}
