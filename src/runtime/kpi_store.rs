//! What the KPIs need, kept as the runtime goes: the rows one action adds (status entries,
//! tasks and approval steps opened and closed, the numbers a record ended with), derived from
//! the engine's events and written in the action's own transaction. Nothing is replayed from
//! history later.

use crate::bundle::{Bundle, Process};
use crate::engine::{Event, RecordId, World};

/// A record entered a status.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRow {
    pub record: RecordId,
    pub process: String,
    pub status: String,
    pub at: i64,
}

/// `task` or `approval`: the two kinds of work a person is waited on for.
pub const TASK: &str = "task";
pub const APPROVAL: &str = "approval";

/// A task or approval step opened.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRow {
    pub record: RecordId,
    pub process: String,
    pub kind: &'static str,
    /// The task id, or `<transition>#<step>` for an approval step.
    pub task: String,
    /// User or role ids, comma-separated.
    pub assignees: String,
    /// Who asked (approvals).
    pub requester: Option<String>,
    pub opened: i64,
    pub due: Option<i64>,
}

/// A task or approval step closed: `done` false when closed as no longer needed.
#[derive(Debug, Clone, PartialEq)]
pub struct CloseRow {
    pub record: RecordId,
    pub kind: &'static str,
    pub task: String,
    pub at: i64,
    pub done: bool,
    pub by: Option<String>,
}

/// A number or money field's value when its record reached a terminal status.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRow {
    pub record: RecordId,
    pub process: String,
    pub field: String,
    pub value: f64,
    pub at: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct KpiRows {
    pub entries: Vec<EntryRow>,
    pub opened: Vec<OpenRow>,
    pub closed: Vec<CloseRow>,
    pub values: Vec<ValueRow>,
}

impl KpiRows {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
            && self.opened.is_empty()
            && self.closed.is_empty()
            && self.values.is_empty()
    }
}

/// The rows an action's events add. `world` is the state after the action; `bundle` the
/// version the action ran on.
pub fn rows(bundle: &Bundle, world: &World, events: &[Event], at: i64) -> KpiRows {
    let mut out = KpiRows::default();
    let process_of = |id: &RecordId| world.records.get(id).map(|r| r.process.clone());
    for e in events {
        match e {
            Event::Created { record, process } => {
                if let Some(initial) = bundle
                    .process(process)
                    .and_then(|p| p.statuses.iter().find(|s| s.initial))
                {
                    out.entries.push(entry(*record, process, &initial.id, at));
                }
            }
            Event::Moved {
                record,
                process,
                to,
                ..
            } => {
                out.entries.push(entry(*record, process, to, at));
                if let Some(p) = bundle.process(process) {
                    if p.statuses.iter().any(|s| &s.id == to && s.terminal) {
                        out.values.extend(final_values(p, world, *record, at));
                    }
                }
            }
            Event::TaskOpened {
                record,
                task,
                assignees,
                due,
            } => out.opened.push(OpenRow {
                record: *record,
                process: process_of(record).unwrap_or_default(),
                kind: TASK,
                task: task.clone(),
                assignees: assignees.join(","),
                requester: None,
                opened: at,
                due: due.map(|d| d.secs),
            }),
            Event::TaskClosed {
                record,
                task,
                completed_by,
            } => out.closed.push(CloseRow {
                record: *record,
                kind: TASK,
                task: task.clone(),
                at,
                done: completed_by.is_some(),
                by: completed_by.clone(),
            }),
            Event::ApprovalRequested {
                record,
                transition,
                step,
                role,
            } => out.opened.push(OpenRow {
                record: *record,
                process: process_of(record).unwrap_or_default(),
                kind: APPROVAL,
                task: format!("{transition}#{step}"),
                assignees: role.clone(),
                requester: world
                    .records
                    .get(record)
                    .and_then(|r| r.approval.as_ref())
                    .and_then(|a| a.requester.clone()),
                opened: at,
                due: None,
            }),
            Event::Approved {
                record,
                transition,
                step,
                by,
            } => out.closed.push(CloseRow {
                record: *record,
                kind: APPROVAL,
                task: format!("{transition}#{step}"),
                at,
                done: true,
                by: Some(by.clone()),
            }),
            // A rejection decides whatever step is pending.
            Event::Rejected {
                record,
                transition,
                by,
                ..
            } => out.closed.push(CloseRow {
                record: *record,
                kind: APPROVAL,
                task: format!("{transition}#"),
                at,
                done: true,
                by: Some(by.clone()),
            }),
            _ => {}
        }
    }
    out
}

fn entry(record: RecordId, process: &str, status: &str, at: i64) -> EntryRow {
    EntryRow {
        record,
        process: process.to_string(),
        status: status.to_string(),
        at,
    }
}

/// A terminal record's fields cannot change any more: its numbers are final.
fn final_values(p: &Process, world: &World, record: RecordId, at: i64) -> Vec<ValueRow> {
    let Some(r) = world.records.get(&record) else {
        return vec![];
    };
    p.fields
        .iter()
        .filter(|f| f.ty == "number" || f.ty == "money")
        .filter_map(|f| {
            let value = r.fields.get(&f.id)?.as_f64()?;
            Some(ValueRow {
                record,
                process: p.name.clone(),
                field: f.id.clone(),
                value,
                at,
            })
        })
        .collect()
}
