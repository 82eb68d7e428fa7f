//! `lint`: the rules of SPEC section 6. Validation says an SOP is well formed; lint says
//! whether a person following it will know what to do.
//!
//! Every rule lives in its own file under `rules/`: its documentation (a [`Rule`]), its check
//! and its tests. [`registry`] lists them; [`run`] applies them to the processes that passed the
//! schema, honouring the levels, options and ignores of `sopctl.yaml` (see [`config`]) and the
//! `metadata.lint.allow` entries of each process.

mod allow;
pub mod config;
pub mod history;
mod rules;
pub mod time;

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::codes::{Code, Kind};
use crate::diagnostic::{sort_and_dedup, Diagnostic, Severity, Span};
use crate::model::{Process, Project, Ref, RefKind, Task};
use crate::project::Loaded;

use allow::{allowed, check_allows};
pub use allow::{ALLOW_BAD_RULE, ALLOW_WITHOUT_REASON};
pub use config::LintConfig;
pub use history::History;

/// How a rule reports: not at all, as a warning, or as an error (which fails `sopctl lint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    Off,
    Warn,
    Error,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "off" => Level::Off,
            "warn" => Level::Warn,
            "error" => Level::Error,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
    fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Warn => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

/// A numeric option a rule takes in `sopctl.yaml`, e.g. `long-guide: { max_chars: 400 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleOption {
    pub name: &'static str,
    pub default: u64,
    pub doc: &'static str,
}

/// What a rule looks at: one process at a time, or the project as a whole.
#[derive(Clone, Copy)]
pub enum Check {
    Process(fn(&LintCtx, &Process) -> Vec<Finding>),
    Project(fn(&LintCtx) -> Vec<Finding>),
}

/// One lint rule: its documentation (a [`Doc`] of kind [`Kind::Lint`], with the rule's
/// default level and options) and its check.
#[derive(Clone, Copy)]
pub struct Rule {
    pub doc: Code,
    /// The summary in Chinese, for the `sopctl.yaml` schema editors show.
    pub summary_zh: &'static str,
    pub check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("name", &self.doc.code)
            .finish()
    }
}

impl Rule {
    /// kebab-case, as written in `sopctl.yaml`, `metadata.lint.allow` and diagnostics.
    pub fn name(&self) -> &'static str {
        self.doc.code
    }

    pub fn default_level(&self) -> Level {
        match self.doc.kind {
            Kind::Lint { default_level, .. } => default_level,
            Kind::Validation | Kind::Meta => Level::Error,
        }
    }

    pub fn options(&self) -> &'static [RuleOption] {
        match self.doc.kind {
            Kind::Lint { options, .. } => options,
            Kind::Validation | Kind::Meta => &[],
        }
    }

    pub fn option(&self, name: &str) -> Option<&'static RuleOption> {
        self.options().iter().find(|o| o.name == name)
    }
}

/// What a rule found. The lint stage turns it into a [`Diagnostic`] with the rule's name as the
/// code and the configured severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: Arc<str>,
    pub span: Span,
    pub message: String,
    pub help: String,
}

impl Finding {
    pub fn new(
        file: &Arc<str>,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Finding {
        Finding {
            file: Arc::clone(file),
            span,
            message: message.into(),
            help: help.into(),
        }
    }
}

/// What the rules see besides the process at hand.
pub struct LintCtx<'a> {
    pub project: &'a Project,
    pub root: &'a Path,
    pub config: &'a LintConfig,
    /// When each process file was last committed (for `stale-review`).
    pub history: &'a History,
    /// "Now", in seconds since the Unix epoch.
    pub now: i64,
}

impl LintCtx<'_> {
    /// The value of a rule's option: from `sopctl.yaml`, else the rule's default.
    pub fn option(&self, rule: &str, name: &str) -> u64 {
        self.config.option(rule, name).unwrap_or_else(|| {
            lookup(rule)
                .and_then(|r| r.option(name))
                .map_or(0, |o| o.default)
        })
    }

    /// True when the task is done by a bot (its assignee is a role with `bot: true`).
    pub fn is_bot(&self, t: &Task) -> bool {
        t.assignee.kind == RefKind::Role && self.project.role(&t.assignee.id).is_some_and(|r| r.bot)
    }

    /// A reference in words: `销售主管 (role:sales-manager)`, `归属人 (field:owner)`.
    pub fn describe_ref(&self, p: &Process, r: &Ref) -> String {
        let title = match r.kind {
            RefKind::Role => self.project.role(&r.id).map(|x| x.title.as_str()),
            RefKind::Field => p.field(&r.id).map(|f| f.title.as_str()),
        };
        match title {
            Some(t) if !t.is_empty() => format!("{t} ({r})"),
            _ => r.to_string(),
        }
    }
}

/// What one record of the process is called: `spec.record`, else "record".
pub fn record_word(p: &Process) -> &str {
    p.record.as_deref().unwrap_or("record")
}

/// A status in words: `已审批 (approved)`.
pub fn describe_status(p: &Process, id: &str) -> String {
    match p.status(id) {
        Some(s) if s.title.v != s.id.v => format!("{} (`{}`)", s.title.v, s.id.v),
        _ => format!("`{id}`"),
    }
}

/// A field in words: `物流单号 (tracking_no)`.
pub fn describe_field(p: &Process, id: &str) -> String {
    match p.field(id) {
        Some(f) if !f.title.is_empty() => format!("{} (`{}`)", f.title, f.id.v),
        _ => format!("`{id}`"),
    }
}

/// A task in words: `出库发货 (`ship`) in 已审批 (`approved`)`.
pub fn describe_task(p: &Process, status: &str, t: &Task) -> String {
    format!(
        "task {} (`{}`) in {}",
        t.title.v,
        t.id.v,
        describe_status(p, status)
    )
}

/// A transition in words: `"确认发货" to 已发货 (`shipped`)` or `the transition to …`.
pub fn describe_transition(p: &Process, t: &crate::model::Transition) -> String {
    match &t.title {
        Some(title) => format!("\"{title}\" to {}", describe_status(p, &t.to.v)),
        None => format!("the transition to {}", describe_status(p, &t.to.v)),
    }
}

/// Every `role:`/`field:` reference of a process, approval roles included (as role refs).
pub fn all_refs(p: &Process) -> Vec<Ref> {
    let mut out: Vec<Ref> = Vec::new();
    out.extend(p.owner.iter().cloned());
    for (_, t) in p.tasks() {
        out.push(t.assignee.clone());
        out.extend(t.on_behalf_of.iter().cloned());
        out.extend(t.escalate.iter().map(|e| e.to.clone()));
    }
    for s in &p.statuses {
        for n in &s.notify {
            out.extend(n.to.iter().cloned());
        }
    }
    for t in &p.transitions {
        out.extend(t.by.iter().cloned());
        for step in &t.approval {
            out.push(Ref {
                kind: RefKind::Role,
                id: step.role.v.clone(),
                span: step.role.span,
            });
            out.extend(step.escalate.iter().map(|e| e.to.clone()));
        }
    }
    for f in &p.fields {
        out.extend(f.edit.iter().cloned());
        if let Some(role) = &f.role {
            out.push(Ref {
                kind: RefKind::Role,
                id: role.v.clone(),
                span: role.span,
            });
        }
    }
    out.extend(p.create_by.iter().flatten().cloned());
    for s in &p.statuses {
        out.extend(s.start.iter().filter_map(|l| l.for_each.clone()));
    }
    out
}

/// Every lint rule, in the order of SPEC section 6.
pub fn registry() -> &'static [Rule] {
    rules::ALL
}

pub fn lookup(name: &str) -> Option<&'static Rule> {
    registry().iter().find(|r| r.name() == name)
}

fn to_diagnostic(rule: &Rule, level: Level, f: Finding) -> Option<Diagnostic> {
    let d = match level.severity()? {
        Severity::Error => Diagnostic::error(rule.name(), &f.file, f.span, f.message),
        Severity::Warning => Diagnostic::warning(rule.name(), &f.file, f.span, f.message),
    };
    Some(if f.help.is_empty() {
        d
    } else {
        d.with_help(f.help)
    })
}

/// Runs every rule that is not off over the loaded project: per-process rules on the processes
/// that passed the schema, project rules once. `now` is seconds since the Unix epoch.
pub fn run(loaded: &Loaded, config: &LintConfig, now: i64) -> Vec<Diagnostic> {
    run_with(loaded, config, now, &History::load)
}

/// As [`run`], reading the git history through `history(root, files)`: the language server
/// keeps it between runs instead of walking the history at every keystroke.
pub fn run_with(
    loaded: &Loaded,
    config: &LintConfig,
    now: i64,
    history: &dyn Fn(&Path, &[String]) -> History,
) -> Vec<Diagnostic> {
    let project = &loaded.project;
    let checked: Vec<&Process> = project
        .processes
        .iter()
        .filter(|p| p.checked)
        .map(|p| &**p)
        .collect();
    let history = history_for(project, &loaded.root, config, history);
    let ctx = LintCtx {
        project,
        root: &loaded.root,
        config,
        history: &history,
        now,
    };
    let per_process: Vec<Vec<Diagnostic>> = checked
        .par_iter()
        .map(|p| process_diagnostics(&ctx, p, Rules::All))
        .collect();
    let mut out: Vec<Diagnostic> = per_process.into_iter().flatten().collect();
    out.extend(project_diagnostics(&ctx));
    sort_and_dedup(&mut out);
    out
}

/// The git history `stale-review` needs, read once for the files it will look at (none: no
/// read at all).
pub fn history_for(
    project: &Project,
    root: &Path,
    config: &LintConfig,
    history: &dyn Fn(&Path, &[String]) -> History,
) -> History {
    let stale_files: Vec<String> = project
        .processes
        .iter()
        .filter(|p| p.checked)
        .filter(|p| p.review_every.as_ref().is_some_and(|r| r.parsed.is_ok()))
        .filter(|p| config.level(rules::STALE_REVIEW.name(), &p.file) != Level::Off)
        .filter(|p| !allowed(p, rules::STALE_REVIEW.name()))
        .map(|p| p.file.to_string())
        .collect();
    if stale_files.is_empty() {
        History::empty()
    } else {
        history(root, &stale_files)
    }
}

/// Whether a rule's findings depend on the clock or the git history, not only on the model.
fn is_timed(rule: &Rule) -> bool {
    rule.name() == rules::STALE_REVIEW.name()
}

/// Which per-process findings [`process_diagnostics`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rules {
    All,
    /// The `allow` findings and every rule that reads only the model (the language server
    /// keeps these until the process or what it depends on changes).
    Timeless,
    /// The rules that read the clock or the git history, run again every time.
    Timed,
}

/// The findings of the per-process rules on one process that passed the schema.
pub fn process_diagnostics(ctx: &LintCtx, p: &Process, which: Rules) -> Vec<Diagnostic> {
    let mut out = if which == Rules::Timed {
        Vec::new()
    } else {
        check_allows(p)
    };
    for rule in registry() {
        let Check::Process(check) = rule.check else {
            continue;
        };
        let timed = is_timed(rule);
        if (which == Rules::Timed && !timed) || (which == Rules::Timeless && timed) {
            continue;
        }
        let level = ctx.config.level(rule.name(), &p.file);
        if level == Level::Off || allowed(p, rule.name()) {
            continue;
        }
        out.extend(
            check(ctx, p)
                .into_iter()
                .filter_map(|f| to_diagnostic(rule, level, f)),
        );
    }
    out
}

/// The findings of the rules that look at the project as a whole.
pub fn project_diagnostics(ctx: &LintCtx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in registry() {
        let Check::Project(check) = rule.check else {
            continue;
        };
        for f in check(ctx) {
            let level = ctx.config.level(rule.name(), &f.file);
            out.extend(to_diagnostic(rule, level, f));
        }
    }
    out
}

/// The rules table of the README (between `<!-- lint-rules:start -->` and `<!-- lint-rules:end -->`),
/// generated from the registry so that the two cannot drift apart.
pub fn readme_table() -> String {
    let mut out = String::from("| rule | default | flags | options |\n|---|---|---|---|\n");
    for r in registry() {
        let options = if r.options().is_empty() {
            "—".to_string()
        } else {
            r.options()
                .iter()
                .map(|o| format!("`{}` (default {})", o.name, o.default))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.name(),
            r.default_level().as_str(),
            r.doc.summary,
            options
        ));
    }
    out
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the unit tests of the rules: build a project from YAML text and run one
    //! rule over it, with default settings.

    use super::*;
    use crate::load;
    use crate::model::build::{build, Piece};

    /// The roles every test project has, unless the YAML brings its own Roles document.
    pub const ROLES: &str = "apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    sales-manager: { title: 销售主管 }
    warehouse: { title: 库管 }
    finance: { title: 财务 }
    logistics-bot: { title: 物流查询机器人, bot: true }
";

    /// A project from one file's text (documents separated by `---`). Panics on schema errors,
    /// so that a test cannot pass on a broken example.
    pub fn project(yaml: &str) -> Project {
        let text = if yaml.contains("kind: Roles") {
            yaml.to_string()
        } else {
            format!("{ROLES}---\n{yaml}")
        };
        let src = load::decode("sops/test.yaml", text.into_bytes()).expect("text");
        let docs = load::parse_source(&src).expect("YAML");
        let mut project = Project::default();
        for doc in docs.iter().filter(|d| !d.root.is_null()) {
            let errs = crate::schema::check_document(doc);
            assert!(errs.is_empty(), "schema errors: {errs:#?}\n{yaml}");
            match build(doc).expect("a document") {
                Piece::Roles(d, roles) => {
                    project.roles_docs.push(d);
                    project.roles.extend(roles);
                }
                Piece::Process(p) => project.processes.push(p),
                Piece::Scenario(s) => project.scenarios.push(s),
            }
        }
        project
    }

    /// Runs one rule with default options; returns (line, column, message, help).
    pub fn run_rule(name: &str, yaml: &str) -> Vec<(usize, usize, String, String)> {
        run_rule_with(name, yaml, &LintConfig::default())
    }

    pub fn run_rule_with(
        name: &str,
        yaml: &str,
        config: &LintConfig,
    ) -> Vec<(usize, usize, String, String)> {
        let project = project(yaml);
        let rule = lookup(name).expect("a rule");
        let history = History::empty();
        let ctx = LintCtx {
            project: &project,
            root: Path::new("."),
            config,
            history: &history,
            now: 0,
        };
        let findings = match rule.check {
            Check::Process(f) => project.processes.iter().flat_map(|p| f(&ctx, p)).collect(),
            Check::Project(f) => f(&ctx),
        };
        findings
            .into_iter()
            .map(|f| (f.span.start.line, f.span.start.column, f.message, f.help))
            .collect()
    }

    /// The line (1-based) of the first line of `yaml` containing `needle`, once the default
    /// Roles document is prepended.
    pub fn line_of(yaml: &str, needle: &str) -> usize {
        let text = if yaml.contains("kind: Roles") {
            yaml.to_string()
        } else {
            format!("{ROLES}---\n{yaml}")
        };
        text.lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("`{needle}` not in the YAML"))
    }

    /// The rule's example is flagged and its "use instead" is not. Examples without a process
    /// (fragments) are skipped.
    pub fn example_and_fix(name: &str) {
        let rule = lookup(name).expect("a rule");
        assert!(
            !run_rule(name, rule.doc.example).is_empty(),
            "{name}: the example is not flagged"
        );
        let fixed = run_rule(name, rule.doc.fixed);
        assert!(fixed.is_empty(), "{name}: the fix is flagged: {fixed:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules of SPEC section 6, in its table's order.
    const SPEC_RULES: [&str; 17] = [
        "missing-purpose",
        "missing-owner",
        "missing-review",
        "stale-review",
        "task-without-guide",
        "task-without-due",
        "idle-status",
        "unfilled-requirement",
        "self-approval",
        "long-checklist",
        "long-guide",
        "unused-field",
        "unused-role",
        "duplicate-title",
        "external-role-pool",
        // Beyond SPEC section 6: the runtime bounds messages (README, Serve).
        "message-loop",
        "kpi-without-target",
    ];

    #[test]
    fn every_rule_of_the_spec_in_order() {
        let names: Vec<&str> = registry().iter().map(|r| r.name()).collect();
        assert_eq!(names, SPEC_RULES);
    }

    #[test]
    fn docs_are_filled_in() {
        for r in registry() {
            for (part, text) in [
                ("summary", r.doc.summary),
                ("what", r.doc.what),
                ("why", r.doc.why),
                ("example", r.doc.example),
                ("use_instead", r.doc.fixed),
                ("help", r.doc.help),
            ] {
                assert!(!text.trim().is_empty(), "{}: empty {part}", r.name());
            }
            assert!(
                !r.doc.summary.contains('\n') && !r.doc.summary.ends_with('.'),
                "{}",
                r.name()
            );
            assert!(
                r.doc.help.ends_with('.') && !r.doc.help.contains('\n'),
                "{}",
                r.name()
            );
            assert!(
                !r.doc.what.contains("  ") && !r.doc.why.contains("  "),
                "{}",
                r.name()
            );
            assert_ne!(r.doc.example, r.doc.fixed, "{}", r.name());
            assert_eq!(
                r.default_level(),
                Level::Warn,
                "{}: SPEC says warn",
                r.name()
            );
        }
        for d in [ALLOW_WITHOUT_REASON, ALLOW_BAD_RULE] {
            assert!(lookup(d.code).is_none());
            assert!(d.help.ends_with('.'));
        }
    }

    #[test]
    fn explain_has_every_section_in_order() {
        let text = crate::codes::explain_text(lookup("long-checklist").unwrap().doc);
        let order = [
            "What it does",
            "Why it matters",
            "Example",
            "Use instead",
            "How to fix",
            "Settings",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|h| {
                text.find(&format!("\n{h}\n"))
                    .unwrap_or_else(|| panic!("{h}"))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
        assert!(text.contains("Default level: warn"));
        assert!(text.contains("Option `max` (default 7)"));
    }

    #[test]
    fn readme_table_lists_every_rule() {
        let t = readme_table();
        assert_eq!(t.lines().count(), registry().len() + 2);
        assert!(t.contains("| `long-guide` | warn | "));
        assert!(t.contains("`max_chars` (default 600)"));
    }

    #[test]
    fn allow_needs_a_reason_and_a_known_rule() {
        let p = testing::project(
            "apiVersion: sopctl/v1
kind: Process
metadata:
  name: p
  title: P
  lint:
    allow:
      - { rule: task-without-due, reason: 由客户约定 }
      - { rule: missing-owner }
      - { rule: long-gide, reason: x }
      - { rule: unused-role, reason: x }
      - { rule: missing-purpose, reason: '  ' }
spec:
  statuses:
    a: { title: A, initial: true }
    b: { title: B, terminal: true }
  transitions:
    - { from: a, to: b }
",
        );
        let p = &p.processes[0];
        assert!(allowed(p, "task-without-due"));
        assert!(!allowed(p, "missing-owner"));
        assert!(!allowed(p, "missing-purpose"));
        let d = check_allows(p);
        let codes: Vec<(&str, usize)> = d.iter().map(|d| (d.code.as_str(), d.line())).collect();
        assert_eq!(
            codes,
            [
                (ALLOW_WITHOUT_REASON.code, 20),
                (ALLOW_BAD_RULE.code, 21),
                (ALLOW_BAD_RULE.code, 22),
                (ALLOW_WITHOUT_REASON.code, 23),
            ]
        );
        assert!(d[1]
            .help
            .as_deref()
            .unwrap()
            .starts_with("did you mean `long-guide`?"));
        assert!(d.iter().all(|d| d.severity == Severity::Warning));
    }
}
