//! One module per command. Each returns the exit code: 0 clean, 1 findings that fail the
//! command, 2 usage, I/O or configuration error (SPEC section 7).

pub mod apply;
pub mod build;
pub mod completions;
pub mod diff;
pub mod explain;
pub mod init;
pub mod lint;
pub mod log;
pub mod login_link;
pub mod lsp;
pub mod man;
mod man_extra;
pub mod render;
pub mod review;
pub mod schema;
pub mod serve;
pub mod test;
pub mod token;
pub mod validate;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{Cli, ColorChoice};
use crate::config::{self, Config, ConfigError};
use crate::diagnostic::Diagnostic;
use crate::report::{self, Format, ReportOptions, RuleDoc};

pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Options that every command shares.
pub struct Global {
    pub format: Option<String>,
    pub config: Option<PathBuf>,
    pub color: ColorChoice,
    pub cwd: PathBuf,
}

impl Global {
    pub fn new(cli: &Cli) -> Global {
        Global {
            format: cli.format.clone(),
            config: cli.config.clone(),
            color: cli.color,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }

    /// Colour for human output on stderr.
    pub fn color_stderr(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }

    /// A progress bar on stderr for long work: drawn only when stderr is a terminal and the
    /// output is human (no `--format`, or `--format human`); a no-op otherwise.
    pub fn progress(&self, len: u64, message: &str) -> crate::progress::Progress {
        let human = matches!(self.format.as_deref(), None | Some("human"));
        crate::progress::Progress::when(
            crate::progress::enabled(std::io::stderr().is_terminal(), human),
            len,
            message,
        )
    }

    /// The findings format, refusing formats that are not for findings.
    pub fn findings_format(&self) -> Result<Format, i32> {
        match self.format.as_deref() {
            None | Some("human") => Ok(Format::Human),
            Some("json") => Ok(Format::Json),
            Some("sarif") => Ok(Format::Sarif),
            Some("github") => Ok(Format::Github),
            Some(other) => {
                fail(
                    &format!("--format {other} is not a findings format"),
                    "use human, json, sarif or github",
                );
                Err(EXIT_ERROR)
            }
        }
    }

    /// Loads the configuration, printing a configuration error (exit 2) if it is broken.
    pub fn config(&self, format: Format) -> Result<Config, i32> {
        config::find(&self.cwd, self.config.as_deref()).map_err(|e| {
            self.print_config_error(format, &e);
            EXIT_ERROR
        })
    }

    /// Loads the configuration of the project the given paths lie in (the nearest
    /// `sopctl.yaml` or `sops/` above them), else as [`Global::config`] does.
    pub fn config_for(&self, format: Format, paths: &[PathBuf]) -> Result<Config, i32> {
        if self.config.is_some() || paths.is_empty() {
            return self.config(format);
        }
        config::find_for(&self.cwd, paths).map_err(|e| {
            self.print_config_error(format, &e);
            EXIT_ERROR
        })
    }

    pub fn print_config_error(&self, format: Format, e: &ConfigError) {
        let mut sources = HashMap::new();
        if let Some(src) = &e.source {
            sources.insert(src.path.to_string(), src.text.to_string());
        }
        self.print(format, &e.diagnostics, &sources, "");
    }

    /// Prints findings: machine formats to stdout, human output to stderr.
    pub fn print(
        &self,
        format: Format,
        diags: &[Diagnostic],
        sources: &dyn report::SourceText,
        uri_prefix: &str,
    ) {
        let rule_doc = |code: &str| -> Option<RuleDoc> { crate::docs::rule_doc(code) };
        let opts = ReportOptions {
            color: format == Format::Human && self.color_stderr(),
            tool_version: crate::VERSION,
            uri_prefix,
            rule_doc: &rule_doc,
        };
        let text = report::render(format, diags, sources, &opts);
        if format == Format::Human {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
    }
}

/// A one-line error with a hint, for problems that have no place in a file (exit 2).
/// The project's SOP files and the named ones to focus on; none at all is an error (exit 2)
/// whose hint ends with `or …` (`pass files to check`, `pass --bundle FILE`).
pub fn source_files(
    config: &crate::config::Config,
    cwd: &std::path::Path,
    paths: &[std::path::PathBuf],
    or: &str,
) -> Result<(Vec<std::path::PathBuf>, std::collections::BTreeSet<String>), i32> {
    let (files, focus) = crate::project::discover(config, cwd, paths).map_err(|e| {
        fail(&e.message, &e.help);
        EXIT_ERROR
    })?;
    if files.is_empty() {
        fail(
            &format!(
                "no SOP files found in {} (sources: {})",
                config.root.display(),
                config.sources.join(", ")
            ),
            &format!("put your SOPs under sops/, set `sources` in sopctl.yaml, or {or}"),
        );
        return Err(EXIT_ERROR);
    }
    Ok((files, focus))
}

pub fn fail(message: &str, help: &str) {
    eprintln!("error: {message}");
    if !help.is_empty() {
        eprintln!("  help: {help}");
    }
}
