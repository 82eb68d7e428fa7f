//! Recognises the typing mistakes people make in YAML — tabs, full-width `：` and `，`, a
//! missing colon, one space too many or too few, an unclosed quote or bracket — from the
//! source lines around the place where the parser gave up, which is often a line later.

use std::borrow::Cow;
use std::collections::HashMap;

use super::lines::{after_indicators, code_end, indent, key_of, reindent, scan, Lines};
use super::node::{Node, Style, Value};
use super::words::Mistake;
use crate::diagnostic::Pos;

/// A recognised mistake: where it is and the line as it should read.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub pos: Pos,
    pub mistake: Mistake,
    /// The corrected line, without its indentation.
    pub fixed: String,
}

/// The mistake that most likely made the parser fail at `at`, if it is one people often make.
pub fn after_failure(text: &str, at: Pos) -> Option<Found> {
    let lines = Lines::new(text);
    tab(&lines, at)
        .or_else(|| full_width(&lines, at))
        .or_else(|| unclosed(&lines, at))
        .or_else(|| missing_colon(&lines, at))
        .or_else(|| indentation(&lines, at))
}

/// Lines `from..=to` of the file, nearest to `at` first.
fn window(lines: &Lines, at: Pos, before: usize, after: usize) -> Vec<usize> {
    let lo = at.line.saturating_sub(before).max(1);
    let hi = (at.line + after).min(lines.count());
    let mut v: Vec<usize> = (lo..=hi).collect();
    v.sort_by_key(|&n| (n.abs_diff(at.line), n));
    v
}

fn found(pos: Pos, mistake: Mistake, fixed: &str) -> Option<Found> {
    Some(Found {
        pos,
        mistake,
        fixed: fixed.trim().to_string(),
    })
}

/// A tab in the indentation, or right after a key's colon. The parser reports the first on
/// the line before (while it still reads the previous value).
fn tab(lines: &Lines, at: Pos) -> Option<Found> {
    for no in window(lines, at, 1, 1) {
        let line = lines.get(no)?;
        let lead: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        if let Some(i) = lead.chars().position(|c| c == '\t') {
            if lines.in_block(no) && !lead.starts_with('\t') {
                continue;
            }
            let spaces = expected_indent(lines, no);
            let fixed = reindent(line.trim_start_matches([' ', '\t']), spaces);
            return found(Pos::new(no, i + 1), Mistake::TabIndent { spaces }, &fixed);
        }
        if !lines.is_code(no) {
            continue;
        }
        let code = &line[..code_end(line)];
        if let Some(b) = code.find(":\t") {
            let key = after_indicators(&code[..b]).1.trim().to_string();
            let rest = code[b + 1..].trim_start_matches([' ', '\t']);
            let fixed = format!("{}: {rest}", code[..b].trim_start());
            let col = code[..b].chars().count() + 2;
            return found(Pos::new(no, col), Mistake::TabAfterColon { key }, &fixed);
        }
    }
    None
}

/// Where a line should start: under its previous sibling, or two spaces in from the key that
/// opens its block.
fn expected_indent(lines: &Lines, no: usize) -> usize {
    let Some(p) = lines.prev_code(no) else {
        return 0;
    };
    let line = lines.get(p).unwrap_or_default();
    match key_of(line) {
        Some(k) if !k.inline_value => indent(line) + 2,
        Some(k) => k.col - 1,
        None => after_indicators(line).0 - 1,
    }
}

/// A full-width colon after a key, or a full-width comma between flow items, outside quotes.
fn full_width(lines: &Lines, at: Pos) -> Option<Found> {
    let wanted = window(lines, at, 3, 0);
    let mut hits: Vec<(Pos, char)> = Vec::new();
    scan(lines, Pos::new(at.line + 1, 1), |a| {
        if a.quote.is_none() && wanted.contains(&a.pos.line) && (a.ch == '：' || a.ch == '，') {
            hits.push((a.pos, a.ch));
        }
    });
    hits.sort_by_key(|(p, _)| (p.line.abs_diff(at.line), *p));
    for (pos, ch) in hits {
        let line = lines.get(pos.line)?;
        let byte = line.char_indices().nth(pos.column - 1)?.0;
        let before = &line[..byte];
        let after = line[byte + ch.len_utf8()..].trim_start_matches(' ');
        let ascii = if ch == '：' { ':' } else { ',' };
        let fixed = format!("{before}{ascii} {after}");
        if ch == '，' {
            if flow_depth_at(lines, pos) > 0 {
                return found(pos, Mistake::FullWidthComma, &fixed);
            }
            continue;
        }
        let key = key_before(before)?;
        return found(pos, Mistake::FullWidthColon { key }, &fixed);
    }
    None
}

/// How many flow collections are open at `pos`.
fn flow_depth_at(lines: &Lines, pos: Pos) -> usize {
    let mut depth = 0;
    scan(lines, Pos::new(pos.line, pos.column + 1), |a| {
        if a.pos == pos {
            depth = a.depth;
        }
    });
    depth
}

/// The key-like word that ends `before` (after indentation, `- `, `{` or `,`).
fn key_before(before: &str) -> Option<String> {
    let start = before.rfind(['{', ',', '[']).map_or(0, |i| i + 1);
    let word = after_indicators(before[start..].trim_start_matches(' '))
        .1
        .trim();
    let plausible = !word.is_empty()
        && word.chars().count() <= 40
        && !word.contains([' ', ':', '"', '\'', '#', '}', ']']);
    plausible.then(|| word.to_string())
}

/// An unclosed quote or flow bracket: one that does not close on its own line and then
/// swallows a line that starts no further right than it, or never closes before `at`.
fn unclosed(lines: &Lines, at: Pos) -> Option<Found> {
    let mut open_quote: Option<(Pos, char)> = None;
    let mut flows: Vec<(Pos, char)> = Vec::new();
    let mut culprit: Option<(Pos, char)> = None;
    let mut last_line = 0;
    scan(lines, at, |a| {
        if culprit.is_some() {
            return;
        }
        if a.pos.line != last_line {
            last_line = a.pos.line;
            let start_col = indent(lines.get(a.pos.line).unwrap_or_default()) + 1;
            let swallowed = |p: &Pos| {
                let opener = lines.get(p.line).unwrap_or_default();
                p.line < a.pos.line && start_col <= indent(opener) + 1
            };
            if let Some(q) = open_quote.filter(|(p, _)| swallowed(p)) {
                culprit = Some(q);
            } else if let Some(f) = flows.first().filter(|(p, _)| swallowed(p)) {
                if !matches!(a.ch, '}' | ']') {
                    culprit = Some(*f);
                }
            }
        }
        if let Some(q) = a.quote {
            match open_quote {
                None => open_quote = Some((a.pos, q)),
                Some((p, _)) if a.ch == q && a.pos != p => open_quote = None,
                _ => {}
            }
        }
        if a.quote.is_none() {
            match a.ch {
                '{' | '[' => flows.push((a.pos, a.ch)),
                '}' | ']' => {
                    flows.pop();
                }
                _ => {}
            }
        }
    });
    // Still open where the parser failed, from an earlier line: a mistake on the same line
    // (a bad escape inside quotes) is something else.
    let earlier = |o: &(Pos, char)| o.0.line < at.line;
    let (pos, ch) = culprit
        .or(open_quote.filter(earlier))
        .or_else(|| quote_at(lines, at))
        .or_else(|| flows.last().copied().filter(earlier))?;
    let line = lines.get(pos.line)?;
    let code = line[..code_end(line)].trim_end();
    if ch == '"' || ch == '\'' {
        let fixed = format!("{code}{ch}");
        return found(pos, Mistake::UnclosedQuote { quote: ch }, &fixed);
    }
    // Close every bracket this line opened and left open, innermost first.
    let closers: String = flows
        .iter()
        .rev()
        .filter(|(p, _)| p.line == pos.line)
        .map(|(_, c)| if *c == '{' { '}' } else { ']' })
        .collect();
    let closers = if closers.is_empty() {
        if ch == '{' {
            "}".to_string()
        } else {
            "]".to_string()
        }
    } else {
        closers
    };
    let fixed = format!("{code} {}", spaced(&closers));
    let close = if ch == '{' { '}' } else { ']' };
    found(pos, Mistake::UnclosedBracket { open: ch, close }, &fixed)
}

/// The parser may point at the opening quote itself: a quote there that does not close on
/// its line.
fn quote_at(lines: &Lines, at: Pos) -> Option<(Pos, char)> {
    let line = lines.get(at.line)?;
    let (byte, q) = line.char_indices().nth(at.column.checked_sub(1)?)?;
    if q != '"' && q != '\'' {
        return None;
    }
    let rest = &line[byte + 1..];
    let closed = if q == '"' {
        rest.replace("\\\\", "").replace("\\\"", "").contains('"')
    } else {
        rest.replace("''", "").contains('\'')
    };
    (!closed).then_some((at, q))
}

fn spaced(closers: &str) -> String {
    closers
        .chars()
        .map(String::from)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A line of words among `key:` lines at the same column: `due today 18:00`.
fn missing_colon(lines: &Lines, at: Pos) -> Option<Found> {
    for no in window(lines, at, 2, 0) {
        if !lines.is_code(no) {
            continue;
        }
        let line = lines.get(no)?;
        if key_of(line).is_some() {
            continue;
        }
        let (col, rest) = after_indicators(line);
        let rest = rest[..code_end(rest)].trim_end();
        let starts_like_key = rest
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_');
        if !starts_like_key || rest.contains(": ") {
            continue;
        }
        let sibling = [lines.prev_code(no), lines.next_code(no)]
            .into_iter()
            .flatten()
            .filter_map(|n| key_of(lines.get(n).unwrap_or_default()))
            .any(|k| k.col == col);
        if !sibling {
            continue;
        }
        let (key, value) = rest.split_once(' ').unwrap_or((rest, ""));
        let head = &line[..line.len() - after_indicators(line).1.len()];
        let fixed = format!("{head}{key}: {}", value.trim_start());
        let pos = Pos::new(no, col + key.chars().count());
        return found(pos, Mistake::MissingColon { key: key.into() }, &fixed);
    }
    None
}

/// A key one or two columns off its siblings.
fn indentation(lines: &Lines, at: Pos) -> Option<Found> {
    for no in window(lines, at, 2, 0) {
        if !lines.is_code(no) {
            continue;
        }
        let Some(k) = key_of(lines.get(no)?) else {
            continue;
        };
        let Some(p) = lines.prev_code(no) else {
            continue;
        };
        let Some(kp) = key_of(lines.get(p)?) else {
            continue;
        };
        if k.col > kp.col && kp.inline_value {
            let parent = lines.parent_key(p, kp.col).map(str::to_string);
            return shifted(lines, no, k.name, kp.col, (kp.name, p), parent, true);
        }
        if k.col < kp.col {
            // The block `p` belongs to must start left of `no`, or `no` just closes it.
            let Some(g) = opener(lines, p, kp.col) else {
                continue;
            };
            let g_col = after_indicators(lines.get(g)?).0;
            if g_col >= k.col {
                continue;
            }
            let parent = lines.parent_key(p, kp.col).map(str::to_string);
            if lines.next_code(g) == Some(p) {
                // `p` opens its block one column too far right: the later line is right.
                return shifted(lines, p, kp.name, k.col, (k.name, no), parent, true);
            }
            return shifted(lines, no, k.name, kp.col, (kp.name, p), parent, false);
        }
    }
    None
}

/// The nearest earlier code line that starts left of `col`.
fn opener(lines: &Lines, no: usize, col: usize) -> Option<usize> {
    let mut n = no;
    while let Some(p) = lines.prev_code(n) {
        if after_indicators(lines.get(p)?).0 < col {
            return Some(p);
        }
        n = p;
    }
    None
}

/// Line `no` whose key should stand at column `want`, like `sibling`.
fn shifted(
    lines: &Lines,
    no: usize,
    key: &str,
    want: usize,
    sibling: (&str, usize),
    parent: Option<String>,
    more: bool,
) -> Option<Found> {
    let line = lines.get(no)?;
    let col = after_indicators(line).0;
    let by = col.abs_diff(want);
    if by == 0 || by > 2 {
        return None;
    }
    let spaces = (indent(line) + want).checked_sub(col)?;
    let fixed = reindent(line, spaces);
    let mistake = Mistake::Indent {
        key: key.to_string(),
        by,
        more,
        sibling: sibling.0.to_string(),
        sibling_line: sibling.1,
        parent,
        spaces,
    };
    found(Pos::new(no, col), mistake, &fixed)
}

/// Full-width punctuation the parser accepted as text: a key `title：客户名称` in a flow
/// mapping, a value that starts `title：…` on a line of its own, or `[a，b]`.
pub fn in_parsed(text: &str, root: &Node) -> Option<Found> {
    let lines = Lines::new(text);
    let mut todo = vec![(root, false)];
    while let Some((node, is_key)) = todo.pop() {
        match &node.value {
            Value::Seq(items) => todo.extend(items.iter().rev().map(|n| (n, false))),
            Value::Map(pairs) => {
                for (k, v) in pairs.iter().rev() {
                    todo.push((v, false));
                    todo.push((k, true));
                }
            }
            Value::Str(s) if node.style == Style::Plain => {
                if let Some(f) = suspicious_scalar(&lines, node, s, is_key) {
                    return Some(f);
                }
            }
            _ => {}
        }
    }
    None
}

fn suspicious_scalar(lines: &Lines, node: &Node, s: &str, is_key: bool) -> Option<Found> {
    let start = node.span.start;
    let line = lines.get(start.line)?;
    let from = line
        .char_indices()
        .nth(start.column - 1)
        .map_or(line.len(), |(b, _)| b);
    let id_like = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-:.".contains(c))
    };
    if let Some((head, _)) = s.split_once('：') {
        let own_line = line[..from]
            .trim_start_matches(' ')
            .trim_start_matches("- ")
            .is_empty();
        if id_like(head) && (is_key || own_line) {
            let at = line[from..].find('：')? + from;
            return punctuation_at(line, start.line, at, '：', head);
        }
    }
    if let Some((head, _)) = s.split_once('，') {
        let in_flow = line[..from].trim_end().ends_with(['[', '{', ',']);
        if id_like(head) && in_flow {
            let at = line[from..].find('，')? + from;
            return punctuation_at(line, start.line, at, '，', head);
        }
    }
    None
}

fn punctuation_at(line: &str, no: usize, byte: usize, ch: char, key: &str) -> Option<Found> {
    let pos = Pos::new(no, line[..byte].chars().count() + 1);
    let after = line[byte + ch.len_utf8()..].trim_start_matches(' ');
    let (ascii, mistake) = if ch == '：' {
        (
            ':',
            Mistake::FullWidthColon {
                key: key.to_string(),
            },
        )
    } else {
        (',', Mistake::FullWidthComma)
    };
    found(pos, mistake, &format!("{}{ascii} {after}", &line[..byte]))
}

/// A key repeated in one mapping, below a parent key of a known kind or any.
#[derive(Debug, Clone)]
pub struct Duplicate<'a> {
    pub key: &'a Node,
    pub text: String,
    pub first: &'a Node,
    /// The key of the mapping that holds the pair (`statuses`, `roles`, …).
    pub parent: Option<&'a str>,
}

/// Every repeated key of a document: YAML forbids them, and the second would silently win.
pub fn duplicates(root: &Node) -> Vec<Duplicate<'_>> {
    let mut out = Vec::new();
    let mut todo: Vec<(Option<&str>, &Node)> = vec![(None, root)];
    while let Some((parent, node)) = todo.pop() {
        match &node.value {
            Value::Seq(items) => todo.extend(items.iter().map(|n| (None, n))),
            Value::Map(pairs) => {
                // Most mappings are small, where comparing with the earlier keys beats hashing;
                // a large one (thousands of roles) is indexed so the scan stays linear.
                let index: Option<HashMap<Cow<'_, str>, &Node>> = (pairs.len() > 32).then(|| {
                    let mut first = HashMap::with_capacity(pairs.len());
                    for (k, _) in pairs {
                        first.entry(key_str(k)).or_insert(k);
                    }
                    first
                });
                for (i, (k, v)) in pairs.iter().enumerate() {
                    let text = key_str(k);
                    let earlier = match &index {
                        Some(first) => first.get(&text).copied().filter(|f| !std::ptr::eq(*f, k)),
                        None => pairs[..i]
                            .iter()
                            .find(|(e, _)| key_str(e) == text)
                            .map(|(e, _)| e),
                    };
                    if let Some(first) = earlier {
                        let text = text.into_owned();
                        out.push(Duplicate {
                            key: k,
                            text,
                            first,
                            parent,
                        });
                    }
                    todo.push((k.as_str(), v));
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|d| d.key.span.start);
    out
}

fn key_str(k: &Node) -> Cow<'_, str> {
    match k.as_str() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(k.key_text().unwrap_or_default()),
    }
}
