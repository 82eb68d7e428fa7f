//! `sopctl render [PATH…] [-o DIR] [--templates DIR] [--format markdown|html] [--role ROLE]`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{fail, Exit, Global, Step};
use crate::cli::RenderArgs;
use crate::project;
use crate::render::{self, OutputFormat, RenderOptions};
use crate::report::Format;

/// The default output folder, relative to the project root.
pub const DEFAULT_OUT: &str = "dist/handbook";

pub fn run(g: &Global, a: &RenderArgs) -> Step<Exit> {
    let format = OutputFormat::from(a.format.unwrap_or_default());
    let config = g.config(Format::Human)?;
    let (files, focus) = super::source_files(&config, &g.cwd, &a.paths, "pass files to render")?;
    // The whole project is checked: a handbook is never made from SOPs that do not validate.
    let loaded = project::load(&config, &files, &Default::default());
    if !loaded.diagnostics.is_empty() {
        g.print(
            Format::Human,
            &loaded.diagnostics,
            &loaded.sources,
            &project::uri_prefix(&loaded.root),
        );
    }
    if loaded.has_errors() {
        fail(
            "the SOPs do not validate: no handbook was written",
            "fix the errors above (`sopctl validate` shows the same)",
        );
        return Ok(Exit::Findings);
    }
    let processes = focused_processes(&loaded, &focus, a.role.is_some())?;
    let out_dir = match &a.out {
        Some(o) => g.cwd.join(o),
        None => config.root.join(DEFAULT_OUT),
    };
    let opts = RenderOptions {
        format,
        templates: templates_dir(g, &config, a.templates.as_deref())?,
        role: a.role.clone(),
        language: config.render_language.clone(),
        processes,
        git: render::history::git_enabled(),
        out_dir: Some(out_dir.clone()),
    };
    // The pages go to files, so the progress bar is drawn whatever their format.
    let pages = pages(g, &loaded, &opts, true)?;
    let held = crate::fsutil::Held::new();
    write_pages(&out_dir, &pages)?;
    held.release();
    let shown = out_dir
        .strip_prefix(&g.cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| out_dir.clone());
    eprintln!(
        "rendered {} page{} ({}) to {}",
        pages.len(),
        if pages.len() == 1 { "" } else { "s" },
        format.as_str(),
        shown.display()
    );
    Ok(Exit::Ok)
}

/// Named paths limit the handbook to the processes in those files (none: every process).
fn focused_processes(
    loaded: &project::Loaded,
    focus: &BTreeSet<String>,
    role: bool,
) -> Step<Vec<String>> {
    if focus.is_empty() {
        return Ok(Vec::new());
    }
    let processes: Vec<String> = loaded
        .project
        .processes
        .iter()
        .filter(|p| focus.contains(&*p.file))
        .map(|p| p.name.v.clone())
        .collect();
    if processes.is_empty() && !role {
        fail(
            "the paths given hold no Process document",
            "pass SOP files that define processes, or no path to render the whole project",
        );
        return Err(Exit::Error);
    }
    Ok(processes)
}

/// Renders the pages in memory, with a progress bar when `human` output goes to a terminal.
pub(crate) fn pages(
    g: &Global,
    loaded: &project::Loaded,
    opts: &RenderOptions,
    human: bool,
) -> Step<Vec<(PathBuf, String)>> {
    let progress = g.progress(human, render::page_count(loaded), "rendering");
    let rendered = render::render_handbook_with(loaded, opts, &progress);
    progress.finish();
    rendered.map_err(|e| {
        fail(&e.to_string(), &e.help());
        Exit::Error
    })
}

/// The templates folder: `--templates` (relative to the current folder), else
/// `render.templates` of sopctl.yaml (relative to the project root); it must exist.
pub(crate) fn templates_dir(
    g: &Global,
    config: &crate::config::Config,
    explicit: Option<&Path>,
) -> Step<Option<PathBuf>> {
    let templates = explicit.map(|t| g.cwd.join(t)).or_else(|| {
        config
            .render_templates
            .as_ref()
            .map(|t| config.root.join(t))
    });
    if let Some(t) = &templates {
        if !t.is_dir() {
            fail(
                &format!("templates folder `{}` does not exist", t.display()),
                "pass a folder holding templates named like the shipped ones (e.g. process.md.j2)",
            );
            return Err(Exit::Error);
        }
    }
    Ok(templates)
}

/// Writes rendered pages below `out_dir`: all of them or none (see `fsutil::write_pages`).
pub(crate) fn write_pages(out_dir: &Path, pages: &[(PathBuf, String)]) -> Step<()> {
    crate::fsutil::write_pages(out_dir, pages).map_err(|e| {
        fail(
            &format!("cannot write the pages to `{}`: {e}", out_dir.display()),
            "check that the output folder is writable",
        );
        Exit::Error
    })
}
