//! `sopctl lint [PATH…] [--deny-warnings]`: validation plus the lint rules of SPEC section 6.

use super::{fail, Exit, Global, Step};
use crate::cli::LintArgs;
use crate::config::ConfigError;
use crate::diagnostic::{sort_and_dedup, Severity};
use crate::lint::{self, LintConfig};
use crate::project;
use crate::report::Format;

pub fn run(g: &Global, a: &LintArgs) -> Step<Exit> {
    let format = Format::from(a.format.unwrap_or_default());
    let paths = &a.paths;
    let config = g.config_for(format, paths)?;
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
            return Err(Exit::Error);
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
            return Err(Exit::Error);
        }
    };
    let (files, focus) = super::source_files(&config, &g.cwd, paths, "pass files to check")?;
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
        d.severity == Severity::Error || (a.deny_warnings && d.severity == Severity::Warning)
    });
    Ok(if fails { Exit::Findings } else { Exit::Ok })
}
