//! The typst `World` of one document: the templates and `data.json` as virtual files, the
//! fonts found on the machine, no packages, no network, no clock. Templates read the view data
//! with `json("data.json")`, so user text is always a string value and never typst markup.

use std::collections::HashMap;
use std::path::Path;

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World, WorldExt};

use super::fonts::Fonts;
use super::templates::Templates;
use crate::render::RenderError;

/// The virtual path of the view data every template reads.
pub const DATA_FILE: &str = "/data.json";

fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// Everything one compilation reads.
pub struct Sandbox<'a> {
    library: &'a LazyHash<Library>,
    fonts: &'a Fonts,
    main: FileId,
    sources: HashMap<FileId, Source>,
    data: (FileId, Bytes),
}

impl<'a> Sandbox<'a> {
    /// A document whose main file is the template `main` (e.g. `process.typ`).
    pub fn new(
        library: &'a LazyHash<Library>,
        fonts: &'a Fonts,
        templates: &Templates,
        main: &str,
        data: Vec<u8>,
    ) -> Result<Sandbox<'a>, RenderError> {
        let mut sources = HashMap::new();
        for (name, text) in templates.all() {
            let id = file_id(&format!("/{name}")).ok_or_else(|| RenderError::Setup {
                message: format!("`{name}` is not a usable template file name"),
                help: "name typst templates with letters, digits, `-` and `_`, ending in .typ"
                    .into(),
            })?;
            sources.insert(id, Source::new(id, text.to_string()));
        }
        let main_id = file_id(&format!("/{main}")).filter(|id| sources.contains_key(id));
        let Some(main_id) = main_id else {
            return Err(RenderError::Setup {
                message: format!("there is no print template `pdf/{main}`"),
                help: "this is a shipped template: please report it".into(),
            });
        };
        let data_id = file_id(DATA_FILE).expect("a fixed, valid path");
        Ok(Sandbox {
            library,
            fonts,
            main: main_id,
            sources,
            data: (data_id, Bytes::new(data)),
        })
    }

    /// Lays the document out and writes it as PDF (fonts subset and embedded by typst).
    pub fn pdf(&self, templates: &Templates, ident: &str) -> Result<Vec<u8>, RenderError> {
        let doc = typst::compile::<typst_layout::PagedDocument>(self)
            .output
            .map_err(|diags| self.error(templates, &diags))?;
        let options = typst_pdf::PdfOptions {
            ident: typst::foundations::Smart::Custom(ident.to_string()),
            creator: typst::foundations::Smart::Custom(Some(format!("sopctl {}", crate::VERSION))),
            ..Default::default()
        };
        typst_pdf::pdf(&doc, &options).map_err(|diags| self.error(templates, &diags))
    }

    /// The first error as a template error naming the file and line it points at.
    fn error(&self, templates: &Templates, diags: &[SourceDiagnostic]) -> RenderError {
        let Some(d) = diags
            .iter()
            .find(|d| d.severity == Severity::Error)
            .or(diags.first())
        else {
            return RenderError::Setup {
                message: "typst could not lay the document out".into(),
                help: "this is a bug in sopctl: please report it".into(),
            };
        };
        let file = d
            .span
            .id()
            .map(|id| id.vpath().get_with_slash().to_string());
        let line = d.span.id().zip(self.range(d.span)).and_then(|(id, r)| {
            let src = self.sources.get(&id)?;
            src.lines().byte_to_line(r.start).map(|l| l + 1)
        });
        let name = file
            .as_deref()
            .map(|f| f.trim_start_matches('/'))
            .unwrap_or("")
            .to_string();
        let mut message = d.message.to_string();
        for hint in &d.hints {
            message.push_str(&format!(" (hint: {})", hint.v));
        }
        RenderError::Template {
            path: templates.overridden(&name).map(Path::to_path_buf),
            name: format!("pdf/{name}"),
            line,
            message,
        }
    }
}

impl World for Sandbox<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.sources.get(&id) {
            Some(s) => Ok(s.clone()),
            None if id == self.data.0 => Err(FileError::NotSource),
            None => Err(FileError::NotFound(id.vpath().get_with_slash().into())),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data.0 {
            return Ok(self.data.1.clone());
        }
        match self.sources.get(&id) {
            Some(s) => Ok(Bytes::from_string(s.text().to_string())),
            None => Err(FileError::NotFound(id.vpath().get_with_slash().into())),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    /// No clock: the same SOPs give the same PDF (`datetime.today()` is an error).
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
