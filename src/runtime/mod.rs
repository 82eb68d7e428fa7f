//! The runtime behind `sopctl serve`: SQLite storage, bearer-token auth, the engine behind an
//! HTTP API, and a background loop for timers and message delivery.

pub mod api;
pub mod auth;
pub mod channels;
pub mod clock;
pub mod delivery;
pub mod directory;
pub mod effects;
pub mod error;
pub mod events;
pub mod migrate;
pub mod pages;
pub mod service;
pub mod session;
pub mod storage;
pub mod tokens;
pub mod visibility;
pub mod wording;
pub mod worker;
