//! `sopctl validate [PATH…]`.

use super::{Exit, Global, Step};
use crate::cli::ValidateArgs;
use crate::project;
use crate::report::Format;

pub fn run(g: &Global, a: &ValidateArgs) -> Step<Exit> {
    let format = Format::from(a.format.unwrap_or_default());
    let config = g.config_for(format, &a.paths)?;
    let (files, focus) = super::source_files(&config, &g.cwd, &a.paths, "pass files to check")?;
    let loaded = project::load(&config, &files, &focus);
    g.print(
        format,
        &loaded.diagnostics,
        &loaded.sources,
        &project::uri_prefix(&loaded.root),
    );
    let code = if loaded.has_errors() {
        Exit::Findings
    } else {
        Exit::Ok
    };
    // The process ends next: freeing millions of YAML nodes one by one is wasted time.
    std::mem::forget(loaded);
    Ok(code)
}
