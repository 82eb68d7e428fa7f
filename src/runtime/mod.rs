//! The runtime behind `sopctl serve`: SQLite storage, bearer-token auth and the HTTP API.

pub mod api;
pub mod auth;
pub mod channels;
pub mod storage;
