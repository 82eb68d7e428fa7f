//! Records and the world they live in.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::events::RecordId;
use super::time::DateTime;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenTask {
    pub id: String,
    /// Role ids for `role:` tasks (any holder may complete), else empty.
    pub roles: Vec<String>,
    /// User ids for `field:` tasks (any of them may complete), else empty.
    pub users: Vec<String>,
    pub opened: DateTime,
    pub due: Option<DateTime>,
    /// Reminder times not yet sent, ascending.
    pub reminders: Vec<DateTime>,
    pub overdue: bool,
    /// When to escalate (due + after), cleared once sent.
    pub escalate_at: Option<DateTime>,
    /// Why the task is open again: the reason of the rejection that reopened it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PendingApproval {
    /// Index into the process's transitions.
    pub transition: usize,
    pub step: usize,
    pub requester: Option<String>,
    /// Who approved the current step (mode `all`).
    pub approved_by: BTreeSet<String>,
    /// The task whose `complete.then` asked for the move: a rejection opens it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_task: Option<String>,
    /// When the current step was requested, and its timers (as for tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<DateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reminders: Vec<DateTime>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_at: Option<DateTime>,
}

impl PendingApproval {
    /// The next moment one of the step's timers fires, if any.
    pub fn next_timer(&self) -> Option<DateTime> {
        let due = self.due.filter(|_| !self.overdue).map(|d| d.plus_secs(1));
        [self.reminders.first().copied(), due, self.escalate_at]
            .into_iter()
            .flatten()
            .min_by_key(|t| t.secs)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime,
    pub transition: String,
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: RecordId,
    pub process: String,
    pub status: String,
    pub fields: BTreeMap<String, Value>,
    pub tasks: Vec<OpenTask>,
    pub approval: Option<PendingApproval>,
    pub parent: Option<RecordId>,
    pub children: Vec<RecordId>,
    pub history: Vec<HistoryEntry>,
    /// For a child: how many moves its parent had made when it was started, which tells the
    /// children started together (`move_parent: { when: all }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_in: Option<usize>,
}

impl Record {
    /// A record of `process` in `status`, with no fields, tasks or history yet.
    pub fn new(id: RecordId, process: &str, status: &str) -> Record {
        Record {
            id,
            process: process.to_string(),
            status: status.to_string(),
            fields: BTreeMap::new(),
            tasks: vec![],
            approval: None,
            parent: None,
            children: vec![],
            history: vec![],
            started_in: None,
        }
    }

    pub fn open_task_ids(&self) -> Vec<String> {
        self.tasks.iter().map(|t| t.id.clone()).collect()
    }

    /// Open tasks whose due time has passed at `now`.
    pub fn overdue_task_ids(&self, now: DateTime) -> Vec<String> {
        self.tasks
            .iter()
            .filter(|t| t.due.is_some_and(|d| d < now))
            .map(|t| t.id.clone())
            .collect()
    }

    /// A field counts as filled when present and not null, `""` or `[]`.
    pub fn is_set(&self, field: &str) -> bool {
        is_filled(self.fields.get(field))
    }
}

pub fn is_filled(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

/// Every record, the directory of users and the process time zone. Ids are assigned in order
/// (1, 2, …), so the same actions always give the same world.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub records: BTreeMap<RecordId, Record>,
    pub next_id: RecordId,
    /// user id → role ids. This is how "every holder" of a role is known for `mode: all`
    /// approvals, and which user ids a `user` field accepts.
    pub users: BTreeMap<String, BTreeSet<String>>,
    /// The process time zone as a fixed UTC offset in seconds (for `today`, `tomorrow`,
    /// business days and dates).
    pub offset: i32,
}

impl World {
    pub fn new(users: BTreeMap<String, BTreeSet<String>>, offset: i32) -> World {
        World {
            records: BTreeMap::new(),
            next_id: 1,
            users,
            offset,
        }
    }

    pub fn holders(&self, role: &str) -> Vec<String> {
        self.users
            .iter()
            .filter(|(_, roles)| roles.contains(role))
            .map(|(u, _)| u.clone())
            .collect()
    }

    pub fn get(&self, id: RecordId) -> Option<&Record> {
        self.records.get(&id)
    }
}
