//! One module per command, and the dispatch from the parsed arguments to them. Each command
//! returns its [`Exit`] status: 0 clean, 1 findings that fail the command, 2 usage, I/O or
//! configuration error (SPEC section 7).

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
mod staged;
pub mod test;
pub mod token;
pub mod validate;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, ColorChoice, Command};
use crate::config::{self, Config, ConfigError};
use crate::diagnostic::Diagnostic;
use crate::report::{self, Format, ReportOptions, RuleDoc};

/// How a command ends (SPEC section 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done, and nothing fails the command.
    Ok,
    /// 1: findings (or a refusal) that fail the command.
    Findings,
    /// 2: usage, I/O or configuration error.
    Error,
}

impl Exit {
    /// The status of a code from code that speaks in numbers (the language server, `explain`).
    pub fn from_code(code: i32) -> Exit {
        match code {
            0 => Exit::Ok,
            1 => Exit::Findings,
            _ => Exit::Error,
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Findings => 1,
            Exit::Error => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

/// A step of a command: `Err` ends the command with that status, its message already printed.
pub type Step<T> = Result<T, Exit>;

/// Runs the program: parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    if !matches!(cli.command, Command::Serve(_) | Command::Lsp) {
        quiet_on_closed_pipe();
    }
    let g = Global::new(&cli);
    dispatch(&g, &cli.command)
        .unwrap_or_else(|stop| stop)
        .into()
}

/// `sopctl test --format json | head`: when the reader goes away, end quietly as other
/// command-line tools do (the default action of SIGPIPE), instead of a panic in `println!`.
/// The server and the language server keep Rust's default (the signal ignored): a client
/// that hangs up must be an error they handle, never their end.
fn quiet_on_closed_pipe() {
    // SAFETY: called before any thread of sopctl's exists; it only resets a disposition.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn dispatch(g: &Global, command: &Command) -> Step<Exit> {
    match command {
        Command::Validate(a) => validate::run(g, a),
        Command::Lint(a) => lint::run(g, a),
        Command::Build(a) => build::run(g, a),
        Command::Render(a) => render::run(g, a),
        Command::Diff(a) => diff::run(g, a),
        Command::Log(a) => log::run(g, a),
        Command::Test(a) => test::run(g, a),
        Command::Explain(a) => Ok(explain::run(g, a.code.as_deref())),
        Command::Schema(a) => Ok(schema::run(a.config_schema)),
        Command::Init(a) => init::run(g, a),
        Command::Apply(a) => apply::run(g, a),
        Command::Report(a) => review::run(g, a),
        Command::Serve(a) => serve::run(a),
        Command::LoginLink(a) => login_link::run(a),
        Command::Token(a) => token::run(a),
        Command::Lsp => Ok(lsp::run()),
        Command::Completions(a) => Ok(completions::run(a.shell)),
        Command::Man(a) => Ok(man::run(a.out_dir.as_deref())),
    }
}

/// Options that every command shares.
pub struct Global {
    pub config: Option<PathBuf>,
    pub color: ColorChoice,
    pub cwd: PathBuf,
}

impl Global {
    pub fn new(cli: &Cli) -> Global {
        Global {
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
    /// output is `human`; a no-op otherwise.
    pub fn progress(&self, human: bool, len: u64, message: &str) -> crate::progress::Progress {
        crate::progress::Progress::when(
            crate::progress::enabled(std::io::stderr().is_terminal(), human),
            len,
            message,
        )
    }

    /// Loads the configuration, printing a configuration error (exit 2) if it is broken.
    pub fn config(&self, format: Format) -> Step<Config> {
        config::find(&self.cwd, self.config.as_deref()).map_err(|e| {
            self.print_config_error(format, &e);
            Exit::Error
        })
    }

    /// Loads the configuration of the project the given paths lie in (the nearest
    /// `sopctl.yaml` or `sops/` above them), else as [`Global::config`] does.
    pub fn config_for(&self, format: Format, paths: &[PathBuf]) -> Step<Config> {
        if self.config.is_some() || paths.is_empty() {
            return self.config(format);
        }
        config::find_for(&self.cwd, paths).map_err(|e| {
            self.print_config_error(format, &e);
            Exit::Error
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
        let rule_doc = |code: &str| -> Option<RuleDoc> { crate::codes::rule_doc(code) };
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

/// The project's SOP files and the named ones to focus on; none at all is an error (exit 2)
/// whose hint ends with `or …` (`pass files to check`, `pass --bundle FILE`).
pub fn source_files(
    config: &crate::config::Config,
    cwd: &std::path::Path,
    paths: &[std::path::PathBuf],
    or: &str,
) -> Step<(Vec<std::path::PathBuf>, std::collections::BTreeSet<String>)> {
    let (files, focus) = crate::project::discover(config, cwd, paths).map_err(|e| {
        fail(&e.message, &e.help);
        Exit::Error
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
        return Err(Exit::Error);
    }
    Ok((files, focus))
}

/// [`fail`], and the status it ends the command with.
pub fn refuse(message: &str, help: &str) -> Exit {
    fail(message, help);
    Exit::Error
}

/// A one-line error with a hint, for problems that have no place in a file (exit 2).
pub fn fail(message: &str, help: &str) {
    eprintln!("error: {message}");
    if !help.is_empty() {
        eprintln!("  help: {help}");
    }
}
