//! `check`: the semantic validation codes of SPEC section 5. Each code lives in its own file
//! under `rules/` (its documentation, its check, its tests and its examples); [`rules::ALL`]
//! lists them and [`run`] applies their checks. Each check reads the model and reports at the
//! node at fault: a reference at the reference itself, a status problem at the status key.

pub mod rules;
pub(crate) mod shared;

use std::path::Path;

use rayon::prelude::*;

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Span};
use crate::model::{Process, Project};

/// What the checks need beyond the model.
pub struct Ctx<'a> {
    pub project: &'a Project,
    /// The project folder on disk, for `media` paths.
    pub root: &'a Path,
    /// The texts of files that failed to parse: names they define are not known to be missing.
    pub broken: &'a [std::sync::Arc<str>],
}

impl Ctx<'_> {
    /// True when a file that failed to parse seems to define `name` (a `name: <it>` line), so
    /// a reference to it is not reported as unknown: the syntax error is the real finding.
    fn maybe_in_broken(&self, name: &str) -> bool {
        self.broken.iter().any(|text| {
            text.lines().any(|l| {
                l.split("name:").skip(1).any(|after| {
                    let after = after.trim_start().trim_start_matches(['"', '\'']);
                    after.strip_prefix(name).is_some_and(|rest| {
                        rest.is_empty() || rest.starts_with([' ', ',', '}', '"', '\'', '#'])
                    })
                })
            })
        })
    }

    fn error(
        &self,
        code: Code,
        file: &str,
        span: Span,
        message: String,
        help: String,
    ) -> Diagnostic {
        code.error(file, span, message).with_help(help)
    }
}

/// Where a code's check runs. Both `None`: the code is reported by an earlier stage (`load`,
/// `schema`) or by the check of another code, as its file says.
#[derive(Clone, Copy)]
pub struct Check {
    /// Once for the whole project (codes that look across processes).
    pub project: Option<fn(&Ctx) -> Vec<Diagnostic>>,
    /// Once for each process that passed the schema.
    pub process: Option<fn(&Ctx, &Process) -> Vec<Diagnostic>>,
}

/// One validation code: its documentation and its check.
#[derive(Clone, Copy)]
pub struct CodeDef {
    pub code: Code,
    pub check: Check,
}

/// Runs every check over the project: the project-wide ones, then the per-process ones over
/// the processes that passed the schema, in parallel.
pub fn run(ctx: &Ctx) -> Vec<Diagnostic> {
    let mut out = project_checks(ctx);
    let per_process: Vec<Vec<Diagnostic>> = ctx
        .project
        .processes
        .par_iter()
        .filter(|p| p.checked)
        .map(|p| {
            let mut v = model_checks(ctx, p);
            v.extend(disk_checks(ctx, p));
            v
        })
        .collect();
    out.extend(per_process.into_iter().flatten());
    out
}

#[cfg(test)]
pub(crate) mod testing;

/// The codes whose process check reads the disk (a task's `media` files), which may change
/// while the model does not.
fn reads_disk(c: &CodeDef) -> bool {
    c.code == rules::asset_missing::CODE || c.code == rules::asset_outside_project::CODE
}

/// The checks that look across processes as a whole.
pub fn project_checks(ctx: &Ctx) -> Vec<Diagnostic> {
    rules::ALL
        .iter()
        .filter_map(|c| c.check.project)
        .flat_map(|check| check(ctx))
        .collect()
}

/// The checks of one process that read only the model: the process, the project's roles and
/// the processes its `start` links name (the language server keeps their results until one
/// of those changes).
pub fn model_checks(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    process_checks(ctx, p, false)
}

/// The checks of one process that look at the disk (its `media` files).
pub fn disk_checks(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    process_checks(ctx, p, true)
}

fn process_checks(ctx: &Ctx, p: &Process, disk: bool) -> Vec<Diagnostic> {
    rules::ALL
        .iter()
        .filter(|c| reads_disk(c) == disk)
        .filter_map(|c| c.check.process)
        .flat_map(|check| check(ctx, p))
        .collect()
}

/// True when a process names a media file (a path, not a link): only those need
/// [`disk_checks`].
pub fn has_local_media(p: &Process) -> bool {
    p.tasks()
        .any(|(_, t)| t.media.iter().any(|m| !shared::is_link(&m.v)))
}
