//! A KPI target as written (`p90 <= 1d`, `<= 3%`, `>= 4.5`): parsed, checked against its
//! measure, compared with a value and put in words for the handbook.

use crate::expr::{parse_duration, DurationUnit};

/// Which statistic of a `time` KPI the target is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    P50,
    P90,
    P95,
    Avg,
}

impl Stat {
    pub fn as_str(self) -> &'static str {
        match self {
            Stat::P50 => "p50",
            Stat::P90 => "p90",
            Stat::P95 => "p95",
            Stat::Avg => "avg",
        }
    }
    /// The percentile (0–100), or None for the mean.
    pub fn percentile(self) -> Option<u32> {
        match self {
            Stat::P50 => Some(50),
            Stat::P90 => Some(90),
            Stat::P95 => Some(95),
            Stat::Avg => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Le,
    Ge,
    Lt,
    Gt,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Gt => ">",
        }
    }
}

/// The number a target compares with, in the unit of the measure's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    /// A duration, in seconds, as written (`1d`).
    Secs {
        secs: i64,
        amount: u64,
        unit: DurationUnit,
    },
    /// A percentage, stored as a fraction 0–1.
    Fraction(f64),
    /// A plain number (an `average` of a number or money field).
    Number(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub stat: Option<Stat>,
    pub op: Op,
    pub amount: Amount,
}

/// What a parse or fit problem is, and where in the text (character offsets).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetError {
    pub message: String,
    pub help: String,
    pub start: usize,
    pub end: usize,
}

/// The kind of a measure, for checking that a target fits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Time,
    Share,
    OnTime,
    Average,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Time => "time",
            Kind::Share => "share",
            Kind::OnTime => "on_time",
            Kind::Average => "average",
        }
    }
}

const FORM: &str = "write `[p50|p90|p95|avg] <op> <value>`, e.g. `p90 <= 1d`, `<= 3%` or `>= 4.5`";

fn err(message: String, help: &str, start: usize, end: usize) -> TargetError {
    TargetError {
        message,
        help: help.to_string(),
        start,
        end,
    }
}

impl Target {
    /// Parses `[stat] op value`. Offsets in errors are character offsets into `text`.
    pub fn parse(text: &str) -> Result<Target, TargetError> {
        let words = tokens(text);
        let len = text.chars().count();
        let mut it = words.into_iter().peekable();
        let stat = match it.peek() {
            Some((_, _, w)) if !w.starts_with(['<', '>', '=']) => {
                let (s, e, w) = it.next().unwrap_or_default();
                Some(match w.as_str() {
                    "p50" => Stat::P50,
                    "p90" => Stat::P90,
                    "p95" => Stat::P95,
                    "avg" => Stat::Avg,
                    _ => {
                        return Err(err(
                            format!("`{w}` is not a statistic or a comparison"),
                            "start with `p50`, `p90`, `p95` or `avg` (time KPIs), or with a comparison `<=`, `>=`, `<`, `>`",
                            s,
                            e,
                        ))
                    }
                })
            }
            _ => None,
        };
        let Some((os, oe, ow)) = it.next() else {
            return Err(err("the target has no comparison".into(), FORM, 0, len));
        };
        let op = match ow.as_str() {
            "<=" => Op::Le,
            ">=" => Op::Ge,
            "<" => Op::Lt,
            ">" => Op::Gt,
            _ => {
                return Err(err(
                    format!("`{ow}` is not a comparison"),
                    "use `<=`, `>=`, `<` or `>`",
                    os,
                    oe,
                ))
            }
        };
        let Some((vs, ve, vw)) = it.next() else {
            return Err(err(
                "the target has no value after the comparison".into(),
                FORM,
                oe,
                len,
            ));
        };
        if let Some((s, _, w)) = it.next() {
            return Err(err(
                format!("unexpected `{w}` after the value"),
                FORM,
                s,
                len,
            ));
        }
        let amount = amount(&vw).ok_or_else(|| {
            err(
                format!("`{vw}` is not a duration, a percentage or a number"),
                "write a duration (`4h`, `1d`), a percentage (`95%`) or a number (`4.5`)",
                vs,
                ve,
            )
        })?;
        Ok(Target { stat, op, amount })
    }

    /// Whether this target can be about a measure of `kind`; the error names what to write.
    pub fn fits(&self, kind: Kind) -> Result<(), String> {
        match (kind, self.stat, self.amount) {
            (Kind::Time, None, _) => Err(
                "a `time` target says which statistic it is about: `p50`, `p90`, `p95` or `avg`, e.g. `p90 <= 1d`".into(),
            ),
            (Kind::Time, Some(_), Amount::Secs { .. }) => Ok(()),
            (Kind::Time, Some(_), _) => Err("a `time` target compares with a duration, e.g. `p90 <= 1d`".into()),
            (_, Some(s), _) => Err(format!(
                "`{}` is only for `time` KPIs; a `{}` target is a comparison and a value, e.g. `>= 95%`",
                s.as_str(),
                kind.as_str()
            )),
            (Kind::Share | Kind::OnTime, None, Amount::Fraction(_)) => Ok(()),
            (Kind::Share | Kind::OnTime, None, Amount::Number(n)) if (0.0..=1.0).contains(&n) => Ok(()),
            (Kind::Share | Kind::OnTime, None, _) => Err(format!(
                "a `{}` target is a percentage (`>= 95%`) or a fraction from 0 to 1",
                kind.as_str()
            )),
            (Kind::Average, None, Amount::Number(_)) => Ok(()),
            (Kind::Average, None, _) => Err(
                "an `average` target is a number in the field's unit, e.g. `>= 4.5`".into(),
            ),
        }
    }

    /// The value the target compares with, in the unit of the measure's value (seconds,
    /// fraction or the field's unit).
    pub fn threshold(&self) -> f64 {
        match self.amount {
            Amount::Secs { secs, .. } => secs as f64,
            Amount::Fraction(f) | Amount::Number(f) => f,
        }
    }

    /// Whether `value` meets the target.
    pub fn met(&self, value: f64) -> bool {
        let t = self.threshold();
        match self.op {
            Op::Le => value <= t + 1e-9,
            Op::Ge => value >= t - 1e-9,
            Op::Lt => value < t,
            Op::Gt => value > t,
        }
    }
}

/// The words of a target with their character offsets: runs of `<>=` and runs of anything
/// else but spaces, so `p90<=1d` reads like `p90 <= 1d`.
fn tokens(text: &str) -> Vec<(usize, usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let is_op = |c: char| matches!(c, '<' | '>' | '=');
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let op_word = is_op(chars[i]);
        while i < chars.len() && !chars[i].is_whitespace() && is_op(chars[i]) == op_word {
            i += 1;
        }
        words.push((start, i, chars[start..i].iter().collect()));
    }
    words
}

fn amount(w: &str) -> Option<Amount> {
    if let Some(p) = w.strip_suffix('%') {
        let n: f64 = p.parse().ok().filter(|n: &f64| n.is_finite())?;
        return Some(Amount::Fraction(n / 100.0));
    }
    if let Ok(n) = w.parse::<f64>() {
        return n.is_finite().then_some(Amount::Number(n));
    }
    let d = parse_duration(w).ok()?;
    // Business days depend on the calendar; a target is a fixed length of time.
    let minutes = d.as_minutes()?;
    Some(Amount::Secs {
        secs: minutes as i64 * 60,
        amount: d.amount,
        unit: d.unit,
    })
}
