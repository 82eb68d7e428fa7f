//! `sopctl apply [--server URL] [--bundle FILE] [--dry-run] [--force]`: push a bundle to a
//! runtime (SPEC section 7). The bundle is `--bundle FILE`, or the project built in memory as
//! `sopctl build` builds it. The runtime is `--server`, else `apply.server` of sopctl.yaml,
//! else `http://127.0.0.1:7070`; the token is `SOPCTL_TOKEN`.
//!
//! It prints the plan first (the semantic diff from the bundle the runtime runs, then the live
//! records in the statuses it touches, see `crate::apply::plan`), then uploads. A bundle the
//! runtime already runs is a no-op. Exit codes: 0 applied, nothing to do, or `--dry-run`;
//! 1 the SOPs do not validate or the runtime refused the bundle (`would-strand`,
//! `invalid-bundle`, `hash-mismatch`); 2 usage, an unreadable bundle file, a runtime that cannot
//! be reached or that refuses the token.
//!
//! `--format json` prints one object on stdout (human text stays on stderr):
//! `{"server","current","bundle","changes","live","result","stranded","error","migrated","pinned"}`
//! with `result` one of `applied`, `unchanged`, `dry-run`, `refused`.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::Path;

use serde_json::{json, Value};

use super::{fail, refuse, Exit, Global, Step};
use crate::apply::client::{Client, ClientError, Live, Upload};
use crate::apply::{plan, DEFAULT_SERVER, TOKEN_ENV};
use crate::bundle::{self, Bundle};
use crate::cli::ApplyArgs;
use crate::diff::{self, render};
use crate::project;
use crate::report::Format;

/// What the JSON output says happened.
struct Outcome {
    result: &'static str,
    stranded: Vec<Live>,
    error: Option<(String, String)>,
    migrated: Option<u64>,
    pinned: Option<u64>,
}

impl Outcome {
    fn new(result: &'static str) -> Outcome {
        Outcome {
            result,
            stranded: Vec::new(),
            error: None,
            migrated: None,
            pinned: None,
        }
    }
}

/// The plan: the changes from what the runtime runs, and the live records they touch.
struct Plan {
    base: Bundle,
    changes: Vec<diff::Change>,
    touched: Vec<plan::Touched>,
}

pub fn run(g: &Global, args: &ApplyArgs) -> Step<Exit> {
    let format = Format::from(args.format.unwrap_or_default());
    let config = g.config(format)?;
    let server = args
        .server
        .clone()
        .or_else(|| config.apply_server.clone())
        .unwrap_or_else(|| DEFAULT_SERVER.to_string());
    let token = match std::env::var(TOKEN_ENV) {
        Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => {
            return Err(refuse(
                &format!("{TOKEN_ENV} is not set"),
                &format!(
                    "export {TOKEN_ENV}=… with the runtime's admin token (SOPCTL_ADMIN_TOKEN of `sopctl serve`)"
                ),
            ))
        }
    };
    let client = Client::new(&server, &token).map_err(|e| client_error(&e))?;
    let (ours, label) = match &args.bundle {
        Some(file) => (read_bundle(g, file)?, file.display().to_string()),
        None => (build(g, &config, format)?, "the project".to_string()),
    };
    let current = client.current().map_err(|e| client_error(&e))?;
    let current_hash = current.as_ref().map(|b| b.hash.clone());
    let out = Report {
        server: &client.server,
        current: current_hash.as_deref(),
        bundle: &ours.hash,
        format,
    };
    if current_hash.as_deref() == Some(ours.hash.as_str()) {
        eprintln!("nothing to do: the server already runs {}", ours.hash);
        out.json(&[], &[], &Outcome::new("unchanged"));
        return Ok(Exit::Ok);
    }
    let color = format == Format::Human && g.color_stderr();
    let plan = show_plan(&client, current, &ours, &label, color)?;
    if args.dry_run {
        eprintln!("dry run: nothing uploaded");
        out.json(&plan.changes, &plan.touched, &Outcome::new("dry-run"));
        return Ok(Exit::Ok);
    }
    let body = ours.to_json();
    let show = crate::progress::enabled(std::io::stderr().is_terminal(), format == Format::Human);
    let progress = crate::progress::Progress::bytes_when(show, body.len() as u64, "uploading");
    let answer = client.upload(body.as_bytes(), args.force, &progress);
    progress.finish();
    let (exit, outcome) = match answer.map_err(|e| client_error(&e))? {
        Upload::Accepted {
            status,
            hash,
            migrated,
            pinned,
        } => {
            let hash = hash.unwrap_or_else(|| ours.hash.clone());
            accepted(&client.server, &status, &hash, migrated, pinned)
        }
        Upload::Refused {
            http,
            code,
            message,
            stranded,
        } => refused(&plan.base, http, code, message, stranded),
    };
    out.json(&plan.changes, &plan.touched, &outcome);
    Ok(exit)
}

/// Works out the plan against the bundle the runtime runs and prints it on stderr.
fn show_plan(
    client: &Client,
    current: Option<Bundle>,
    ours: &Bundle,
    label: &str,
    color: bool,
) -> Step<Plan> {
    let current_hash = current.as_ref().map(|b| b.hash.clone());
    let live = match &current {
        Some(_) => client.live().map_err(|e| client_error(&e))?,
        // No bundle, no records.
        None => Some(Vec::new()),
    };
    let base = current.unwrap_or_else(Bundle::empty);
    let changes = diff::diff(&base, ours);
    let touched_statuses = plan::touched_statuses(&base, ours, &changes);
    let touched = live
        .as_deref()
        .map(|l| plan::live_in_touched(&base, ours, &touched_statuses, l));
    let base_label = match &current_hash {
        Some(h) => format!("the server ({})", short_hash(h)),
        None => "an empty server".to_string(),
    };
    eprintln!(
        "plan: {} ({}) to {}, which runs {}\n",
        label,
        short_hash(&ours.hash),
        client.server,
        current_hash
            .as_deref()
            .map_or("no bundle yet".to_string(), short_hash)
    );
    eprint!("{}", render::human(&changes, &base_label, label, color));
    eprint!("{}", plan::human_live(&base, touched.as_deref(), color));
    Ok(Plan {
        base,
        changes,
        touched: touched.unwrap_or_default(),
    })
}

/// The runtime took the bundle (or already ran it).
fn accepted(
    server: &str,
    status: &str,
    hash: &str,
    migrated: Option<u64>,
    pinned: Option<u64>,
) -> (Exit, Outcome) {
    let mut line = match status {
        "unchanged" => format!("nothing to do: the server already runs {hash}"),
        "activated" => {
            format!("applied {hash} to {server}: activated (the server had this version before)")
        }
        _ => format!("applied {hash} to {server}: created and activated"),
    };
    if let Some(n) = migrated.filter(|n| *n > 0) {
        line.push_str(&format!("; {} moved to renamed statuses", records_word(n)));
    }
    if let Some(n) = pinned.filter(|n| *n > 0) {
        line.push_str(&format!(
            "; {} left on their current version",
            records_word(n)
        ));
    }
    eprintln!("{line}");
    let mut o = Outcome::new(if status == "unchanged" {
        "unchanged"
    } else {
        "applied"
    });
    o.migrated = migrated;
    o.pinned = pinned;
    (Exit::Ok, o)
}

/// The runtime refused the bundle (exit 1): why, and what to do.
fn refused(
    base: &Bundle,
    http: u16,
    code: String,
    message: String,
    stranded: Vec<Live>,
) -> (Exit, Outcome) {
    if code == "would-strand" {
        eprintln!(
            "error: the server refused the bundle: {}",
            if message.is_empty() {
                "it would strand live records"
            } else {
                message.as_str()
            }
        );
        eprint!("{}", plan::human_stranded(base, &stranded));
        eprintln!(
            "  help: rename with `was:` to migrate them, or pass --force to leave them on their current version"
        );
    } else {
        let help = match code.as_str() {
            "hash-mismatch" => "rebuild the bundle with `sopctl build`; do not edit bundle.json by hand",
            "invalid-bundle" => "the server may run another sopctl version: compare `sopctl --version` on both sides",
            _ => "see the server's log for more",
        };
        fail(
            &format!(
                "the server refused the bundle ({http} {code}){}",
                if message.is_empty() {
                    String::new()
                } else {
                    format!(": {message}")
                }
            ),
            help,
        );
    }
    let mut o = Outcome::new("refused");
    o.error = Some((code, message));
    o.stranded = stranded;
    (Exit::Findings, o)
}

/// The JSON object of `--format json`, printed once at the end.
struct Report<'a> {
    server: &'a str,
    current: Option<&'a str>,
    bundle: &'a str,
    format: Format,
}

impl Report<'_> {
    fn json(&self, changes: &[diff::Change], touched: &[plan::Touched], o: &Outcome) {
        if self.format != Format::Json {
            return;
        }
        // The same items as `sopctl diff --format json`.
        let listed: Value = serde_json::from_str(&render::json(changes))
            .ok()
            .and_then(|mut v: Value| v.get_mut("changes").map(Value::take))
            .unwrap_or_else(|| json!([]));
        let v = json!({
            "server": self.server,
            "current": self.current,
            "bundle": self.bundle,
            "changes": listed,
            "live": plan::json_live(touched),
            "result": o.result,
            "stranded": o.stranded.iter().map(Live::to_json).collect::<Vec<_>>(),
            "error": o.error.as_ref().map(|(code, message)| json!({"code": code, "message": message})),
            "migrated": o.migrated,
            "pinned": o.pinned,
        });
        println!("{v}");
    }
}

fn client_error(e: &ClientError) -> Exit {
    refuse(&e.message, &e.help)
}

fn records_word(n: u64) -> String {
    format!("{n} record{}", if n == 1 { "" } else { "s" })
}

/// `sha256:` and the first 12 hex digits.
fn short_hash(hash: &str) -> String {
    match hash.get(..7 + 12) {
        Some(short) if hash.len() > short.len() => format!("{short}…"),
        _ => hash.to_string(),
    }
}

/// `--bundle FILE`: read, parse, and check that its hash is its contents' (exit 2 otherwise).
fn read_bundle(g: &Global, file: &Path) -> Step<Bundle> {
    let shown = file.display();
    let text = std::fs::read_to_string(g.cwd.join(file)).map_err(|e| {
        let cause = if e.kind() == std::io::ErrorKind::NotFound {
            "it does not exist".to_string()
        } else {
            e.to_string()
        };
        fail(
            &format!("cannot read {shown}: {cause}"),
            "pass a bundle.json written by `sopctl build`, or leave out --bundle to build the project",
        );
        Exit::Error
    })?;
    let b = Bundle::from_json(&text).map_err(|e| {
        fail(
            &format!("{shown} is not a sopctl bundle: {e}"),
            "build a fresh one with `sopctl build`, or leave out --bundle to build the project",
        );
        Exit::Error
    })?;
    let hash = b.content_hash();
    if hash != b.hash {
        fail(
            &format!(
                "{shown} is not a sopctl bundle: its `hash` ({}) does not match its contents ({}); edited by hand?",
                short_hash(&b.hash),
                short_hash(&hash)
            ),
            "build a fresh one with `sopctl build`, or leave out --bundle to build the project",
        );
        return Err(Exit::Error);
    }
    Ok(b)
}

/// The project's bundle, built in memory exactly as `sopctl build` builds it: validation
/// errors are printed like `validate` prints them (exit 1) and nothing is uploaded.
fn build(g: &Global, config: &crate::config::Config, format: Format) -> Step<Bundle> {
    let (files, _) = super::source_files(config, &g.cwd, &[], "pass --bundle FILE")?;
    let loaded = project::load(config, &files, &BTreeSet::new());
    let errors = loaded.has_errors();
    // In JSON, stdout carries the diagnostics only when they stop the command.
    if (format == Format::Human && !loaded.diagnostics.is_empty()) || errors {
        g.print(
            format,
            &loaded.diagnostics,
            &loaded.sources,
            &project::uri_prefix(&loaded.root),
        );
    }
    if errors {
        eprintln!("error: nothing applied: the SOPs have validation errors");
        return Err(Exit::Findings);
    }
    let mut built = bundle::compile(&loaded.project, &loaded.root).map_err(|e| {
        fail(
            &format!("cannot compile the bundle: {e}"),
            "this is a bug in sopctl if validation passed; please report it",
        );
        Exit::Error
    })?;
    built.source = bundle::source::of_project(&loaded, &built, config);
    Ok(built)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_hashes_and_counts_records() {
        let h = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(short_hash(&h), "sha256:abababababab…");
        assert_eq!(records_word(1), "1 record");
        assert_eq!(records_word(3), "3 records");
    }

    #[test]
    fn an_empty_bundle_diffs_to_every_process_added() {
        let e = Bundle::empty();
        assert!(diff::diff(&e, &e).is_empty());
    }
}
