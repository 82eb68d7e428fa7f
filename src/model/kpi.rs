//! `spec.kpis`: what "good" means for a process, as written, with the place of every part so
//! that `check` can point at a wrong status, task, field or target.

use super::{Cond, Sp};
use crate::diagnostic::Span;
use crate::expr::parse_expr;
use crate::kpi::target::{Target, TargetError};
use crate::load::Node;

#[derive(Debug, Clone, PartialEq)]
pub enum KpiMeasure {
    Time {
        from: Sp<String>,
        to: Sp<String>,
    },
    Share {
        reached: Option<Sp<String>>,
        when: Option<Cond>,
        span: Span,
    },
    OnTime(Sp<String>),
    Average(Sp<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    pub id: Sp<String>,
    pub title: Sp<String>,
    pub description: Option<String>,
    /// Every measure key written, in order: exactly one is right.
    pub measures: Vec<KpiMeasure>,
    pub target: Option<Sp<String>>,
    pub target_parsed: Option<Result<Target, TargetError>>,
    pub span: Span,
}

impl Kpi {
    /// The measure, when exactly one was written.
    pub fn measure(&self) -> Option<&KpiMeasure> {
        match self.measures.as_slice() {
            [m] => Some(m),
            _ => None,
        }
    }
}

fn text(n: Option<&Node>) -> Option<Sp<String>> {
    let n = n?;
    Some(Sp::new(n.as_str()?.to_string(), n.span, n.style))
}

/// Builds one KPI from a node that passed the schema; None when its id or title is missing.
pub fn build(n: &Node) -> Option<Kpi> {
    let mut measures = Vec::new();
    for (k, v) in n.as_map().unwrap_or(&[]) {
        let m = match k.key_text().as_deref() {
            Some("time") => KpiMeasure::Time {
                from: text(v.get("from"))?,
                to: text(v.get("to"))?,
            },
            Some("share") => KpiMeasure::Share {
                reached: text(v.get("reached")),
                when: text(v.get("where")).map(|source| Cond {
                    parsed: parse_expr(&source.v),
                    source,
                }),
                span: k.span,
            },
            Some("on_time") => KpiMeasure::OnTime(text(Some(v))?),
            Some("average") => KpiMeasure::Average(text(Some(v))?),
            _ => continue,
        };
        measures.push(m);
    }
    let target = text(n.get("target"));
    Some(Kpi {
        id: text(n.get("id"))?,
        title: text(n.get("title"))?,
        description: n
            .get("description")
            .and_then(Node::as_str)
            .map(str::to_string),
        measures,
        target_parsed: target.as_ref().map(|t| Target::parse(&t.v)),
        target,
        span: n.span,
    })
}

/// The KPIs of a process spec.
pub fn build_all(spec: &Node) -> Vec<Kpi> {
    spec.get("kpis")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(build)
        .collect()
}

/// The fields the KPIs of a process read (`average`, `share.where`).
pub fn fields_read(p: &super::Process) -> Vec<String> {
    let mut out = Vec::new();
    for k in &p.kpis {
        for m in &k.measures {
            match m {
                KpiMeasure::Average(f) => out.push(f.v.clone()),
                KpiMeasure::Share {
                    when: Some(Cond { parsed: Ok(e), .. }),
                    ..
                } => out.extend(e.fields().into_iter().map(str::to_string)),
                _ => {}
            }
        }
    }
    out
}
