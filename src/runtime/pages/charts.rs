//! The owner's KPI charts: each KPI of a process measured as `GET /v1/kpis` measures it (the
//! same query defaults, rights and numbers, through `kpi_api::with_ask`), drawn by
//! `kpi::chart::svg` (SVG, no script), with a table of the same numbers for screen readers.

use serde_json::{json, Value};

use super::data::Person;
use super::words::{word, Lang};
use crate::kpi::{chart, words as kw, Kpi, KpiReport};
use crate::runtime::auth::Caller;
use crate::runtime::error::ApiError;
use crate::runtime::kpi_answer;
use crate::runtime::kpi_api::{with_ask, KpiQuery};
use crate::runtime::service::AppState;

/// One chart per KPI of `process` over the default range (the last quarter, by month).
pub fn charts(
    app: &AppState,
    p: &Person,
    process: &str,
    lang: Lang,
) -> Result<Vec<Value>, ApiError> {
    let q = KpiQuery {
        process: Some(process.to_string()),
        from: None,
        to: None,
        period: None,
    };
    let caller = Caller::User(p.user());
    let zh = lang == Lang::Zh;
    with_ask(app, &caller, &q, |store, _, ask, period| {
        let reports = kpi_answer::kpis(store, ask)?;
        let month = period == "month";
        Ok(ask
            .process
            .kpis
            .iter()
            .zip(&reports)
            .map(|(k, r)| chart(k, r, month, zh, lang))
            .collect())
    })
}

fn chart(k: &Kpi, r: &KpiReport, month: bool, zh: bool, lang: Lang) -> Value {
    let rows: Vec<Value> = r
        .periods
        .iter()
        .map(|x| {
            let met = match x.met {
                Some(true) => word(lang, "kpi_met"),
                Some(false) => word(lang, "kpi_missed"),
                None => "—",
            };
            json!({
                "period": x.start.get(..10).unwrap_or(&x.start),
                "value": x.value.map_or_else(|| "—".to_string(), |v| kw::value(k, v, zh)),
                "count": x.count, "met": met, "missed": x.met == Some(false),
            })
        })
        .collect();
    json!({
        "id": r.id, "title": r.title, "target": r.target,
        "svg": chart::svg(k, r, month, zh), "rows": rows,
    })
}
