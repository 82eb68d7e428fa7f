//! Writing the handbook while it is rendered, for `render` and `build`: each page goes into a
//! stage (see `fsutil::Stage`) as soon as it is done, and the stage is put in place only
//! after the last one. Ctrl-C is held for the whole run: it stops the rendering at the next
//! page, the stage is removed, and sopctl then ends by the signal as it did when pages were
//! only written at the end.

use std::io;
use std::path::Path;

use super::{fail, Exit, Global, Step};
use crate::fsutil::{Held, Stage};
use crate::project;
use crate::render::{self, HandbookError, PageSink, RenderOptions};

/// Sends pages to the stage; without one (the output folder could not be prepared) pages are
/// still rendered, so a template error is reported before the write error, as before.
struct Sink<'a> {
    stage: Option<&'a Stage>,
    held: &'a Held,
}

impl PageSink for Sink<'_> {
    fn page(&self, rel: &Path, text: &str) -> io::Result<()> {
        match self.stage {
            Some(stage) => stage.write(rel, text.as_bytes()),
            None => Ok(()),
        }
    }

    fn stopped(&self) -> bool {
        self.held.interrupted()
    }
}

/// Renders the pages into a stage for `out_dir`, with a progress bar when `human` output goes
/// to a terminal, and returns the stage (to commit) and the number of pages.
pub(crate) fn render_pages(
    g: &Global,
    loaded: &project::Loaded,
    opts: &RenderOptions,
    human: bool,
    out_dir: &Path,
    held: &Held,
) -> Step<(Stage, usize)> {
    let stage = Stage::begin(out_dir);
    let sink = Sink {
        stage: stage.as_ref().ok(),
        held,
    };
    let progress = g.progress(human, render::page_count(loaded), "rendering");
    let rendered = render::render_handbook_into(loaded, opts, &progress, &sink);
    progress.finish();
    match (rendered, stage) {
        (Err(HandbookError::Stopped), stage) => {
            drop(stage);
            held.stop()
        }
        (Err(HandbookError::Render(e)), _) => {
            fail(&e.to_string(), &e.help());
            Err(Exit::Error)
        }
        (Err(HandbookError::Write(e)), _) | (Ok(_), Err(e)) => Err(write_failed(out_dir, &e)),
        (Ok(count), Ok(stage)) => Ok((stage, count)),
    }
}

/// Puts the stage in place, unless a signal came meanwhile: then it is removed and sopctl
/// ends by that signal, with the outputs as they were.
pub(crate) fn commit(stage: Stage, out_dir: &Path, held: &Held) -> Step<()> {
    if held.interrupted() {
        drop(stage);
        held.stop();
    }
    stage.commit().map_err(|e| write_failed(out_dir, &e))
}

/// Writes more files (the PDFs) into the stage.
pub(crate) fn add_files(
    stage: &Stage,
    out_dir: &Path,
    files: &[(std::path::PathBuf, Vec<u8>)],
) -> Step<()> {
    for (rel, bytes) in files {
        stage
            .write(rel, bytes)
            .map_err(|e| write_failed(out_dir, &e))?;
    }
    Ok(())
}

/// The error of `write_pages`, for the same failures.
pub(crate) fn write_failed(out_dir: &Path, e: &io::Error) -> Exit {
    fail(
        &format!("cannot write the pages to `{}`: {e}", out_dir.display()),
        "check that the output folder is writable",
    );
    Exit::Error
}
