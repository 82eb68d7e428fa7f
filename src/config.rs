//! `sopctl.yaml` (SPEC section 9): where the sources are, and settings for lint, render and
//! apply. Read with the same loader as SOPs, so its errors have positions too.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Pos, Span};
use crate::load::{self, Node, SourceFile};
use crate::schema;

pub const FILE_NAME: &str = "sopctl.yaml";
pub const DEFAULT_SOURCES: [&str; 2] = ["sops/**/*.yaml", "sops/**/*.yml"];

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The project folder: where `sopctl.yaml` is, or the current folder.
    pub root: PathBuf,
    /// The config file as loaded (project-relative path and text), if there is one.
    pub source: Option<SourceFile>,
    pub sources: Vec<String>,
    /// The `lint` section, read by the lint stage.
    pub lint: Option<Node>,
    pub render_language: Option<String>,
    pub render_templates: Option<String>,
    /// `render.pdf` / `render.cards`: `sopctl build` also writes the PDFs / task cards.
    pub render_pdf: bool,
    pub render_cards: bool,
    /// `render.server`: the runtime's address for QR codes on task cards.
    pub render_server: Option<String>,
    /// `render.fonts`: a folder of fonts for PDFs, relative to the project root.
    pub render_fonts: Option<String>,
    pub apply_server: Option<String>,
}

/// A configuration problem: printed like any diagnostic, but exits with 2.
#[derive(Debug)]
pub struct ConfigError {
    pub diagnostics: Vec<Diagnostic>,
    pub source: Option<SourceFile>,
}

fn config_error(file: &str, span: Span, msg: String, help: &str) -> Diagnostic {
    crate::codes::CONFIG.error(file, span, msg).with_help(help)
}

/// Finds the project root: the folder of `--config`, else the nearest folder upwards from
/// `cwd` holding `sopctl.yaml`, else `cwd`.
pub fn find(cwd: &Path, explicit: Option<&Path>) -> Result<Config, ConfigError> {
    if let Some(file) = explicit {
        let abs = if file.is_absolute() {
            file.to_path_buf()
        } else {
            cwd.join(file)
        };
        if !abs.is_file() {
            return Err(ConfigError {
                diagnostics: vec![config_error(
                    &file.display().to_string(),
                    Span::point(Pos::START),
                    format!("configuration file `{}` does not exist", file.display()),
                    "check the path given to --config",
                )],
                source: None,
            });
        }
        let root = abs
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.to_path_buf());
        let name = abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return read(&root, &abs, &name);
    }
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return read(d, &candidate, FILE_NAME);
        }
        dir = d.parent();
    }
    Ok(Config {
        root: cwd.to_path_buf(),
        sources: DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect(),
        ..Config::default()
    })
}

/// The project folder a file or folder belongs to: the nearest folder at or above it that
/// holds `sopctl.yaml`, or else one that holds a `sops/` folder. A pre-commit hook run at the
/// root of a repository whose SOP project is in a subfolder passes such paths.
pub fn project_of(path: &Path) -> Option<PathBuf> {
    let start = if path.is_dir() { path } else { path.parent()? };
    start
        .ancestors()
        .find(|dir| dir.join(FILE_NAME).is_file() || dir.join("sops").is_dir())
        .map(Path::to_path_buf)
}

/// The configuration for the given paths: that of the project they lie in (see
/// [`project_of`]) when they all lie in one, else the one found from `cwd`.
pub fn find_for(cwd: &Path, paths: &[PathBuf]) -> Result<Config, ConfigError> {
    let roots: std::collections::BTreeSet<PathBuf> = paths
        .iter()
        .filter_map(|p| project_of(&cwd.join(p)))
        .collect();
    let mut roots = roots.into_iter();
    match (roots.next(), roots.next()) {
        (Some(root), None) if root.join(FILE_NAME).is_file() => find(&root, None),
        (Some(root), None) => Ok(defaults(&root)),
        _ => find(cwd, None),
    }
}

fn read(root: &Path, abs: &Path, rel: &str) -> Result<Config, ConfigError> {
    let src = load::read_source(abs, rel).map_err(|d| ConfigError {
        diagnostics: vec![d],
        source: None,
    })?;
    parse(root, rel, src)
}

/// The configuration of a project whose `sopctl.yaml` is given as bytes (read from a git
/// revision by `diff`); `root` is where the project folder is on disk.
pub fn from_bytes(root: &Path, rel: &str, bytes: Vec<u8>) -> Result<Config, ConfigError> {
    let src = load::decode(rel, bytes).map_err(|d| ConfigError {
        diagnostics: vec![d],
        source: None,
    })?;
    parse(root, rel, src)
}

/// The defaults: no `sopctl.yaml`.
pub fn defaults(root: &Path) -> Config {
    Config {
        root: root.to_path_buf(),
        sources: DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect(),
        ..Config::default()
    }
}

/// True for a glob that could match files outside the project folder: an absolute path, a
/// drive or a `..` component (media paths are held to the same rule).
fn leaves_root(glob: &str) -> bool {
    let glob = glob.replace('\\', "/");
    glob.starts_with('/')
        || glob.as_bytes().get(1) == Some(&b':')
        || glob.split('/').any(|part| part == "..")
}

fn parse(root: &Path, rel: &str, src: SourceFile) -> Result<Config, ConfigError> {
    let fail = |diagnostics: Vec<Diagnostic>, src: &SourceFile| ConfigError {
        diagnostics: diagnostics
            .into_iter()
            .map(|mut d| {
                d.code = crate::codes::CONFIG.code.into();
                d
            })
            .collect(),
        source: Some(src.clone()),
    };
    let docs = load::parse_source(&src).map_err(|d| fail(vec![d], &src))?;
    let root_node = match docs.into_iter().next() {
        Some(d) if !d.root.is_null() => d.root,
        // An empty sopctl.yaml means "all defaults".
        _ => Node::new(
            load::Value::Map(vec![]),
            Span::point(Pos::START),
            load::Style::Collection,
        ),
    };
    let errs = schema::check_node(schema::config_schema(), rel, &root_node);
    if !errs.is_empty() {
        return Err(fail(errs, &src));
    }
    let strings = |n: Option<&Node>| -> Vec<String> {
        n.and_then(Node::as_seq)
            .map(|s| {
                s.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut sources = strings(root_node.get("sources"));
    if root_node.get("sources").is_none() {
        sources = DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect();
    }
    for g in root_node
        .get("sources")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        let Some(text) = g.as_str() else { continue };
        if leaves_root(text) {
            let d = config_error(
                rel,
                g.span,
                format!("`{text}` reaches outside the project folder"),
                "sources are globs relative to the folder of sopctl.yaml, without `..` or a leading \
                 `/`: write e.g. `sops/**/*.yaml`, or move sopctl.yaml up to a folder holding them",
            );
            return Err(fail(vec![d], &src));
        }
        if let Err(e) = globset::Glob::new(text) {
            let d = config_error(
                rel,
                g.span,
                format!("`{text}` is not a valid glob: {e}"),
                "write a glob such as `sops/**/*.yaml`",
            );
            return Err(fail(vec![d], &src));
        }
    }
    if let Some(n) = root_node.get("render").and_then(|n| n.get("server")) {
        if let Some(Err(e)) = n.as_str().map(crate::render::pdf::qr::server) {
            let d = config_error(
                rel,
                n.span,
                format!("`render.server`: {e}"),
                "write the address where `sopctl serve` answers, e.g. `https://sop.example.com`",
            );
            return Err(fail(vec![d], &src));
        }
    }
    let get = |a: &str, b: &str| {
        root_node
            .get(a)
            .and_then(|n| n.get(b))
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    let flag = |key: &str| {
        root_node
            .get("render")
            .and_then(|n| n.get(key))
            .and_then(Node::as_bool)
            .unwrap_or(false)
    };
    Ok(Config {
        root: root.to_path_buf(),
        sources,
        lint: root_node.get("lint").cloned(),
        render_language: get("render", "language"),
        render_templates: get("render", "templates"),
        render_pdf: flag("pdf"),
        render_cards: flag("cards"),
        render_server: get("render", "server"),
        render_fonts: get("render", "fonts"),
        apply_server: get("apply", "server"),
        source: Some(src),
    })
}
