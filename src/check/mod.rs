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
    let mut out: Vec<Diagnostic> = rules::ALL
        .iter()
        .filter_map(|c| c.check.project)
        .flat_map(|check| check(ctx))
        .collect();
    let per_process: Vec<Vec<Diagnostic>> = ctx
        .project
        .processes
        .par_iter()
        .filter(|p| p.checked)
        .map(|p| {
            rules::ALL
                .iter()
                .filter_map(|c| c.check.process)
                .flat_map(|check| check(ctx, p))
                .collect()
        })
        .collect();
    out.extend(per_process.into_iter().flatten());
    out
}

#[cfg(test)]
pub(crate) mod testing;
