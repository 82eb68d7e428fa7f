//! KPIs over a scenario (`expect.kpis`): the rows the runtime would keep, kept in memory as
//! `sopctl test` drives the engine, measured by the same functions over one period from the
//! scenario's start to now.

use serde_json::Value;

use super::measure::{
    on_time_samples, reached, share_samples, time_samples, Entry, Sample, TaskRow,
};
use super::period::{periods, PeriodKind};
use super::{report, Kpi, Measure};
use crate::bundle::Bundle;
use crate::engine::eval::{holds, Ctx};
use crate::engine::{DateTime, World};
use crate::expr::{parse_duration, parse_expr};
use crate::runtime::kpi_store::{KpiRows, TASK};

#[derive(Debug, Clone, Default)]
pub struct Log {
    entries: Vec<(String, Entry)>,
    /// (process, row, closed)
    tasks: Vec<(String, TaskRow, bool)>,
    /// (process, field, record, value, at)
    values: Vec<(String, String, u64, f64, i64)>,
}

impl Log {
    /// Keeps one action's rows (tasks only: approval steps are no KPI input).
    pub fn add(&mut self, rows: &KpiRows) {
        for e in &rows.entries {
            let entry = Entry {
                record: e.record,
                status: e.status.clone(),
                at: e.at,
            };
            self.entries.push((e.process.clone(), entry));
        }
        for o in rows.opened.iter().filter(|o| o.kind == TASK) {
            let row = TaskRow {
                record: o.record,
                task: o.task.clone(),
                opened: o.opened,
                due: o.due,
                done: None,
            };
            self.tasks.push((o.process.clone(), row, false));
        }
        for c in rows.closed.iter().filter(|c| c.kind == TASK) {
            let open = self
                .tasks
                .iter_mut()
                .find(|(_, t, closed)| !closed && t.record == c.record && t.task == c.task);
            if let Some((_, t, closed)) = open {
                *closed = true;
                t.done = c.done.then_some(c.at);
            }
        }
        for v in &rows.values {
            self.values
                .push((v.process.clone(), v.field.clone(), v.record, v.value, v.at));
        }
    }

    /// The KPI's value and count over `[from, to)`.
    pub fn measure(
        &self,
        b: &Bundle,
        w: &World,
        process: &str,
        k: &Kpi,
        from: i64,
        to: i64,
    ) -> (Option<f64>, usize) {
        let Some(p) = b.process(process) else {
            return (None, 0);
        };
        let entries: Vec<Entry> = self
            .entries
            .iter()
            .filter(|(pr, _)| pr == process)
            .map(|(_, e)| e.clone())
            .collect();
        let terminal = |s: &str| p.statuses.iter().any(|x| x.id == s && x.terminal);
        let samples: Vec<Sample> = match &k.measure {
            Measure::Time { from, to } => time_samples(&entries, from, to),
            Measure::Share {
                reached: Some(r), ..
            } => share_samples(&entries, &terminal, &reached(r)),
            Measure::Share { when: Some(wh), .. } => {
                let Ok(expr) = parse_expr(wh) else {
                    return (None, 0);
                };
                let hit = |id: u64, _: &[&Entry]| {
                    w.records.get(&id).is_some_and(|r| {
                        let now = DateTime {
                            secs: to,
                            offset: w.offset,
                        };
                        holds(
                            &expr,
                            &Ctx {
                                process: p,
                                record: r,
                                now,
                                offset: w.offset,
                            },
                        )
                    })
                };
                share_samples(&entries, &terminal, &hit)
            }
            Measure::Share { .. } => vec![],
            Measure::OnTime { task } => {
                let rows: Vec<TaskRow> = self
                    .tasks
                    .iter()
                    .filter(|(pr, ..)| pr == process)
                    .map(|(_, t, _)| t.clone())
                    .collect();
                on_time_samples(&rows, task)
            }
            Measure::Average { field } => self
                .values
                .iter()
                .filter(|(pr, f, ..)| pr == process && f == field)
                .map(|(.., value, at)| Sample {
                    at: *at,
                    value: *value,
                })
                .collect(),
        };
        let ps = periods(PeriodKind::Whole, from, to, w.offset).unwrap_or_default();
        let r = report(k, &samples, &ps, w.offset);
        r.periods
            .first()
            .map(|x| (x.value, x.count))
            .unwrap_or((None, 0))
    }
}

/// An expected value as written: seconds or a duration for `time`, a fraction or a
/// percentage for `share`/`on_time`, a number for `average`; null for "nothing measured".
pub fn expected(k: &Kpi, v: &Value) -> Result<Option<f64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) => {
            let s = s.trim();
            if let Some(p) = s.strip_suffix('%') {
                return p
                    .trim()
                    .parse::<f64>()
                    .map(|x| Some(x / 100.0))
                    .map_err(|_| format!("`{s}` is not a percentage"));
            }
            if matches!(k.measure, Measure::Time { .. }) {
                if let Some(m) = parse_duration(s).ok().and_then(|d| d.as_minutes()) {
                    return Ok(Some(m as f64 * 60.0));
                }
            }
            s.parse::<f64>().map(Some).map_err(|_| {
                format!(
                    "`{s}` is not a value of KPI `{}` (write e.g. `2h`, `50%`, `0.5` or `4.5`)",
                    k.id
                )
            })
        }
        other => Err(format!("`{other}` is not a KPI value")),
    }
}

/// Whether a measured value matches the expected one: within 0.1 percentage point for
/// shares, within 0.5% for times and averages (so `1d` matches 23 h 55 min, not 23 h).
pub fn matches(k: &Kpi, expected: Option<f64>, actual: Option<f64>) -> bool {
    match (expected, actual) {
        (None, None) => true,
        (Some(e), Some(a)) => {
            let tol = match k.measure {
                Measure::Share { .. } | Measure::OnTime { .. } => 0.001,
                _ => (e.abs() * 0.005).max(1e-9),
            };
            (e - a).abs() <= tol
        }
        _ => false,
    }
}

/// `expect.kpis` of a step: each named KPI of `process` measured from the scenario's start
/// to now. Returns the mismatches, each at the KPI's key.
pub fn check(
    log: &Log,
    b: &Bundle,
    w: &World,
    process: &str,
    expect: &crate::load::Node,
    (from, to): (i64, i64),
) -> Vec<(crate::diagnostic::Span, String)> {
    let mut out = Vec::new();
    let kpis = b.process(process).map(|p| p.kpis.as_slice()).unwrap_or(&[]);
    for (key, v) in expect.as_map().unwrap_or(&[]) {
        let id = key.key_text().unwrap_or_default();
        let Some(k) = kpis.iter().find(|k| k.id == id) else {
            let known: Vec<&str> = kpis.iter().map(|k| k.id.as_str()).collect();
            out.push((
                key.span,
                format!(
                    "kpis: process `{process}` has no KPI `{id}` (it has: {})",
                    known.join(", ")
                ),
            ));
            continue;
        };
        let want = match expected(k, &v.to_json()) {
            Ok(x) => x,
            Err(e) => {
                out.push((v.span, format!("kpis: {id}: {e}")));
                continue;
            }
        };
        let (got, count) = log.measure(b, w, process, k, from, to);
        if !matches(k, want, got) {
            let show = |x: Option<f64>| match x {
                Some(x) => super::words::value(k, x, false),
                None => "nothing measured".into(),
            };
            out.push((
                key.span,
                format!(
                    "kpis: {id}: expected {}, actual {} (over {count})",
                    show(want),
                    show(got)
                ),
            ));
        }
    }
    out
}
