//! The view model: the typed model turned into plain data for the templates. Everything a page
//! says is computed here — deadlines in words, field and role titles, approval steps, where a
//! record goes next, the responsibility matrix, links between pages — so that templates only
//! lay it out. Field names of these structs are the template variables documented in README.

mod index;
mod links;
mod process;
mod refs;
mod role;
mod views;
mod words;

pub use index::{index_link, index_view};
pub use process::{process_view, task_view};
pub use role::role_view;
pub use views::*;

use links::*;
use process::*;
use refs::*;
use role::*;
use words::*;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::history::{Date, Revision};
use super::i18n::Lang;
use super::{graph::Graph, markdown, mermaid, svg, OutputFormat};
use crate::expr::lexer::{tokenize, TokenKind};
use crate::model::{ApprovalMode, Process, Project, Ref, RefKind, Role, Status, Task, Transition};

/// Where a page sits, for relative links.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// `""` for pages at the top of the handbook, `"../"` for `roles/…`.
    pub prefix: &'static str,
    pub ext: &'static str,
}

impl Page {
    pub fn top(format: OutputFormat) -> Page {
        Page {
            prefix: "",
            ext: format.ext(),
        }
    }
    pub fn role(format: OutputFormat) -> Page {
        Page {
            prefix: "../",
            ext: format.ext(),
        }
    }
    fn process(&self, name: &str) -> String {
        format!("{}{}.{}", self.prefix, name, self.ext)
    }
    fn role_page(&self, id: &str) -> String {
        format!("{}roles/{}.{}", self.prefix, id, self.ext)
    }
    fn index(&self) -> String {
        format!("{}index.{}", self.prefix, self.ext)
    }
}

/// What every builder needs.
pub struct Env<'a> {
    pub project: &'a Project,
    /// The processes being rendered, in project order.
    pub processes: Vec<&'a Process>,
    pub root: &'a Path,
    pub out_dir: Option<PathBuf>,
    pub format: OutputFormat,
    pub histories: &'a HashMap<String, Vec<Revision>>,
    /// Whether git was read (false: no history, no review dates).
    pub git: bool,
    /// The language of pages that span processes (index, roles).
    pub site_lang: Lang,
    pub config_lang: Option<Lang>,
}

impl Env<'_> {
    /// `metadata.language`, else `render.language`, else Chinese.
    pub fn lang_of(&self, p: &Process) -> Lang {
        p.language
            .as_deref()
            .and_then(Lang::parse)
            .or(self.config_lang)
            .unwrap_or_default()
    }
}
