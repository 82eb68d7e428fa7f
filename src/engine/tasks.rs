//! Opening tasks: assignees (one task per person for `each`), due times, reminders and the
//! escalation time; and what an `each` completion adds to its fields.

use serde_json::Value;

use super::eval;
use super::record::{OpenTask, Record};
use super::rights::users_in;
use super::time::DateTime;
use crate::bundle::{Dur, Escalation, Process, Ref, Task};
use crate::expr::Due;

/// The due time of work opened at `now` (None when the rule's field is unset).
pub fn due_time(
    p: &Process,
    r: &Record,
    due: &Due,
    now: DateTime,
    offset: i32,
) -> Option<DateTime> {
    match due {
        Due::Today { hour, minute } => Some(now.at_local(0, *hour, *minute)),
        Due::Tomorrow { hour, minute } => Some(now.at_local(1, *hour, *minute)),
        Due::After { duration } => Some(now.plus(*duration)),
        Due::FieldPlus {
            field,
            duration,
            before,
            ..
        } => {
            let ty = p
                .fields
                .iter()
                .find(|f| &f.id == field)
                .map(|f| f.ty.as_str())
                .unwrap_or("");
            match eval::field_val(ty, r.fields.get(field), offset) {
                eval::Val::Time(t) if *before => Some(t.in_offset(offset).minus(*duration)),
                eval::Val::Time(t) => Some(t.in_offset(offset).plus(*duration)),
                _ => None,
            }
        }
    }
}

/// Due time, reminder times (ascending) and escalation time of work due at `due`.
pub(super) fn timing(
    due: Option<DateTime>,
    remind_before: &[Dur],
    escalate: Option<&Escalation>,
) -> (Vec<DateTime>, Option<DateTime>) {
    let mut reminders: Vec<DateTime> = match due {
        Some(d) => remind_before
            .iter()
            .map(|x| d.minus(x.duration()))
            .collect(),
        None => vec![],
    };
    reminders.sort();
    let escalate_at = match (due, escalate) {
        (Some(d), Some(e)) => Some(d.plus(e.after.duration())),
        _ => None,
    };
    (reminders, escalate_at)
}

/// The tasks a definition opens on a record: one, or one per person for `each`.
pub(super) fn open_tasks(
    p: &Process,
    r: &Record,
    task: &Task,
    now: DateTime,
    offset: i32,
) -> Vec<OpenTask> {
    let due = task
        .due
        .as_ref()
        .and_then(|d| due_time(p, r, &d.rule, now, offset));
    let (reminders, escalate_at) = timing(due, &task.remind_before, task.escalate.as_ref());
    let one = |roles: Vec<String>, users: Vec<String>| OpenTask {
        id: task.id.clone(),
        roles,
        users,
        opened: now,
        due,
        reminders: reminders.clone(),
        overdue: false,
        escalate_at,
        note: None,
    };
    match &task.assignee {
        Ref::Role(x) => vec![one(vec![x.clone()], vec![])],
        Ref::Field(f) if task.each => users_in(&r.fields, f)
            .into_iter()
            .map(|u| one(vec![], vec![u]))
            .collect(),
        Ref::Field(f) => vec![one(vec![], users_in(&r.fields, f))],
    }
}

/// What one person's completion of an `each` task leaves in a field: files and users are
/// appended, a longtext gets a line for that person; other types are replaced.
pub(super) fn accumulate(ty: &str, old: Option<&Value>, new: Value, user: &str) -> Value {
    match (ty, old, new) {
        ("files" | "users", Some(Value::Array(old)), Value::Array(new)) => {
            let mut all = old.clone();
            all.extend(new.into_iter().filter(|v| !old.contains(v)));
            Value::Array(all)
        }
        ("longtext", Some(Value::String(old)), Value::String(new)) if !old.is_empty() => {
            Value::String(format!("{old}\n{user}: {new}"))
        }
        ("longtext", _, Value::String(new)) => Value::String(format!("{user}: {new}")),
        (_, _, new) => new,
    }
}
