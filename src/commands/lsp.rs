//! `sopctl lsp`: the language server over stdio (SPEC section 14); see `crate::lsp`.

pub fn run() -> i32 {
    crate::lsp::run()
}
