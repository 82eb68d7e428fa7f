//! Printed manuals (`sopctl render --format pdf|cards`): PDFs laid out by typst, used as a
//! library, from the same views as the Markdown and HTML pages. Each document is a typst
//! template (`templates/pdf/*.typ`, overridable) reading its data from a virtual `data.json`,
//! so user text reaches typst only as string values. Documents are compiled in parallel.

pub mod cards;
pub mod data;
pub mod fonts;
pub mod markdown;
pub mod qr;
pub mod templates;
pub mod words;
pub mod world;

use std::collections::BTreeSet;
use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::{json, Value};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};

use super::context::{self, Env};
use super::i18n::Lang;
use super::{RenderError, RenderOptions};
use crate::project::Loaded;
use fonts::Fonts;
use templates::Templates;

/// What to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One PDF per process, one booklet per role, and the index.
    Manuals,
    /// A6 task cards (and "scan to start" posters with a server).
    Cards,
}

#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// The runtime's address for QR codes (`--server`, `render.server`), checked.
    pub server: Option<String>,
    /// Folders of fonts to use before the system's (`--font-dir`, `render.fonts`).
    pub font_dirs: Vec<PathBuf>,
}

/// `SOPCTL_NO_SYSTEM_FONTS=1`: only the `--font-dir` fonts, for PDFs that do not depend on
/// what the machine has installed.
pub fn system_fonts_disabled() -> bool {
    std::env::var("SOPCTL_NO_SYSTEM_FONTS").is_ok_and(|v| v == "1")
}

/// One PDF to make: where it goes, its template and its data, kept as JSON text (a tree of
/// `Value`s is several times larger, and a large project's documents would all be held at
/// once) with the characters it typesets, for the font check made before any layout.
pub struct Job {
    pub path: PathBuf,
    pub template: &'static str,
    pub data: Vec<u8>,
    pub chars: BTreeSet<char>,
}

impl Job {
    pub fn new(path: PathBuf, template: &'static str, data: Value) -> Job {
        let mut chars = BTreeSet::new();
        data::chars(&data, &mut chars);
        Job {
            path,
            template,
            data: serde_json::to_vec(&data).unwrap_or_default(),
            chars,
        }
    }
}

/// What every document's data starts with.
pub struct Meta {
    pub fonts: Vec<String>,
    pub bundle_hash: Option<String>,
    pub server: Option<String>,
}

impl Meta {
    pub fn parts(&self, lang: Lang) -> Vec<(&'static str, Value)> {
        vec![
            ("t", json!(words::table(lang))),
            ("lang", json!(lang.code())),
            ("fonts", json!(self.fonts)),
            ("generator", json!(format!("sopctl {}", crate::VERSION))),
            ("bundle_hash", json!(self.bundle_hash)),
            ("server", json!(self.server)),
        ]
    }

    pub fn word(&self, lang: Lang, key: &str) -> &'static str {
        words::table(lang).get(key).copied().unwrap_or("")
    }
}

/// How many PDFs `render` may write at most (for a progress bar's length).
pub fn document_count(loaded: &Loaded, kind: Kind) -> u64 {
    let n = loaded.project.processes.len();
    match kind {
        Kind::Manuals => (n + loaded.project.roles.len() + 1) as u64,
        Kind::Cards => n as u64,
    }
}

/// Renders the PDFs of a validated project: (path relative to the output folder, bytes), in
/// a stable order.
pub fn render(
    loaded: &Loaded,
    opts: &RenderOptions,
    kind: Kind,
    pdf: &PdfOptions,
    progress: &crate::progress::Progress,
) -> Result<Vec<(PathBuf, Vec<u8>)>, RenderError> {
    let templates = Templates::load(opts.templates.as_deref())?;
    let fonts = Fonts::load(&pdf.font_dirs, !system_fonts_disabled())?;
    let meta = Meta {
        fonts: fonts.families().to_vec(),
        // The bundle's hash names the revision a printout shows; it is the same one
        // `sopctl build` writes and the runtime runs.
        bundle_hash: crate::bundle::compile(&loaded.project, &loaded.root)
            .ok()
            .map(|b| b.hash),
        server: pdf.server.clone(),
    };
    let jobs = super::with_env(loaded, opts, |env| match kind {
        Kind::Manuals => Ok(manual_jobs(env, opts.role.as_deref(), &meta)),
        Kind::Cards => cards::jobs(env, opts.role.as_deref(), &meta),
    })?;
    let mut chars = BTreeSet::new();
    for j in &jobs {
        chars.extend(&j.chars);
    }
    fonts.check(&chars, &pdf.font_dirs)?;
    let library = LazyHash::new(Library::default());
    let compile = || -> Result<Vec<(PathBuf, Vec<u8>)>, RenderError> {
        jobs.par_iter()
            .map(|job| {
                let sandbox = world::Sandbox::new(
                    &library,
                    &fonts,
                    &templates,
                    job.template,
                    job.data.clone(),
                )?;
                let pdf = sandbox.pdf(&templates, &job.path.to_string_lossy())?;
                drop(sandbox);
                // typst memoizes layouts across documents; what the last few documents did
                // not reuse is dropped, so memory stays that of a few documents, not of all.
                typst::comemo::evict(CACHE_AGE);
                progress.inc();
                Ok((job.path.clone(), pdf))
            })
            .collect()
    };
    let out = match layout_pool() {
        Some(pool) => pool.install(compile),
        None => compile(),
    };
    // typst memoizes layouts across documents; nothing is reused after this run.
    typst::comemo::evict(0);
    out
}

/// How many documents a memoized typst result survives unused (see `comemo::evict`).
const CACHE_AGE: usize = 4;

/// Typst lays out by recursion, deep for a long table (the index of a large project) or a
/// booklet of many processes: rayon's default 2 MiB thread stacks overflow there, so the
/// documents are compiled on threads with a larger stack (the main thread's 8 MiB is not
/// enough either for 1,000 processes).
const LAYOUT_STACK_BYTES: usize = 256 << 20;

fn layout_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(LAYOUT_STACK_BYTES)
        .thread_name(|i| format!("sopctl-pdf-{i}"))
        .build()
        .ok()
}

/// The index, one PDF per process and one booklet per person's role (`--role`: that role's
/// booklet only, a bot's too when asked for by name).
fn manual_jobs(env: &Env, role: Option<&str>, meta: &Meta) -> Vec<Job> {
    let mut jobs = Vec::new();
    if role.is_none() {
        let index = context::index_view(env);
        let doc = data::document(
            meta.parts(env.site_lang)
                .into_iter()
                .chain([("index", data::of(&index))])
                .collect(),
        );
        jobs.push(Job::new(PathBuf::from("index.pdf"), "index.typ", doc));
        for p in &env.processes {
            let view = context::process_view(env, p);
            let doc = data::document(
                meta.parts(env.lang_of(p))
                    .into_iter()
                    .chain([("process", data::of(&view))])
                    .collect(),
            );
            jobs.push(Job::new(
                PathBuf::from(format!("{}.pdf", p.name.v)),
                "process.typ",
                doc,
            ));
        }
    }
    for r in &env.project.roles {
        let asked = role == Some(r.id.v.as_str());
        if !(asked || role.is_none() && !r.bot) {
            continue;
        }
        let view = context::role_view(env, r);
        let doc = data::document(
            meta.parts(env.site_lang)
                .into_iter()
                .chain([("role", data::of(&view))])
                .collect(),
        );
        jobs.push(Job::new(
            PathBuf::from("roles").join(format!("{}.pdf", r.id.v)),
            "role.typ",
            doc,
        ));
    }
    jobs
}
