//! `kpi`: what "good" means for a process, measured. Pure: the runtime (`GET /v1/kpis`),
//! `sopctl test` (`expect.kpis`) and `sopctl report` share these functions; none of them
//! keeps its own rule.

pub mod chart;
pub mod def;
pub mod log;
pub mod measure;
pub mod period;
pub mod review;
pub mod target;
pub mod words;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use def::{Kpi, Measure};
use measure::{summarize, PeriodValue, Sample};
use period::Period;

use crate::engine::DateTime;

/// One KPI's values per period, as `GET /v1/kpis` answers them (SPEC 12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiReport {
    pub id: String,
    pub title: String,
    /// `time`, `share`, `on_time` or `average`.
    pub measure: String,
    /// For `time`: the statistic reported (the target's, else `p50`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    pub target: Option<String>,
    pub periods: Vec<PeriodReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodReport {
    pub start: String,
    pub end: String,
    /// Seconds for `time`, a fraction 0–1 for `share`/`on_time`, the field's unit for
    /// `average`; None when `count` is 0.
    pub value: Option<f64>,
    pub count: usize,
    /// None when there is no value or no target.
    pub met: Option<bool>,
}

/// RFC 3339 in the given offset.
pub fn rfc3339(secs: i64, offset: i32) -> String {
    DateTime { secs, offset }.to_string()
}

/// Summarizes a KPI's samples per period against its target.
pub fn report(kpi: &Kpi, samples: &[Sample], periods: &[Period], offset: i32) -> KpiReport {
    report_values(
        kpi,
        summarize(samples, periods, kpi.stat()),
        periods,
        offset,
    )
}

/// A KPI's values per period (one per period, in order) against its target.
pub fn report_values(
    kpi: &Kpi,
    values: Vec<PeriodValue>,
    periods: &[Period],
    offset: i32,
) -> KpiReport {
    let stat = kpi.stat();
    let target = kpi.target();
    KpiReport {
        id: kpi.id.clone(),
        title: kpi.title.clone(),
        measure: kpi.measure.kind().as_str().to_string(),
        stat: stat.map(|s| s.as_str().to_string()),
        target: kpi.target.clone(),
        periods: periods
            .iter()
            .zip(values)
            .map(|(p, v)| PeriodReport {
                start: rfc3339(p.start, offset),
                end: rfc3339(p.end, offset),
                value: v.value,
                count: v.count,
                met: v.value.zip(target.as_ref()).map(|(x, t)| t.met(x)),
            })
            .collect(),
    }
}
