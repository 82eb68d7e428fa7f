//! sopctl: Standard Operating Procedures as code.
//!
//! A pipeline in one direction: `load` (files → documents with positions) → `schema` →
//! `model` → `check` → `lint` → outputs. One `Diagnostic` type flows through every stage and `report`
//! prints it in every format.

// A `Diagnostic` is the error value of the loading stages by design; failures are the rare
// path, so boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod apply;
pub mod bundle;
pub mod check;
pub mod cli;
pub mod codes;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod expr;
pub mod fsutil;
#[doc(hidden)]
pub mod harness;
pub mod kpi;
pub mod lint;
pub mod load;
pub mod lsp;
pub mod model;
pub mod progress;
pub mod project;
pub mod render;
pub mod report;
pub mod runtime;
pub mod scenario;
pub mod schema;
pub mod suggest;

/// The version of the package, e.g. `0.1.0`.
pub const PKG_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The full git commit sopctl was built from, or `unknown` (see `build.rs`).
pub const GIT_COMMIT_FULL: &str = env!("SOPCTL_GIT_COMMIT_FULL");

/// The version with the git commit it was built from, e.g. `0.1.0 (abc1234)`.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SOPCTL_GIT_COMMIT"),
    ")"
);
