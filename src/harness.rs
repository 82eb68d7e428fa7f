//! Entry points for fuzzing: each takes arbitrary bytes and runs one stage of the pipeline the
//! way a user's input would reach it. They return normally on any input; a panic is a bug.
//! The cargo-fuzz targets in `fuzz/` call them, and `tests/fuzz_corpus.rs` replays the
//! committed corpora through them, so the corpus guards against regressions in every CI run.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{self, Format, ReportOptions};

/// Every `(project-relative path, bytes)` of a project's `.yaml` files under `dir`, sorted.
pub fn yaml_files(root: &Path, dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for p in entries.flatten().map(|e| e.path()) {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml") {
                let rel = p.strip_prefix(root).unwrap_or(&p);
                let rel = rel.to_string_lossy().replace('\\', "/");
                if let Ok(bytes) = std::fs::read(&p) {
                    out.push((rel, bytes));
                }
            }
        }
    }
    out.sort();
    out
}

/// One SOP file of arbitrary bytes, loaded beside `others`: validate, lint, every report
/// format, and (when clean) compile and run the scenarios. True when the scenarios ran.
pub fn load_check(root: &Path, others: &[(String, Vec<u8>)], data: &[u8]) -> bool {
    let mut files = others.to_vec();
    files.push(("sops/fuzzed.yaml".to_string(), data.to_vec()));
    run_pipeline(root, files)
}

/// A scenario file of arbitrary bytes run against `others` (a clean project). True when it ran.
pub fn scenario(root: &Path, others: &[(String, Vec<u8>)], data: &[u8]) -> bool {
    let mut files = others.to_vec();
    files.push(("sops/scenarios/fuzzed.yaml".to_string(), data.to_vec()));
    run_pipeline(root, files)
}

/// An expression (`when:`, conditions) of arbitrary text: parse, then type-check against a
/// field table that knows every type.
pub fn expr(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(e) = crate::expr::parse_expr(text) {
        let _ = crate::expr::check_condition(&e, &|id| field_type(id));
    }
}

/// A `due:` value and a duration of arbitrary text.
pub fn due_duration(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::expr::parse_due(text);
    let _ = crate::expr::parse_duration(text);
}

fn field_type(id: &str) -> Option<crate::model::FieldType> {
    use crate::model::FieldType::*;
    // Any id has some type, picked by its length, so every operator meets every type.
    let all = [
        Text, Longtext, Number, Money, Bool, Date, Datetime, User, Users, File, Files, Choice,
    ];
    all.get(id.len() % (all.len() + 1)).copied()
}

fn run_pipeline(root: &Path, files: Vec<(String, Vec<u8>)>) -> bool {
    let config = crate::config::defaults(root);
    let loaded = crate::project::load_sources(&config, files);
    let mut diags = loaded.diagnostics.clone();
    if let Ok(lint) = crate::lint::config::LintConfig::from_config(&config) {
        diags.extend(crate::lint::run(&loaded, &lint, 1_767_000_000));
    }
    assert_placed(&diags);
    for format in Format::ALL {
        let out = report::render(format, &diags, &loaded.sources, &ReportOptions::new("fuzz"));
        assert!(out.is_empty() || out.ends_with('\n'), "{format:?} output");
    }
    if loaded.has_errors() {
        return false;
    }
    let Ok(bundle) = crate::bundle::compile::compile(&loaded.project, root) else {
        return false;
    };
    let (results, _) = crate::scenario::runner::run_all(&bundle, &loaded.documents, &|_| true);
    !results.is_empty()
}

/// Every error has a place and every finding a message and a help text.
fn assert_placed(diags: &[Diagnostic]) {
    for d in diags {
        if d.severity == Severity::Error {
            assert!(d.line() >= 1 && d.column() >= 1, "no place: {}", d.message);
        }
        assert!(!d.message.is_empty(), "empty message [{}]", d.code);
        assert!(
            d.help.as_deref().is_some_and(|h| !h.is_empty()),
            "no help [{}]: {}",
            d.code,
            d.message
        );
    }
}

/// True when `data` as a SOP file beside `others` validates and compiles.
pub fn compiles(root: &Path, others: &[(String, Vec<u8>)], data: &[u8]) -> bool {
    let mut files = others.to_vec();
    files.push(("sops/fuzzed.yaml".to_string(), data.to_vec()));
    let loaded = crate::project::load_sources(&crate::config::defaults(root), files);
    !loaded.has_errors() && crate::bundle::compile::compile(&loaded.project, root).is_ok()
}
