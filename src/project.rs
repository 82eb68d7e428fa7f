//! Loads a whole project: finds the source files, then reads, parses, schema-checks and models
//! each file in parallel (each file is parsed once), then runs the semantic checks.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::check;
use crate::config::Config;
use crate::diagnostic::{sort_and_dedup, Diagnostic, Pos, Span};
use crate::load::{self, Document, Lang, SourceFile};
use crate::model::build::{build, Piece};
use crate::model::Project;
use crate::schema;

/// Everything a command needs after loading.
pub struct Loaded {
    pub root: PathBuf,
    pub sources: HashMap<String, Arc<str>>,
    /// The scenario documents that passed the schema, by file (`sopctl test` reads their steps,
    /// which the model does not keep; other documents are dropped once loaded).
    pub documents: Vec<Document>,
    pub project: Project,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diagnostic::Severity::Error)
    }
}

/// An error before any file could be looked at (exit 2).
#[derive(Debug)]
pub struct SetupError {
    pub message: String,
    pub help: String,
}

const SKIP_DIRS: [&str; 5] = [".git", "target", "node_modules", "dist", ".venv"];

fn is_yaml(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml") | Some("yml")
    )
}

/// Every file below `dir`, sorted, skipping build and VCS folders.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                let name = e.file_name();
                if !SKIP_DIRS.iter().any(|s| name == *s) {
                    stack.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
}

/// The folder a glob can only match below (its literal leading components).
fn glob_base(glob: &str) -> PathBuf {
    let mut base = PathBuf::new();
    for part in glob.split('/') {
        if part.contains(['*', '?', '[', '{']) {
            break;
        }
        base.push(part);
    }
    base
}

/// Project-relative path with `/`, or the path as given when it lies outside the project.
pub fn display_path(root: &Path, abs: &Path) -> String {
    let rel = abs.strip_prefix(root).unwrap_or(abs);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The `sources` globs of a configuration, matched against project-relative paths with `/`.
pub fn source_globs(config: &Config) -> Result<globset::GlobSet, SetupError> {
    let mut builder = globset::GlobSetBuilder::new();
    for g in &config.sources {
        let glob = globset::GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| SetupError {
                message: format!("`{g}` in `sources` is not a valid glob: {e}"),
                help: "write a glob such as `sops/**/*.yaml`".into(),
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| SetupError {
        message: e.to_string(),
        help: "check `sources` in sopctl.yaml".into(),
    })
}

/// True when a project-relative path lies in a folder that discovery never enters.
pub fn in_skipped_dir(rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    parts.iter().any(|p| SKIP_DIRS.contains(p))
}

/// The source files of the project, plus explicitly named paths.
pub fn discover(
    config: &Config,
    cwd: &Path,
    paths: &[PathBuf],
) -> Result<(Vec<PathBuf>, BTreeSet<String>), SetupError> {
    let root = &config.root;
    let set = source_globs(config)?;
    let mut files = BTreeSet::new();
    let bases: BTreeSet<PathBuf> = config.sources.iter().map(|g| glob_base(g)).collect();
    for base in bases {
        let mut found = Vec::new();
        walk(&root.join(&base), &mut found);
        for f in found {
            if set.is_match(display_path(root, &f)) {
                files.insert(f);
            }
        }
    }
    // Named paths are always loaded, and only their findings are shown.
    let mut focus = BTreeSet::new();
    for p in paths {
        let abs = if p.is_absolute() {
            p.clone()
        } else {
            cwd.join(p)
        };
        if abs.is_dir() {
            let mut found = Vec::new();
            walk(&abs, &mut found);
            for f in found.into_iter().filter(|f| is_yaml(f)) {
                focus.insert(display_path(root, &f));
                files.insert(f);
            }
        } else if abs.is_file() {
            focus.insert(display_path(root, &abs));
            files.insert(abs);
        } else if abs.exists() {
            return Err(SetupError {
                message: format!(
                    "`{}` is not a regular file (a FIFO, socket or device)",
                    p.display()
                ),
                help: "pass SOP files or folders".into(),
            });
        } else {
            return Err(SetupError {
                message: format!("`{}` does not exist", p.display()),
                help: "pass SOP files or folders that exist, or no path to check the whole project"
                    .into(),
            });
        }
    }
    Ok((files.into_iter().collect(), focus))
}

/// One source file on its own: parsed, schema-checked and modelled. Files do not depend on
/// each other until [`assemble`], so an editor keeps these and redoes only the file that changed.
#[derive(Clone)]
pub struct FileResult {
    pub source: Option<SourceFile>,
    pub documents: Vec<Document>,
    pub pieces: Vec<Piece>,
    pub diagnostics: Vec<Diagnostic>,
    /// The file could not be parsed: whatever it defines is unknown.
    pub failed: bool,
}

/// Reads and loads one file on disk; YAML typo messages are worded in `lang`.
pub fn load_file(root: &Path, abs: &Path, lang: Lang) -> FileResult {
    let rel = display_path(root, abs);
    match load::read_source_in(abs, &rel, lang) {
        Ok(src) => load_text(src, lang),
        Err(d) => FileResult {
            source: None,
            documents: vec![],
            pieces: vec![],
            diagnostics: vec![d],
            failed: false,
        },
    }
}

/// A file given as bytes (e.g. a blob of a git revision): decoded like a file on disk.
pub fn load_bytes(rel: &str, bytes: Vec<u8>, lang: Lang) -> FileResult {
    match load::decode_in(rel, bytes, lang) {
        Ok(src) => load_text(src, lang),
        Err(d) => FileResult {
            source: None,
            documents: vec![],
            pieces: vec![],
            diagnostics: vec![d],
            failed: false,
        },
    }
}

/// Parses, schema-checks and models one source file's text.
fn load_text(src: SourceFile, lang: Lang) -> FileResult {
    let rel = src.path.to_string();
    let mut r = FileResult {
        source: None,
        documents: vec![],
        pieces: vec![],
        diagnostics: vec![],
        failed: false,
    };
    match load::parse_source_in(&src, lang) {
        Err(d) => {
            r.failed = true;
            r.diagnostics.push(d);
        }
        Ok(docs) => {
            let substantive = docs.iter().filter(|d| !d.root.is_null()).count();
            if substantive == 0 {
                r.diagnostics.push(
                    check::rules::schema::CODE.error(&rel, Span::point(Pos::START), "this file holds no SOP document")
                        .with_help("write a document with `apiVersion: sopctl/v1`, `kind`, `metadata` and `spec`, or delete the file"),
                );
            }
            for doc in docs.into_iter().filter(|d| !d.root.is_null()) {
                r.diagnostics
                    .extend(load::repeated_keys(&doc, &src.text, lang));
                let errs = schema::check_document(&doc);
                if errs.is_empty() {
                    if let Some(piece) = build(&doc) {
                        r.pieces.push(piece);
                    }
                    r.documents.push(doc);
                } else {
                    r.diagnostics.extend(errs);
                    // A document that fails the schema still exists for references to it, but
                    // its contents are not checked further: that would only repeat the error.
                    match build(&doc) {
                        Some(Piece::Process(mut p)) => {
                            Arc::make_mut(&mut p).checked = false;
                            r.pieces.push(Piece::Process(p));
                        }
                        Some(piece) => r.pieces.push(piece),
                        None => {}
                    }
                }
            }
        }
    }
    r.source = Some(src);
    r
}

/// Loads and validates the project. `focus` limits which files' findings are kept (empty: all).
pub fn load(config: &Config, files: &[PathBuf], focus: &BTreeSet<String>) -> Loaded {
    let root = config.root.clone();
    let lang = load::message_lang(config.render_language.as_deref());
    let results: Vec<FileResult> = files
        .par_iter()
        .map(|f| keep_scenarios(load_file(&root, f, lang)))
        .collect();
    assemble(root, results, focus)
}

/// Loads and validates a project whose source files are given in memory, as (project-relative
/// path with `/`, bytes): the sources of a git revision for `diff` and `log`. The same pipeline
/// as [`load`]; `config.root` is only used by checks that look at the disk (media files).
pub fn load_sources(config: &Config, files: Vec<(String, Vec<u8>)>) -> Loaded {
    let mut files = files;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let lang = load::message_lang(config.render_language.as_deref());
    let results: Vec<FileResult> = files
        .into_par_iter()
        .map(|(rel, bytes)| keep_scenarios(load_bytes(&rel, bytes, lang)))
        .collect();
    assemble(config.root.clone(), results, &BTreeSet::new())
}

/// Drops a file's parsed documents other than scenarios as soon as the file is loaded: the
/// model holds what the checks need, and only `sopctl test` reads documents (the scenario
/// steps the model does not keep). The node trees are most of a load's memory.
fn keep_scenarios(mut r: FileResult) -> FileResult {
    r.documents.retain(|d| d.kind() == Some("Scenario"));
    r
}

/// Loaded files joined into one project, before the checks that look across files.
pub struct Joined {
    pub project: Project,
    pub sources: HashMap<String, Arc<str>>,
    pub documents: Vec<Document>,
    /// Each file's own findings, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The texts of files that failed to parse (see [`check::Ctx::broken`]).
    pub broken: Vec<Arc<str>>,
}

/// Joins loaded files into one project, in the order given.
pub fn join(results: Vec<FileResult>) -> Joined {
    let mut j = Joined {
        project: Project::default(),
        sources: HashMap::new(),
        documents: Vec::new(),
        diagnostics: Vec::new(),
        broken: Vec::new(),
    };
    for r in results {
        if let Some(src) = r.source {
            if r.failed {
                j.broken.push(src.text.clone());
            }
            j.sources.insert(src.path.to_string(), src.text.clone());
        }
        j.documents.extend(r.documents);
        j.diagnostics.extend(r.diagnostics);
        for piece in r.pieces {
            match piece {
                Piece::Roles(doc, roles) => {
                    j.project.roles_docs.push(doc);
                    j.project.roles.extend(roles);
                }
                Piece::Process(p) => j.project.processes.push(p),
                Piece::Scenario(s) => j.project.scenarios.push(s),
            }
        }
    }
    j
}

/// Joins loaded files into a project and runs the checks that look across files.
pub fn assemble(root: PathBuf, results: Vec<FileResult>, focus: &BTreeSet<String>) -> Loaded {
    let Joined {
        project,
        sources,
        documents,
        mut diagnostics,
        broken,
    } = join(results);
    let ctx = check::Ctx {
        project: &project,
        root: &root,
        broken: &broken,
    };
    diagnostics.extend(check::run(&ctx));
    if !focus.is_empty() {
        diagnostics.retain(|d| focus.contains(&d.file));
    }
    sort_and_dedup(&mut diagnostics);
    Loaded {
        root,
        sources,
        documents,
        project,
        diagnostics,
    }
}

/// The project folder relative to the git work tree that holds it (e.g. `ops/sops-project/`),
/// so that SARIF and GitHub annotations name repository-relative paths.
pub fn uri_prefix(root: &Path) -> String {
    let Ok(repo) = git2::Repository::discover(root) else {
        return String::new();
    };
    let (Some(workdir), Ok(root)) = (
        repo.workdir().and_then(|w| w.canonicalize().ok()),
        root.canonicalize(),
    ) else {
        return String::new();
    };
    match root.strip_prefix(&workdir) {
        Ok(rel) if !rel.as_os_str().is_empty() => format!("{}/", display_path(Path::new(""), rel)),
        _ => String::new(),
    }
}
