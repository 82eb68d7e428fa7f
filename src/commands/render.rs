//! `sopctl render [PATH…] [-o DIR] [--templates DIR] [--format markdown|html] [--role ROLE]`.

use std::path::{Path, PathBuf};

use super::{fail, Global, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::project;
use crate::render::{self, OutputFormat, RenderOptions};
use crate::report::Format;

/// The default output folder, relative to the project root.
pub const DEFAULT_OUT: &str = "dist/handbook";

pub struct Args<'a> {
    pub paths: &'a [PathBuf],
    pub out: Option<&'a Path>,
    pub templates: Option<&'a Path>,
    pub role: Option<&'a str>,
}

pub fn run(g: &Global, args: &Args) -> i32 {
    let format = match g.format.as_deref() {
        None => OutputFormat::Markdown,
        Some(f) => match OutputFormat::parse(f) {
            Some(f) => f,
            None => {
                fail(
                    &format!("--format {f} is not a handbook format"),
                    "render writes markdown (the default) or html",
                );
                return EXIT_ERROR;
            }
        },
    };
    let config = match g.config(Format::Human) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (files, focus) =
        match super::source_files(&config, &g.cwd, args.paths, "pass files to render") {
            Ok(x) => x,
            Err(code) => return code,
        };
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
        return EXIT_FINDINGS;
    }
    // Named paths limit the handbook to the processes in those files.
    let processes: Vec<String> = if focus.is_empty() {
        Vec::new()
    } else {
        loaded
            .project
            .processes
            .iter()
            .filter(|p| focus.contains(&*p.file))
            .map(|p| p.name.v.clone())
            .collect()
    };
    if !focus.is_empty() && processes.is_empty() && args.role.is_none() {
        fail(
            "the paths given hold no Process document",
            "pass SOP files that define processes, or no path to render the whole project",
        );
        return EXIT_ERROR;
    }
    let out_dir = match args.out {
        Some(o) => g.cwd.join(o),
        None => config.root.join(DEFAULT_OUT),
    };
    let templates = match templates_dir(g, &config, args.templates) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let opts = RenderOptions {
        format,
        templates,
        role: args.role.map(str::to_string),
        language: config.render_language.clone(),
        processes,
        git: render::history::git_enabled(),
        out_dir: Some(out_dir.clone()),
    };
    let progress = g.progress(render::page_count(&loaded), "rendering");
    let rendered = render::render_handbook_with(&loaded, &opts, &progress);
    progress.finish();
    let pages = match rendered {
        Ok(p) => p,
        Err(e) => {
            fail(&e.to_string(), &e.help());
            return EXIT_ERROR;
        }
    };
    let held = crate::fsutil::Held::new();
    if let Err(code) = write_pages(&out_dir, &pages) {
        return code;
    }
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
    EXIT_OK
}

/// The templates folder: `--templates` (relative to the current folder), else
/// `render.templates` of sopctl.yaml (relative to the project root); it must exist.
pub(crate) fn templates_dir(
    g: &Global,
    config: &crate::config::Config,
    explicit: Option<&Path>,
) -> Result<Option<PathBuf>, i32> {
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
            return Err(EXIT_ERROR);
        }
    }
    Ok(templates)
}

/// Writes rendered pages below `out_dir`: all of them or none (see `fsutil::write_pages`).
pub(crate) fn write_pages(out_dir: &Path, pages: &[(PathBuf, String)]) -> Result<(), i32> {
    crate::fsutil::write_pages(out_dir, pages).map_err(|e| {
        fail(
            &format!("cannot write the pages to `{}`: {e}", out_dir.display()),
            "check that the output folder is writable",
        );
        EXIT_ERROR
    })
}
