//! `sopctl lsp`: the language server over stdio (SPEC section 14); see `crate::lsp`.

use super::Exit;

pub fn run() -> Exit {
    Exit::from_code(crate::lsp::run())
}
