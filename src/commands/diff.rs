//! `sopctl diff [--base REV] [--head REV] [--fail-on breaking|behavioral]`: the semantic diff
//! of the SOPs between two sides (see `crate::diff`). Each side is a git revision (read from
//! git objects, nothing checked out), a `bundle.json` file, a project folder, or, for
//! `--head` by default, the working tree. `--base` defaults to `HEAD`.

use super::{fail, Exit, Global, Step};
use crate::cli::{DiffArgs, DiffFormat, FailOn};
use crate::config::{self, Config};
use crate::diff::source::{self, RepoProject, Side, SideError};
use crate::diff::{self, render, Impact};
use crate::report::Format;

pub fn run(g: &Global, a: &DiffArgs) -> Step<Exit> {
    let config = g.config(Format::Human)?;
    let mut repo: Option<RepoProject> = None;
    let base_spec = a.base.as_deref().unwrap_or("HEAD");
    let sides = side(g, &config, &mut repo, Some(base_spec))
        .and_then(|b| side(g, &config, &mut repo, a.head.as_deref()).map(|h| (b, h)));
    let (mut base, mut head) = sides.map_err(|e| {
        fail(&e.message, &e.help);
        Exit::Error
    })?;
    for s in [&base, &head] {
        report_invalid(g, s);
    }
    let left_out = source::exclude(&mut base, &mut head);
    if !left_out.is_empty() {
        eprintln!(
            "note: not compared (invalid on one side): {}",
            left_out.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    let changes = diff::diff(&base.bundle, &head.bundle);
    match a.format.unwrap_or_default() {
        DiffFormat::Json => print!("{}", render::json(&changes)),
        DiffFormat::Markdown => print!("{}", render::markdown(&changes, &base.label, &head.label)),
        DiffFormat::Human => eprint!(
            "{}",
            render::human(&changes, &base.label, &head.label, g.color_stderr())
        ),
    }
    let threshold = match a.fail_on {
        None => return Ok(Exit::Ok),
        Some(FailOn::Breaking) => Impact::Breaking,
        Some(FailOn::Behavioral) => Impact::Behavioral,
    };
    Ok(match diff::worst(&changes) {
        Some(w) if w <= threshold => Exit::Findings,
        _ => Exit::Ok,
    })
}

/// Shows the validation errors of a side as notes: its invalid files are left out.
fn report_invalid(g: &Global, s: &Side) {
    if s.invalid_files.is_empty() {
        return;
    }
    eprintln!(
        "note: {} has invalid SOP files; their processes are not compared: {}",
        s.label,
        s.invalid_files
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    g.print(Format::Human, &s.diagnostics, &s.sources, "");
}

/// One side: `None` is the working tree; an existing `.json` file is a bundle; an existing
/// folder is a project; anything else is a git revision.
fn side(
    g: &Global,
    config: &Config,
    repo: &mut Option<RepoProject>,
    spec: Option<&str>,
) -> Result<Side, SideError> {
    let Some(spec) = spec else {
        return source::working_tree(config, "the working tree".into());
    };
    let path = g.cwd.join(spec);
    if spec.ends_with(".json") {
        if path.is_file() {
            return source::bundle_file(&path, spec);
        }
        return Err(SideError {
            message: format!("{spec} does not exist"),
            help: "pass an existing bundle.json (written by `sopctl build`), or a git revision"
                .into(),
        });
    }
    if path.is_dir() && !spec.is_empty() {
        let cfg = config::find(&path, None).map_err(|e| SideError {
            message: format!(
                "the configuration of {spec} is invalid: {}",
                e.diagnostics
                    .first()
                    .map(|d| d.message.as_str())
                    .unwrap_or("")
            ),
            help: "fix its sopctl.yaml".into(),
        })?;
        return source::working_tree(&cfg, spec.to_string());
    }
    if repo.is_none() {
        *repo = Some(RepoProject::open(&config.root)?);
    }
    let r = repo.as_ref().expect("opened above");
    let commit = r.commit(spec)?;
    let short = commit.id().to_string()[..7].to_string();
    let label = if spec.starts_with(&short) {
        short
    } else {
        format!("{spec} ({short})")
    };
    r.side(&commit, label)
}
