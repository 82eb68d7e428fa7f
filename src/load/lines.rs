//! A lexical view of YAML source lines, for recognising typing mistakes once the parser has
//! given up: indentation, keys, comments, quotes, flow brackets and block scalars, read
//! without parsing. Everything here is linear in the text, whatever it holds.

use crate::diagnostic::Pos;

/// The lines of a file (1-based), with which ones are the content of a block scalar (`|`, `>`),
/// where YAML punctuation means nothing.
pub struct Lines<'a> {
    lines: Vec<&'a str>,
    in_block: Vec<bool>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        let lines: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        let mut in_block = vec![false; lines.len()];
        let mut block_base: Option<usize> = None;
        for (i, line) in lines.iter().enumerate() {
            if let Some(base) = block_base {
                if line.trim().is_empty() || indent(line) > base {
                    in_block[i] = true;
                    continue;
                }
                block_base = None;
            }
            if opens_block_scalar(line) {
                block_base = Some(indent(line));
            }
        }
        Lines { lines, in_block }
    }

    pub fn count(&self) -> usize {
        self.lines.len()
    }

    /// Line `no` (1-based), if the file has it.
    pub fn get(&self, no: usize) -> Option<&'a str> {
        no.checked_sub(1).and_then(|i| self.lines.get(i)).copied()
    }

    /// True for a line that holds YAML structure: not blank, not only a comment, and not the
    /// text of a block scalar.
    pub fn is_code(&self, no: usize) -> bool {
        let Some(line) = self.get(no) else {
            return false;
        };
        let t = line.trim_start_matches([' ', '\t']);
        !self.in_block[no - 1] && !t.is_empty() && !t.starts_with('#')
    }

    pub fn in_block(&self, no: usize) -> bool {
        no.checked_sub(1)
            .and_then(|i| self.in_block.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// The nearest code line before `no`.
    pub fn prev_code(&self, no: usize) -> Option<usize> {
        (1..no).rev().find(|&n| self.is_code(n))
    }

    /// The nearest code line after `no`.
    pub fn next_code(&self, no: usize) -> Option<usize> {
        (no + 1..=self.count()).find(|&n| self.is_code(n))
    }

    /// The key whose block holds a line starting at column `col`: the nearest earlier code
    /// line that starts further left, when it is a `key:` opening a block; or the `- key: …`
    /// line that starts the list item it is in.
    pub fn parent_key(&self, no: usize, col: usize) -> Option<&'a str> {
        let mut n = no;
        while let Some(p) = self.prev_code(n) {
            let line = self.get(p).unwrap_or_default();
            let start = after_indicators(line).0;
            if start < col {
                return key_of(line).filter(|k| !k.inline_value).map(|k| k.name);
            }
            if start == col && indent(line) + 1 < col {
                // `- id: x` starts the list item whose mapping holds the line.
                return Some(line[..code_end(line)].trim());
            }
            n = p;
        }
        None
    }
}

/// Leading spaces of a line, in characters.
pub fn indent(line: &str) -> usize {
    line.chars().take_while(|&c| c == ' ').count()
}

/// True when the line's value is a block scalar indicator (`key: |`, `- >-`, `|2`).
fn opens_block_scalar(line: &str) -> bool {
    let code = line[..code_end(line)].trim_end();
    let head = code.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    let Some(raw) = head.strip_suffix(['|', '>']) else {
        return false;
    };
    if raw.trim().is_empty() {
        return true;
    }
    let before = raw.trim_end_matches(' ');
    raw.len() > before.len() && (before.ends_with(':') || before.trim_start() == "-")
}

/// Byte offset where the line's comment starts (a `#` after a space, outside quotes), or
/// the line's length.
pub fn code_end(line: &str) -> usize {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '#' && (prev == ' ' || prev == '\t') => return i,
            None if (c == '"' || c == '\'') && starts_value(prev) => quote = Some(c),
            None => {}
        }
        prev = c;
    }
    line.len()
}

/// True when a quote after `prev` opens a quoted scalar rather than sitting inside text.
fn starts_value(prev: char) -> bool {
    matches!(prev, ' ' | '\t' | '[' | '{' | ',' | ':')
}

/// A `key:` that starts a line (after any `- ` indicators).
#[derive(Debug, Clone, PartialEq)]
pub struct Key<'a> {
    /// 1-based character column of the key.
    pub col: usize,
    pub name: &'a str,
    /// Something other than a comment follows the colon on the same line.
    pub inline_value: bool,
}

/// The key a line starts with, if it starts with one.
pub fn key_of(line: &str) -> Option<Key<'_>> {
    let (col, rest) = after_indicators(line);
    let end = code_end(line);
    let rest_start = line.len() - rest.len();
    let code = &line[rest_start..end.max(rest_start)];
    if code.starts_with(['"', '\'', '{', '[', '#', '|', '>', '&', '*', '!']) {
        return None;
    }
    let bytes = code.as_bytes();
    let colon = (0..bytes.len())
        .find(|&i| bytes[i] == b':' && bytes.get(i + 1).is_none_or(|&b| b == b' ' || b == b'\t'))?;
    let name = code[..colon].trim_end();
    if name.is_empty() {
        return None;
    }
    Some(Key {
        col,
        name,
        inline_value: !code[colon + 1..].trim().is_empty(),
    })
}

/// The column and text of a line after its indentation and `- ` sequence indicators.
pub fn after_indicators(line: &str) -> (usize, &str) {
    let mut col = indent(line) + 1;
    let mut rest = &line[indent(line)..];
    while let Some(r) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("-\t")) {
        let spaces = r.chars().take_while(|&c| c == ' ').count();
        col += 2 + spaces;
        rest = &r[spaces..];
    }
    (col, rest)
}

/// The same line with another indentation.
pub fn reindent(line: &str, spaces: usize) -> String {
    format!("{}{}", " ".repeat(spaces), line.trim_start_matches(' '))
}

/// What the scanner sees at one character of YAML structure (outside comments and block
/// scalars).
#[derive(Debug, Clone, Copy)]
pub struct At {
    pub pos: Pos,
    pub ch: char,
    /// The quote of the quoted scalar this character is in (its opening quote included).
    pub quote: Option<char>,
    /// How many flow collections (`{`, `[`) are open here.
    pub depth: usize,
}

/// Walks the structure of a text character by character up to (not including) `until`,
/// tracking quotes and flow brackets across lines. Calls `f` for each character.
pub fn scan(lines: &Lines, until: Pos, mut f: impl FnMut(At)) {
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    for no in 1..=lines.count().min(until.line) {
        if lines.in_block(no) && quote.is_none() {
            continue;
        }
        let line = lines.get(no).unwrap_or_default();
        let mut prev = ' ';
        let mut skip_next = false;
        for (i, c) in line.chars().enumerate() {
            let pos = Pos::new(no, i + 1);
            if pos >= until {
                return;
            }
            if skip_next {
                skip_next = false;
                prev = c;
                continue;
            }
            match quote {
                Some('"') if c == '\\' => skip_next = true,
                Some(q) if c == q => {
                    f(At {
                        pos,
                        ch: c,
                        quote,
                        depth,
                    });
                    quote = None;
                    prev = c;
                    continue;
                }
                Some(_) => {}
                None if c == '#' && (prev == ' ' || i == 0) => break,
                None if (c == '"' || c == '\'') && (starts_value(prev) || i == 0) => {
                    quote = Some(c)
                }
                None if c == '{' || c == '[' => depth += 1,
                None if (c == '}' || c == ']') && depth > 0 => {
                    f(At {
                        pos,
                        ch: c,
                        quote,
                        depth,
                    });
                    depth -= 1;
                    prev = c;
                    continue;
                }
                None => {}
            }
            f(At {
                pos,
                ch: c,
                quote,
                depth,
            });
            prev = c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_comments_and_blocks() {
        assert_eq!(key_of("  title: x # c").unwrap().name, "title");
        assert_eq!(key_of("    - id: a").unwrap().col, 7);
        assert!(!key_of("  statuses:").unwrap().inline_value);
        assert!(key_of("  due today 18:00").is_none());
        assert!(key_of("  - 'a: b'").is_none());
        assert_eq!(code_end("a: 'x # y' # z"), 11);
        let l = Lines::new("guide: |\n  a: b\n  c\nnext: 1\n");
        assert!(!l.is_code(2) && !l.is_code(3) && l.is_code(4));
    }

    #[test]
    fn scan_tracks_quotes_and_brackets() {
        let text = "a: { b: \"x}\" }\nc: it's\n";
        let l = Lines::new(text);
        let mut depths = Vec::new();
        scan(&l, Pos::new(9, 1), |at| {
            if at.ch == '}' {
                depths.push((at.pos.column, at.quote.is_some(), at.depth))
            }
        });
        assert_eq!(depths, vec![(11, true, 1), (14, false, 1)]);
    }
}
