//! What the KPIs need, kept as the runtime goes: the rows one action adds (status entries,
//! tasks and approval steps opened and closed, the numbers a record ended with), derived from
//! the engine's events and written in the action's own transaction. Nothing is replayed from
//! history later.

use super::kpi_agg::key;
use super::storage_kpi_agg::SampleRow;
use crate::bundle::{Bundle, Process};
use crate::engine::eval::{holds, Ctx};
use crate::engine::{DateTime, Event, RecordId, World};
use crate::expr::parse_expr;
use crate::kpi::def::Measure;

/// A record entered a status.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRow {
    pub record: RecordId,
    pub process: String,
    pub status: String,
    pub at: i64,
    /// Whether `status` is terminal (a `share` KPI counts the record then).
    pub terminal: bool,
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
    /// `share.where` samples, computed here where the record's final fields are at hand.
    pub wheres: Vec<SampleRow>,
}

impl KpiRows {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
            && self.opened.is_empty()
            && self.closed.is_empty()
            && self.values.is_empty()
            && self.wheres.is_empty()
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
                    out.entries
                        .push(entry(*record, process, &initial.id, initial.terminal, at));
                }
            }
            Event::Moved {
                record,
                process,
                to,
                ..
            } => {
                let p = bundle.process(process);
                let terminal =
                    p.is_some_and(|p| p.statuses.iter().any(|s| &s.id == to && s.terminal));
                out.entries.push(entry(*record, process, to, terminal, at));
                if let Some(p) = p.filter(|_| terminal) {
                    out.values.extend(final_values(p, world, *record, at));
                    out.wheres.extend(where_samples(p, world, *record, at));
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
                // The step's due time, as the engine set it when asking (SPEC 10).
                due: world
                    .records
                    .get(record)
                    .and_then(|r| r.approval.as_ref())
                    .and_then(|a| a.due)
                    .map(|d| d.secs),
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

fn entry(record: RecordId, process: &str, status: &str, terminal: bool, at: i64) -> EntryRow {
    EntryRow {
        record,
        process: process.to_string(),
        status: status.to_string(),
        at,
        terminal,
    }
}

/// Each `share.where` KPI's verdict on a record that just reached a terminal status: its
/// fields cannot change any more, so this is final.
fn where_samples(p: &Process, world: &World, record: RecordId, at: i64) -> Vec<SampleRow> {
    let Some(r) = world.records.get(&record) else {
        return vec![];
    };
    let cx = Ctx {
        process: p,
        record: r,
        now: DateTime {
            secs: at,
            offset: world.offset,
        },
        offset: world.offset,
    };
    p.kpis
        .iter()
        .filter_map(|k| match &k.measure {
            Measure::Share { when: Some(w), .. } => Some((key(&k.measure), parse_expr(w).ok()?)),
            _ => None,
        })
        .map(|(k, e)| SampleRow {
            process: p.name.clone(),
            key: k,
            at,
            value: f64::from(u8::from(holds(&e, &cx))),
        })
        .collect()
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
