//! The main loop: one thread reads messages, keeps the open documents, and re-analyses the
//! project once typing pauses for the debounce time. Requests are answered from an analysis
//! of the current text: one still due is run first.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{after, never, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, GotoDefinition, HoverRequest, PrepareRenameRequest, References,
    Rename, Request as _,
};
use lsp_types::{PublishDiagnosticsParams, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::analysis::{Analysis, Snapshot};
use super::handlers::{self, World};
use super::text::apply_change;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long typing must pause before the project is analysed again.
    pub debounce: Duration,
    /// The client shows `relatedInformation` (the help goes there, else after the message).
    pub related_information: bool,
}

/// One open document.
struct Open {
    text: String,
    version: i32,
}

pub struct Server<'c> {
    conn: &'c Connection,
    opts: Options,
    analysis: Analysis,
    /// Open documents by project-relative path.
    open: HashMap<String, Open>,
    snapshot: Option<Snapshot>,
    /// When the next analysis is due (None: the snapshot is current).
    due: Option<Instant>,
    /// The findings of the last analysis per file, with their protocol form.
    published: BTreeMap<String, Published>,
    /// What the client shows per file (absent: nothing), to send only changes.
    shown: HashMap<String, Vec<lsp_types::Diagnostic>>,
}

/// One file's findings as last analysed, and the text they were located in.
struct Published {
    findings: Vec<crate::diagnostic::Diagnostic>,
    text: Option<Arc<str>>,
    list: Vec<lsp_types::Diagnostic>,
}

impl Published {
    /// True when `findings` on `text` are these (so their protocol form is too).
    fn is_for(&self, findings: &[crate::diagnostic::Diagnostic], text: &Option<Arc<str>>) -> bool {
        let same_text = match (&self.text, text) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
            (None, None) => true,
            _ => false,
        };
        same_text && self.findings == findings
    }
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

impl<'c> Server<'c> {
    pub fn new(conn: &'c Connection, root: PathBuf, opts: Options) -> Server<'c> {
        Server {
            conn,
            opts,
            analysis: Analysis::new(&root),
            open: HashMap::new(),
            snapshot: None,
            due: Some(Instant::now()),
            published: BTreeMap::new(),
            shown: HashMap::new(),
        }
    }

    /// Serves until `shutdown` and `exit`, or until the client goes away.
    pub fn run(&mut self) -> Result<(), Failure> {
        loop {
            let tick = match self.due {
                Some(at) => after(at.saturating_duration_since(Instant::now())),
                None => never(),
            };
            select! {
                recv(self.conn.receiver) -> msg => {
                    let Ok(msg) = msg else { return Ok(()) };
                    match msg {
                        Message::Request(req) => {
                            if self.conn.handle_shutdown(&req)? {
                                return Ok(());
                            }
                            self.request(req)?;
                        }
                        Message::Notification(n) => {
                            if n.method == "exit" {
                                return Ok(());
                            }
                            self.notification(n);
                        }
                        Message::Response(_) => {}
                    }
                }
                recv(tick) -> _ => self.analyse()?,
            }
        }
    }

    /// Analyses the project now and publishes what changed.
    pub fn analyse(&mut self) -> Result<(), Failure> {
        self.due = None;
        let open: HashMap<String, Arc<str>> = self
            .open
            .iter()
            .map(|(k, v)| (k.clone(), Arc::from(v.text.as_str())))
            .collect();
        let snap = self.analysis.run(&open);
        self.publish(&snap)?;
        self.snapshot = Some(snap);
        Ok(())
    }

    fn publish(&mut self, snap: &Snapshot) -> Result<(), Failure> {
        let mut last = std::mem::take(&mut self.published);
        let mut now: BTreeMap<String, Published> = BTreeMap::new();
        let root = self.analysis.root().to_path_buf();
        for (file, diags) in &snap.diagnostics {
            let text = snap.loaded.sources.get(file).cloned();
            let kept = last.remove(file).filter(|p| p.is_for(diags, &text));
            let (list, changed) = match kept {
                // Same findings on the same text: the protocol form is the same too.
                Some(p) => (p.list, false),
                None => {
                    let Ok(uri) = Url::from_file_path(root.join(file)) else {
                        continue;
                    };
                    let list = handlers::diagnostics::for_file(
                        &snap.loaded.sources,
                        diags,
                        &uri,
                        self.opts.related_information,
                    );
                    (list, true)
                }
            };
            let published = Published {
                findings: diags.clone(),
                text,
                list,
            };
            if changed {
                self.send_diagnostics(&root, file, &published.list)?;
            }
            now.insert(file.clone(), published);
        }
        // Files that had findings and have none now get an empty list.
        for file in last.keys() {
            self.send_diagnostics(&root, file, &[])?;
        }
        self.published = now;
        Ok(())
    }

    /// Sends a file's list unless it is what the client already shows.
    fn send_diagnostics(
        &mut self,
        root: &std::path::Path,
        file: &str,
        list: &[lsp_types::Diagnostic],
    ) -> Result<(), Failure> {
        let shown = self.shown.get(file).map_or(&[][..], Vec::as_slice);
        if shown == list {
            return Ok(());
        }
        let Ok(uri) = Url::from_file_path(root.join(file)) else {
            return Ok(());
        };
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics: list.to_vec(),
            version: self.open.get(file).map(|o| o.version),
        };
        let n = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
        self.conn.sender.send(Message::Notification(n))?;
        if list.is_empty() {
            self.shown.remove(file);
        } else {
            self.shown.insert(file.to_string(), list.to_vec());
        }
        Ok(())
    }

    fn schedule(&mut self) {
        self.due = Some(Instant::now() + self.opts.debounce);
    }

    fn relative(&self, uri: &Url) -> Option<String> {
        self.analysis.relative(&uri.to_file_path().ok()?)
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidOpenTextDocumentParams>(n) {
                    if let Some(file) = self.relative(&p.text_document.uri) {
                        let open = Open {
                            text: p.text_document.text,
                            version: p.text_document.version,
                        };
                        self.open.insert(file, open);
                        self.schedule();
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidChangeTextDocumentParams>(n) {
                    let file = self.relative(&p.text_document.uri);
                    if let Some(doc) = file.and_then(|f| self.open.get_mut(&f)) {
                        for change in &p.content_changes {
                            apply_change(&mut doc.text, change);
                        }
                        doc.version = p.text_document.version;
                        self.schedule();
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidCloseTextDocumentParams>(n) {
                    if let Some(file) = self.relative(&p.text_document.uri) {
                        self.open.remove(&file);
                        self.schedule();
                    }
                }
            }
            DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD => {
                self.analysis.forget_history();
                self.schedule();
            }
            _ => {}
        }
    }

    fn request(&mut self, req: Request) -> Result<(), Failure> {
        if self.due.is_some() || self.snapshot.is_none() {
            self.analyse()?;
        }
        let Some(snap) = &self.snapshot else {
            return Ok(());
        };
        let w = World {
            snap,
            root: self.analysis.root(),
        };
        let id = req.id.clone();
        let response = match req.method.as_str() {
            Completion::METHOD => answer(id, req, |p| handlers::completion::completion(&w, &p)),
            GotoDefinition::METHOD => answer(id, req, |p| handlers::navigate::definition(&w, &p)),
            References::METHOD => answer(id, req, |p| handlers::navigate::references(&w, &p)),
            HoverRequest::METHOD => answer(id, req, |p| handlers::hover::hover(&w, &p)),
            PrepareRenameRequest::METHOD => answer(id, req, |p| handlers::rename::prepare(&w, &p)),
            CodeActionRequest::METHOD => answer(id, req, |p| handlers::actions::actions(&w, &p)),
            Rename::METHOD => match serde_json::from_value(req.params) {
                Ok(p) => match handlers::rename::rename(&w, &p) {
                    Ok(edit) => Response::new_ok(id, edit),
                    Err(message) => Response::new_err(id, ErrorCode::RequestFailed as i32, message),
                },
                Err(e) => bad_params(id, &e),
            },
            other => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("sopctl lsp does not answer `{other}`"),
            ),
        };
        self.conn.sender.send(Message::Response(response))?;
        Ok(())
    }
}

fn params<P: DeserializeOwned>(n: Notification) -> Option<P> {
    serde_json::from_value(n.params).ok()
}

fn bad_params(id: RequestId, e: &serde_json::Error) -> Response {
    Response::new_err(
        id,
        ErrorCode::InvalidParams as i32,
        format!("the parameters of this request are not what the protocol says: {e}"),
    )
}

/// Parses a request's parameters, runs the handler, and wraps its answer.
fn answer<P: DeserializeOwned, R: Serialize>(
    id: RequestId,
    req: Request,
    handler: impl FnOnce(P) -> R,
) -> Response {
    match serde_json::from_value::<P>(req.params) {
        Ok(p) => Response::new_ok(id, handler(p)),
        Err(e) => bad_params(id, &e),
    }
}
