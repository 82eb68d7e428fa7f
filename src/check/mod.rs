//! `check`: the semantic validation codes of SPEC section 5, one function per code. Each
//! function reads the model and reports at the node at fault: a reference at the reference
//! itself, a status problem at the status key.

mod assets;
mod each;
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
    let mut out = Vec::new();
    out.extend(names::duplicate_name(ctx));
    out.extend(references::unknown_process(ctx));
    out.extend(links::invalid_move_parent(ctx));
    out.extend(links::start_cycle(ctx));
    let per_process: Vec<Vec<Diagnostic>> = ctx
        .project
        .processes
        .par_iter()
        .filter(|p| p.checked)
        .map(|p| check_process(ctx, p))
        .collect();
    out.extend(per_process.into_iter().flatten());
    out
}

fn check_process(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
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
    out.extend(assets::asset_missing(ctx, p));
    out.extend(assets::asset_outside_project(ctx, p));
    out
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
