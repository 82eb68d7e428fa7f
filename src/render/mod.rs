//! Handbooks (SPEC section 8): `index`, one page per process and one per role, in Markdown or
//! self-contained HTML, from MiniJinja templates. The shipped templates are compiled into the
//! binary; a folder given with `--templates` or `render.templates` overrides any of them by
//! file name. Templates see a plain view model (`context`); user text (guides, titles,
//! messages) is data, never template code, and is escaped in HTML.

pub mod context;
pub mod graph;
mod handbook;
pub mod history;
pub mod i18n;
pub mod kpis;
pub mod markdown;
pub mod mermaid;
pub mod pdf;
pub mod svg;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::project::Loaded;
pub use handbook::{HandbookError, PageSink};

use context::Env;
use i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Markdown,
    Html,
}

impl OutputFormat {
    /// The extension of the pages.
    pub fn ext(self) -> &'static str {
        match self {
            OutputFormat::Markdown => "md",
            OutputFormat::Html => "html",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Markdown => "markdown",
            OutputFormat::Html => "html",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub format: OutputFormat,
    /// A folder whose files replace shipped templates of the same name.
    pub templates: Option<PathBuf>,
    /// Render only this role's page.
    pub role: Option<String>,
    /// `render.language` of sopctl.yaml (a process's `metadata.language` wins).
    pub language: Option<String>,
    /// Only these processes (by `metadata.name`); empty: all.
    pub processes: Vec<String>,
    /// Read revision history and review dates from git.
    pub git: bool,
    /// Where the pages will be written, to link media files relative to the pages. None: media
    /// links are project-relative.
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RenderError {
    /// A template failed to parse or render.
    Template {
        /// The template's file name (`process.md.j2`).
        name: String,
        /// The file it was read from when overridden.
        path: Option<PathBuf>,
        line: Option<usize>,
        message: String,
    },
    /// `--role` names no role.
    UnknownRole {
        role: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    /// An override template could not be read, or `render.language` is not a language.
    Setup { message: String, help: String },
}

impl RenderError {
    /// The hint printed under the error.
    pub fn help(&self) -> String {
        match self {
            RenderError::Template { path, message, .. } => match path {
                Some(_) if message.contains("fuel") => format!(
                    "the template took more than {RENDER_FUEL} steps: look for a loop that never \
                     ends or loops nested too deep, or delete the template to use the shipped one"
                ),
                Some(_) => "fix the template, or delete it to use the shipped one".into(),
                None => "this is a shipped template: please report it".into(),
            },
            RenderError::UnknownRole {
                suggestion, known, ..
            } => match suggestion {
                Some(s) => format!("did you mean `{s}`? roles: {}", known.join(", ")),
                None => format!("roles: {}", known.join(", ")),
            },
            RenderError::Setup { help, .. } => help.clone(),
        }
    }
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Template {
                name,
                path,
                line,
                message,
            } => {
                let file = path
                    .as_ref()
                    .map_or_else(|| name.clone(), |p| p.display().to_string());
                match line {
                    Some(l) => write!(f, "template {file}:{l}: {message}"),
                    None => write!(f, "template {file}: {message}"),
                }
            }
            RenderError::UnknownRole { role, .. } => write!(f, "unknown role `{role}`"),
            RenderError::Setup { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for RenderError {}

/// The shipped templates, by file name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("index.md.j2", include_str!("../../templates/index.md.j2")),
    (
        "process.md.j2",
        include_str!("../../templates/process.md.j2"),
    ),
    ("role.md.j2", include_str!("../../templates/role.md.j2")),
    ("macros.md.j2", include_str!("../../templates/macros.md.j2")),
    ("base.html.j2", include_str!("../../templates/base.html.j2")),
    (
        "index.html.j2",
        include_str!("../../templates/index.html.j2"),
    ),
    (
        "process.html.j2",
        include_str!("../../templates/process.html.j2"),
    ),
    ("role.html.j2", include_str!("../../templates/role.html.j2")),
    (
        "macros.html.j2",
        include_str!("../../templates/macros.html.j2"),
    ),
    ("style.css", include_str!("../../templates/style.css")),
];

/// The steps one page's template may take (MiniJinja fuel) before the render stops.
pub const RENDER_FUEL: u64 = 50_000_000;

/// Where a template came from.
#[derive(Debug, Default)]
struct Sources {
    /// Templates read from the override folder: name → path.
    overridden: HashMap<String, PathBuf>,
}

fn template_error(e: &minijinja::Error, sources: &Sources) -> RenderError {
    // The innermost error names the template and line where it happened.
    let mut err: &dyn std::error::Error = e;
    let mut inner = e;
    while let Some(src) = err.source() {
        if let Some(mj) = src.downcast_ref::<minijinja::Error>() {
            if mj.name().is_some() {
                inner = mj;
            }
        }
        err = src;
    }
    let name = inner.name().or(e.name()).unwrap_or("?").to_string();
    let message = match inner.detail() {
        Some(d) => format!("{}: {d}", inner.kind()),
        None => inner.kind().to_string(),
    };
    RenderError::Template {
        path: sources.overridden.get(&name).cloned(),
        line: inner.line(),
        name,
        message,
    }
}

fn environment(opts: &RenderOptions) -> Result<(Environment<'static>, Arc<Sources>), RenderError> {
    let mut sources = Sources::default();
    let mut env = Environment::new();
    // An override template may loop for ever; fuel bounds every page's render. The shipped
    // templates use well under 1% of it for the largest page of the bench corpus.
    env.set_fuel(Some(RENDER_FUEL));
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.j2") || name.ends_with(".html") {
            AutoEscape::Html
        } else if name.ends_with(".md.j2") {
            AutoEscape::Custom("markdown")
        } else {
            AutoEscape::None
        }
    });
    // Markdown pages: text from the SOPs cannot open an HTML tag (`<` is written `&lt;`).
    // Values marked safe (`|safe`, macro output) are written as they are.
    env.set_formatter(|out, state, value| {
        if state.auto_escape() == AutoEscape::Custom("markdown") {
            if value.is_safe() {
                return write!(out, "{value}").map_err(minijinja::Error::from);
            }
            if value.is_none() || value.is_undefined() {
                return Ok(());
            }
            return write!(out, "{}", value.to_string().replace('<', "&lt;"))
                .map_err(minijinja::Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    env.add_filter("cell", |s: String| markdown::cell(&s));
    let mut texts: HashMap<String, String> = TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    if let Some(dir) = &opts.templates {
        let entries = std::fs::read_dir(dir).map_err(|e| RenderError::Setup {
            message: format!("cannot read the templates folder `{}`: {e}", dir.display()),
            help: "pass an existing folder to --templates (or fix `render.templates`)".into(),
        })?;
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files {
            if !path.is_file() {
                continue;
            }
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path).map_err(|e| RenderError::Setup {
                message: format!("cannot read template `{}`: {e}", path.display()),
                help: "templates are UTF-8 text files".into(),
            })?;
            texts.insert(name.clone(), text);
            sources.overridden.insert(name, path);
        }
    }
    let sources = Arc::new(sources);
    let mut names: Vec<&String> = texts.keys().collect();
    names.sort();
    for name in names {
        env.add_template_owned(name.clone(), texts[name].clone())
            .map_err(|e| template_error(&e, &sources))?;
    }
    Ok((env, sources))
}

/// What a template sees.
#[derive(Serialize)]
struct PageContext<'a> {
    /// Headings in the page's language.
    t: &'static std::collections::BTreeMap<&'static str, &'static str>,
    lang: &'static str,
    html_lang: &'static str,
    format: &'static str,
    generator: String,
    /// Every process and role (for contents and navigation).
    index: Value,
    /// The contents page, relative to this page.
    index_link: String,
    /// The process of a process page.
    process: Option<&'a context::ProcessView>,
    /// The role of a role page.
    role: Option<&'a context::RoleView>,
}

fn render_one(
    env: &Environment,
    sources: &Sources,
    name: &str,
    ctx: &PageContext,
) -> Result<String, RenderError> {
    let tmpl = env
        .get_template(name)
        .map_err(|e| template_error(&e, sources))?;
    let mut out = tmpl
        .render(Value::from_serialize(ctx))
        .map_err(|e| template_error(&e, sources))?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// How many pages `render_handbook_with` may write at most (for a progress bar's length).
pub fn page_count(loaded: &Loaded) -> u64 {
    (loaded.project.processes.len() + loaded.project.roles.len() + 1) as u64
}

/// `render.language` as a language, after checking that `--role` names a role.
fn check_options(
    project: &crate::model::Project,
    opts: &RenderOptions,
) -> Result<Option<Lang>, RenderError> {
    let config_lang = match opts.language.as_deref() {
        None => None,
        Some(l) => Some(Lang::parse(l).ok_or_else(|| RenderError::Setup {
            message: format!("`render.language: {l}` is not a handbook language"),
            help: "use zh or en".into(),
        })?),
    };
    if let Some(role) = &opts.role {
        if project.role(role).is_none() {
            let known: Vec<String> = project.roles.iter().map(|r| r.id.v.clone()).collect();
            return Err(RenderError::UnknownRole {
                role: role.clone(),
                suggestion: crate::suggest::did_you_mean(role, known.iter().map(String::as_str))
                    .map(str::to_string),
                known,
            });
        }
    }
    Ok(config_lang)
}

/// Pages that span processes speak the one language all processes share, else Chinese
/// (unless `render.language` says otherwise).
fn site_language(processes: &[&crate::model::Process]) -> Lang {
    let mut langs = processes.iter().map(|p| {
        p.language
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default()
    });
    match langs.next() {
        Some(first) if langs.all(|l| l == first) => first,
        _ => Lang::default(),
    }
}

/// Renders the handbook of a loaded project into `sink`, page by page as each is done,
/// advancing `progress` by one per page, and returns the number of pages. The project must
/// have passed validation.
pub fn render_handbook_into(
    loaded: &Loaded,
    opts: &RenderOptions,
    progress: &crate::progress::Progress,
    sink: &dyn PageSink,
) -> Result<usize, HandbookError> {
    match with_env(loaded, opts, |env_view| {
        Ok(handbook::render_into(env_view, opts, progress, sink))
    }) {
        Ok(rendered) => rendered,
        Err(e) => Err(HandbookError::Render(e)),
    }
}

/// Checks `--role` and `render.language`, reads the revision history, and runs `f` with what
/// every view builder needs (the Markdown/HTML pages and the PDFs share it).
pub(crate) fn with_env<R>(
    loaded: &Loaded,
    opts: &RenderOptions,
    f: impl FnOnce(&Env) -> Result<R, RenderError>,
) -> Result<R, RenderError> {
    let project = &loaded.project;
    let config_lang = check_options(project, opts)?;
    let processes: Vec<&crate::model::Process> = project
        .processes
        .iter()
        .filter(|p| opts.processes.is_empty() || opts.processes.contains(&p.name.v))
        .map(|p| &**p)
        .collect();
    let files: Vec<String> = processes.iter().map(|p| p.file.to_string()).collect();
    let histories = if opts.git {
        history::histories(&loaded.root, &files)
    } else {
        HashMap::new()
    };
    let site_lang = config_lang.unwrap_or_else(|| site_language(&processes));
    let env_view = Env {
        project,
        processes,
        root: &loaded.root,
        out_dir: opts.out_dir.clone(),
        format: opts.format,
        histories: &histories,
        git: opts.git,
        site_lang,
        config_lang,
    };
    f(&env_view)
}
