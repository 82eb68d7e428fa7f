//! `load`: files → documents with positions. Reads each file once, refuses what is not a
//! sane YAML text (too big, binary, not UTF-8, too deep, alias bombs) with one diagnostic.

pub mod lines;
pub mod node;
pub mod typo;
pub mod words;
pub mod yaml;

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Pos, Span};
pub use crate::render::i18n::Lang;
pub use node::{Node, Style, Value};
pub use words::{message_lang, Refusal};

/// Larger files are refused before parsing: no SOP is this big, and reading one would only
/// slow CI down.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// One source file: its project-relative path (with `/`) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: Arc<str>,
    pub text: Arc<str>,
}

/// One YAML document of a file.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: Arc<str>,
    /// 0-based index of the document within its file.
    pub index: usize,
    pub start: Pos,
    pub root: Node,
}

impl Document {
    pub fn kind(&self) -> Option<&str> {
        self.root.get("kind").and_then(Node::as_str)
    }
    pub fn name(&self) -> Option<&str> {
        self.root
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
    }
}

fn syntax(file: &str, pos: Pos, message: impl Into<String>, help: &str) -> Diagnostic {
    crate::check::rules::yaml_syntax::CODE
        .error(file, Span::point(pos), message)
        .with_help(help)
}

/// A refused file as a `yaml-syntax` error, worded in `lang`.
pub fn refused(file: &str, pos: Pos, r: &Refusal, lang: Lang) -> Diagnostic {
    let (message, help) = words::refusal(r, lang);
    syntax(file, pos, message, &help)
}

/// Reads a file as UTF-8 text, refusing oversized, binary and non-UTF-8 files (told in the
/// locale's language).
// One diagnostic on a cold path: not worth boxing.
#[allow(clippy::result_large_err)]
pub fn read_source(abs: &Path, rel: &str) -> Result<SourceFile, Diagnostic> {
    read_source_in(abs, rel, message_lang(None))
}

/// As [`read_source`], refusals told in `lang`.
// One diagnostic on a cold path: not worth boxing.
#[allow(clippy::result_large_err)]
pub fn read_source_in(abs: &Path, rel: &str, lang: Lang) -> Result<SourceFile, Diagnostic> {
    let meta = std::fs::metadata(abs).map_err(|e| {
        syntax(
            rel,
            Pos::START,
            format!("cannot read this file: {e}"),
            "check that the file exists and is readable",
        )
    })?;
    // A FIFO would block the read forever, and a socket or device is no SOP: skip them.
    if !meta.is_file() {
        return Err(crate::check::rules::yaml_syntax::CODE
            .warning(
                rel,
                Span::point(Pos::START),
                "skipped: this is not a regular file (a FIFO, socket or device)",
            )
            .with_help("remove it from the SOP folder, or narrow `sources` in sopctl.yaml"));
    }
    if meta.len() > MAX_FILE_BYTES {
        let r = Refusal::TooLarge {
            bytes: meta.len(),
            max_bytes: MAX_FILE_BYTES,
        };
        return Err(refused(rel, Pos::START, &r, lang));
    }
    let bytes = std::fs::read(abs).map_err(|e| {
        syntax(
            rel,
            Pos::START,
            format!("cannot read this file: {e}"),
            "check that the file is readable",
        )
    })?;
    decode_in(rel, bytes, lang)
}

/// Turns bytes into text, with the position of the first byte that is not text (told in the
/// locale's language).
// One diagnostic on a cold path: not worth boxing.
#[allow(clippy::result_large_err)]
pub fn decode(rel: &str, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    decode_in(rel, bytes, message_lang(None))
}

/// As [`decode`], refusals told in `lang`.
// One diagnostic on a cold path: not worth boxing.
#[allow(clippy::result_large_err)]
pub fn decode_in(rel: &str, bytes: Vec<u8>, lang: Lang) -> Result<SourceFile, Diagnostic> {
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        return Err(refused(rel, byte_pos(&bytes, i), &Refusal::Binary, lang));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            return Err(refused(rel, byte_pos(&bytes, at), &Refusal::NotUtf8, lang));
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Ok(SourceFile {
        path: Arc::from(rel),
        text: Arc::from(text),
    })
}

/// Line and character column of a byte offset, counting only the valid text before it.
fn byte_pos(bytes: &[u8], at: usize) -> Pos {
    let before = &bytes[..at.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Pos::new(line, col)
}

/// Parses every document of a file, with messages in the locale's language.
// One diagnostic on a cold path: not worth boxing.
#[allow(clippy::result_large_err)]
pub fn parse_source(src: &SourceFile) -> Result<Vec<Document>, Diagnostic> {
    parse_source_in(src, message_lang(None))
}

/// Parses every document of a file. A syntax error, or full-width punctuation where YAML
/// needs its own, fails the file with one diagnostic naming the mistake in `lang`.
// One diagnostic on a cold path: not worth boxing.
#[allow(clippy::result_large_err)]
pub fn parse_source_in(src: &SourceFile, lang: Lang) -> Result<Vec<Document>, Diagnostic> {
    let docs = yaml::parse_documents(&src.text).map_err(|e| failure(src, e, lang))?;
    for d in &docs {
        if let Some(f) = typo::in_parsed(&src.text, &d.root) {
            return Err(mistake(&src.path, &f, lang));
        }
    }
    Ok(docs
        .into_iter()
        .enumerate()
        .map(|(index, d)| Document {
            file: src.path.clone(),
            index,
            start: d.start,
            root: d.root,
        })
        .collect())
}

/// The parser's failure, as the typing mistake behind it when that is recognisable.
fn failure(src: &SourceFile, e: yaml::YamlError, lang: Lang) -> Diagnostic {
    if e.too_deep {
        let r = Refusal::TooDeep {
            max: yaml::MAX_DEPTH,
        };
        return refused(&src.path, e.pos, &r, lang);
    }
    if !e.from_parser {
        return syntax(&src.path, e.pos, e.message, &e.help);
    }
    match typo::after_failure(&src.text, e.pos) {
        Some(f) => mistake(&src.path, &f, lang),
        None => {
            let (message, help) = words::parser_error(&e.message, lang);
            syntax(&src.path, e.pos, message, &help)
        }
    }
}

fn mistake(file: &str, f: &typo::Found, lang: Lang) -> Diagnostic {
    let (message, help) = words::describe(&f.mistake, &f.fixed, lang);
    syntax(file, f.pos, message, &help)
}

/// Keys repeated in one mapping (`yaml-syntax`), except role, status and field ids, which
/// the schema stage reports as `duplicate-name`.
pub fn repeated_keys(doc: &Document, text: &str, lang: Lang) -> Vec<Diagnostic> {
    let lines = lines::Lines::new(text);
    typo::duplicates(&doc.root)
        .into_iter()
        .filter(|d| !matches!(d.parent, Some("roles" | "statuses" | "fields")))
        .map(|d| {
            let first_line = d.first.span.start.line;
            let m = words::Mistake::DuplicateKey {
                key: d.text.clone(),
                first_line,
            };
            let shown = lines.get(first_line).unwrap_or_default().trim();
            let (message, help) = words::describe(&m, shown, lang);
            crate::check::rules::yaml_syntax::CODE
                .error(&doc.file, d.key.span, message)
                .with_help(help)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_bad_utf8_have_positions() {
        let d = decode("x.yaml", b"a: 1\nb: \x00".to_vec()).unwrap_err();
        assert_eq!(
            (d.code.as_str(), d.line(), d.column()),
            ("yaml-syntax", 2, 4)
        );
        let d = decode("x.yaml", b"a: 1\n\xe4\xb8\xad: \xff".to_vec()).unwrap_err();
        assert_eq!((d.line(), d.column()), (2, 4));
    }

    #[test]
    fn bom_is_dropped() {
        let s = decode("x.yaml", "\u{feff}a: 1".as_bytes().to_vec()).unwrap();
        assert_eq!(&*s.text, "a: 1");
    }
}
