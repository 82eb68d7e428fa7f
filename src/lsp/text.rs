//! Positions: the compiler counts 1-based lines and 1-based columns in characters (Unicode
//! scalar values); LSP counts 0-based lines and columns in UTF-16 code units. A Chinese
//! character is one of either, an emoji one character but two UTF-16 units, so every position
//! that crosses the protocol goes through here.

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

use crate::diagnostic::{Pos, Span};

/// The lines of one text, with their byte offsets, split as YAML splits them (LF, CRLF, CR).
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Lines<'t> {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        Lines { text, starts }
    }

    pub fn count(&self) -> usize {
        self.starts.len()
    }

    /// Line `n` (0-based) without its line break; empty past the end.
    pub fn line(&self, n: usize) -> &'t str {
        let Some(&start) = self.starts.get(n) else {
            return "";
        };
        let rest = &self.text[start..];
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        &rest[..end]
    }

    /// The byte offset of an LSP position, clamped to its line.
    pub fn offset(&self, p: Position) -> usize {
        let Some(&start) = self.starts.get(p.line as usize) else {
            return self.text.len();
        };
        let line = self.line(p.line as usize);
        start + byte_of_utf16(line, p.character as usize)
    }

    /// The LSP position of a compiler position (1-based, character columns).
    pub fn position(&self, p: Pos) -> Position {
        let line = p.line.saturating_sub(1);
        let text = self.line(line);
        let units: usize = text
            .chars()
            .take(p.column.saturating_sub(1))
            .map(char::len_utf16)
            .sum();
        Position::new(line as u32, units as u32)
    }

    /// The compiler position (1-based, character columns) of an LSP position.
    pub fn pos(&self, p: Position) -> Pos {
        let line = self.line(p.line as usize);
        let byte = byte_of_utf16(line, p.character as usize);
        Pos::new(p.line as usize + 1, line[..byte].chars().count() + 1)
    }

    /// The LSP range of a compiler span that lies on one line.
    pub fn range(&self, s: Span) -> Range {
        Range::new(self.position(s.start), self.position(s.end))
    }
}

/// The byte index within `line` of a UTF-16 column; the end of the line when past it, and the
/// start of a character when the column falls inside a surrogate pair.
fn byte_of_utf16(line: &str, column: usize) -> usize {
    let mut units = 0;
    for (b, c) in line.char_indices() {
        if units + c.len_utf16() > column {
            return b;
        }
        units += c.len_utf16();
    }
    line.len()
}

/// Applies one change an editor sent: a range replaced by new text, or the whole text.
pub fn apply_change(text: &mut String, change: &TextDocumentContentChangeEvent) {
    let Some(range) = change.range else {
        text.clone_from(&change.text);
        return;
    };
    let lines = Lines::new(text);
    let start = lines.offset(range.start);
    let end = lines.offset(range.end).max(start);
    text.replace_range(start..end, &change.text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_emoji_columns() {
        let text = "a: 1\n  title: 已审批😀x\n";
        let l = Lines::new(text);
        // `x` is character 14 (1-based) on line 2; before it 13 characters, the emoji two
        // UTF-16 units: column 14 (0-based).
        assert_eq!(l.position(Pos::new(2, 14)), Position::new(1, 14));
        assert_eq!(l.pos(Position::new(1, 14)), Pos::new(2, 14));
        assert_eq!(l.position(Pos::new(2, 10)), Position::new(1, 9));
        assert_eq!(l.pos(Position::new(1, 9)), Pos::new(2, 10));
    }

    #[test]
    fn incremental_edits() {
        let mut t = String::from("a: 中文\r\nb: x\n");
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(1, 3), Position::new(1, 4))),
            range_length: None,
            text: "已".into(),
        };
        apply_change(&mut t, &change);
        assert_eq!(t, "a: 中文\r\nb: 已\n");
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(0, 4), Position::new(9, 0))),
            range_length: None,
            text: String::new(),
        };
        apply_change(&mut t, &change);
        assert_eq!(t, "a: 中");
    }

    #[test]
    fn lines_split_like_yaml() {
        let l = Lines::new("a\r\nb\rc\n");
        assert_eq!(
            (l.count(), l.line(0), l.line(1), l.line(2), l.line(3)),
            (4, "a", "b", "c", "")
        );
        assert_eq!(l.line(9), "");
    }
}
