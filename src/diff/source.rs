//! Getting a [`Bundle`] for one side of a diff: the working tree (the existing loaders), a
//! project folder, a `bundle.json` file, or a git revision read straight from git objects
//! with git2 (no checkout: the working tree and the index are never touched).
//!
//! A side whose sources have validation errors is still compared: the processes of an invalid
//! file are left out (on both sides, see [`exclude`]) and the file's diagnostics are kept so
//! that the command can show them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use crate::bundle::{self, Bundle};
use crate::config::{self, Config};
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::{self, Loaded};

/// One side of a diff.
pub struct Side {
    /// What the side is, for messages: `HEAD~1 (abc1234)`, `the working tree`, a file.
    pub label: String,
    pub bundle: Bundle,
    /// Processes left out because their file is invalid or they did not compile.
    pub skipped: BTreeSet<String>,
    /// Files with validation errors (project-relative).
    pub invalid_files: BTreeSet<String>,
    /// The file each process comes from (empty for a bundle file).
    pub process_files: BTreeMap<String, String>,
    /// The files holding `Roles` documents (empty for a bundle file).
    pub roles_files: BTreeSet<String>,
    /// Validation errors of this side, with the texts to show them.
    pub diagnostics: Vec<Diagnostic>,
    pub sources: HashMap<String, Arc<str>>,
}

/// A side that cannot be read (exit 2): one line and a hint.
#[derive(Debug)]
pub struct SideError {
    pub message: String,
    pub help: String,
}

fn err(message: impl Into<String>, help: impl Into<String>) -> SideError {
    SideError {
        message: message.into(),
        help: help.into(),
    }
}

/// Where the project sits inside a git repository.
pub struct RepoProject {
    pub repo: Repository,
    /// The project folder relative to the work tree, with `/`, empty at the top.
    pub prefix: String,
    /// The project folder on disk.
    pub root: PathBuf,
}

impl RepoProject {
    pub fn open(root: &Path) -> Result<RepoProject, SideError> {
        let repo = Repository::discover(root).map_err(|_| {
            err(
                format!("{} is not inside a git repository", root.display()),
                "run inside a git repository, or pass bundle files to --base/--head",
            )
        })?;
        let workdir = repo
            .workdir()
            .and_then(|w| w.canonicalize().ok())
            .ok_or_else(|| err("the git repository has no work tree", "run inside a clone"))?;
        let abs = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let prefix = abs
            .strip_prefix(&workdir)
            .map(|rel| project::display_path(Path::new(""), rel))
            .unwrap_or_default();
        Ok(RepoProject {
            repo,
            prefix,
            root: root.to_path_buf(),
        })
    }

    /// Resolves a revision to a commit, with clear errors (unknown, or missing from a shallow
    /// clone).
    pub fn commit(&self, rev: &str) -> Result<git2::Commit<'_>, SideError> {
        let found = self
            .repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit());
        found.map_err(|e| {
            if self.repo.is_shallow() {
                err(
                    format!("revision `{rev}` is not in this shallow clone ({})", e.message()),
                    "this is a shallow clone: fetch with `git fetch --unshallow` (or actions/checkout `fetch-depth: 0`), or pass a released bundle.json to --base",
                )
            } else {
                err(
                    format!("unknown revision `{rev}` ({})", e.message()),
                    "pass a commit, branch or tag that exists (see `git log --oneline`), or a bundle.json file",
                )
            }
        })
    }

    /// The id of the project folder's tree at a commit (None when the folder does not exist
    /// there): two commits with the same id have the same sources.
    pub fn project_tree_id(&self, commit: &git2::Commit) -> Option<Oid> {
        let tree = commit.tree().ok()?;
        if self.prefix.is_empty() {
            return Some(tree.id());
        }
        tree.get_path(Path::new(&self.prefix)).ok().map(|e| e.id())
    }

    /// Builds the side of a commit from its git objects.
    pub fn side(&self, commit: &git2::Commit, label: String) -> Result<Side, SideError> {
        let tree = commit.tree().map_err(|e| {
            err(
                format!("cannot read the tree of {label}: {}", e.message()),
                "",
            )
        })?;
        let sub = if self.prefix.is_empty() {
            Some(tree)
        } else {
            match tree.get_path(Path::new(&self.prefix)) {
                Ok(entry) => entry
                    .to_object(&self.repo)
                    .ok()
                    .and_then(|o| o.into_tree().ok()),
                Err(_) => None,
            }
        };
        let mut blobs: Vec<(String, Oid)> = Vec::new();
        if let Some(sub) = &sub {
            sub.walk(TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(ObjectType::Blob) {
                    if let Some(name) = entry.name() {
                        blobs.push((format!("{dir}{name}"), entry.id()));
                    }
                }
                TreeWalkResult::Ok
            })
            .map_err(|e| err(format!("cannot walk {label}: {}", e.message()), ""))?;
        }
        let read = |oid: Oid, rel: &str| -> Result<Vec<u8>, SideError> {
            self.repo
                .find_blob(oid)
                .map(|b| b.content().to_vec())
                .map_err(|e| {
                    err(
                        format!("cannot read `{rel}` at {label}: {}", e.message()),
                        if self.repo.is_shallow() {
                            "this is a shallow clone: fetch with `git fetch --unshallow`, or pass a released bundle.json"
                        } else {
                            ""
                        },
                    )
                })
        };
        let config = match blobs.iter().find(|(rel, _)| rel == config::FILE_NAME) {
            Some((rel, oid)) => {
                config::from_bytes(&self.root, rel, read(*oid, rel)?).map_err(|e| {
                    let first = e
                        .diagnostics
                        .first()
                        .map(|d| d.message.clone())
                        .unwrap_or_default();
                    err(
                        format!("sopctl.yaml is invalid at {label}: {first}"),
                        "pass a bundle.json for this side instead",
                    )
                })?
            }
            None => config::defaults(&self.root),
        };
        let globs = project::source_globs(&config).map_err(|e| err(e.message, e.help))?;
        let mut files = Vec::new();
        for (rel, oid) in &blobs {
            if globs.is_match(rel) && !project::in_skipped_dir(rel) {
                files.push((rel.clone(), read(*oid, rel)?));
            }
        }
        let loaded = project::load_sources(&config, files);
        let mut side = from_loaded(loaded, label);
        side.bundle.source = bundle::Source {
            commit: Some(commit.id().to_string()),
            dirty: false,
        };
        Ok(side)
    }
}

/// A side from loaded sources: processes of invalid files are left out.
pub fn from_loaded(loaded: Loaded, label: String) -> Side {
    let diagnostics: Vec<Diagnostic> = loaded
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let invalid_files: BTreeSet<String> = diagnostics.iter().map(|d| d.file.clone()).collect();
    let process_files: BTreeMap<String, String> = loaded
        .project
        .processes
        .iter()
        .map(|p| (p.name.v.clone(), p.file.to_string()))
        .collect();
    let roles_files: BTreeSet<String> = loaded
        .project
        .roles_docs
        .iter()
        .map(|d| d.file.to_string())
        .collect();
    let mut skipped: BTreeSet<String> = loaded
        .project
        .processes
        .iter()
        .filter(|p| !p.checked || invalid_files.contains(&*p.file))
        .map(|p| p.name.v.clone())
        .collect();
    let (bundle, failed) =
        bundle::compile::compile_lenient(&loaded.project, &loaded.root, &skipped);
    skipped.extend(failed.into_iter().map(|(name, _)| name));
    Side {
        label,
        bundle,
        skipped,
        invalid_files,
        process_files,
        roles_files,
        diagnostics,
        sources: loaded.sources,
    }
}

/// The working tree of a project (the existing loaders).
pub fn working_tree(config: &Config, label: String) -> Result<Side, SideError> {
    let (files, _) =
        project::discover(config, &config.root, &[]).map_err(|e| err(e.message, e.help))?;
    let loaded = project::load(config, &files, &BTreeSet::new());
    Ok(from_loaded(loaded, label))
}

/// A `bundle.json` file.
pub fn bundle_file(path: &Path, shown: &str) -> Result<Side, SideError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| err(format!("cannot read {shown}: {e}"), "check the path"))?;
    let bundle = Bundle::from_json(&text).map_err(|e| {
        err(
            format!("{shown} is not a sopctl bundle: {e}"),
            "pass a bundle.json written by `sopctl build`",
        )
    })?;
    Ok(Side {
        label: shown.to_string(),
        bundle,
        skipped: BTreeSet::new(),
        invalid_files: BTreeSet::new(),
        process_files: BTreeMap::new(),
        roles_files: BTreeSet::new(),
        diagnostics: vec![],
        sources: HashMap::new(),
    })
}

/// True when the roles cannot be compared: a file that holds roles on one side is invalid on
/// either side (its roles would look removed). [`exclude`] then leaves roles out.
pub fn roles_unreliable(base: &Side, head: &Side) -> bool {
    let invalid: BTreeSet<&String> = base.invalid_files.union(&head.invalid_files).collect();
    base.roles_files
        .iter()
        .chain(&head.roles_files)
        .any(|f| invalid.contains(f))
}

/// Leaves out, on both sides, every process that one side could not build, and the processes
/// of the other side that come from a file invalid on this side (a file broken at the base is
/// reported, and the rest is diffed). Roles are left out too when [`roles_unreliable`].
/// Returns what was left out, for a note.
pub fn exclude(base: &mut Side, head: &mut Side) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = base.skipped.union(&head.skipped).cloned().collect();
    for (a, b) in [(&*base, &*head), (&*head, &*base)] {
        for (name, file) in &b.process_files {
            if a.invalid_files.contains(file) {
                names.insert(name.clone());
            }
        }
    }
    let no_roles = roles_unreliable(base, head);
    for side in [base, head] {
        side.bundle.processes.retain(|p| !names.contains(&p.name));
        if no_roles {
            side.bundle.roles.clear();
        }
    }
    if no_roles {
        names.insert("(the project's roles)".into());
    }
    names
}
