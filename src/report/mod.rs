//! Printing diagnostics in every output format of SPEC section 7: `human` for people at a
//! terminal, `json` for scripts, `sarif` for GitHub code scanning, `github` for workflow
//! annotations. Every renderer returns the whole text, so callers write it in one go.

mod cap;
mod github;
mod human;
mod json;
mod sarif;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Severity, Span};
pub use cap::{Omitted, PER_FILE, PER_RUN};

/// Where findings are printed (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Human, Format::Json, Format::Sarif, Format::Github];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Gives the text of a source file by its project-relative path (for snippets and UTF-16
/// columns). A file that could not be read simply has no text.
pub trait SourceText {
    fn text(&self, file: &str) -> Option<&str>;
}

impl SourceText for HashMap<String, String> {
    fn text(&self, file: &str) -> Option<&str> {
        self.get(file).map(String::as_str)
    }
}

impl SourceText for HashMap<String, Arc<str>> {
    fn text(&self, file: &str) -> Option<&str> {
        self.get(file).map(|t| &**t)
    }
}

impl SourceText for BTreeMap<String, String> {
    fn text(&self, file: &str) -> Option<&str> {
        self.get(file).map(String::as_str)
    }
}

/// No sources at all: every diagnostic is printed without a snippet.
impl SourceText for () {
    fn text(&self, _file: &str) -> Option<&str> {
        None
    }
}

/// The documentation of one code, as SARIF shows it next to an alert.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleDoc {
    pub summary: String,
    pub full: String,
    pub help: String,
}

pub struct ReportOptions<'a> {
    /// Paint with ANSI colours (human format only).
    pub color: bool,
    pub tool_version: &'a str,
    /// Prepended to file paths in SARIF uris and github `file=` so they are
    /// repository-relative: "" or e.g. "docs/sops-project/".
    pub uri_prefix: &'a str,
    pub rule_doc: &'a dyn Fn(&str) -> Option<RuleDoc>,
}

fn no_rule_doc(_code: &str) -> Option<RuleDoc> {
    None
}

impl<'a> ReportOptions<'a> {
    /// Plain options: no colour, no prefix, no rule documentation.
    pub fn new(tool_version: &'a str) -> ReportOptions<'a> {
        ReportOptions {
            color: false,
            tool_version,
            uri_prefix: "",
            rule_doc: &no_rule_doc,
        }
    }
}

/// The whole output of one command's findings in `format`, ending with a newline.
pub fn render(
    format: Format,
    diags: &[Diagnostic],
    sources: &dyn SourceText,
    opts: &ReportOptions,
) -> String {
    let sources = Indexed::new(sources);
    let (diags, omitted) = cap::cap(diags);
    match format {
        Format::Human => human::render(&diags, &sources, opts, &omitted),
        Format::Json => json::render(&diags, &omitted),
        Format::Sarif => sarif::render(&diags, &sources, opts, &omitted),
        Format::Github => github::render(&diags, &sources, opts, &omitted),
    }
}

/// (errors, warnings)
pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diags.len() - errors)
}

/// A diagnostic's span resolved against its file's text. The span is always on one line;
/// `start_char..end_char` are character indices within `line_text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Located<'t> {
    /// The line without its line break.
    pub line_text: &'t str,
    /// Byte offset of the line in the file.
    pub line_offset: usize,
    pub start_char: usize,
    /// Equal to `start_char` only when the start is at the end of the line.
    pub end_char: usize,
}

impl Located<'_> {
    /// Byte offset within the line of a character index.
    #[cfg(test)]
    pub fn byte_in_line(&self, char_index: usize) -> usize {
        self.line_text
            .char_indices()
            .nth(char_index)
            .map_or(self.line_text.len(), |(b, _)| b)
    }

    /// 1-based UTF-16 column of a character index (SARIF's `columnKind`).
    pub fn utf16_column(&self, char_index: usize) -> usize {
        self.line_text
            .chars()
            .take(char_index)
            .map(char::len_utf16)
            .sum::<usize>()
            + 1
    }
}

/// Resolve `span` in `text`. `None` when the span has no line (line 0) or names a line the
/// text does not have. A column past the end of its line is clamped to the line's end. When
/// the span is empty or ends on another line, it covers the token at its start instead, so
/// there is always something to underline.
#[cfg(test)]
pub(crate) fn locate(text: &str, span: Span) -> Option<Located<'_>> {
    let line_no = span.start.line;
    if line_no == 0 {
        return None;
    }
    let (line_offset, line_text) = lines(text).nth(line_no - 1)?;
    Some(locate_in_line(line_text, line_offset, span))
}

/// `span` resolved within its line, which starts at byte `line_offset` of the file.
fn locate_in_line(line_text: &str, line_offset: usize, span: Span) -> Located<'_> {
    let line_no = span.start.line;
    let len = line_text.chars().count();
    let start_char = span.start.column.saturating_sub(1).min(len);
    let explicit_end = (span.end.line == line_no && span.end.column > span.start.column)
        .then(|| (span.end.column - 1).min(len))
        .filter(|&e| e > start_char);
    let end_char = explicit_end.unwrap_or_else(|| token_end(line_text, start_char));
    Located {
        line_text,
        line_offset,
        start_char,
        end_char,
    }
}

/// The lines of `text` with their byte offsets, without line breaks. Breaks are LF, CRLF and
/// a lone CR, as in YAML, so line numbers agree with the parser's. A text ending with a break
/// has one more, empty, line: where "end of file" is.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = Some((0, text));
    std::iter::from_fn(move || {
        let (offset, tail) = rest?;
        match tail.find(['\n', '\r']) {
            Some(i) => {
                let break_len = if tail[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some((offset + i + break_len, &tail[i + break_len..]));
                Some((offset, &tail[..i]))
            }
            None => {
                rest = None;
                Some((offset, tail))
            }
        }
    })
}

/// Sources with each file's line starts worked out once, so that placing many findings in one
/// large file stays linear instead of rescanning the file for every finding.
pub(crate) struct Indexed<'a> {
    inner: &'a dyn SourceText,
    starts: RefCell<HashMap<String, Rc<[usize]>>>,
}

impl<'a> Indexed<'a> {
    pub(crate) fn new(inner: &'a dyn SourceText) -> Indexed<'a> {
        Indexed {
            inner,
            starts: RefCell::new(HashMap::new()),
        }
    }

    fn starts(&self, file: &str, text: &str) -> Rc<[usize]> {
        let mut cache = self.starts.borrow_mut();
        if let Some(s) = cache.get(file) {
            return s.clone();
        }
        let s: Rc<[usize]> = lines(text).map(|(offset, _)| offset).collect();
        cache.insert(file.to_string(), s.clone());
        s
    }

    /// Line `n` (1-based) of `file` with its byte offset, without its line break.
    pub(crate) fn line(&self, file: &str, n: usize) -> Option<(usize, &'a str)> {
        let text = self.inner.text(file)?;
        let starts = self.starts(file, text);
        let offset = *starts.get(n.checked_sub(1)?)?;
        let rest = &text[offset..];
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        Some((offset, &rest[..end]))
    }

    /// `span` resolved in `file`, as [`locate`] does, without rescanning the file.
    pub(crate) fn locate(&self, file: &str, span: Span) -> Option<Located<'a>> {
        let (line_offset, line_text) = self.line(file, span.start.line)?;
        Some(locate_in_line(line_text, line_offset, span))
    }
}

impl SourceText for Indexed<'_> {
    fn text(&self, file: &str) -> Option<&str> {
        self.inner.text(file)
    }
}

/// The character index just past the YAML token starting at `start`: a quoted scalar up to
/// its closing quote, otherwise up to whitespace, a flow indicator or a `: ` separator. At
/// least one character when the line has one there.
fn token_end(line: &str, start: usize) -> usize {
    let chars: Vec<char> = line.chars().collect();
    let Some(&first) = chars.get(start) else {
        return start;
    };
    if first == '"' || first == '\'' {
        let close = chars[start + 1..]
            .iter()
            .position(|&c| c == first)
            .map_or(chars.len(), |p| start + 1 + p + 1);
        return close;
    }
    let mut end = start;
    while let Some(&c) = chars.get(end) {
        let separator_colon =
            c == ':' && chars.get(end + 1).is_none_or(|next| next.is_whitespace());
        if c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}') || separator_colon {
            break;
        }
        end += 1;
    }
    end.max(start + 1)
}

/// `uri_prefix` + `file`, with `/` separators and a single `/` between the two.
pub(crate) fn prefixed_path(prefix: &str, file: &str) -> String {
    let file = file.replace('\\', "/");
    let prefix = prefix.replace('\\', "/");
    if prefix.is_empty() {
        file
    } else if prefix.ends_with('/') {
        format!("{prefix}{}", file.trim_start_matches('/'))
    } else {
        format!("{prefix}/{}", file.trim_start_matches('/'))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diagnostic::Pos;

    /// A source map with one file.
    pub fn sources(file: &str, text: &str) -> HashMap<String, String> {
        HashMap::from([(file.to_string(), text.to_string())])
    }

    fn span(l1: usize, c1: usize, l2: usize, c2: usize) -> Span {
        Span::new(Pos::new(l1, c1), Pos::new(l2, c2))
    }

    #[test]
    fn source_text_impls() {
        let s = sources("a.yaml", "x: 1\n");
        assert_eq!(s.text("a.yaml"), Some("x: 1\n"));
        assert_eq!(s.text("b.yaml"), None);
        let arcs: HashMap<String, Arc<str>> = HashMap::from([("a.yaml".into(), Arc::from("y"))]);
        assert_eq!(arcs.text("a.yaml"), Some("y"));
        assert_eq!(().text("a.yaml"), None);
    }

    #[test]
    fn counts_errors_and_warnings() {
        let e = Diagnostic::error("schema", "a.yaml", Span::default(), "m");
        let w = Diagnostic::warning("missing-owner", "a.yaml", Span::default(), "m");
        assert_eq!(counts(&[e.clone(), w, e]), (2, 1));
        assert_eq!(counts(&[]), (0, 0));
    }

    #[test]
    fn locate_uses_explicit_span_on_one_line() {
        let text = "a: 1\n  to: shiped\n";
        let l = locate(text, span(2, 7, 2, 13)).unwrap();
        assert_eq!(l.line_text, "  to: shiped");
        assert_eq!(l.line_offset, 5);
        assert_eq!((l.start_char, l.end_char), (6, 12));
    }

    #[test]
    fn locate_falls_back_to_the_token() {
        let text = "  - from: approved\n";
        // empty span
        let l = locate(text, span(1, 5, 1, 5)).unwrap();
        assert_eq!(
            &l.line_text[l.byte_in_line(l.start_char)..l.byte_in_line(l.end_char)],
            "from"
        );
        // span ending on a later line
        let l = locate(text, span(1, 11, 3, 1)).unwrap();
        assert_eq!(&l.line_text[l.byte_in_line(l.start_char)..], "approved");
        assert_eq!(l.end_char, 18);
        // quoted scalar, a URL keeps its colon, a flow item stops at the comma
        let l = locate("when: 'a b' # c", span(1, 7, 1, 7)).unwrap();
        assert_eq!(l.end_char, 11);
        let l = locate("media: [https://x.cn/a, b]", span(1, 9, 0, 0)).unwrap();
        assert_eq!(l.end_char, 22);
        // a stop character itself still gets one character
        let l = locate("to: [a]", span(1, 5, 1, 5)).unwrap();
        assert_eq!(l.end_char, 5);
    }

    #[test]
    fn locate_clamps_and_rejects() {
        let text = "ab\r\ncd";
        let l = locate(text, span(1, 9, 1, 9)).unwrap();
        assert_eq!(l.line_text, "ab");
        assert_eq!((l.start_char, l.end_char), (2, 2));
        let l = locate(text, span(2, 1, 2, 1)).unwrap();
        assert_eq!((l.line_offset, l.end_char), (4, 2));
        assert_eq!(locate(text, span(3, 1, 3, 1)), None);
        assert_eq!(locate(text, span(0, 0, 0, 0)), None);
        assert!(locate("", span(1, 1, 1, 1)).is_some());
    }

    #[test]
    fn lines_split_like_yaml() {
        let all: Vec<(usize, &str)> = lines("a\r\nb\rc\n\nd").collect();
        assert_eq!(all, [(0, "a"), (3, "b"), (5, "c"), (7, ""), (8, "d")]);
        assert_eq!(lines("x\n").collect::<Vec<_>>(), [(0, "x"), (2, "")]);
        assert_eq!(lines("").collect::<Vec<_>>(), [(0, "")]);
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let l = locate("t: 中😀x", span(1, 6, 1, 7)).unwrap();
        assert_eq!(l.utf16_column(l.start_char), 7);
        assert_eq!(l.utf16_column(l.end_char), 8);
    }

    /// Every format, on awkward texts and positions (lone CR, tabs, wide and combining
    /// characters, emoji, positions past the end): no panic, one trailing newline.
    #[test]
    fn no_panic_on_odd_input() {
        let texts = [
            "",
            "\n",
            "a\rb: c\n",
            "\t- x: 中文\r\n\r\n",
            "e\u{301}😀: [a, 'b c\n  d: \"x",
            "k: v",
            "\u{feff}a: 1\n\n\n",
        ];
        let mut seed: u64 = 7;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let mut opts = ReportOptions::new("0.0.0");
        for text in texts {
            let srcs = sources("f.yaml", text);
            for _ in 0..200 {
                let start = Pos::new(next(6), next(12));
                let end = Pos::new(next(6), next(12));
                let d = Diagnostic::error("schema", "f.yaml", Span::new(start, end), "m")
                    .with_help("h");
                for format in Format::ALL {
                    opts.color = next(2) == 0;
                    let out = render(format, std::slice::from_ref(&d), &srcs, &opts);
                    assert!(
                        out.ends_with('\n') && !out.ends_with("\n\n"),
                        "{format} {d:?}"
                    );
                    assert!(!out.contains("Failed to read"), "{text:?} {d:?}\n{out}");
                }
            }
        }
    }

    #[test]
    fn prefixes_join_with_one_slash() {
        assert_eq!(prefixed_path("", "sops/a.yaml"), "sops/a.yaml");
        assert_eq!(prefixed_path("docs/p", "sops/a.yaml"), "docs/p/sops/a.yaml");
        assert_eq!(
            prefixed_path("docs/p/", "sops\\a.yaml"),
            "docs/p/sops/a.yaml"
        );
    }
}
