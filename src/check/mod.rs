//! `check`: the semantic validation codes of SPEC section 5, one function per code. Each
//! function reads the model and reports at the node at fault: a reference at the reference
//! itself, a status problem at the status key.

mod assets;
mod each;
mod kpis;
mod links;
mod names;
mod references;
mod statuses;
mod syntax;
mod types;

use std::path::Path;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Span};
use crate::model::{Process, Project};
use crate::suggest::did_you_mean;

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
}

impl Ctx<'_> {
    fn error(
        &self,
        code: &str,
        file: &str,
        span: Span,
        message: String,
        help: String,
    ) -> Diagnostic {
        Diagnostic::error(code, file, span, message).with_help(help)
    }
}

/// Runs every check over the project.
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

/// The checks that look across processes as a whole.
pub fn project_checks(ctx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    out.extend(names::duplicate_name(ctx));
    out.extend(references::unknown_process(ctx));
    out.extend(links::invalid_move_parent(ctx));
    out.extend(links::start_cycle(ctx));
    out
}

/// The checks of one process that read only the model: the process, the project's roles and
/// the processes its `start` links name (the language server keeps their results until one
/// of those changes).
pub fn model_checks(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    out.extend(names::duplicate_task(ctx, p));
    out.extend(references::unknown_status(ctx, p));
    out.extend(references::unknown_field(ctx, p));
    out.extend(references::unknown_role(ctx, p));
    out.extend(statuses::no_initial_status(ctx, p));
    out.extend(statuses::multiple_initial_statuses(ctx, p));
    out.extend(statuses::no_terminal_status(ctx, p));
    out.extend(statuses::terminal_has_exit(ctx, p));
    out.extend(statuses::unreachable_status(ctx, p));
    out.extend(statuses::dead_end_status(ctx, p));
    out.extend(statuses::duplicate_transition(ctx, p));
    out.extend(statuses::task_then_without_transition(ctx, p));
    out.extend(statuses::automatic_with_people(ctx, p));
    out.extend(types::field_type_mismatch(ctx, p));
    out.extend(each::invalid_each(ctx, p));
    out.extend(syntax::bad_expression(ctx, p));
    out.extend(syntax::bad_duration(ctx, p));
    out.extend(syntax::bad_due(ctx, p));
    out.extend(syntax::bad_template(ctx, p));
    out.extend(kpis::kpis(ctx, p));
    out
}

/// The checks of one process that look at the disk (its `media` files), which may change
/// while the model does not.
pub fn disk_checks(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = assets::asset_missing(ctx, p);
    out.extend(assets::asset_outside_project(ctx, p));
    out
}

/// True when a process names a media file (a path, not a link): only those need
/// [`disk_checks`].
pub fn has_local_media(p: &Process) -> bool {
    p.tasks()
        .any(|(_, t)| t.media.iter().any(|m| !assets::is_link(&m.v)))
}

/// "did you mean `x`? " or nothing, then a list of what exists.
fn suggestion<'a>(
    name: &str,
    known: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    let mut help = match did_you_mean(name, known.clone()) {
        Some(s) => format!("did you mean `{s}`? "),
        None => String::new(),
    };
    let list: Vec<&str> = known.into_iter().collect();
    if list.is_empty() {
        help.push_str(&format!("no {what} is defined yet"));
    } else {
        let shown: Vec<&str> = list.iter().take(12).copied().collect();
        help.push_str(&format!("{what}: {}", shown.join(", ")));
        if list.len() > 12 {
            help.push_str(", …");
        }
    }
    help
}

/// The id an item has now when its `was:` lists `name`: a reference to an old id.
fn renamed<'a>(
    name: &str,
    items: impl IntoIterator<Item = (&'a str, &'a [crate::model::Sp<String>])>,
) -> Option<&'a str> {
    items
        .into_iter()
        .find(|(_, was)| was.iter().any(|w| w.v == name))
        .map(|(id, _)| id)
}

/// Help for a status id the process does not have: the status renamed from it, else the
/// closest id and the list.
fn status_suggestion(p: &Process, name: &str) -> String {
    let items = p
        .statuses
        .iter()
        .map(|s| (s.id.v.as_str(), s.was.as_slice()));
    match renamed(name, items) {
        Some(now) => {
            format!("`{name}` was renamed to `{now}` (its `was:` lists `{name}`): write `{now}`")
        }
        None => suggestion(
            name,
            p.statuses.iter().map(|s| s.id.v.as_str()),
            "statuses of this process",
        ),
    }
}

/// Help for a field id the process does not define, like [`status_suggestion`].
fn field_suggestion(p: &Process, name: &str) -> String {
    let items = p.fields.iter().map(|f| (f.id.v.as_str(), f.was.as_slice()));
    match renamed(name, items) {
        Some(now) => {
            format!("`{name}` was renamed to `{now}` (its `was:` lists `{name}`): write `{now}`")
        }
        None => suggestion(
            name,
            p.fields.iter().map(|f| f.id.v.as_str()),
            "fields of this process",
        ),
    }
}
