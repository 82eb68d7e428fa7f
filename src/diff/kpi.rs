//! KPIs kept, added or removed, compared by id: what is measured or its target is behavioral
//! (the owner's charts and the review change meaning), the title alone is cosmetic.

use super::{named, Impact, Out, Pair};
use crate::kpi::{Kpi, Measure};

fn show(k: &Kpi) -> String {
    let m = match &k.measure {
        Measure::Time { from, to } => format!("time from `{from}` to `{to}`"),
        Measure::Share {
            reached: Some(r), ..
        } => format!("share reaching `{r}`"),
        Measure::Share { when, .. } => format!("share where `{}`", when.as_deref().unwrap_or("")),
        Measure::OnTime { task } => format!("on-time rate of task `{task}`"),
        Measure::Average { field } => format!("average of `{field}`"),
    };
    match &k.target {
        Some(t) => format!("{m}, target `{t}`"),
        None => format!("{m}, no target"),
    }
}

pub(crate) fn diff(p: &Pair, out: &mut Out) {
    let subject = |k: &Kpi| format!("kpi:{}", k.id);
    for h in &p.head.kpis {
        let this = named(&h.title, &h.id);
        match p.base.kpis.iter().find(|b| b.id == h.id) {
            None => out.push(
                "kpi-added",
                Impact::Behavioral,
                subject(h),
                format!("new KPI {this}: {}", show(h)),
            ),
            Some(b) if b.measure != h.measure => out.push(
                "kpi-measure-changed",
                Impact::Behavioral,
                subject(h),
                format!("KPI {this} now measures {} (was {})", show(h), show(b)),
            ),
            Some(b) if b.target != h.target => out.push(
                "kpi-target-changed",
                Impact::Behavioral,
                subject(h),
                format!(
                    "the target of KPI {this} is now {} (was {})",
                    h.target
                        .as_deref()
                        .map_or("none".into(), |t| format!("`{t}`")),
                    b.target
                        .as_deref()
                        .map_or("none".into(), |t| format!("`{t}`"))
                ),
            ),
            Some(b) if b.title != h.title => out.push(
                "kpi-title-changed",
                Impact::Cosmetic,
                subject(h),
                format!("KPI `{}` is now titled {} (was {})", h.id, h.title, b.title),
            ),
            Some(_) => {}
        }
    }
    for b in p
        .base
        .kpis
        .iter()
        .filter(|b| !p.head.kpis.iter().any(|h| h.id == b.id))
    {
        out.push(
            "kpi-removed",
            Impact::Behavioral,
            subject(b),
            format!("KPI {} is no longer measured", named(&b.title, &b.id)),
        );
    }
}
