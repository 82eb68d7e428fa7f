//! Validation and lint of the whole project as the editor sees it: open documents from memory,
//! every other source from disk. Each file is parsed, schema-checked and modelled once per
//! content and kept; a change re-parses only the changed file, then the cross-file checks and
//! the lint rules run over the whole project, as `sopctl lint` does.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use rayon::prelude::*;

use crate::config::{self, Config};
use crate::diagnostic::{sort_and_dedup, Diagnostic, Pos};
use crate::lint::{self, History, LintConfig};
use crate::load::MAX_FILE_BYTES;
use crate::project::{self, FileResult, Loaded};

use super::incremental::Incremental;
use super::index::Index;

/// One file as last read from disk.
struct DiskEntry {
    modified: Option<SystemTime>,
    len: u64,
    text: Option<Arc<str>>,
    result: Arc<FileResult>,
}

/// One open document as last analysed.
struct OverlayEntry {
    text: Arc<str>,
    result: Arc<FileResult>,
}

/// The project's configuration, as last read.
struct Settings {
    /// The text of `sopctl.yaml` it was read from (None: no file).
    text: Option<String>,
    config: Config,
    lint: LintConfig,
    /// Problems of `sopctl.yaml` itself; the defaults stand in meanwhile.
    diagnostics: Vec<Diagnostic>,
}

/// What the editor needs from one run.
pub struct Snapshot {
    pub loaded: Loaded,
    /// Every file's own load result (its parsed documents are kept here, not in `loaded`).
    pub files: BTreeMap<String, Arc<FileResult>>,
    /// Validation and lint findings by project-relative file, each list in output order.
    pub diagnostics: BTreeMap<String, Vec<Diagnostic>>,
    index: OnceLock<Index>,
}

impl Snapshot {
    /// The index of ids, built on first use.
    pub fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let docs = self.files.values().flat_map(|r| r.documents.iter());
            Index::build(&self.loaded.project, docs)
        })
    }

    /// The text of a file as analysed.
    pub fn text(&self, file: &str) -> Option<&str> {
        self.loaded.sources.get(file).map(|t| &**t)
    }
}

pub struct Analysis {
    root: PathBuf,
    settings: Settings,
    disk: HashMap<PathBuf, DiskEntry>,
    overlays: HashMap<String, OverlayEntry>,
    /// The git history for `stale-review`, with the files it was read for.
    history: RefCell<Option<(Vec<String>, History)>>,
    incremental: Incremental,
}

impl Analysis {
    /// An analysis of the project whose `sopctl.yaml` is at or above `dir`.
    pub fn new(dir: &Path) -> Analysis {
        let root = match config::find(dir, None) {
            Ok(c) => c.root,
            Err(_) => find_root(dir),
        };
        let settings = read_settings(&root, None);
        Analysis {
            root,
            settings,
            disk: HashMap::new(),
            overlays: HashMap::new(),
            history: RefCell::new(None),
            incremental: Incremental::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The project-relative path of a file, if it lies in the project.
    pub fn relative(&self, abs: &Path) -> Option<String> {
        abs.strip_prefix(&self.root)
            .ok()
            .map(|_| project::display_path(&self.root, abs))
    }

    /// Runs validation and lint with `open` (project-relative path → text) over the disk.
    pub fn run(&mut self, open: &HashMap<String, Arc<str>>) -> Snapshot {
        let config_text = open.get(config::FILE_NAME).map(|t| t.to_string());
        self.refresh_settings(config_text);
        let files = self.sources(open);
        let mut results: BTreeMap<String, Arc<FileResult>> = BTreeMap::new();
        let disk_files: Vec<(String, PathBuf)> = files
            .iter()
            .filter(|(rel, _)| !open.contains_key(rel.as_str()))
            .cloned()
            .collect();
        for (rel, r) in self.read_disk(&disk_files) {
            results.insert(rel, r);
        }
        let mut dirty = BTreeSet::new();
        for (rel, abs) in files.iter().filter(|(rel, _)| open.contains_key(rel)) {
            let text = &open[rel];
            results.insert(rel.clone(), self.overlay(rel, text));
            let on_disk = std::fs::read_to_string(abs).ok();
            if on_disk.as_deref() != Some(&**text) {
                dirty.insert(rel.clone());
            }
        }
        self.overlays.retain(|rel, _| open.contains_key(rel));
        self.check(results, &dirty)
    }

    /// Cross-file checks and lint over the loaded files, redoing per process only what
    /// changed (see [`Incremental`]).
    fn check(
        &mut self,
        files: BTreeMap<String, Arc<FileResult>>,
        dirty: &BTreeSet<String>,
    ) -> Snapshot {
        // The processes are shared with the cache; the parsed documents stay in it.
        let units: Vec<FileResult> = files
            .values()
            .map(|r| FileResult {
                source: r.source.clone(),
                documents: Vec::new(),
                pieces: r.pieces.clone(),
                diagnostics: r.diagnostics.clone(),
                failed: r.failed,
            })
            .collect();
        let joined = project::join(units);
        let now = lint::time::now().unwrap_or(0);
        let cache = &self.history;
        let history = |root: &Path, stale: &[String]| history(cache, root, stale, dirty);
        let found = self
            .incremental
            .run(&joined, &self.root, &self.settings.lint, now, &history);
        let mut all = found.validation;
        all.extend(found.lint);
        all.extend(self.settings.diagnostics.iter().cloned());
        sort_and_dedup(&mut all);
        let mut diagnostics: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
        for d in all {
            diagnostics.entry(d.file.clone()).or_default().push(d);
        }
        let loaded = Loaded {
            root: self.root.clone(),
            sources: joined.sources,
            documents: Vec::new(),
            project: joined.project,
            diagnostics: Vec::new(),
        };
        Snapshot {
            loaded,
            files,
            diagnostics,
            index: OnceLock::new(),
        }
    }

    /// How many processes the last run checked again rather than reusing what was kept.
    pub fn last_rechecked(&self) -> usize {
        self.incremental.last_rechecked
    }

    /// Forgets the git history (after a save or a commit changes it).
    pub fn forget_history(&mut self) {
        *self.history.borrow_mut() = None;
    }

    /// Re-reads `sopctl.yaml` when its text changed; a new configuration drops every cache.
    fn refresh_settings(&mut self, open_text: Option<String>) {
        let path = self.root.join(config::FILE_NAME);
        let text = open_text.or_else(|| std::fs::read_to_string(&path).ok());
        if text == self.settings.text {
            return;
        }
        self.settings = read_settings(&self.root, text);
        self.disk.clear();
        self.overlays.clear();
        self.incremental.clear();
        *self.history.borrow_mut() = None;
    }

    /// The project's source files (by the `sources` globs) and the open ones among them.
    fn sources(&self, open: &HashMap<String, Arc<str>>) -> Vec<(String, PathBuf)> {
        let config = &self.settings.config;
        let mut out: BTreeMap<String, PathBuf> = BTreeMap::new();
        if let Ok((files, _)) = project::discover(config, &self.root, &[]) {
            for f in files {
                out.insert(project::display_path(&self.root, &f), f);
            }
        }
        // A new file not saved yet is a source as soon as its path matches.
        if let Ok(globs) = project::source_globs(config) {
            for rel in open.keys() {
                if globs.is_match(rel) && !project::in_skipped_dir(rel) {
                    out.entry(rel.clone())
                        .or_insert_with(|| self.root.join(rel));
                }
            }
        }
        out.into_iter().collect()
    }

    /// Load results of files on disk, re-reading only those whose size or time changed.
    fn read_disk(&mut self, files: &[(String, PathBuf)]) -> Vec<(String, Arc<FileResult>)> {
        let stale: Vec<(String, PathBuf, Option<SystemTime>, u64)> = files
            .iter()
            .filter_map(|(rel, abs)| {
                let meta = std::fs::metadata(abs).ok();
                let modified = meta.as_ref().and_then(|m| m.modified().ok());
                let len = meta.as_ref().map_or(0, |m| m.len());
                match self.disk.get(abs) {
                    Some(e) if e.modified == modified && e.len == len && modified.is_some() => None,
                    _ => Some((rel.clone(), abs.clone(), modified, len)),
                }
            })
            .collect();
        let root = self.root.clone();
        let lang = self.lang();
        let fresh: Vec<(PathBuf, DiskEntry)> = stale
            .into_par_iter()
            .map(|(_, abs, modified, len)| {
                let result = project::load_file(&root, &abs, lang);
                let text = result.source.as_ref().map(|s| s.text.clone());
                let entry = DiskEntry {
                    modified,
                    len,
                    text,
                    result: Arc::new(result),
                };
                (abs, entry)
            })
            .collect();
        self.disk.extend(fresh);
        let wanted: BTreeSet<&PathBuf> = files.iter().map(|(_, abs)| abs).collect();
        self.disk.retain(|abs, _| wanted.contains(abs));
        files
            .iter()
            .filter_map(|(rel, abs)| Some((rel.clone(), self.disk.get(abs)?.result.clone())))
            .collect()
    }

    /// The language of YAML typo messages, as the CLI picks it (`render.language`, the locale).
    fn lang(&self) -> crate::load::Lang {
        crate::load::message_lang(self.settings.config.render_language.as_deref())
    }

    /// The load result of an open document, parsed again only when its text changed.
    fn overlay(&mut self, rel: &str, text: &Arc<str>) -> Arc<FileResult> {
        if let Some(e) = self.overlays.get(rel) {
            if e.text == *text {
                return e.result.clone();
            }
        }
        let result = Arc::new(load_text(rel, text, self.lang()));
        self.overlays.insert(
            rel.to_string(),
            OverlayEntry {
                text: text.clone(),
                result: result.clone(),
            },
        );
        result
    }

    /// The text of a file on disk as last read (for files that are not open).
    pub fn disk_text(&self, abs: &Path) -> Option<Arc<str>> {
        self.disk.get(abs)?.text.clone()
    }
}

/// The git history for `stale-review`, read again only when the files asked for change (not
/// when a file starts or stops being edited). Files being edited have changes git does not
/// have, so they have no last commit.
fn history(
    cache: &RefCell<Option<(Vec<String>, History)>>,
    root: &Path,
    files: &[String],
    dirty: &BTreeSet<String>,
) -> History {
    let mut cache = cache.borrow_mut();
    let h = match cache.as_ref() {
        Some((key, h)) if key == files => h,
        _ => &cache.insert((files.to_vec(), History::load(root, files))).1,
    };
    if dirty.is_empty() {
        h.clone()
    } else {
        h.without(dirty)
    }
}

/// A document's text loaded like a file on disk, with the same size limit.
fn load_text(rel: &str, text: &str, lang: crate::load::Lang) -> FileResult {
    if text.len() as u64 > MAX_FILE_BYTES {
        let r = crate::load::Refusal::TooLarge {
            bytes: text.len() as u64,
            max_bytes: MAX_FILE_BYTES,
        };
        return FileResult {
            source: None,
            documents: vec![],
            pieces: vec![],
            diagnostics: vec![crate::load::refused(rel, Pos::START, &r, lang)],
            failed: true,
        };
    }
    project::load_bytes(rel, text.as_bytes().to_vec(), lang)
}

/// The folder to treat as the project when `sopctl.yaml` cannot be read: the nearest one
/// upwards that holds it, else `dir`.
fn find_root(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|d| d.join(config::FILE_NAME).is_file())
        .unwrap_or(dir)
        .to_path_buf()
}

/// The configuration from `text` (the contents of `sopctl.yaml`, None: no file). A broken
/// configuration is reported on `sopctl.yaml` and the defaults are used meanwhile.
fn read_settings(root: &Path, text: Option<String>) -> Settings {
    let text = text.or_else(|| std::fs::read_to_string(root.join(config::FILE_NAME)).ok());
    let parsed = match &text {
        None => Ok(config::defaults(root)),
        Some(t) => config::from_bytes(root, config::FILE_NAME, t.clone().into_bytes()),
    };
    let (config, mut diagnostics) = match parsed {
        Ok(c) => (c, Vec::new()),
        Err(e) => (config::defaults(root), e.diagnostics),
    };
    let lint = match LintConfig::from_config(&config) {
        Ok(l) => l,
        Err(errs) => {
            diagnostics.extend(errs);
            LintConfig::default()
        }
    };
    Settings {
        text,
        config,
        lint,
        diagnostics,
    }
}
