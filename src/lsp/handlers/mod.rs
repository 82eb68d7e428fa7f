//! One handler per request kind. Each reads the latest [`Snapshot`] through a [`World`] and
//! answers in protocol types; none changes state.

pub mod actions;
pub mod completion;
pub mod diagnostics;
pub mod hover;
pub mod navigate;
pub mod rename;

use std::path::Path;

use lsp_types::{Location, Position, Url};

use super::analysis::Snapshot;
use super::index::{Occurrence, Symbol};
use super::text::Lines;
use crate::diagnostic::Pos;
use crate::model::{Field, Process, Status, Task};

/// What a handler sees: the analysed project and where it lies.
pub struct World<'a> {
    pub snap: &'a Snapshot,
    pub root: &'a Path,
}

impl World<'_> {
    /// The project-relative path of a document, if it is in the project.
    pub fn file(&self, uri: &Url) -> Option<String> {
        let abs = uri.to_file_path().ok()?;
        abs.strip_prefix(self.root)
            .ok()
            .map(|_| crate::project::display_path(self.root, &abs))
    }

    pub fn uri(&self, file: &str) -> Option<Url> {
        Url::from_file_path(self.root.join(file)).ok()
    }

    pub fn lines(&self, file: &str) -> Option<Lines<'_>> {
        self.snap.text(file).map(Lines::new)
    }

    /// The file and compiler position of a document position.
    pub fn pos(&self, uri: &Url, p: Position) -> Option<(String, Lines<'_>, Pos)> {
        let file = self.file(uri)?;
        let lines = self.lines(&file)?;
        let pos = lines.pos(p);
        Some((file, lines, pos))
    }

    /// The id under the cursor.
    pub fn occurrence(&self, uri: &Url, p: Position) -> Option<&Occurrence> {
        let (file, _, pos) = self.pos(uri, p)?;
        self.snap.index().at(&file, pos)
    }

    pub fn location(&self, o: &Occurrence) -> Option<Location> {
        let lines = self.lines(&o.file)?;
        Some(Location::new(self.uri(&o.file)?, lines.range(o.span)))
    }

    pub fn process(&self, name: &str) -> Option<&Process> {
        self.snap.loaded.project.process(name)
    }

    pub fn status(&self, process: &str, id: &str) -> Option<&Status> {
        self.process(process)?.status(id)
    }

    pub fn field(&self, process: &str, id: &str) -> Option<&Field> {
        self.process(process)?.field(id)
    }

    pub fn task(&self, process: &str, id: &str) -> Option<(&Status, &Task)> {
        self.process(process)?.tasks().find(|(_, t)| t.id.v == id)
    }

    /// The title a symbol is shown with, if it has one.
    pub fn title(&self, s: &Symbol) -> Option<String> {
        let project = &self.snap.loaded.project;
        match s {
            Symbol::Status { process, id } => Some(self.status(process, id)?.title.v.clone()),
            Symbol::Field { process, id } => Some(self.field(process, id)?.title.clone()),
            Symbol::Task { process, id } => Some(self.task(process, id)?.1.title.v.clone()),
            Symbol::Role(id) => Some(project.role(id)?.title.clone()),
            Symbol::Process(name) => Some(self.process(name)?.title.v.clone()),
        }
        .filter(|t| !t.is_empty())
    }

    /// The process a position of a file is about: the process document the position lies in,
    /// or the process a scenario drives.
    pub fn process_at(&self, file: &str, line: usize) -> Option<&Process> {
        let project = &self.snap.loaded.project;
        let docs = self
            .snap
            .files
            .get(file)
            .map(|r| r.documents.as_slice())
            .unwrap_or(&[]);
        let doc = docs.iter().rev().find(|d| d.start.line <= line);
        let name = match doc {
            Some(d) if d.kind() == Some("Scenario") => d
                .root
                .get("spec")
                .and_then(|s| s.get("process"))
                .and_then(crate::load::Node::as_str),
            Some(d) => d.name(),
            None => None,
        };
        match name {
            Some(n) => project.process(n),
            None => project
                .processes
                .iter()
                .find(|p| &*p.file == file)
                .map(|p| &**p),
        }
    }
}
