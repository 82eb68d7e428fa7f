//! The measures, as pure functions over what a runtime (or `sopctl test`) keeps: status
//! entries and task rows. Each turns its inputs into samples (a time and a value), and
//! [`summarize`] turns samples into a value per period.
//!
//! Percentiles are nearest-rank: the value at rank ⌈p/100 · n⌉ of the sorted samples, so a
//! reported p90 is always a duration some record really took.

use super::period::{index_of, Period};
use super::target::Stat;

/// A record entered a status at `at` (seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub record: u64,
    pub status: String,
    pub at: i64,
}

/// One task (or approval step) of a record: when it opened, was due and was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    pub record: u64,
    pub task: String,
    pub opened: i64,
    pub due: Option<i64>,
    /// When it was completed; None while open or when closed as no longer needed.
    pub done: Option<i64>,
}

/// One measured value, counted in the period holding `at`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub at: i64,
    pub value: f64,
}

/// What one period got: None when no sample fell in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodValue {
    pub value: Option<f64>,
    pub count: usize,
}

/// Entries grouped per record, each group in time order.
fn per_record(entries: &[Entry]) -> Vec<Vec<&Entry>> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|e| (e.record, e.at));
    let mut out: Vec<Vec<&Entry>> = Vec::new();
    for e in sorted {
        match out.last_mut() {
            Some(g) if g[0].record == e.record => g.push(e),
            _ => out.push(vec![e]),
        }
    }
    out
}

/// `time`: per record, its first entry into `to` minus its latest entry into `from` before
/// that, counted at the `to` entry. Records that never entered `to` (still open) give none.
pub fn time_samples(entries: &[Entry], from: &str, to: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for g in per_record(entries) {
        let Some(end) = g.iter().position(|e| e.status == to) else {
            continue;
        };
        let start = g[..end].iter().rev().find(|e| e.status == from);
        if let Some(s) = start {
            out.push(Sample {
                at: g[end].at,
                value: (g[end].at - s.at) as f64,
            });
        }
    }
    out
}

/// `share`: per record that reached a terminal status, 1 when `hit` says so, else 0, counted
/// at its first terminal entry. `hit` sees the record id and its entries up to then.
pub fn share_samples(
    entries: &[Entry],
    is_terminal: &dyn Fn(&str) -> bool,
    hit: &dyn Fn(u64, &[&Entry]) -> bool,
) -> Vec<Sample> {
    let mut out = Vec::new();
    for g in per_record(entries) {
        let Some(end) = g.iter().position(|e| is_terminal(&e.status)) else {
            continue;
        };
        let yes = hit(g[end].record, &g[..=end]);
        out.push(Sample {
            at: g[end].at,
            value: if yes { 1.0 } else { 0.0 },
        });
    }
    out
}

/// The `hit` of `share.reached`: the record entered `status` by its terminal entry.
pub fn reached(status: &str) -> impl Fn(u64, &[&Entry]) -> bool + '_ {
    move |_, seen| seen.iter().any(|e| e.status == status)
}

/// `on_time`: per completion of `task`, 1 when done by its due time (a task with no due time
/// is on time), counted at the completion.
pub fn on_time_samples(tasks: &[TaskRow], task: &str) -> Vec<Sample> {
    tasks
        .iter()
        .filter(|t| t.task == task)
        .filter_map(|t| {
            let done = t.done?;
            let ok = t.due.is_none_or(|d| done <= d);
            Some(Sample {
                at: done,
                value: if ok { 1.0 } else { 0.0 },
            })
        })
        .collect()
}

/// The value of sorted samples for a statistic (None for the mean of an empty list).
fn stat_of(sorted: &[f64], stat: Option<Stat>) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    match stat.and_then(Stat::percentile) {
        Some(p) => {
            let n = sorted.len();
            let rank = (p as usize * n).div_ceil(100).max(1);
            Some(sorted[rank - 1])
        }
        None => Some(sorted.iter().sum::<f64>() / sorted.len() as f64),
    }
}

/// Each period's value: `stat` of its samples (the mean when `stat` is None or `avg`).
pub fn summarize(samples: &[Sample], periods: &[Period], stat: Option<Stat>) -> Vec<PeriodValue> {
    let mut buckets: Vec<Vec<f64>> = vec![Vec::new(); periods.len()];
    for s in samples {
        if let Some(i) = index_of(periods, s.at) {
            buckets[i].push(s.value);
        }
    }
    buckets
        .into_iter()
        .map(|mut b| {
            b.sort_by(f64::total_cmp);
            PeriodValue {
                value: stat_of(&b, stat),
                count: b.len(),
            }
        })
        .collect()
}
