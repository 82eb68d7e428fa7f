//! `GET /v1/kpis?process=&from=&to=&period=week|month`: the handler. It checks who asks and
//! what, then answers from `kpi_answer`. External people get 403: KPIs are about everyone's
//! records.

use axum::http::StatusCode;

use serde::Deserialize;
use serde_json::Value;

use super::auth::Caller;
use super::error::ApiError;
use super::kpi_answer::{answer, Ask};
use super::service::AppState;
use super::storage::Store;
use crate::bundle::Bundle;
use crate::engine::DateTime;
use crate::kpi::period::{periods, PeriodKind, MAX_PERIODS};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// The process (default: the only one with KPIs, else required).
    pub process: Option<String>,
    /// Start of the range: a date or RFC 3339 time (default: 91 days before `to`).
    pub from: Option<String>,
    /// End of the range, excluded (default: now).
    pub to: Option<String>,
    /// `week` or `month`.
    pub period: Option<String>,
}

/// Without `from`: this many days before `to` (a quarter, the usual review).
const DEFAULT_DAYS: i64 = 91;

fn time(name: &str, v: &str, offset: i32) -> Result<i64, ApiError> {
    DateTime::parse(v)
        .or_else(|| DateTime::parse_date_or_time(v, offset))
        .map(|d| d.secs)
        .ok_or_else(|| {
            ApiError::bad(&format!(
                "`{name}={v}` is not a date (`2026-01-05`) or an RFC 3339 time (`2026-01-05T09:00:00+08:00`)"
            ))
        })
}

/// The answer of `GET /v1/kpis` (the handler is `api::kpis`).
pub fn kpis(s: &AppState, caller: &Caller, q: &KpiQuery) -> Result<Value, ApiError> {
    with_ask(s, caller, q, answer)
}

/// Checks who asks and what, then calls `f` with the store, the active bundle, what was
/// asked and the period word: `GET /v1/kpis` and the owner's page measure through here, so
/// they read the same defaults, the same rights and the same numbers.
pub fn with_ask<T>(
    s: &AppState,
    caller: &Caller,
    q: &KpiQuery,
    f: impl FnOnce(&Store, &Bundle, &Ask, &str) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let offset = s.clock.offset;
    let now = s.clock.secs();
    let Some(name) = q.process.as_deref().filter(|p| !p.is_empty()) else {
        return Err(ApiError::bad(
            "`process` is required: GET /v1/kpis?process=<name>",
        ));
    };
    let (from, to) = range(q, now, offset)?;
    let period = q.period.as_deref().unwrap_or("month");
    let kind = PeriodKind::parse(period)
        .ok_or_else(|| ApiError::bad(&format!("`period={period}`: use `week` or `month`")))?;
    let periods = periods(kind, from, to, offset).ok_or_else(|| {
        ApiError::bad(&format!(
            "the range holds more than {MAX_PERIODS} periods; ask for a shorter one"
        ))
    })?;
    // The read-only connection: a long answer never holds up actions waiting to commit.
    s.reading(|store| {
        let bundle = s.active(store)?;
        if let Caller::User(u) = caller {
            if crate::runtime::visibility::is_external(&bundle, &u.roles) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "not-allowed",
                    "KPIs are about everyone's records: external people see only their own work",
                ));
            }
        }
        let process = bundle.process(name).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown-process",
                format!("the active bundle has no process `{name}`"),
            )
        })?;
        let ask = Ask {
            process,
            from,
            to,
            periods,
            now,
            offset,
        };
        f(store, &bundle, &ask, period)
    })
}

/// `from` and `to` of a query, with their defaults (a quarter up to now).
fn range(q: &KpiQuery, now: i64, offset: i32) -> Result<(i64, i64), ApiError> {
    let to =
        q.to.as_deref()
            .map(|v| time("to", v, offset))
            .transpose()?
            .unwrap_or(now);
    let from = q
        .from
        .as_deref()
        .map(|v| time("from", v, offset))
        .transpose()?
        .unwrap_or(to - DEFAULT_DAYS * 86400);
    if from >= to {
        return Err(ApiError::bad("`from` must be before `to`"));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::auth::Tokens;
    use crate::runtime::clock::Clock;
    use crate::runtime::files::FileStore;
    use crate::runtime::storage::Store;
    use std::time::{Duration, Instant};

    #[test]
    fn the_kpi_query_reads_beside_the_store_lock() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let store = Store::open(&db).unwrap();
        let reader = Store::open_reader(&db).unwrap();
        let files = FileStore::open(&dir.path().join("files"), 1024).unwrap();
        let tokens = Tokens::load(None).unwrap();
        let s =
            AppState::new(store, tokens, Clock::from_env(0).unwrap(), files).with_reader(reader);
        // An action holding the store (as a commit does) does not hold the KPI query up.
        let held = s.store();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let q = KpiQuery {
                    process: Some("orders".into()),
                    from: None,
                    to: None,
                    period: None,
                };
                let t = Instant::now();
                let r = kpis(&s, &Caller::Admin, &q);
                tx.send((r.map_err(|e| e.body["error"]["code"].clone()), t.elapsed()))
                    .unwrap();
            });
            let got = rx.recv_timeout(Duration::from_secs(5));
            drop(held);
            let (r, took) = got.expect("the KPI query waited for the store's lock");
            // No bundle yet: answered from the reader, at once.
            assert_eq!(r.unwrap_err(), "no-bundle");
            assert!(took < Duration::from_secs(1), "{took:?}");
        });
    }
}
