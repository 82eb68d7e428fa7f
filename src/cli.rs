//! Command-line arguments, and nothing else: `commands::main` parses them and runs the
//! command, which calls the pipeline, prints and returns its exit status.

mod format;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use format::{
    DiffFormat, FindingsFormat, FormatParser, FormatValue, HandbookFormat, HumanOrJson,
    ReviewFormat,
};

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
    Validate(ValidateArgs),
    /// Validate, then apply the lint rules (docs/reference/codes.md); exit 1 on any error, or on any
    /// warning with `--deny-warnings`.
    Lint(LintArgs),
    /// Validate, then compile the project into DIR/bundle.json for a runtime (docs/reference/commands.md);
    /// refuses on any validation error and then writes nothing.
    Build(BuildArgs),
    /// Write the handbooks people read (docs/reference/commands.md): index, one page per process, one per
    /// role, in Markdown or self-contained HTML (`--format html`); print-ready PDFs
    /// (`--format pdf`) or A6 task cards (`--format cards`). Refuses SOPs that do not validate.
    Render(RenderArgs),
    /// Semantic diff of the SOPs between two sides (docs/reference/commands.md): what a change does to
    /// people and to running records. Each side is a git revision, a bundle.json file or a
    /// project folder; `--head` defaults to the working tree.
    Diff(DiffArgs),
    /// The history of one process through git: each commit with its semantic changes.
    Log(LogArgs),
    /// Run the `Scenario` documents (docs/reference/scenarios.md) on the execution engine and report which
    /// transitions no scenario took; exit 1 on a failing step or coverage below the minimum.
    Test(TestArgs),
    /// Explain a validation code or lint rule, with a failing and a fixed example; without a
    /// code, list every code.
    Explain(ExplainArgs),
    /// Print the JSON Schema of SOP documents (for editors), or of sopctl.yaml with `--config-schema`.
    Schema(SchemaArgs),
    /// Create a project that passes validate, lint and test at once.
    ///
    /// Writes sopctl.yaml, sops/roles.yaml, an example process with a scenario, the schemas, a
    /// GitHub workflow, a pre-commit configuration and VS Code settings. Refuses (exit 2,
    /// writing nothing) if any of those files exists.
    Init(InitArgs),
    /// Push a bundle to a runtime (`sopctl serve`): print the plan (the semantic diff against
    /// what the runtime runs, with the live records in each affected status), then upload it.
    /// The token comes from SOPCTL_TOKEN. Exit 0 applied or nothing to do, 1 refused (or the
    /// SOPs do not validate), 2 cannot reach or authenticate.
    Apply(ApplyArgs),
    /// The periodic review (定期复盘) from a runtime: each process's KPIs against target with
    /// charts, the tasks most often late, who waited longest for whom. The token comes from
    /// SOPCTL_TOKEN; --format markdown (default, charts as SVG files beside -o) or html.
    /// Exit 0 written, 2 cannot reach or authenticate.
    Report(ReportArgs),
    /// Run the runtime (docs/reference/commands.md): an HTTP JSON API over SQLite or
    /// PostgreSQL. The admin token is SOPCTL_ADMIN_TOKEN; people use tokens from `sopctl token
    /// create` and are named by --users FILE. SOPCTL_USER_TOKENS (`token=user:role1,role2;…`)
    /// or --tokens FILE are for tests and small setups.
    Serve(ServeArgs),
    /// Print a one-time sign-in link for a person (admin; opens the database directly).
    LoginLink(LoginLinkArgs),
    /// API tokens for people and programs (docs/reference/commands.md): shown once, stored hashed.
    Token(TokenArgs),
    /// The language server for editors, over stdin/stdout: findings as you type, completion
    /// of ids, go to definition, references, hover, rename and quick fixes (README: Editor
    /// support). Exit 0 after the editor's `shutdown` and `exit`, 2 when the protocol breaks.
    Lsp,
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page of sopctl, or write one page per command with `-o DIR`.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files or folders to report on (default: the whole project). The whole project is
    /// still loaded so that references resolve.
    pub paths: Vec<PathBuf>,
    /// Output format (default: human): human on stderr, json, sarif or github on stdout.
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::<FindingsFormat>::new())]
    pub format: Option<FindingsFormat>,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or folders to report on (default: the whole project). The whole project is
    /// still loaded so that references resolve.
    pub paths: Vec<PathBuf>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Output format (default: human): human on stderr, json, sarif or github on stdout.
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::<FindingsFormat>::new())]
    pub format: Option<FindingsFormat>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Files or folders to build with the project's sources (default: the `sources` of
    /// sopctl.yaml). The bundle is always the whole project, and any error refuses it.
    pub paths: Vec<PathBuf>,
    /// The output folder (default: `dist`, relative to the current folder).
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write nothing; verify that FILE (a committed bundle) matches the sources: exit 0 if
    /// current, 1 if stale, 2 if missing or not a bundle.
    #[arg(long, value_name = "FILE", conflicts_with = "out")]
    pub check: Option<PathBuf>,
    /// Output format (default: human): human on stderr, json, sarif or github on stdout.
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::<FindingsFormat>::new())]
    pub format: Option<FindingsFormat>,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// SOP files or folders whose processes to render (default: every process). The whole
    /// project is still loaded and validated.
    pub paths: Vec<PathBuf>,
    /// Output folder (default: dist/handbook in the project root).
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// A folder whose files replace the shipped templates of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Render only this role's handbook (roles/ROLE.md; with `--format pdf` its booklet,
    /// with `--format cards` its task cards).
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// The output: markdown pages (default), self-contained html, pdf (printed manuals) or
    /// cards (A6 task cards with QR codes).
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::<HandbookFormat>::new())]
    pub format: Option<HandbookFormat>,
    /// The runtime's address for the QR codes on task cards and posters (default:
    /// `render.server` of sopctl.yaml), e.g. https://sop.example.com.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// A folder of fonts for PDFs, used before the system's (repeatable; default:
    /// `render.fonts` of sopctl.yaml).
    #[arg(long = "font-dir", value_name = "DIR")]
    pub font_dir: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old side: a git revision (default `HEAD`), a bundle.json file or a project folder.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// The new side: a git revision, a bundle.json file or a project folder (default: the
    /// working tree).
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// Exit 1 when a change of this severity (or worse) exists.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Output format: human (default), json or markdown.
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::<DiffFormat>::new())]
    pub format: Option<DiffFormat>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The process name (`metadata.name`).
    pub process: String,
    /// How many commits to show at most (default: all).
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    pub max_count: Option<usize>,
    /// Output format: human (default) or json.
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::<HumanOrJson>::new())]
    pub format: Option<HumanOrJson>,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Scenario files or folders to run (default: the scenarios among the sources and under
    /// tests/).
    pub paths: Vec<PathBuf>,
    /// Fail (exit 1) when the share of transitions taken is below PCT percent.
    #[arg(long, value_name = "PCT")]
    pub min_coverage: Option<f64>,
    /// Output format: human (default, on stderr) or json (on stdout).
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::<HumanOrJson>::new())]
    pub format: Option<HumanOrJson>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code or rule, e.g. `unknown-status` or `idle-status`.
    pub code: Option<String>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the schema of sopctl.yaml instead.
    #[arg(long)]
    pub config_schema: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project folder, created if missing (default: the current folder).
    pub dir: Option<PathBuf>,
    /// Output format: human (default) or json.
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::<HumanOrJson>::new())]
    pub format: Option<HumanOrJson>,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The runtime's URL (default: `apply.server` of sopctl.yaml, else
    /// http://127.0.0.1:7070).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Upload this bundle.json instead of building the project.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Print the plan and stop: nothing is uploaded.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply even if live records sit in statuses the bundle removes: they stay on the
    /// version they run.
    #[arg(long)]
    pub force: bool,
    /// Output format: human (default) or json (one object on stdout).
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::<HumanOrJson>::new())]
    pub format: Option<HumanOrJson>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The runtime's URL (default: `apply.server` of sopctl.yaml, else
    /// http://127.0.0.1:7070).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Start of the range: a date or RFC 3339 time (default: 91 days before --to).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// End of the range, excluded (default: now).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Write the document here (default: stdout).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The document: markdown (default) or html.
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser::<ReviewFormat>::new())]
    pub format: Option<ReviewFormat>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (default: 127.0.0.1:7070; port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// The database: sqlite://FILE (default: sqlite://sopctl.db), or
    /// postgres://USER@HOST:PORT/DATABASE, which several servers may share.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// A file of tokens, one `token=user:role1,role2` (or `admin=TOKEN`) a line.
    #[arg(long, value_name = "FILE")]
    pub tokens: Option<PathBuf>,
    /// The UTC offset due dates are computed in (`today 18:00`), e.g. +08:00 (default: UTC).
    #[arg(long, value_name = "OFFSET", allow_hyphen_values = true)]
    pub utc_offset: Option<String>,
    /// A YAML file with the endpoints and secrets of the webhook, feishu, dingtalk and email
    /// channels (see the README).
    #[arg(long, value_name = "FILE")]
    pub channels: Option<PathBuf>,
    /// The directory: a YAML file of the people (`users: { id: { name, roles, email,
    /// phone, feishu, dingtalk, language } }`), re-read when it changes or on SIGHUP.
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// The folder uploaded files are stored in (default: `<database file>.files` beside a
    /// SQLite file; required with PostgreSQL, the same shared folder on every server).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The largest file `POST /v1/files` takes, in bytes or with KiB/MiB/GiB (default: 20MiB).
    #[arg(long, value_name = "SIZE")]
    pub max_upload: Option<String>,
    /// The address people open the pages at, for links in messages (default: the listen
    /// address), e.g. https://sop.example.com.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// A folder whose files replace the shipped page templates of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// How long one request may take, body upload included, before it is answered
    /// `408 timeout` (the pages answer a 408 page) (default: 30).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: Option<u64>,
    /// How many connections are served at once; the next one is answered `503 busy` at
    /// once (default: 4096).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: Option<u64>,
}

#[derive(Debug, Args)]
pub struct LoginLinkArgs {
    /// The user id, as in the tokens file.
    pub user: String,
    /// The server's public address the link points at (default: http://127.0.0.1:7070).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// The database (default: sqlite://sopctl.db).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// How long the link works: 30m, 12h, 7d, 2w (default: 7d).
    #[arg(long, value_name = "DURATION")]
    pub expires: Option<String>,
    /// The page the link opens after signing in (default: my work, `/`).
    #[arg(long, value_name = "PATH")]
    pub next: Option<String>,
    /// The tokens file the server uses, to check that the user exists.
    #[arg(long, value_name = "FILE")]
    pub tokens: Option<PathBuf>,
    /// The directory file the server uses (`serve --users`), to check that the user exists.
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
    /// Output format: human (default) or json.
    #[arg(long, global = true, value_name = "FORMAT", value_parser = FormatParser::<HumanOrJson>::new())]
    pub format: Option<HumanOrJson>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write every page (sopctl.1, sopctl-validate.1, …) to this folder.
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// `diff --fail-on`: the least severe change that fails the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when a breaking change exists.
    Breaking,
    /// Exit 1 when a breaking or behavioral change exists.
    Behavioral,
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
