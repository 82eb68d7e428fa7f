//! The Markdown or HTML handbook as independent page jobs, rendered in parallel with one
//! compiled template environment, each page handed to a sink as soon as it is done, so the
//! pages are never all in memory at once.

use std::io;
use std::path::{Path, PathBuf};

use minijinja::{Environment, Value};
use rayon::prelude::*;

use super::context::{self, Env, Page};
use super::i18n::Lang;
use super::{environment, render_one, PageContext, RenderError, RenderOptions, Sources};
use crate::model::{Process, Role};

/// Where rendered pages go.
pub trait PageSink: Sync {
    /// Takes one page; `rel` is its path relative to the output folder.
    fn page(&self, rel: &Path, text: &str) -> io::Result<()>;
    /// True once the run is to stop (an interrupt): pages not begun are skipped.
    fn stopped(&self) -> bool;
}

/// Why the handbook was not made.
#[derive(Debug)]
pub enum HandbookError {
    /// A template failed; the first page in page order that failed says why.
    Render(RenderError),
    /// Every page rendered, but one could not be written (the first in page order).
    Write(io::Error),
    /// The sink asked to stop.
    Stopped,
}

/// One page to make.
#[derive(Clone, Copy)]
enum Job<'a> {
    Index,
    Process(&'a Process),
    Role(&'a Role),
}

/// How one page went.
enum Outcome {
    Done,
    Skipped,
    Failed(RenderError),
    Unwritten(io::Error),
}

/// What every page job shares: compiled once, read by all threads.
struct Shared<'a> {
    env_view: &'a Env<'a>,
    opts: &'a RenderOptions,
    templates: Environment<'static>,
    sources: std::sync::Arc<Sources>,
    /// The contents, which every page carries: made a template value once, so pages share
    /// it instead of serializing all processes and roles again (quadratic in the project).
    index: Value,
}

/// The pages in their stable order: contents, processes, roles (only the role with `--role`).
fn jobs<'a>(env_view: &Env<'a>, opts: &RenderOptions) -> Vec<Job<'a>> {
    let project = env_view.project;
    let mut jobs = Vec::new();
    if opts.role.is_none() {
        jobs.push(Job::Index);
        jobs.extend(env_view.processes.iter().map(|p| Job::Process(p)));
    }
    jobs.extend(
        project
            .roles
            .iter()
            .filter(|r| opts.role.as_ref().is_none_or(|id| &r.id.v == id))
            .map(Job::Role),
    );
    jobs
}

/// Renders every page of `env_view` into `sink`, advancing `progress` by one per page, and
/// returns how many pages were written. Errors are reported as a one-thread run would meet
/// them: a template error in page order before any write error.
pub(super) fn render_into(
    env_view: &Env,
    opts: &RenderOptions,
    progress: &crate::progress::Progress,
    sink: &dyn PageSink,
) -> Result<usize, HandbookError> {
    let (templates, sources) = environment(opts).map_err(HandbookError::Render)?;
    let shared = Shared {
        env_view,
        opts,
        templates,
        sources,
        index: Value::from_serialize(context::index_view(env_view)),
    };
    let jobs = jobs(env_view, opts);
    let outcomes: Vec<Outcome> = jobs
        .par_iter()
        .map(|job| {
            if sink.stopped() {
                return Outcome::Skipped;
            }
            let outcome = match make(&shared, *job) {
                Ok((rel, text)) => match sink.page(&rel, &text) {
                    Ok(()) => Outcome::Done,
                    Err(e) => Outcome::Unwritten(e),
                },
                Err(e) => Outcome::Failed(e),
            };
            progress.inc();
            outcome
        })
        .collect();
    first_error(outcomes).map(|()| jobs.len())
}

fn first_error(outcomes: Vec<Outcome>) -> Result<(), HandbookError> {
    if outcomes.iter().any(|o| matches!(o, Outcome::Skipped)) {
        return Err(HandbookError::Stopped);
    }
    let mut unwritten = None;
    for o in outcomes {
        match o {
            Outcome::Failed(e) => return Err(HandbookError::Render(e)),
            Outcome::Unwritten(e) if unwritten.is_none() => unwritten = Some(e),
            _ => {}
        }
    }
    unwritten.map_or(Ok(()), |e| Err(HandbookError::Write(e)))
}

/// One page: its path and text.
fn make(shared: &Shared, job: Job) -> Result<(PathBuf, String), RenderError> {
    let env_view = shared.env_view;
    let format = shared.opts.format;
    let ext = format.ext();
    let ctx = |lang: Lang, page: Page| PageContext {
        t: lang.table(),
        lang: lang.code(),
        html_lang: lang.html_lang(),
        format: format.as_str(),
        generator: format!("sopctl {}", crate::VERSION),
        index: shared.index.clone(),
        index_link: context::index_link(page),
        process: None,
        role: None,
    };
    let render = |kind: &str, c: &PageContext| {
        let name = format!("{kind}.{ext}.j2");
        render_one(&shared.templates, &shared.sources, &name, c)
    };
    match job {
        Job::Index => {
            let c = ctx(env_view.site_lang, Page::top(format));
            Ok((format!("index.{ext}").into(), render("index", &c)?))
        }
        Job::Process(p) => {
            let view = context::process_view(env_view, p);
            let c = PageContext {
                process: Some(&view),
                ..ctx(env_view.lang_of(p), Page::top(format))
            };
            Ok((format!("{}.{ext}", p.name.v).into(), render("process", &c)?))
        }
        Job::Role(r) => {
            let view = context::role_view(env_view, r);
            let c = PageContext {
                role: Some(&view),
                ..ctx(env_view.site_lang, Page::role(format))
            };
            let rel = Path::new("roles").join(format!("{}.{ext}", r.id.v));
            Ok((rel, render("role", &c)?))
        }
    }
}
