//! Periods a KPI is reported by: calendar weeks (Monday start) or months, in a fixed UTC
//! offset (the server's), clipped to the asked range.

use crate::engine::time::{civil_from_days, days_from_civil};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Week,
    Month,
    /// One period covering the whole range (`sopctl test`).
    Whole,
}

impl PeriodKind {
    pub fn parse(s: &str) -> Option<PeriodKind> {
        match s {
            "week" => Some(PeriodKind::Week),
            "month" => Some(PeriodKind::Month),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Whole => "whole",
        }
    }
}

/// `[start, end)` in seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: i64,
    pub end: i64,
}

/// Most periods one answer holds: ten years of weeks.
pub const MAX_PERIODS: usize = 530;

/// The start of the calendar period holding `at` (local midnight, in `offset`).
fn period_start(kind: PeriodKind, at: i64, offset: i32) -> i64 {
    let off = offset as i64;
    let day = (at + off).div_euclid(86400);
    let start_day = match kind {
        // 1970-01-01 was a Thursday: day 0 has weekday 3 counting from Monday = 0.
        PeriodKind::Week => day - (day + 3).rem_euclid(7),
        PeriodKind::Month => {
            let (y, m, _) = civil_from_days(day);
            days_from_civil(y, m, 1)
        }
        PeriodKind::Whole => return at,
    };
    start_day * 86400 - off
}

fn next_start(kind: PeriodKind, start: i64, offset: i32) -> i64 {
    let off = offset as i64;
    match kind {
        PeriodKind::Week => start + 7 * 86400,
        PeriodKind::Month => {
            let (y, m, _) = civil_from_days((start + off).div_euclid(86400));
            let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            days_from_civil(y, m, 1) * 86400 - off
        }
        PeriodKind::Whole => i64::MAX,
    }
}

/// The periods covering `[from, to)`, the first and last clipped to the range. None when
/// there would be more than [`MAX_PERIODS`].
pub fn periods(kind: PeriodKind, from: i64, to: i64, offset: i32) -> Option<Vec<Period>> {
    if kind == PeriodKind::Whole {
        return Some(vec![Period {
            start: from,
            end: to,
        }]);
    }
    let mut out = Vec::new();
    let mut start = period_start(kind, from, offset);
    while start < to {
        let end = next_start(kind, start, offset);
        out.push(Period {
            start: start.max(from),
            end: end.min(to),
        });
        if out.len() > MAX_PERIODS {
            return None;
        }
        start = end;
    }
    Some(out)
}

/// The index of the period holding `at`, if any (periods sorted and contiguous).
pub fn index_of(periods: &[Period], at: i64) -> Option<usize> {
    let i = periods.partition_point(|p| p.end <= at);
    periods.get(i).filter(|p| p.start <= at).map(|_| i)
}
