//! `sopctl apply`: push a bundle to a runtime (`sopctl serve`). [`client`] holds the HTTP
//! calls; [`plan`] turns the semantic diff against what the runtime runs into the statuses it
//! touches and the live records sitting there. The command (`commands::apply`) ties them
//! together: build or read the bundle, ask the runtime what it runs, print the plan, upload.

pub mod client;
pub mod plan;

/// The runtime `apply` talks to when neither `--server` nor `apply.server` says otherwise.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:7070";

/// The environment variable holding the bearer token.
pub const TOKEN_ENV: &str = "SOPCTL_TOKEN";
