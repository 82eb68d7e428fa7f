//! The runtime behind `sopctl serve`: SQLite storage, bearer-token auth, the engine behind an
//! HTTP API, and a background loop for timers and message delivery.

pub mod api;
pub mod audit;
pub mod auth;
pub mod bundle_check;
pub mod channels;
pub mod clock;
pub mod delivery;
pub mod directory;
pub mod effects;
pub mod error;
pub mod events;
pub mod files;
pub mod invite;
pub mod kpi_agg;
pub mod kpi_answer;
pub mod kpi_api;
pub mod kpi_store;
pub mod listen;
pub mod listing;
pub mod migrate;
pub mod pages;
pub mod render_bounded;
pub mod service;
pub mod session;
pub mod storage;
pub mod storage_api;
pub mod storage_approvals;
pub mod storage_kpi_agg;
pub mod storage_kpis;
pub mod template_guard;
pub mod tokens;
pub mod visibility;
pub mod wording;
pub mod work;
pub mod worker;
