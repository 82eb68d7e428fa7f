fn main() -> std::process::ExitCode {
    quiet_on_closed_pipe();
    sopctl::commands::main()
}

/// `sopctl test --format json | head`: when the reader goes away, end quietly as other
/// command-line tools do (the default action of SIGPIPE), instead of a panic in `println!`.
/// The server and the language server keep Rust's default (the signal ignored): a client
/// that hangs up must be an error they handle, never their end.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    if !std::env::args().any(|a| a == "serve" || a == "lsp") {
        // SAFETY: called first in main, before any thread exists; only resets a disposition.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
}
