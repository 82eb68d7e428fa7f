//! The bundle's `source`: which commit the sources come from, and whether they differ from it.
//!
//! Rule: `commit` is the id of `HEAD` of the git repository holding the project folder (null
//! outside a repository or before the first commit). `dirty` is true when git reports any
//! change (modified, staged, renamed, type change, untracked, deleted; ignored files do not
//! count) to an input of the build: a file that was loaded (the SOP sources), a media file a
//! task names, the project's `sopctl.yaml`, or a deleted file that the `sources` globs would
//! have matched. Changes elsewhere in the repository do not make a bundle dirty.

use std::collections::BTreeSet;
use std::path::Path;

use super::Source;
use crate::project::display_path;

/// The source state of a compiled project: every input counts (SOP files, media, the config).
pub fn of_project(
    loaded: &crate::project::Loaded,
    built: &super::Bundle,
    config: &crate::config::Config,
) -> Source {
    let mut inputs: BTreeSet<String> = loaded.sources.keys().cloned().collect();
    inputs.extend(super::compile::media_files(built));
    if let Some(src) = &config.source {
        inputs.insert(src.path.to_string());
    }
    detect(&loaded.root, &inputs, &config.sources)
}

/// Detects the source state. `inputs` are project-relative paths with `/`; `globs` are the
/// `sources` globs. Never fails: anything git cannot tell leaves `commit` null.
pub fn detect(root: &Path, inputs: &BTreeSet<String>, globs: &[String]) -> Source {
    let none = Source {
        commit: None,
        dirty: false,
    };
    let Ok(repo) = git2::Repository::discover(root) else {
        return none;
    };
    let commit = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .map(|c| c.id().to_string());
    let (Some(workdir), Ok(root_abs)) = (
        repo.workdir().and_then(|w| w.canonicalize().ok()),
        root.canonicalize(),
    ) else {
        return Source {
            commit,
            dirty: false,
        };
    };
    let Ok(prefix) = root_abs.strip_prefix(&workdir) else {
        return Source {
            commit,
            dirty: false,
        };
    };
    let prefix = display_path(Path::new(""), prefix);
    let matcher = {
        let mut b = globset::GlobSetBuilder::new();
        for g in globs {
            if let Ok(glob) = globset::GlobBuilder::new(g).literal_separator(true).build() {
                b.add(glob);
            }
        }
        b.build().ok()
    };
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .include_unmodified(false)
        .renames_head_to_index(false);
    if !prefix.is_empty() {
        opts.pathspec(format!("{prefix}/"));
    }
    let dirty = match repo.statuses(Some(&mut opts)) {
        Ok(statuses) => statuses.iter().any(|entry| {
            let status = entry.status();
            if status.is_empty() || status.contains(git2::Status::IGNORED) {
                return false;
            }
            let Some(path) = entry.path() else {
                return true;
            };
            let rel = if prefix.is_empty() {
                path
            } else {
                match path
                    .strip_prefix(prefix.as_str())
                    .and_then(|p| p.strip_prefix('/'))
                {
                    Some(rel) => rel,
                    None => return false,
                }
            };
            inputs.contains(rel) || matcher.as_ref().is_some_and(|m| m.is_match(rel))
        }),
        // A repository git cannot read the state of: say dirty rather than claim it is clean.
        Err(_) => true,
    };
    Source { commit, dirty }
}
