//! `sopctl completions SHELL`: prints a completion script for bash, zsh, fish, elvish or
//! PowerShell (README "Shell completions and man pages" says where to put it).

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use super::{fail, Exit};
use crate::cli::Cli;

pub fn run(shell: Shell) -> Exit {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "sopctl", &mut out);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&out).and_then(|_| stdout.flush()) {
        Ok(()) => Exit::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            fail(
                &format!("cannot write the completion script: {e}"),
                "redirect it to a file, e.g. `sopctl completions bash > sopctl.bash`",
            );
            Exit::Error
        }
    }
}
