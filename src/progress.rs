//! A progress bar on stderr for long work (rendering many processes, walking a long git
//! history, uploading a bundle). It is drawn only when stderr is a terminal and the command
//! prints human output; everywhere else — CI logs, pipes, `--format json` — it is a no-op, so
//! it never mixes with what a program reads.
//!
//! ```no_run
//! # let processes = vec![1, 2, 3];
//! let progress = sopctl::progress::Progress::new(processes.len() as u64, "rendering");
//! for _p in &processes {
//!     // … render one process …
//!     progress.inc();
//! }
//! progress.finish();
//! ```
//! Commands reach it through `Global::progress`, which also checks `--format`. `inc` takes
//! `&self` and the type is `Sync`, so rayon workers can share one bar.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing at all.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

/// Whether a bar is drawn: only on a terminal, and only for human output.
pub fn enabled(stderr_is_terminal: bool, human_output: bool) -> bool {
    stderr_is_terminal && human_output
}

impl Progress {
    /// A bar of `len` steps labelled `message` (e.g. "rendering"), shown when stderr is a
    /// terminal. `len` 0 means the length is not known: a spinner with a count.
    pub fn new(len: u64, message: &str) -> Progress {
        Progress::when(std::io::stderr().is_terminal(), len, message)
    }

    /// A bar that is shown only if `show` (e.g. `progress::enabled(…)`); hidden otherwise.
    pub fn when(show: bool, len: u64, message: &str) -> Progress {
        if !show {
            return Progress::hidden();
        }
        let bar = if len == 0 {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {pos} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        };
        bar.set_message(message.to_string());
        Progress { bar: Some(bar) }
    }

    /// A bar of `len` bytes (e.g. an upload), showing sizes in KiB/MiB; shown only if `show`.
    pub fn bytes_when(show: bool, len: u64, message: &str) -> Progress {
        if !show {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(message.to_string());
        Progress { bar: Some(bar) }
    }

    /// Wraps a reader so that every byte read advances this bar (for upload bodies).
    pub fn reader<R: Read>(&self, inner: R) -> ProgressReader<'_, R> {
        ProgressReader {
            inner,
            progress: self,
        }
    }

    /// A progress that shows nothing.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// Whether anything is drawn.
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }

    /// One more step done.
    pub fn inc(&self) {
        self.inc_by(1);
    }

    /// `n` more steps done (e.g. bytes uploaded).
    pub fn inc_by(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// Changes the label, e.g. to the name of the item being worked on.
    pub fn set_message(&self, message: &str) {
        if let Some(b) = &self.bar {
            b.set_message(message.to_string());
        }
    }

    /// Prints a line above the bar without tearing it (plain `eprintln!` when hidden).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// Done: the bar is cleared, so that the command's own output follows on a clean line.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// A reader that advances a [`Progress`] by the bytes read through it.
#[derive(Debug)]
pub struct ProgressReader<'a, R> {
    inner: R,
    progress: &'a Progress,
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.inc_by(n as u64);
        Ok(n)
    }
}

impl Drop for Progress {
    /// A bar left by an early return is cleared too.
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_only_on_a_terminal_with_human_output() {
        assert!(enabled(true, true));
        assert!(!enabled(false, true), "not a terminal");
        assert!(!enabled(true, false), "machine format");
        assert!(!enabled(false, false));
    }

    #[test]
    fn silent_when_not_a_terminal() {
        for len in [0, 10] {
            let p = Progress::when(enabled(false, true), len, "rendering");
            assert!(!p.is_visible());
            p.inc();
            p.inc_by(5);
            p.set_message("x");
            p.finish();
            p.finish();
        }
        // `new` follows the real stderr: under `cargo test` in CI it is not a terminal.
        let p = Progress::new(3, "rendering");
        assert_eq!(p.is_visible(), std::io::stderr().is_terminal());
    }

    #[test]
    fn counts_when_shown() {
        let p = Progress::when(true, 4, "rendering");
        assert!(p.is_visible());
        p.inc();
        p.inc_by(2);
        assert_eq!(p.bar.as_ref().map(|b| b.position()), Some(3));
        p.finish();
        assert!(p.bar.as_ref().is_some_and(|b| b.is_finished()));
    }

    #[test]
    fn a_reader_counts_bytes() {
        let p = Progress::bytes_when(true, 10, "uploading");
        let mut out = Vec::new();
        p.reader(&b"0123456789"[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"0123456789");
        assert_eq!(p.bar.as_ref().map(|b| b.position()), Some(10));
        let hidden = Progress::bytes_when(false, 10, "uploading");
        let mut out = Vec::new();
        hidden.reader(&b"abc"[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"abc");
        assert!(!hidden.is_visible());
    }

    #[test]
    fn shared_across_threads() {
        fn is_sync<T: Sync + Send>() {}
        is_sync::<Progress>();
    }
}
