//! The runtime behind `sopctl serve`: SQLite storage, bearer-token auth, the engine behind an
//! HTTP API, and a background loop for timers and message delivery.

pub mod api;
pub mod auth;
pub mod channels;
pub mod clock;
pub mod delivery;
pub mod effects;
pub mod error;
pub mod events;
pub mod kpi_answer;
pub mod kpi_api;
pub mod kpi_store;
pub mod migrate;
pub mod service;
pub mod storage;
pub mod storage_kpis;
pub mod worker;
