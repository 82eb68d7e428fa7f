//! `sopctl validate [PATH…]`.

use std::path::PathBuf;

use super::{Global, EXIT_FINDINGS, EXIT_OK};
use crate::project;

pub fn run(g: &Global, paths: &[PathBuf]) -> i32 {
    let format = match g.findings_format() {
        Ok(f) => f,
        Err(code) => return code,
    };
    let config = match g.config_for(format, paths) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (files, focus) = match super::source_files(&config, &g.cwd, paths, "pass files to check") {
        Ok(x) => x,
        Err(code) => return code,
    };
    let loaded = project::load(&config, &files, &focus);
    g.print(
        format,
        &loaded.diagnostics,
        &loaded.sources,
        &project::uri_prefix(&loaded.root),
    );
    let code = if loaded.has_errors() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    // The process ends next: freeing millions of YAML nodes one by one is wasted time.
    std::mem::forget(loaded);
    code
}
