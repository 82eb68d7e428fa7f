//! The answer of `GET /v1/kpis`: each KPI of a process per period against its target, read
//! from the KPI tables and measured by the shared functions in `crate::kpi`; then who carries
//! the open work, how long approvals wait and which tasks are most often late.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::error::ApiError;
use super::kpi_agg::{done_key, key};
use super::kpi_store::APPROVAL;
use super::storage::Store;
use super::storage_kpi_waits::RoleDecided;
use super::storage_kpis::OpenWork;
use crate::bundle::{Bundle, Process};
use crate::kpi::measure::PeriodValue;
use crate::kpi::period::Period;
use crate::kpi::target::Stat;
use crate::kpi::{report_values, rfc3339, Kpi, KpiReport, Measure};

/// What was asked: a process, a range and its periods.
pub struct Ask<'a> {
    pub process: &'a Process,
    pub from: i64,
    pub to: i64,
    pub periods: Vec<Period>,
    pub now: i64,
    pub offset: i32,
}

/// One KPI's value and count in one period, from the aggregates (see `kpi_agg`).
fn period_value(store: &Store, a: &Ask, k: &Kpi, p: &Period) -> Result<PeriodValue, ApiError> {
    let name = a.process.name.as_str();
    let key = key(&k.measure);
    let bins = store.kpi_bins(name, &key, p.start, p.end)?;
    let count = bins.count() as usize;
    let value = match (&k.measure, k.stat().and_then(Stat::percentile)) {
        (Measure::Time { .. }, Some(pct)) => {
            store.kpi_percentile(name, &key, (p.start, p.end), &bins, pct)?
        }
        // `done:` samples are valued by lateness: on time is bin 0.
        (Measure::OnTime { .. }, _) => (count > 0).then(|| bins.zero() as f64 / count as f64),
        _ => bins.mean(),
    };
    Ok(PeriodValue { value, count })
}

/// Every KPI of the process, measured per period.
pub fn kpis(store: &Store, a: &Ask) -> Result<Vec<KpiReport>, ApiError> {
    a.process
        .kpis
        .iter()
        .map(|k| {
            let values = a
                .periods
                .iter()
                .map(|p| period_value(store, a, k, p))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(report_values(k, values, &a.periods, a.offset))
        })
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

/// How one deciding role's approval steps went: decided in the range (from the aggregates)
/// and pending now (how many, the oldest, how many past due).
#[derive(Default)]
struct RoleWaits {
    decided: Option<RoleDecided>,
    pending: usize,
    oldest: i64,
    overdue: usize,
}

/// The longest waits listed.
const LONGEST: u64 = 5;

/// Approval steps per deciding role: decided in the range (with waiting times) and pending
/// now; `waits` lists the longest waits, who waited for whom.
pub fn approvals(store: &Store, a: &Ask, b: &Bundle, open: &[OpenWork]) -> Result<Value, ApiError> {
    let range = (a.from, a.to);
    let mut per: BTreeMap<String, RoleWaits> = BTreeMap::new();
    for d in store.kpi_wait_roles(&a.process.name, range)? {
        let role = d.role.clone();
        per.entry(role).or_default().decided = Some(d);
    }
    let mut waits: Vec<(i64, Option<&str>, &str, bool)> = Vec::new();
    let longest = store.kpi_longest_waits(&a.process.name, range, LONGEST)?;
    for (secs, requester, role) in &longest {
        waits.push((*secs, requester.as_deref(), role, false));
    }
    for w in open.iter().filter(|w| w.kind == APPROVAL) {
        let e = per.entry(w.assignees.clone()).or_default();
        e.pending += 1;
        e.oldest = e.oldest.max(a.now - w.opened);
        e.overdue += usize::from(w.due.is_some_and(|d| d < a.now));
        waits.push((a.now - w.opened, w.requester.as_deref(), &w.assignees, true));
    }
    waits.sort_by_key(|w| std::cmp::Reverse(w.0));
    let roles: Vec<Value> = per.iter().map(|(role, r)| role_json(b, role, r)).collect();
    let waits: Vec<Value> = waits
        .iter()
        .take(LONGEST as usize)
        .map(|(secs, requester, role, pending)| {
            json!({"requester": requester, "role": role, "waited": secs, "pending": pending})
        })
        .collect();
    Ok(json!({"roles": roles, "waits": waits}))
}

fn role_json(b: &Bundle, role: &str, r: &RoleWaits) -> Value {
    let d = r.decided.as_ref();
    let decided = d.map_or(0, |d| d.decided);
    json!({
        "role": role,
        "title": b.roles.iter().find(|x| x.id == role).map(|x| x.title.clone()),
        "decided": decided,
        "late": d.map_or(0, |d| d.late),
        "avg_wait": d.map(|d| d.total / d.decided as f64),
        "max_wait": d.and_then(|d| d.longest).map(|v| v as i64),
        "pending": r.pending,
        "overdue": r.overdue,
        "oldest_pending": (r.pending > 0).then_some(r.oldest),
    })
}

/// The tasks most often late: completions in the range done after their due time, and open
/// tasks already overdue; at most five, the latest first.
pub fn late_tasks(store: &Store, a: &Ask, open: &[OpenWork]) -> Result<Value, ApiError> {
    let mut per: BTreeMap<&str, (usize, usize, f64, usize)> = BTreeMap::new();
    for t in a.process.statuses.iter().flat_map(|s| s.tasks.iter()) {
        let bins = store.kpi_bins(&a.process.name, &done_key(&t.id), a.from, a.to)?;
        let (n, on_time) = (bins.count() as usize, bins.zero() as usize);
        if n > 0 {
            // Lateness is the sample's value: the sum is the late seconds.
            *per.entry(&t.id).or_default() = (n, n - on_time, bins.sum(), 0);
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
                "avg_late": (*late > 0).then(|| *late_secs / *late as f64),
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
