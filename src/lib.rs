//! sopctl: Standard Operating Procedures as code.
//!
//! A pipeline in one direction: `load` (files → documents with positions) → `schema` →
//! `model` → `check` → outputs. One `Diagnostic` type flows through every stage and `report`
//! prints it in every format.

pub mod bundle;
pub mod check;
pub mod cli;
pub mod codes;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod docs;
pub mod expr;
pub mod fsutil;
pub mod load;
pub mod model;
pub mod project;
pub mod report;
pub mod schema;
pub mod suggest;

/// The version, with the git commit it was built from when known.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
