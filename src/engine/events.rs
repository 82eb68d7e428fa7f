//! What an action caused, in order. A runtime turns these into inbox items, messages and
//! timers; `sopctl test` compares them with a scenario's `expect`.

use super::time::DateTime;

pub type RecordId = u64;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Created {
        record: RecordId,
        process: String,
    },
    FieldsSet {
        record: RecordId,
        fields: Vec<String>,
    },
    /// `by` is None for automatic transitions and for moves caused by a child (`move_parent`).
    Moved {
        record: RecordId,
        process: String,
        transition: String,
        from: String,
        to: String,
        by: Option<String>,
    },
    TaskOpened {
        record: RecordId,
        task: String,
        assignees: Vec<String>,
        due: Option<DateTime>,
    },
    TaskClosed {
        record: RecordId,
        task: String,
        /// The user who completed it; None when closed as no longer needed.
        completed_by: Option<String>,
    },
    ApprovalRequested {
        record: RecordId,
        transition: String,
        step: usize,
        role: String,
    },
    Approved {
        record: RecordId,
        transition: String,
        step: usize,
        by: String,
    },
    Rejected {
        record: RecordId,
        transition: String,
        by: String,
        /// Why, as the approver wrote it (never empty).
        reason: String,
    },
    /// A message to people: `to` holds user ids and role ids (a role means its holders).
    Notified {
        record: RecordId,
        to: Vec<String>,
        channel: String,
        message: String,
        reason: NotifyReason,
    },
    Overdue {
        record: RecordId,
        task: String,
    },
    ChildStarted {
        parent: RecordId,
        child: RecordId,
        process: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyReason {
    /// A status's `notify`, on entering it.
    Status(String),
    /// An approval step asks its role.
    ApprovalRequested,
    /// A rejection tells whoever asked.
    Rejected,
    /// `remind_before` of a task.
    Reminder(String),
    /// `escalate` of a task.
    Escalation(String),
}
