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

impl Kpi {
    /// The bundle form of a checked KPI (None when it has no single measure).
    pub fn from_model(k: &crate::model::Kpi) -> Option<Kpi> {
        use crate::model::KpiMeasure as M;
        let measure = match k.measure()? {
            M::Time { from, to } => Measure::Time {
                from: from.v.clone(),
                to: to.v.clone(),
            },
            M::Share { reached, when, .. } => Measure::Share {
                reached: reached.as_ref().map(|r| r.v.clone()),
                when: when.as_ref().map(|c| c.source.v.clone()),
            },
            M::OnTime(t) => Measure::OnTime { task: t.v.clone() },
            M::Average(f) => Measure::Average { field: f.v.clone() },
        };
        Some(Kpi {
            id: k.id.v.clone(),
            title: k.title.v.clone(),
            measure,
            target: k.target.as_ref().map(|t| t.v.clone()),
        })
    }
}
