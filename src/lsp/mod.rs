//! `sopctl lsp`: the language server (SPEC section 14), over stdio.
//!
//! Built like rust-analyzer on `lsp-server` and `lsp-types`: a main loop ([`server`]), the
//! state of the open documents over the files on disk ([`analysis`], which keeps each file's
//! parse and model by content), an index of every id ([`index`]), and one handler per request
//! kind ([`handlers`]). Positions cross the protocol in UTF-16 ([`text`]).

pub mod analysis;
pub mod context;
pub mod handlers;
pub mod incremental;
pub mod index;
pub mod server;
pub mod text;

use std::path::PathBuf;
use std::time::Duration;

use lsp_server::Connection;
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    HoverProviderCapability, InitializeParams, OneOf, PositionEncodingKind, RenameOptions,
    SaveOptions, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};

pub use server::Options;

/// The default pause in typing before the project is checked again.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// The longest debounce `initializationOptions.debounceMs` may ask for.
const MAX_DEBOUNCE_MS: u64 = 10_000;

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into(), "[".into(), ",".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// The project folder the client names: its first workspace folder, else its `rootUri` (read
/// from the raw parameters, as the typed field is deprecated), else the current folder.
fn root_of(params: &InitializeParams, raw: &serde_json::Value) -> PathBuf {
    let from_folders = params
        .workspace_folders
        .iter()
        .flatten()
        .find_map(|f| f.uri.to_file_path().ok());
    let from_root = raw
        .get("rootUri")
        .and_then(serde_json::Value::as_str)
        .and_then(|u| lsp_types::Url::parse(u).ok())
        .and_then(|u| u.to_file_path().ok());
    from_folders
        .or(from_root)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The options a client asks for in `initializationOptions` (`debounceMs`), with what it can
/// show.
fn options_of(params: &InitializeParams) -> Options {
    let debounce = params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("debounceMs"))
        .and_then(serde_json::Value::as_u64)
        .map_or(DEBOUNCE, |ms| {
            Duration::from_millis(ms.min(MAX_DEBOUNCE_MS))
        });
    let related_information = params
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.publish_diagnostics.as_ref())
        .and_then(|p| p.related_information)
        .unwrap_or(false);
    Options {
        debounce,
        related_information,
    }
}

/// Serves one client on `conn`: the initialize handshake, then the main loop.
pub fn serve(conn: &Connection) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "sopctl", "version": crate::VERSION },
    });
    let (id, raw) = conn.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(raw.clone())?;
    conn.initialize_finish(id, result)?;
    let root = root_of(&params, &raw);
    let mut server = server::Server::new(conn, root, options_of(&params));
    server.run()
}

/// `sopctl lsp`: serves the editor on stdin/stdout. Exit 0 after `shutdown` and `exit`, 2 when
/// the protocol breaks down (the reason is on stderr).
pub fn run() -> i32 {
    let (conn, io) = Connection::stdio();
    let served = serve(&conn);
    drop(conn);
    let joined = io.join();
    match (served, joined) {
        (Ok(()), Ok(())) => 0,
        (Err(e), _) => {
            eprintln!("error: sopctl lsp stopped: {e}");
            2
        }
        (_, Err(e)) => {
            eprintln!("error: sopctl lsp stopped: {e}");
            2
        }
    }
}
