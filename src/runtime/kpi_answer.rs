//! The answer of `GET /v1/kpis`: each KPI of a process per period against its target, read
//! from the KPI tables and measured by the shared functions in `crate::kpi`; then who carries
//! the open work, how long approvals wait and which tasks are most often late.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::error::ApiError;
use super::kpi_store::APPROVAL;
use super::storage::Store;
use super::storage_kpis::OpenWork;
use crate::bundle::{Bundle, Process};
use crate::engine::eval::{holds, Ctx};
use crate::engine::{DateTime, Record};
use crate::expr::parse_expr;
use crate::kpi::measure::{on_time_samples, reached, share_samples, time_samples, Entry, Sample};
use crate::kpi::period::Period;
use crate::kpi::{report, rfc3339, Kpi, KpiReport, Measure};

/// What was asked: a process, a range and its periods.
pub struct Ask<'a> {
    pub process: &'a Process,
    pub from: i64,
    pub to: i64,
    pub periods: Vec<Period>,
    pub now: i64,
    pub offset: i32,
}

/// One KPI's samples in the asked range.
fn samples(store: &Store, a: &Ask, k: &Kpi) -> Result<Vec<Sample>, ApiError> {
    let p = a.process;
    let name = p.name.as_str();
    Ok(match &k.measure {
        Measure::Time { from, to } => {
            let entries = store.kpi_entries(name, &[to], &[from, to], a.from, a.to)?;
            time_samples(&entries, from, to)
        }
        Measure::Share { reached: r, when } => {
            let terminal: Vec<&str> = p
                .statuses
                .iter()
                .filter(|s| s.terminal)
                .map(|s| s.id.as_str())
                .collect();
            // A terminal status has no way out: its entry is the record's only terminal one.
            let mut entries = store.kpi_entries_in(name, &terminal, a.from, a.to)?;
            if let Some(r) = r.as_deref().filter(|r| !terminal.contains(r)) {
                entries.extend(store.kpi_entries(name, &terminal, &[r], a.from, a.to)?);
            }
            let is_terminal = |s: &str| terminal.contains(&s);
            match (r, when) {
                (Some(r), _) => share_samples(&entries, &is_terminal, &reached(r)),
                (None, Some(w)) => share_where(store, a, &entries, &is_terminal, w)?,
                (None, None) => vec![],
            }
        }
        Measure::OnTime { task } => on_time_samples(
            &store.kpi_completions(name, Some(task), a.from, a.to)?,
            task,
        ),
        Measure::Average { field } => store
            .kpi_values(name, field, a.from, a.to)?
            .into_iter()
            .map(|(_, value, at)| Sample { at, value })
            .collect(),
    })
}

/// `share.where`: the condition on the fields a record ended with (a terminal record's fields
/// cannot change any more, so its current fields are those).
fn share_where(
    store: &Store,
    a: &Ask,
    entries: &[Entry],
    is_terminal: &dyn Fn(&str) -> bool,
    when: &str,
) -> Result<Vec<Sample>, ApiError> {
    let Ok(expr) = parse_expr(when) else {
        return Ok(vec![]);
    };
    let mut ids: Vec<u64> = entries.iter().map(|e| e.record).collect();
    ids.dedup();
    let fields: BTreeMap<u64, Value> = store.kpi_record_fields(&ids)?.into_iter().collect();
    let hit = |id: u64, _: &[&Entry]| {
        let record = Record {
            started_in: None,
            id,
            process: a.process.name.clone(),
            status: String::new(),
            fields: fields
                .get(&id)
                .and_then(|f| serde_json::from_value(f.clone()).ok())
                .unwrap_or_default(),
            tasks: vec![],
            approval: None,
            parent: None,
            children: vec![],
            history: vec![],
        };
        let cx = Ctx {
            process: a.process,
            record: &record,
            now: DateTime {
                secs: a.now,
                offset: a.offset,
            },
            offset: a.offset,
        };
        holds(&expr, &cx)
    };
    Ok(share_samples(entries, is_terminal, &hit))
}

/// Every KPI of the process, measured.
pub fn kpis(store: &Store, a: &Ask) -> Result<Vec<KpiReport>, ApiError> {
    a.process
        .kpis
        .iter()
        .map(|k| Ok(report(k, &samples(store, a, k)?, &a.periods, a.offset)))
        .collect()
}

/// Open and overdue work per role or person (a task assigned to a role counts for the role).
pub fn load(b: &Bundle, open: &[OpenWork], now: i64) -> Value {
    let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for w in open {
        for who in w.assignees.split(',').filter(|s| !s.is_empty()) {
            let e = per.entry(who).or_default();
            e.0 += 1;
            if w.due.is_some_and(|d| d < now) {
                e.1 += 1;
            }
        }
    }
    let mut rows: Vec<(&str, (usize, usize))> = per.into_iter().collect();
    rows.sort_by(|x, y| (y.1 .1, y.1 .0).cmp(&(x.1 .1, x.1 .0)).then(x.0.cmp(y.0)));
    rows.iter()
        .map(|(who, (open, overdue))| {
            let role = b.roles.iter().find(|r| r.id == *who);
            json!({
                "assignee": who,
                "kind": if role.is_some() { "role" } else { "user" },
                "title": role.map(|r| r.title.clone()),
                "open": open,
                "overdue": overdue,
            })
        })
        .collect()
}

/// Approval steps per deciding role: decided in the range (with waiting times) and pending
/// now; `waits` lists the longest waits, who waited for whom.
pub fn approvals(store: &Store, a: &Ask, b: &Bundle, open: &[OpenWork]) -> Result<Value, ApiError> {
    let decided = store.kpi_decided(&a.process.name, a.from, a.to)?;
    let mut per: BTreeMap<&str, (Vec<i64>, usize, i64)> = BTreeMap::new();
    let mut waits: Vec<(i64, Option<&str>, &str, bool)> = Vec::new();
    for d in &decided {
        per.entry(&d.role).or_default().0.push(d.waited);
        waits.push((d.waited, d.requester.as_deref(), &d.role, false));
    }
    for w in open.iter().filter(|w| w.kind == APPROVAL) {
        let e = per.entry(&w.assignees).or_default();
        e.1 += 1;
        e.2 = e.2.max(a.now - w.opened);
        waits.push((a.now - w.opened, w.requester.as_deref(), &w.assignees, true));
    }
    waits.sort_by_key(|w| std::cmp::Reverse(w.0));
    let roles: Vec<Value> = per
        .iter()
        .map(|(role, (waited, pending, oldest))| {
            let mut sorted = waited.clone();
            sorted.sort_unstable();
            let avg = (!sorted.is_empty())
                .then(|| sorted.iter().sum::<i64>() as f64 / sorted.len() as f64);
            json!({
                "role": role,
                "title": b.roles.iter().find(|r| &r.id == role).map(|r| r.title.clone()),
                "decided": sorted.len(),
                "avg_wait": avg,
                "max_wait": sorted.last(),
                "pending": pending,
                "oldest_pending": (*pending > 0).then_some(*oldest),
            })
        })
        .collect();
    let waits: Vec<Value> = waits
        .iter()
        .take(5)
        .map(|(secs, requester, role, pending)| {
            json!({"requester": requester, "role": role, "waited": secs, "pending": pending})
        })
        .collect();
    Ok(json!({"roles": roles, "waits": waits}))
}

/// The tasks most often late: completions in the range done after their due time, and open
/// tasks already overdue; at most five, the latest first.
pub fn late_tasks(store: &Store, a: &Ask, open: &[OpenWork]) -> Result<Value, ApiError> {
    let done = store.kpi_completions(&a.process.name, None, a.from, a.to)?;
    let mut per: BTreeMap<&str, (usize, usize, i64, usize)> = BTreeMap::new();
    for t in &done {
        let e = per.entry(&t.task).or_default();
        e.0 += 1;
        if let (Some(d), Some(due)) = (t.done, t.due) {
            if d > due {
                e.1 += 1;
                e.2 += d - due;
            }
        }
    }
    for w in open.iter().filter(|w| w.kind != APPROVAL) {
        if w.due.is_some_and(|d| d < a.now) {
            per.entry(&w.task).or_default().3 += 1;
        }
    }
    let mut rows: Vec<_> = per.into_iter().filter(|(_, v)| v.1 + v.3 > 0).collect();
    rows.sort_by(|x, y| (y.1 .1 + y.1 .3).cmp(&(x.1 .1 + x.1 .3)).then(x.0.cmp(y.0)));
    let title = |id: &str| {
        a.process
            .statuses
            .iter()
            .flat_map(|s| s.tasks.iter())
            .find(|t| t.id == id)
            .map(|t| t.title.clone())
    };
    Ok(rows
        .iter()
        .take(5)
        .map(|(task, (completed, late, late_secs, overdue))| {
            json!({
                "task": task,
                "title": title(task),
                "completed": completed,
                "late": late,
                "late_share": (*completed > 0).then(|| *late as f64 / *completed as f64),
                "avg_late": (*late > 0).then(|| *late_secs as f64 / *late as f64),
                "open_overdue": overdue,
            })
        })
        .collect())
}

/// The whole answer (SPEC 12 shape, plus `load`, `approvals` and `late_tasks`).
pub fn answer(store: &Store, b: &Bundle, a: &Ask, period: &str) -> Result<Value, ApiError> {
    let open = store.kpi_open_work(&a.process.name)?;
    Ok(json!({
        "process": a.process.name,
        "from": rfc3339(a.from, a.offset),
        "to": rfc3339(a.to, a.offset),
        "period": period,
        "kpis": kpis(store, a)?,
        "load": load(b, &open, a.now),
        "approvals": approvals(store, a, b, &open)?,
        "late_tasks": late_tasks(store, a, &open)?,
    }))
}
