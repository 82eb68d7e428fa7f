//! `sopctl render [PATH…] [-o DIR] [--templates DIR] [--format markdown|html|pdf|cards]
//! [--role ROLE] [--server URL] [--font-dir DIR]`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{fail, staged, Exit, Global, Step};
use crate::cli::{HandbookFormat, RenderArgs};
use crate::project;
use crate::render::pdf::{self, Kind, PdfOptions};
use crate::render::{self, OutputFormat, RenderOptions};
use crate::report::Format;

/// The default output folder, relative to the project root.
pub const DEFAULT_OUT: &str = "dist/handbook";

/// What `--format` asks for: handbook pages, or PDFs.
#[derive(Clone, Copy)]
enum Target {
    Pages(OutputFormat),
    Pdf(Kind),
}

impl Target {
    fn of(f: HandbookFormat) -> Target {
        match f {
            HandbookFormat::Markdown => Target::Pages(OutputFormat::Markdown),
            HandbookFormat::Html => Target::Pages(OutputFormat::Html),
            HandbookFormat::Pdf => Target::Pdf(Kind::Manuals),
            HandbookFormat::Cards => Target::Pdf(Kind::Cards),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Target::Pages(f) => f.as_str(),
            Target::Pdf(Kind::Manuals) => "pdf",
            Target::Pdf(Kind::Cards) => "cards",
        }
    }
}

pub fn run(g: &Global, a: &RenderArgs) -> Step<Exit> {
    let target = Target::of(a.format.unwrap_or_default());
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
        // PDFs take their text from the views of the HTML pages (links, Markdown as HTML).
        format: match target {
            Target::Pages(f) => f,
            Target::Pdf(_) => OutputFormat::Html,
        },
        templates: templates_dir(g, &config, a.templates.as_deref())?,
        role: a.role.clone(),
        language: config.render_language.clone(),
        processes,
        git: render::history::git_enabled(),
        out_dir: Some(out_dir.clone()),
    };
    let (count, noun) = match target {
        Target::Pages(_) => {
            let held = crate::fsutil::Held::new();
            // The pages go to files, so the progress bar is drawn whatever their format.
            let (stage, count) = staged::render_pages(g, &loaded, &opts, true, &out_dir, &held)?;
            staged::commit(stage, &out_dir, &held)?;
            held.release();
            (count, ("page", "pages"))
        }
        Target::Pdf(kind) => {
            let pdf = pdf_options(g, &config, a.server.as_deref(), &a.font_dir)?;
            let files = pdfs(g, &loaded, &opts, kind, &pdf, true)?;
            write_all(&out_dir, &files)?;
            (files.len(), ("PDF", "PDFs"))
        }
    };
    let shown = out_dir
        .strip_prefix(&g.cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| out_dir.clone());
    eprintln!(
        "rendered {count} {} ({}) to {}",
        if count == 1 { noun.0 } else { noun.1 },
        target.name(),
        shown.display()
    );
    Ok(Exit::Ok)
}

/// Writes the files with Ctrl-C held back, so the folder is swapped whole or not at all.
fn write_all<T: AsRef<[u8]>>(out_dir: &Path, files: &[(PathBuf, T)]) -> Step<()> {
    let held = crate::fsutil::Held::new();
    write_pages(out_dir, files)?;
    held.release();
    Ok(())
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

/// Lays out the PDFs of `kind` in memory, with a progress bar when `human` output goes to a
/// terminal.
pub(crate) fn pdfs(
    g: &Global,
    loaded: &project::Loaded,
    opts: &RenderOptions,
    kind: Kind,
    pdf: &PdfOptions,
    human: bool,
) -> Step<Vec<(PathBuf, Vec<u8>)>> {
    let progress = g.progress(human, pdf::document_count(loaded, kind), "printing");
    let rendered = pdf::render(loaded, opts, kind, pdf, &progress);
    progress.finish();
    rendered.map_err(|e| {
        fail(&e.to_string(), &e.help());
        Exit::Error
    })
}

/// `--server` (else `render.server`) and `--font-dir` (else `render.fonts`).
pub(crate) fn pdf_options(
    g: &Global,
    config: &crate::config::Config,
    server: Option<&str>,
    font_dirs: &[PathBuf],
) -> Step<PdfOptions> {
    let server = match server.or(config.render_server.as_deref()) {
        None => None,
        Some(s) => Some(pdf::qr::server(s).map_err(|e| {
            fail(
                &format!("--server: {e}"),
                "give the address where `sopctl serve` answers, e.g. https://sop.example.com",
            );
            Exit::Error
        })?),
    };
    let font_dirs = if font_dirs.is_empty() {
        config
            .render_fonts
            .iter()
            .map(|f| config.root.join(f))
            .collect()
    } else {
        font_dirs.iter().map(|d| g.cwd.join(d)).collect()
    };
    Ok(PdfOptions { server, font_dirs })
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
fn write_pages<T: AsRef<[u8]>>(out_dir: &Path, pages: &[(PathBuf, T)]) -> Step<()> {
    crate::fsutil::write_pages(out_dir, pages).map_err(|e| staged::write_failed(out_dir, &e))
}
