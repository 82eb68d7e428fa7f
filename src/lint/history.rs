//! When each process file was last committed, for `stale-review`. Read with git2 in one walk
//! of the history from `HEAD` for all the files at once, before the rules run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Repository, Sort, Status};

/// The last commit that changed a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastChange {
    /// Committer time, seconds since the Unix epoch.
    pub time: i64,
    /// The committer's UTC offset in minutes (the date is shown as the committer saw it).
    pub offset_minutes: i32,
    /// Abbreviated commit id.
    pub commit: String,
}

/// Last changes by project-relative file path. Files outside a repository, untracked files and
/// files with uncommitted changes have none.
#[derive(Debug, Clone, Default)]
pub struct History {
    changes: HashMap<String, LastChange>,
}

impl History {
    pub fn empty() -> History {
        History::default()
    }

    pub fn last_change(&self, file: &str) -> Option<&LastChange> {
        self.changes.get(file)
    }

    /// Reads the history for `files` (paths relative to `root`). Never fails: whatever cannot
    /// be read simply has no last change.
    pub fn load(root: &Path, files: &[String]) -> History {
        let mut h = History::empty();
        let Ok(repo) = Repository::discover(root) else {
            return h;
        };
        let (Some(workdir), Ok(root)) = (
            repo.workdir().and_then(|w| w.canonicalize().ok()),
            root.canonicalize(),
        ) else {
            return h;
        };
        // Repository-relative path → project-relative path, for files that are committed as
        // they are on disk.
        let mut pending: HashMap<PathBuf, String> = HashMap::new();
        for f in files {
            let Ok(abs) = root.join(f).canonicalize() else {
                continue;
            };
            let Ok(rel) = abs.strip_prefix(&workdir) else {
                continue;
            };
            match repo.status_file(rel) {
                Ok(s) if s == Status::CURRENT => {
                    pending.insert(rel.to_path_buf(), f.clone());
                }
                _ => {}
            }
        }
        if pending.is_empty() {
            return h;
        }
        let Ok(mut walk) = repo.revwalk() else {
            return h;
        };
        if walk.push_head().is_err() || walk.set_sorting(Sort::TIME).is_err() {
            return h;
        }
        for oid in walk.flatten() {
            let Ok(commit) = repo.find_commit(oid) else {
                continue;
            };
            let Ok(tree) = commit.tree() else { continue };
            let parent_trees: Vec<git2::Tree> =
                commit.parents().filter_map(|p| p.tree().ok()).collect();
            let mut found = Vec::new();
            for path in pending.keys() {
                let Some(here) = tree.get_path(path).ok().map(|e| e.id()) else {
                    continue;
                };
                // Changed here: it differs from every parent (a merge that took one side's
                // version unchanged did not change it), or this is a root commit.
                let changed = parent_trees
                    .iter()
                    .all(|pt| pt.get_path(path).ok().map(|e| e.id()) != Some(here));
                if changed {
                    found.push(path.clone());
                }
            }
            for path in found {
                if let Some(file) = pending.remove(&path) {
                    let when = commit.committer().when();
                    let id = commit.id().to_string();
                    h.changes.insert(
                        file,
                        LastChange {
                            time: when.seconds(),
                            offset_minutes: when.offset_minutes(),
                            commit: id[..id.len().min(8)].to_string(),
                        },
                    );
                }
            }
            if pending.is_empty() {
                break;
            }
        }
        h
    }

    /// The same history without `files`: files being edited have changes git does not have.
    pub fn without(&self, files: &std::collections::BTreeSet<String>) -> History {
        let mut h = self.clone();
        h.changes.retain(|f, _| !files.contains(f));
        h
    }

    #[cfg(test)]
    pub fn with(file: &str, change: LastChange) -> History {
        let mut h = History::empty();
        h.changes.insert(file.to_string(), change);
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_drops_only_the_files_named() {
        let change = |time| LastChange {
            time,
            offset_minutes: 480,
            commit: "abcdef12".into(),
        };
        let mut h = History::with("sops/a.yaml", change(1));
        h.changes.insert("sops/b.yaml".into(), change(2));
        let edited = std::collections::BTreeSet::from(["sops/a.yaml".to_string()]);
        let kept = h.without(&edited);
        assert_eq!(kept.last_change("sops/a.yaml"), None);
        assert_eq!(kept.last_change("sops/b.yaml"), Some(&change(2)));
        assert_eq!(h.last_change("sops/a.yaml"), Some(&change(1)));
    }
}
