//! Command-line arguments. Commands are thin: parse, call the pipeline, print, exit code.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Parser)]
#[command(
    name = "sopctl",
    version = crate::VERSION,
    about = "Standard Operating Procedures as code: validate, lint, diff, build, render and run SOPs written in YAML",
    propagate_version = true
)]
pub struct Cli {
    /// Output format: human, json, sarif or github for findings; markdown or html for render;
    /// human, json or markdown for diff; human or json for apply.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub format: Option<String>,
    /// The configuration file (default: the nearest sopctl.yaml at or above the current folder).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to colour human output (NO_COLOR is respected by `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check SOP files against the language (docs/reference/codes.md); exit 1 on any error.
    Validate {
        /// Files or folders to report on (default: the whole project). The whole project is
        /// still loaded so that references resolve.
        paths: Vec<PathBuf>,
    },
    /// Validate, then apply the lint rules (docs/reference/codes.md); exit 1 on any error, or on any
    /// warning with `--deny-warnings`.
    Lint {
        /// Files or folders to report on (default: the whole project). The whole project is
        /// still loaded so that references resolve.
        paths: Vec<PathBuf>,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Validate, then compile the project into DIR/bundle.json for a runtime (docs/reference/commands.md);
    /// refuses on any validation error and then writes nothing.
    Build {
        /// Files or folders to build with the project's sources (default: the `sources` of
        /// sopctl.yaml). The bundle is always the whole project, and any error refuses it.
        paths: Vec<PathBuf>,
        /// The output folder (default: `dist`, relative to the current folder).
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: Option<PathBuf>,
        /// Write nothing; verify that FILE (a committed bundle) matches the sources: exit 0 if
        /// current, 1 if stale, 2 if missing or not a bundle.
        #[arg(long, value_name = "FILE", conflicts_with = "out")]
        check: Option<PathBuf>,
    },
    /// Write the handbooks people read (docs/reference/commands.md): index, one page per process, one per
    /// role, in Markdown or self-contained HTML (`--format html`). Refuses SOPs that do not
    /// validate.
    Render {
        /// SOP files or folders whose processes to render (default: every process). The whole
        /// project is still loaded and validated.
        paths: Vec<PathBuf>,
        /// Output folder (default: dist/handbook in the project root).
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: Option<PathBuf>,
        /// A folder whose files replace the shipped templates of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Render only this role's handbook (roles/ROLE.md).
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
    },
    /// Semantic diff of the SOPs between two sides (docs/reference/commands.md): what a change does to
    /// people and to running records. Each side is a git revision, a bundle.json file or a
    /// project folder; `--head` defaults to the working tree.
    Diff {
        /// The old side: a git revision (default `HEAD`), a bundle.json file or a project folder.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// The new side: a git revision, a bundle.json file or a project folder (default: the
        /// working tree).
        #[arg(long, value_name = "REV")]
        head: Option<String>,
        /// Exit 1 when a change of this severity (or worse) exists.
        #[arg(long, value_enum, value_name = "SEVERITY")]
        fail_on: Option<commands::diff::FailOn>,
    },
    /// The history of one process through git: each commit with its semantic changes.
    Log {
        /// The process name (`metadata.name`).
        process: String,
        /// How many commits to show at most (default: all).
        #[arg(short = 'n', long = "max-count", value_name = "N")]
        max_count: Option<usize>,
    },
    /// Run the `Scenario` documents (docs/reference/scenarios.md) on the execution engine and report which
    /// transitions no scenario took; exit 1 on a failing step or coverage below the minimum.
    Test {
        /// Scenario files or folders to run (default: the scenarios among the sources and under
        /// tests/).
        paths: Vec<PathBuf>,
        /// Fail (exit 1) when the share of transitions taken is below PCT percent.
        #[arg(long, value_name = "PCT")]
        min_coverage: Option<f64>,
    },
    /// Explain a validation code or lint rule, with a failing and a fixed example; without a
    /// code, list every code.
    Explain {
        /// The code or rule, e.g. `unknown-status` or `idle-status`.
        code: Option<String>,
    },
    /// Print the JSON Schema of SOP documents (for editors), or of sopctl.yaml with `--config-schema`.
    Schema {
        /// Print the schema of sopctl.yaml instead.
        #[arg(long)]
        config_schema: bool,
    },
    /// Create a project that passes validate, lint and test at once.
    ///
    /// Writes sopctl.yaml, sops/roles.yaml, an example process with a scenario, the schemas, a
    /// GitHub workflow, a pre-commit configuration and VS Code settings. Refuses (exit 2,
    /// writing nothing) if any of those files exists.
    Init {
        /// The project folder, created if missing (default: the current folder).
        dir: Option<PathBuf>,
    },
    /// Push a bundle to a runtime (`sopctl serve`): print the plan (the semantic diff against
    /// what the runtime runs, with the live records in each affected status), then upload it.
    /// The token comes from SOPCTL_TOKEN. Exit 0 applied or nothing to do, 1 refused (or the
    /// SOPs do not validate), 2 cannot reach or authenticate.
    Apply {
        /// The runtime's URL (default: `apply.server` of sopctl.yaml, else
        /// http://127.0.0.1:7070).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// Upload this bundle.json instead of building the project.
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
        /// Print the plan and stop: nothing is uploaded.
        #[arg(long)]
        dry_run: bool,
        /// Apply even if live records sit in statuses the bundle removes: they stay on the
        /// version they run.
        #[arg(long)]
        force: bool,
    },
    /// The periodic review (定期复盘) from a runtime: each process's KPIs against target with
    /// charts, the tasks most often late, who waited longest for whom. The token comes from
    /// SOPCTL_TOKEN; --format markdown (default, charts as SVG files beside -o) or html.
    /// Exit 0 written, 2 cannot reach or authenticate.
    Report {
        /// The runtime's URL (default: `apply.server` of sopctl.yaml, else
        /// http://127.0.0.1:7070).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// Start of the range: a date or RFC 3339 time (default: 91 days before --to).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// End of the range, excluded (default: now).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Write the document here (default: stdout).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run the runtime (docs/reference/commands.md): an HTTP JSON API over SQLite. The admin token
    /// is SOPCTL_ADMIN_TOKEN; people use tokens from `sopctl token create` and are named by
    /// --users FILE. SOPCTL_USER_TOKENS (`token=user:role1,role2;…`) or --tokens FILE are for
    /// tests and small setups.
    Serve {
        /// The address to listen on (default: 127.0.0.1:7070; port 0 picks a free port).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// The database (default: sqlite://sopctl.db).
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// A file of tokens, one `token=user:role1,role2` (or `admin=TOKEN`) a line.
        #[arg(long, value_name = "FILE")]
        tokens: Option<PathBuf>,
        /// The UTC offset due dates are computed in (`today 18:00`), e.g. +08:00 (default: UTC).
        #[arg(long, value_name = "OFFSET", allow_hyphen_values = true)]
        utc_offset: Option<String>,
        /// A YAML file with the endpoints and secrets of the webhook, feishu, dingtalk and email
        /// channels (see the README).
        #[arg(long, value_name = "FILE")]
        channels: Option<PathBuf>,
        /// The directory: a YAML file of the people (`users: { id: { name, roles, email,
        /// phone, feishu, dingtalk, language } }`), re-read when it changes or on SIGHUP.
        #[arg(long, value_name = "FILE")]
        users: Option<PathBuf>,
        /// The folder uploaded files are stored in (default: `<database file>.files` beside it).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// The largest file `POST /v1/files` takes, in bytes or with KiB/MiB/GiB (default: 20MiB).
        #[arg(long, value_name = "SIZE")]
        max_upload: Option<String>,
        /// The address people open the pages at, for links in messages (default: the listen
        /// address), e.g. https://sop.example.com.
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// A folder whose files replace the shipped page templates of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// How long one API request may take, body upload included, before it is answered
        /// `408 timeout` (default: 30).
        #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
        request_timeout: Option<u64>,
        /// How many connections are served at once; the next one is answered `503 busy` at
        /// once (default: 4096).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        max_connections: Option<u64>,
    },
    /// Print a one-time sign-in link for a person (admin; opens the database directly).
    LoginLink {
        /// The user id, as in the tokens file.
        user: String,
        /// The server's public address the link points at (default: http://127.0.0.1:7070).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// The database (default: sqlite://sopctl.db).
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// How long the link works: 30m, 12h, 7d, 2w (default: 7d).
        #[arg(long, value_name = "DURATION")]
        expires: Option<String>,
        /// The page the link opens after signing in (default: my work, `/`).
        #[arg(long, value_name = "PATH")]
        next: Option<String>,
        /// The tokens file the server uses, to check that the user exists.
        #[arg(long, value_name = "FILE")]
        tokens: Option<PathBuf>,
        /// The directory file the server uses (`serve --users`), to check that the user exists.
        #[arg(long, value_name = "FILE")]
        users: Option<PathBuf>,
    },
    /// API tokens for people and programs (docs/reference/commands.md): shown once, stored hashed.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The language server for editors, over stdin/stdout: findings as you type, completion
    /// of ids, go to definition, references, hover, rename and quick fixes (README: Editor
    /// support). Exit 0 after the editor's `shutdown` and `exit`, 2 when the protocol breaks.
    Lsp,
    /// Print a shell completion script.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page of sopctl, or write one page per command with `-o DIR`.
    Man {
        /// Write every page (sopctl.1, sopctl-validate.1, …) to this folder.
        #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

/// Runs the program; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return code;
        }
    };
    let g = commands::Global::new(&cli);
    match &cli.command {
        Command::Validate { paths } => commands::validate::run(&g, paths),
        Command::Lint {
            paths,
            deny_warnings,
        } => commands::lint::run(&g, paths, *deny_warnings),
        Command::Build { paths, out, check } => {
            commands::build::run(&g, paths, out.as_deref(), check.as_deref())
        }
        Command::Render {
            paths,
            out,
            templates,
            role,
        } => commands::render::run(
            &g,
            &commands::render::Args {
                paths,
                out: out.as_deref(),
                templates: templates.as_deref(),
                role: role.as_deref(),
            },
        ),
        Command::Diff {
            base,
            head,
            fail_on,
        } => commands::diff::run(&g, base.as_deref(), head.as_deref(), *fail_on),
        Command::Log { process, max_count } => commands::log::run(&g, process, *max_count),
        Command::Test {
            paths,
            min_coverage,
        } => commands::test::run(&g, paths, *min_coverage),
        Command::Explain { code } => commands::explain::run(&g, code.as_deref()),
        Command::Schema { config_schema } => commands::schema::run(*config_schema),
        Command::Init { dir } => commands::init::run(&g, dir.as_deref()),
        Command::Apply {
            server,
            bundle,
            dry_run,
            force,
        } => commands::apply::run(
            &g,
            &commands::apply::Args {
                server: server.as_deref(),
                bundle: bundle.as_deref(),
                dry_run: *dry_run,
                force: *force,
            },
        ),
        Command::Report {
            server,
            from,
            to,
            output,
        } => commands::review::run(
            &g,
            &commands::review::Args {
                server: server.as_deref(),
                from: from.as_deref(),
                to: to.as_deref(),
                out: output.as_deref(),
            },
        ),
        Command::Serve {
            listen,
            db,
            tokens,
            utc_offset,
            channels,
            users,
            public_url,
            templates,
            data,
            max_upload,
            request_timeout,
            max_connections,
        } => commands::serve::run(&commands::serve::Options {
            listen: listen.as_deref(),
            db: db.as_deref(),
            tokens: tokens.as_deref(),
            utc_offset: utc_offset.as_deref(),
            channels: channels.as_deref(),
            users: users.as_deref(),
            data: data.as_deref(),
            max_upload: max_upload.as_deref(),
            public_url: public_url.as_deref(),
            templates: templates.as_deref(),
            request_timeout: *request_timeout,
            max_connections: *max_connections,
        }),
        Command::LoginLink {
            user,
            server,
            db,
            expires,
            next,
            tokens,
            users,
        } => commands::login_link::run(&commands::login_link::Options {
            user,
            server: server.as_deref(),
            db: db.as_deref(),
            expires: expires.as_deref(),
            next: next.as_deref(),
            tokens: tokens.as_deref(),
            users: users.as_deref(),
        }),
        Command::Token { command } => commands::token::run(&g, command),
        Command::Lsp => commands::lsp::run(),
        Command::Completions { shell } => commands::completions::run(*shell),
        Command::Man { out_dir } => commands::man::run(out_dir.as_deref()),
    }
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Make a new API token for USER and print it once (only its SHA-256 is stored).
    Create {
        /// The user id the token acts as; their roles come from the server's directory.
        user: String,
        /// The database (default: sqlite://sopctl.db, the same as `serve`).
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// How long the token works: 30m, 12h, 90d or 2w (default: until revoked).
        #[arg(long, value_name = "DURATION")]
        expires: Option<String>,
        /// The directory file, to warn when USER is not in it.
        #[arg(long, value_name = "FILE")]
        users: Option<PathBuf>,
    },
    /// List the tokens (id, user, created, expires, revoked), never the tokens themselves.
    List {
        /// The database (default: sqlite://sopctl.db).
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
    /// Revoke a token by its id (from `sopctl token list`); it stops working at once.
    Revoke {
        /// The token's id.
        id: i64,
        /// The database (default: sqlite://sopctl.db).
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
}
