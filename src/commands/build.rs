//! `sopctl build [PATH…] [-o DIR] [--check FILE]`: validate, then compile the project into
//! `DIR/bundle.json` (SPEC section 8). Refuses on any validation error and then writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{fail, Exit, Global, Step};
use crate::bundle::{self, canonical, Bundle};
use crate::cli::BuildArgs;
use crate::report::Format;
use crate::{project, render};

/// The default output folder, relative to the current folder.
pub const DEFAULT_DIR: &str = "dist";

pub fn run(g: &Global, a: &BuildArgs) -> Step<Exit> {
    let format = Format::from(a.format.unwrap_or_default());
    let (out, check) = (a.out.as_deref(), a.check.as_deref());
    // With --check, a missing or unreadable bundle is a usage problem found before any work.
    let stored = check.map(|file| read_bundle(g, file)).transpose()?;
    let config = g.config(format)?;
    let (files, _focus) =
        super::source_files(&config, &g.cwd, &a.paths, "pass the files to build")?;
    // A bundle is the whole project: every finding counts, whatever paths were named.
    let loaded = project::load(&config, &files, &BTreeSet::new());
    if format != Format::Human || !loaded.diagnostics.is_empty() {
        g.print(
            format,
            &loaded.diagnostics,
            &loaded.sources,
            &project::uri_prefix(&loaded.root),
        );
    }
    if loaded.has_errors() {
        match check {
            Some(file) => eprintln!(
                "error: cannot check {}: the SOPs have validation errors",
                file.display()
            ),
            None => eprintln!(
                "error: {} not built: the SOPs have validation errors (nothing was written)",
                output_dir(out).join(bundle::FILE_NAME).display()
            ),
        }
        return Ok(Exit::Findings);
    }
    let mut built = bundle::compile(&loaded.project, &loaded.root).map_err(|e| {
        fail(
            &format!("cannot compile the bundle: {e}"),
            "this is a bug in sopctl if validation passed; please report it",
        );
        Exit::Error
    })?;
    if let (Some(file), Some(stored)) = (check, stored) {
        return Ok(compare(file, &stored, &built));
    }
    built.source = bundle::source::of_project(&loaded, &built, &config);
    write_outputs(g, &loaded, &config, &built, out, format == Format::Human)
}

/// Renders the handbook, then writes it and the bundle: both, or neither.
fn write_outputs(
    g: &Global,
    loaded: &project::Loaded,
    config: &crate::config::Config,
    built: &Bundle,
    out: Option<&Path>,
    human: bool,
) -> Step<Exit> {
    let dir = output_dir(out);
    let shown = dir.join(bundle::FILE_NAME);
    let target = g.cwd.join(&shown);
    let handbook_dir = g.cwd.join(&dir).join("handbook");
    let opts = render::RenderOptions {
        format: render::OutputFormat::Markdown,
        templates: super::render::templates_dir(g, config, None)?,
        role: None,
        language: config.render_language.clone(),
        processes: Vec::new(),
        git: render::history::git_enabled(),
        out_dir: Some(handbook_dir.clone()),
    };
    // Ctrl-C is held from here on. The handbook is rendered into a stage, removed on a
    // template error, so the output folder is left as it was; the stage is swapped in and the
    // bundle renamed over the old one only at the end: an interrupted build leaves the old
    // outputs or the new ones, never a mix.
    let held = crate::fsutil::Held::new();
    let (stage, page_count) =
        super::staged::render_pages(g, loaded, &opts, human, &handbook_dir, &held)?;
    let pdfs = printed(g, loaded, config, &opts, human)?;
    super::staged::add_files(&stage, &handbook_dir, &pdfs)?;
    let pdf_count = pdfs.len();
    drop(pdfs);
    super::staged::commit(stage, &handbook_dir, &held)?;
    if let Err(e) = crate::fsutil::write_atomic(&target, built.to_json().as_bytes()) {
        fail(
            &format!("cannot write {}: {e}", shown.display()),
            "check that the output folder is writable, or choose another with -o DIR",
        );
        return Err(Exit::Error);
    }
    held.release();

    let (processes, statuses, tasks) = built.counts();
    let pdf_note = match pdf_count {
        0 => String::new(),
        n => format!(" and {}", plural(n, "PDF", "PDFs")),
    };
    eprintln!(
        "built {} and {} handbook pages{pdf_note} in {}: {}, {}, {}, {}",
        shown.display(),
        page_count,
        dir.join("handbook").display(),
        plural(processes, "process", "processes"),
        plural(statuses, "status", "statuses"),
        plural(tasks, "task", "tasks"),
        short_hash(&built.hash)
    );
    Ok(Exit::Ok)
}

/// The PDFs `render.pdf` and `render.cards` of sopctl.yaml ask for, beside the handbook.
fn printed(
    g: &Global,
    loaded: &project::Loaded,
    config: &crate::config::Config,
    opts: &render::RenderOptions,
    human: bool,
) -> Step<Vec<(PathBuf, Vec<u8>)>> {
    let kinds = [
        (config.render_pdf, render::pdf::Kind::Manuals),
        (config.render_cards, render::pdf::Kind::Cards),
    ];
    // PDFs take their text from the views of the HTML pages, as `render --format pdf` does.
    let opts = render::RenderOptions {
        format: render::OutputFormat::Html,
        ..opts.clone()
    };
    let mut out = Vec::new();
    for (_, kind) in kinds.iter().filter(|(on, _)| *on) {
        let pdf = super::render::pdf_options(g, config, None, &[])?;
        out.extend(super::render::pdfs(g, loaded, &opts, *kind, &pdf, human)?);
    }
    Ok(out)
}

fn output_dir(out: Option<&Path>) -> PathBuf {
    out.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DIR))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `sha256:` and the first 12 hex digits, for one-line messages.
fn short_hash(hash: &str) -> String {
    match hash.get(..7 + 12) {
        Some(short) if hash.len() > short.len() => format!("{short}…"),
        _ => hash.to_string(),
    }
}

/// Reads the bundle given to `--check` (exit 2 when missing or not a bundle).
fn read_bundle(g: &Global, file: &Path) -> Step<Bundle> {
    let text = match std::fs::read_to_string(g.cwd.join(file)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fail(
                &format!("{} does not exist", file.display()),
                &format!(
                    "build it with `{}` and commit it, or check the path",
                    build_command(file)
                ),
            );
            return Err(Exit::Error);
        }
        Err(e) => {
            fail(&format!("cannot read {}: {e}", file.display()), "");
            return Err(Exit::Error);
        }
    };
    Bundle::from_json(&text).map_err(|e| {
        fail(
            &format!("{} is not a sopctl bundle: {e}", file.display()),
            &format!("build a fresh one with `{}`", build_command(file)),
        );
        Exit::Error
    })
}

/// The command that writes `file` again.
fn build_command(file: &Path) -> String {
    match file.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) if d == Path::new(DEFAULT_DIR) => "sopctl build".to_string(),
        Some(d) => format!("sopctl build -o {}", d.display()),
        None => "sopctl build -o .".to_string(),
    }
}

/// `--check`: the stored bundle is current when its contents hash like the sources' bundle.
/// `source` is not compared.
fn compare(file: &Path, stored: &Bundle, built: &Bundle) -> Exit {
    let stored_hash = stored.content_hash();
    if stored_hash == built.hash && stored.hash == stored_hash {
        eprintln!(
            "{} is up to date ({})",
            file.display(),
            short_hash(&built.hash)
        );
        return Exit::Ok;
    }
    let mut details = Vec::new();
    if stored.hash != stored_hash {
        details.push(format!(
            "its `hash` ({}) does not match its contents (edited by hand?)",
            short_hash(&stored.hash)
        ));
    }
    let by_name = |b: &Bundle| -> BTreeMap<String, String> {
        b.processes
            .iter()
            .map(|p| (p.name.clone(), canonical::of(p)))
            .collect()
    };
    let (old, new) = (by_name(stored), by_name(built));
    let changed: Vec<&str> = new
        .iter()
        .filter(|(name, text)| old.get(*name).is_some_and(|o| o != *text))
        .map(|(name, _)| name.as_str())
        .collect();
    let added: Vec<&str> = new
        .keys()
        .filter(|n| !old.contains_key(*n))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = old
        .keys()
        .filter(|n| !new.contains_key(*n))
        .map(String::as_str)
        .collect();
    for (what, names) in [
        ("changed", &changed),
        ("added", &added),
        ("removed", &removed),
    ] {
        if !names.is_empty() {
            details.push(format!("processes {what}: {}", names.join(", ")));
        }
    }
    if canonical::of(&stored.roles) != canonical::of(&built.roles) {
        details.push("roles changed".to_string());
    }
    fail(
        &format!(
            "{} is stale: it does not match the SOPs ({} in the file, {} from the sources)\n  {}",
            file.display(),
            short_hash(&stored_hash),
            short_hash(&built.hash),
            details.join("\n  ")
        ),
        &format!("run `{}` and commit the result", build_command(file)),
    );
    Exit::Findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_hashes() {
        let h = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(short_hash(&h), "sha256:abababababab…");
        assert_eq!(short_hash("sha256:ab"), "sha256:ab");
    }

    #[test]
    fn suggests_the_command_that_rewrites_the_file() {
        assert_eq!(build_command(Path::new("dist/bundle.json")), "sopctl build");
        assert_eq!(
            build_command(Path::new("release/bundle.json")),
            "sopctl build -o release"
        );
        assert_eq!(build_command(Path::new("bundle.json")), "sopctl build -o .");
    }

    #[test]
    fn counts_in_words() {
        assert_eq!(plural(1, "process", "processes"), "1 process");
        assert_eq!(plural(2, "status", "statuses"), "2 statuses");
    }
}
