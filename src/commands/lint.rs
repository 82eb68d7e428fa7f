//! `sopctl lint [PATH…] [--deny-warnings]`: validation plus the lint rules of SPEC section 6.

use std::path::PathBuf;

use super::{fail, Global, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::config::ConfigError;
use crate::diagnostic::{sort_and_dedup, Severity};
use crate::lint::{self, LintConfig};
use crate::project;

pub fn run(g: &Global, paths: &[PathBuf], deny_warnings: bool) -> i32 {
    let format = match g.findings_format() {
        Ok(f) => f,
        Err(code) => return code,
    };
    let config = match g.config_for(format, paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Rule names and options are checked before any SOP is read: a broken configuration is
    // a usage error (exit 2), not a finding.
    let lint_config = match LintConfig::from_config(&config) {
        Ok(c) => c,
        Err(diagnostics) => {
            g.print_config_error(
                format,
                &ConfigError {
                    diagnostics,
                    source: config.source.clone(),
                },
            );
            return EXIT_ERROR;
        }
    };
    let now = match lint::time::now() {
        Ok(n) => n,
        Err(value) => {
            fail(
                &format!(
                    "{} is `{value}`, which is not an RFC 3339 date-time",
                    lint::time::NOW_ENV
                ),
                "write e.g. 2026-01-05T09:00:00+08:00, or unset it to use the system clock",
            );
            return EXIT_ERROR;
        }
    };
    let (files, focus) = match super::source_files(&config, &g.cwd, paths, "pass files to check") {
        Ok(x) => x,
        Err(code) => return code,
    };
    let loaded = project::load(&config, &files, &focus);
    let mut diagnostics = loaded.diagnostics.clone();
    let mut findings = lint::run(&loaded, &lint_config, now);
    if !focus.is_empty() {
        findings.retain(|d| focus.contains(&d.file));
    }
    diagnostics.extend(findings);
    sort_and_dedup(&mut diagnostics);
    g.print(
        format,
        &diagnostics,
        &loaded.sources,
        &project::uri_prefix(&loaded.root),
    );
    let fails = diagnostics.iter().any(|d| {
        d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
    });
    if fails {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
