//! KPIs in words for people: the target as a sentence ("90% 的发货单从「已审批」到「已发货」
//! 不超过 1 天") and values in their unit ("1.5 天", "97%").

use super::def::{Kpi, Measure};
use super::target::{Amount, Op, Stat};
use crate::expr::Duration;

/// Titles of the ids a KPI names, from the process it belongs to.
pub struct Names<'a> {
    /// What one record is called (`发货单`).
    pub record: &'a str,
    pub status: &'a dyn Fn(&str) -> String,
    pub task: &'a dyn Fn(&str) -> String,
    pub field: &'a dyn Fn(&str) -> String,
}

fn op_words(op: Op, zh: bool) -> &'static str {
    match (op, zh) {
        (Op::Le, true) => "不超过",
        (Op::Lt, true) => "少于",
        (Op::Ge, true) => "不低于",
        (Op::Gt, true) => "高于",
        (Op::Le, false) => "at most",
        (Op::Lt, false) => "under",
        (Op::Ge, false) => "at least",
        (Op::Gt, false) => "over",
    }
}

fn amount_words(a: Amount, zh: bool) -> String {
    match a {
        Amount::Secs { amount, unit, .. } => match Duration::new(amount, unit) {
            Some(d) if zh => d.describe_zh(),
            Some(d) => d.describe_en(),
            None => format!("{amount}"),
        },
        Amount::Fraction(f) => percent(f),
        Amount::Number(n) => number(n),
    }
}

/// `97%`, `3.5%`.
pub fn percent(f: f64) -> String {
    format!("{}%", number(f * 100.0))
}

/// A number with at most two decimals and no trailing zeros.
pub fn number(n: f64) -> String {
    let s = format!("{n:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A duration in seconds, in the largest unit that keeps it readable.
pub fn duration(secs: f64, zh: bool) -> String {
    let (n, zh_unit, en_unit) = if secs >= 86400.0 {
        (secs / 86400.0, "天", "d")
    } else if secs >= 3600.0 {
        (secs / 3600.0, "小时", "h")
    } else {
        (secs / 60.0, "分钟", "min")
    };
    if zh {
        format!("{} {zh_unit}", number(n))
    } else {
        format!("{} {en_unit}", number(n))
    }
}

/// A value of this KPI in its unit.
pub fn value(kpi: &Kpi, v: f64, zh: bool) -> String {
    match kpi.measure {
        Measure::Time { .. } => duration(v, zh),
        Measure::Share { .. } | Measure::OnTime { .. } => percent(v),
        Measure::Average { .. } => number(v),
    }
}

/// The target as a sentence, or None when the KPI has no (valid) target.
pub fn target(kpi: &Kpi, n: &Names, zh: bool) -> Option<String> {
    let t = kpi.target()?;
    let op = op_words(t.op, zh);
    let amount = amount_words(t.amount, zh);
    let r = n.record;
    Some(match (&kpi.measure, zh) {
        (Measure::Time { from, to }, true) => {
            let who = match t.stat {
                Some(Stat::Avg) | None => format!("{r}平均"),
                Some(s) => format!("{}% 的{r}", s.percentile().unwrap_or(50)),
            };
            format!(
                "{who}从「{}」到「{}」{op} {amount}",
                (n.status)(from),
                (n.status)(to)
            )
        }
        (Measure::Time { from, to }, false) => {
            let who = match t.stat {
                Some(Stat::Avg) | None => format!("on average, a {r}"),
                Some(s) => format!("{}% of {r}s", s.percentile().unwrap_or(50)),
            };
            format!(
                "{who} go from “{}” to “{}” in {op} {amount}",
                (n.status)(from),
                (n.status)(to)
            )
        }
        (Measure::Share { reached, when }, zh) => {
            let what = match (reached, when) {
                (Some(s), _) if zh => format!("进入「{}」", (n.status)(s)),
                (Some(s), _) => format!("reach “{}”", (n.status)(s)),
                (None, Some(w)) if zh => format!("满足 `{w}` "),
                (None, Some(w)) => format!("match `{w}`"),
                (None, None) => String::new(),
            };
            if zh {
                format!("已结束的{r}中，{what}的{op} {amount}")
            } else {
                format!("of the finished {r}s, {op} {amount} {what}")
            }
        }
        (Measure::OnTime { task }, true) => {
            format!("「{}」按时完成的{op} {amount}", (n.task)(task))
        }
        (Measure::OnTime { task }, false) => {
            format!("{op} {amount} of “{}” are done on time", (n.task)(task))
        }
        (Measure::Average { field }, true) => format!("「{}」平均{op} {amount}", (n.field)(field)),
        (Measure::Average { field }, false) => {
            format!("“{}” averages {op} {amount}", (n.field)(field))
        }
    })
}
