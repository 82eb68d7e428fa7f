//! `sopctl man [-o DIR]`: man pages from the command-line definition. Without `-o`, the page
//! of `sopctl` itself goes to stdout (`sopctl man | man -l -`); with `-o DIR`, one page per
//! command is written there (`sopctl.1`, `sopctl-validate.1`, …), each atomically.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::{fail, Exit};
use crate::cli::Cli;
use crate::fsutil::write_atomic;

/// Every page: (file name, roff text), the top-level command first.
pub fn pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    collect(cmd, &mut out)?;
    Ok(out)
}

fn collect(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    let subs: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let name = cmd.get_name().to_string();
    let man = clap_mangen::Man::new(cmd);
    let mut text = Vec::new();
    man.render(&mut text)?;
    out.push((man.get_filename(), with_extra_sections(text, &name)));
    for sub in subs {
        collect(sub, out)?;
    }
    Ok(())
}

/// The page with EXIT STATUS, ENVIRONMENT, EXAMPLES and SEE ALSO before its VERSION section
/// (where man pages put them), or at its end.
fn with_extra_sections(page: Vec<u8>, command: &str) -> Vec<u8> {
    let page = String::from_utf8_lossy(&page).into_owned();
    let extra = super::man_extra::sections(command);
    let at = page.find("\n.SH VERSION").map_or(page.len(), |i| i + 1);
    let mut out = String::with_capacity(page.len() + extra.len());
    out.push_str(&page[..at]);
    out.push_str(&extra);
    out.push_str(&page[at..]);
    out.into_bytes()
}

pub fn run(out_dir: Option<&Path>) -> Exit {
    let pages = match pages() {
        Ok(p) => p,
        Err(e) => {
            fail(&format!("cannot render the man pages: {e}"), "");
            return Exit::Error;
        }
    };
    let Some(dir) = out_dir else {
        let mut stdout = std::io::stdout().lock();
        return match stdout.write_all(&pages[0].1).and_then(|_| stdout.flush()) {
            Ok(()) => Exit::Ok,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
            Err(e) => {
                fail(&format!("cannot write the man page: {e}"), "");
                Exit::Error
            }
        };
    };
    for (name, text) in &pages {
        let path = dir.join(name);
        if let Err(e) = write_atomic(&path, text) {
            fail(
                &format!("cannot write {}: {e}", path.display()),
                "pass a folder you can write to with -o",
            );
            return Exit::Error;
        }
    }
    eprintln!(
        "wrote {} man pages to {}: {}",
        pages.len(),
        dir.display(),
        pages
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Exit::Ok
}
