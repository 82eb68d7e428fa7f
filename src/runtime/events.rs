//! Engine events as the JSON the API answers with and the audit log keeps.

use serde_json::{json, Value};

use crate::engine::Event;

pub fn event_json(e: &Event) -> Value {
    match e {
        Event::Created { record, process } => {
            json!({"type": "created", "record": record, "process": process})
        }
        Event::FieldsSet { record, fields } => {
            json!({"type": "fields-set", "record": record, "fields": fields})
        }
        Event::Moved {
            record,
            transition,
            from,
            to,
            by,
            ..
        } => {
            json!({"type": "moved", "record": record, "transition": transition, "from": from, "to": to, "by": by})
        }
        Event::TaskOpened {
            record,
            task,
            assignees,
            due,
        } => {
            json!({"type": "task-opened", "record": record, "task": task, "assignees": assignees, "due": due.map(|d| d.to_string())})
        }
        Event::TaskClosed {
            record,
            task,
            completed_by,
        } => {
            json!({"type": "task-closed", "record": record, "task": task, "completed_by": completed_by})
        }
        Event::ApprovalRequested {
            record,
            transition,
            step,
            role,
        } => {
            json!({"type": "approval-requested", "record": record, "transition": transition, "step": step, "role": role})
        }
        Event::Approved {
            record,
            transition,
            step,
            by,
        } => {
            json!({"type": "approved", "record": record, "transition": transition, "step": step, "by": by})
        }
        Event::Rejected {
            record,
            transition,
            by,
            reason,
        } => {
            json!({"type": "rejected", "record": record, "transition": transition, "by": by, "reason": reason})
        }
        Event::Notified {
            record,
            to,
            channel,
            message,
            ..
        } => {
            json!({"type": "notified", "record": record, "to": to, "channel": channel, "message": message})
        }
        Event::Overdue { record, task } => {
            json!({"type": "overdue", "record": record, "task": task})
        }
        Event::ChildStarted {
            parent,
            child,
            process,
        } => json!({"type": "child-started", "record": parent, "child": child, "process": process}),
    }
}
