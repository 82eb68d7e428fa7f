//! The checks and lint rules of the whole project, redone only where something changed.
//!
//! A process's own checks and model-only lint rules depend on the process, the project's
//! roles, the processes its `start` links name (their fields) and the `start.with` keys of
//! the processes that start it (`unused-field`). Their results are kept per process and used
//! again while all of those are the same. What looks at the project as a whole (duplicate
//! names, unknown processes, `move_parent`, start cycles, unused roles), at the disk (media
//! files) or at the clock and git history (`stale-review`) is run again every time: it is
//! cheap next to the per-process work. The result is what `sopctl lint` prints for the same
//! files, in the same order.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::check;
use crate::diagnostic::{sort_and_dedup, Diagnostic};
use crate::lint::{self, History, LintConfig, LintCtx, Rules};
use crate::model::{Process, Project};
use crate::project::Joined;

/// What a process's kept results were computed from, besides the process itself.
struct Deps {
    roles: u64,
    /// The process each `start` link named, in the order of the links (None: not defined).
    children: Vec<Option<Arc<Process>>>,
    /// The `start.with` keys the processes that start this one set on it, sorted.
    set_by_parents: Vec<String>,
}

impl PartialEq for Deps {
    fn eq(&self, other: &Deps) -> bool {
        let same_child = |a: &Option<Arc<Process>>, b: &Option<Arc<Process>>| match (a, b) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        self.roles == other.roles
            && self.set_by_parents == other.set_by_parents
            && self.children.len() == other.children.len()
            && self
                .children
                .iter()
                .zip(&other.children)
                .all(|(a, b)| same_child(a, b))
    }
}

/// The kept results of one process. Holding the process keeps its address from being reused,
/// so the address identifies it.
struct Entry {
    process: Arc<Process>,
    deps: Deps,
    checks: Arc<[Diagnostic]>,
    lint: Arc<[Diagnostic]>,
}

/// The roles as the per-process checks read them: ids in order, titles, and the flags.
type RolesPrint = Vec<(String, String, bool, bool)>;

#[derive(Default)]
pub struct Incremental {
    entries: HashMap<usize, Entry>,
    roles: RolesPrint,
    /// Bumped whenever the roles change.
    roles_generation: u64,
    /// How many processes the last run checked again (for tests and the bench).
    pub last_rechecked: usize,
}

/// Validation and lint findings of one run.
pub struct Findings {
    /// What `project::assemble` reports: each file's own findings and the checks.
    pub validation: Vec<Diagnostic>,
    /// What `lint::run` reports.
    pub lint: Vec<Diagnostic>,
}

fn key(p: &Arc<Process>) -> usize {
    Arc::as_ptr(p) as usize
}

/// The first process of each name, as [`Project::process`] finds it.
fn by_name(project: &Project) -> HashMap<&str, &Arc<Process>> {
    let mut out = HashMap::with_capacity(project.processes.len());
    for p in &project.processes {
        out.entry(p.name.v.as_str()).or_insert(p);
    }
    out
}

/// The `start.with` keys set on each process by the processes that start it.
fn set_by_parents(project: &Project) -> HashMap<&str, BTreeSet<&str>> {
    let mut out: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for parent in &project.processes {
        for l in parent.statuses.iter().flat_map(|s| &s.start) {
            let keys = out.entry(l.process.v.as_str()).or_default();
            keys.extend(l.with.iter().map(|(child, _)| child.v.as_str()));
        }
    }
    out
}

impl Incremental {
    /// Forgets every kept result (the configuration changed).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    fn roles_generation(&mut self, project: &Project) -> u64 {
        let print: RolesPrint = project
            .roles
            .iter()
            .map(|r| (r.id.v.clone(), r.title.clone(), r.bot, r.external))
            .collect();
        if print != self.roles {
            self.roles = print;
            self.roles_generation += 1;
        }
        self.roles_generation
    }

    /// Checks and lints the joined project, as `project::assemble` and `lint::run` would.
    pub fn run(
        &mut self,
        joined: &Joined,
        root: &Path,
        config: &LintConfig,
        now: i64,
        history: &dyn Fn(&Path, &[String]) -> History,
    ) -> Findings {
        let project = &joined.project;
        let roles = self.roles_generation(project);
        let names = by_name(project);
        let parents = set_by_parents(project);
        let deps_of = |p: &Process| Deps {
            roles,
            children: p
                .statuses
                .iter()
                .flat_map(|s| &s.start)
                .map(|l| names.get(l.process.v.as_str()).map(|c| Arc::clone(c)))
                .collect(),
            set_by_parents: parents
                .get(p.name.v.as_str())
                .map(|keys| keys.iter().map(|k| k.to_string()).collect())
                .unwrap_or_default(),
        };
        let ctx = check::Ctx {
            project,
            root,
            broken: &joined.broken,
        };
        let history = lint::history_for(project, root, config, history);
        let lctx = LintCtx {
            project,
            root,
            config,
            history: &history,
            now,
        };
        let entries = &self.entries;
        let fresh: Vec<(Entry, bool)> = project
            .processes
            .par_iter()
            .filter(|p| p.checked)
            .map(|p| {
                let deps = deps_of(p);
                match entries.get(&key(p)) {
                    Some(e) if Arc::ptr_eq(&e.process, p) && e.deps == deps => (
                        Entry {
                            process: Arc::clone(p),
                            deps,
                            checks: Arc::clone(&e.checks),
                            lint: Arc::clone(&e.lint),
                        },
                        false,
                    ),
                    _ => (
                        Entry {
                            process: Arc::clone(p),
                            deps,
                            checks: check::model_checks(&ctx, p).into(),
                            lint: lint::process_diagnostics(&lctx, p, Rules::Timeless).into(),
                        },
                        true,
                    ),
                }
            })
            .collect();
        self.last_rechecked = fresh.iter().filter(|(_, redone)| *redone).count();
        let findings = assemble(&ctx, &lctx, joined, fresh.iter().map(|(e, _)| e));
        self.entries = fresh
            .into_iter()
            .map(|(e, _)| (key(&e.process), e))
            .collect();
        findings
    }
}

/// Puts kept and fresh findings together in the order the CLI produces them.
fn assemble<'a>(
    ctx: &check::Ctx,
    lctx: &LintCtx,
    joined: &Joined,
    entries: impl Iterator<Item = &'a Entry> + Clone,
) -> Findings {
    let mut validation = joined.diagnostics.clone();
    validation.extend(check::project_checks(ctx));
    let disk: Vec<Vec<Diagnostic>> = entries
        .clone()
        .map(|e| &e.process)
        .filter(|p| check::has_local_media(p))
        .map(|p| check::disk_checks(ctx, p))
        .collect();
    for e in entries.clone() {
        validation.extend(e.checks.iter().cloned());
    }
    validation.extend(disk.into_iter().flatten());
    sort_and_dedup(&mut validation);
    let mut lint = Vec::new();
    for e in entries.clone() {
        lint.extend(e.lint.iter().cloned());
        lint.extend(lint::process_diagnostics(lctx, &e.process, Rules::Timed));
    }
    lint.extend(lint::project_diagnostics(lctx));
    sort_and_dedup(&mut lint);
    Findings { validation, lint }
}
