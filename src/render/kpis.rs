//! The handbook's "这个流程怎样算做得好" (What good looks like): each KPI with its target in
//! words, so people know what the process is measured by.

use serde::Serialize;

use super::i18n::Lang;
use crate::kpi::{words, Kpi};
use crate::model::Process;

#[derive(Debug, Clone, Serialize)]
pub struct KpiView {
    pub id: String,
    pub title: String,
    /// "90% 的发货单从「已审批」到「已发货」不超过 1 天"; None without a target.
    pub target: Option<String>,
    /// The target as written (`p90 <= 1d`).
    pub target_text: Option<String>,
}

pub fn views(p: &Process, record: &str, lang: Lang) -> Vec<KpiView> {
    let status = |id: &str| {
        p.status(id)
            .map_or_else(|| id.to_string(), |s| s.title.v.clone())
    };
    let task = |id: &str| {
        p.tasks()
            .find(|(_, t)| t.id.v == id)
            .map_or_else(|| id.to_string(), |(_, t)| t.title.v.clone())
    };
    let field = |id: &str| {
        p.field(id)
            .map_or_else(|| id.to_string(), |f| f.title.clone())
    };
    let names = words::Names {
        record,
        status: &status,
        task: &task,
        field: &field,
    };
    p.kpis
        .iter()
        .filter_map(Kpi::from_model)
        .map(|k| KpiView {
            target: words::target(&k, &names, lang == Lang::Zh),
            target_text: k.target.clone(),
            id: k.id,
            title: k.title,
        })
        .collect()
}
