//! A KPI as the bundle carries it: what is measured and the target as written.

use serde::{Deserialize, Serialize};

use super::target::{Kind, Stat, Target};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kpi {
    pub id: String,
    pub title: String,
    pub measure: Measure,
    /// As written (`p90 <= 1d`); None when the KPI has no target yet.
    pub target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Measure {
    /// From entering `from` to entering `to`, per record.
    Time { from: String, to: String },
    /// Of the records that reached a terminal status, those that reached `reached` or match
    /// `where` (one of the two).
    Share {
        reached: Option<String>,
        #[serde(rename = "where")]
        when: Option<String>,
    },
    /// Of a task's completions, those done by their due time.
    OnTime { task: String },
    /// Of a number or money field, over the records that reached a terminal status.
    Average { field: String },
}

impl Measure {
    pub fn kind(&self) -> Kind {
        match self {
            Measure::Time { .. } => Kind::Time,
            Measure::Share { .. } => Kind::Share,
            Measure::OnTime { .. } => Kind::OnTime,
            Measure::Average { .. } => Kind::Average,
        }
    }
}

impl Kpi {
    /// The parsed target; None when there is none or it does not parse (validation refuses
    /// such a bundle, so this only guards a hand-made one).
    pub fn target(&self) -> Option<Target> {
        let t = Target::parse(self.target.as_deref()?).ok()?;
        t.fits(self.measure.kind()).ok().map(|_| t)
    }

    /// The statistic a `time` KPI reports: its target's, else the median.
    pub fn stat(&self) -> Option<Stat> {
        match self.measure {
            Measure::Time { .. } => Some(self.target().and_then(|t| t.stat).unwrap_or(Stat::P50)),
            _ => None,
        }
    }
}
