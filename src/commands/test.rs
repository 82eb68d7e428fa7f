//! `sopctl test [PATH…] [--min-coverage PCT]`: runs `Scenario` documents (SPEC section 4) on
//! the engine and reports transition coverage.
//!
//! Which scenarios run: with PATHs, the scenarios in those files and folders; without, every
//! scenario among the project's sources plus the YAML files under `<root>/tests/` whose text
//! contains `kind: Scenario`. Folders under `tests/` that are projects of their own (they
//! hold a `sopctl.yaml` or a `sops/` folder, like test fixtures) are skipped: their scenarios
//! belong to that other project. The project is validated first (any error: exit 1).
//!
//! Output: human results and the coverage table on stderr; `--format json` prints one object
//! on stdout:
//! `{"scenarios":[{"name","file","process","steps","passed","failures":[{"code","severity",
//! "message","file","line","column"}]}],"coverage":{"processes":[{"process","taken","total",
//! "percent","missing":[ids]}],"taken","total","percent"},"passed":N,"failed":N,"ok":bool}`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{refuse, Exit, Global, Step};
use crate::bundle;
use crate::cli::TestArgs;
use crate::project;
use crate::report::Format;
use crate::scenario::{self, Coverage, ScenarioResult};

pub fn run(g: &Global, a: &TestArgs) -> Step<Exit> {
    let format = Format::from(a.format.unwrap_or_default());
    let config = g.config(format)?;
    let (files, focus) = files(g, &config, &a.paths)?;
    let loaded = project::load(&config, &files, &BTreeSet::new());
    if loaded.has_errors() {
        g.print(
            format,
            &loaded.diagnostics,
            &loaded.sources,
            &project::uri_prefix(&loaded.root),
        );
        eprintln!("error: scenarios not run: the SOPs have validation errors");
        return Ok(Exit::Findings);
    }
    let built = bundle::compile(&loaded.project, &loaded.root).map_err(|e| {
        refuse(
            &format!("cannot compile the bundle: {e}"),
            "this is a bug in sopctl if validation passed",
        )
    })?;
    let select = |file: &str| focus.is_empty() || focus.contains(file);
    let (results, coverage) = scenario::run_all(&built, &loaded.documents, &select);
    if results.is_empty() {
        return Err(refuse(
            "no scenarios found",
            "write `kind: Scenario` documents among the sources or under tests/ (see docs/reference/scenarios.md)",
        ));
    }
    let failed = results.iter().filter(|r| !r.passed()).count();
    let below = a
        .min_coverage
        .is_some_and(|m| coverage.percent() + 1e-9 < m);
    if format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json_report(&results, &coverage, failed == 0 && !below))
                .expect("json")
        );
    } else {
        let diags: Vec<_> = results
            .iter()
            .flat_map(|r| r.failures.iter().cloned())
            .collect();
        if !diags.is_empty() {
            g.print(Format::Human, &diags, &loaded.sources, "");
        }
        eprint!("{}", human_report(&results, &coverage));
        if let (true, Some(m)) = (below, a.min_coverage) {
            eprintln!(
                "error: transition coverage {:.1}% is below --min-coverage {m}%",
                coverage.percent()
            );
        }
    }
    Ok(if failed > 0 || below {
        Exit::Findings
    } else {
        Exit::Ok
    })
}

/// The files to load: the project's sources (or the named paths), and without paths the
/// scenario files under `tests/` too; with the named files to run the scenarios of.
fn files(
    g: &Global,
    config: &crate::config::Config,
    paths: &[PathBuf],
) -> Step<(Vec<PathBuf>, BTreeSet<String>)> {
    let (mut files, focus) =
        project::discover(config, &g.cwd, paths).map_err(|e| refuse(&e.message, &e.help))?;
    if paths.is_empty() {
        let mut extra = Vec::new();
        scenario_files(&config.root.join("tests"), &mut extra);
        for f in extra {
            if !files.contains(&f) {
                files.push(f);
            }
        }
        files.sort();
    }
    if files.is_empty() {
        return Err(refuse(
            &format!("no SOP files found in {}", config.root.display()),
            "put your SOPs under sops/ and scenarios under sops/ or tests/",
        ));
    }
    Ok((files, focus))
}

/// Each scenario's result, the coverage table and the totals, for people.
fn human_report(results: &[ScenarioResult], coverage: &Coverage) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for r in results {
        let _ = writeln!(
            out,
            "{} {} ({}, {} steps){}",
            if r.passed() { "ok    " } else { "FAILED" },
            r.name,
            r.file,
            r.steps,
            if r.passed() {
                String::new()
            } else {
                format!(": {} failing", r.failures.len())
            }
        );
    }
    out.push_str("\ntransition coverage:\n");
    let width = coverage
        .processes
        .iter()
        .map(|p| p.process.len())
        .max()
        .unwrap_or(0);
    for p in &coverage.processes {
        let _ = writeln!(
            out,
            "  {:width$}  {:>3}/{:<3} {:>5.1}%{}",
            p.process,
            p.taken.len(),
            p.total(),
            p.percent(),
            if p.missing.is_empty() {
                String::new()
            } else {
                format!("  not taken: {}", p.missing.join(", "))
            }
        );
    }
    let _ = writeln!(
        out,
        "  {:width$}  {:>3}/{:<3} {:>5.1}%",
        "total",
        coverage.taken(),
        coverage.total(),
        coverage.percent()
    );
    let failed = results.iter().filter(|r| !r.passed()).count();
    let _ = writeln!(
        out,
        "\n{} {}: {} passed, {} failed",
        results.len(),
        if results.len() == 1 {
            "scenario"
        } else {
            "scenarios"
        },
        results.len() - failed,
        failed
    );
    out
}

/// YAML files under `dir` whose text declares `kind: Scenario`, skipping nested projects.
fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.join("sopctl.yaml").exists() || p.join("sops").is_dir() {
                continue;
            }
            scenario_files(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            // Only regular files: reading a FIFO would block forever.
            && p.is_file()
            && std::fs::read_to_string(&p).is_ok_and(|t| t.contains("kind: Scenario"))
        {
            out.push(p);
        }
    }
}

fn json_report(results: &[ScenarioResult], coverage: &Coverage, ok: bool) -> serde_json::Value {
    use serde_json::json;
    let failed = results.iter().filter(|r| !r.passed()).count();
    json!({
        "scenarios": results.iter().map(|r| json!({
            "name": r.name,
            "file": r.file,
            "process": r.process,
            "steps": r.steps,
            "passed": r.passed(),
            "failures": r.failures.iter().map(|d| json!({
                "code": d.code,
                "severity": d.severity.as_str(),
                "message": d.message,
                "file": d.file,
                "line": d.line(),
                "column": d.column(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "coverage": {
            "processes": coverage.processes.iter().map(|p| json!({
                "process": p.process,
                "taken": p.taken.len(),
                "total": p.total(),
                "percent": (p.percent() * 10.0).round() / 10.0,
                "missing": p.missing,
            })).collect::<Vec<_>>(),
            "taken": coverage.taken(),
            "total": coverage.total(),
            "percent": (coverage.percent() * 10.0).round() / 10.0,
        },
        "passed": results.len() - failed,
        "failed": failed,
        "ok": ok,
    })
}
