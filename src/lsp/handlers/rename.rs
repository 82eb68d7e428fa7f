//! Rename of an id across the project. A status or field keeps its old id under `was:`, so
//! that `diff` reports a rename and a runtime moves live records instead of stranding them;
//! roles, processes and tasks have no `was` and are renamed plainly.

use std::collections::HashMap;

use lsp_types::{
    Position, PrepareRenameResponse, Range, RenameParams, TextDocumentPositionParams, TextEdit,
    Url, WorkspaceEdit,
};

use super::World;
use crate::diagnostic::Pos;
use crate::load::{Node, Value};
use crate::lsp::index::Symbol;
use crate::lsp::text::Lines;

pub fn prepare(w: &World, params: &TextDocumentPositionParams) -> Option<PrepareRenameResponse> {
    let o = w.occurrence(&params.text_document.uri, params.position)?;
    let lines = w.lines(&o.file)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: lines.range(o.span),
        placeholder: o.symbol.id().to_string(),
    })
}

/// Whether `id` is a valid id for the symbol's kind (field ids are used in expressions, so
/// they take no `-`).
fn valid(symbol: &Symbol, id: &str) -> bool {
    let mut chars = id.chars();
    let dash_ok = !matches!(symbol, Symbol::Field { .. });
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || (dash_ok && c == '-')
        })
}

/// The edits of a rename, or why it cannot be done (shown to the person as an error).
pub fn rename(w: &World, params: &RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let at = &params.text_document_position;
    let Some(o) = w.occurrence(&at.text_document.uri, at.position) else {
        return Ok(None);
    };
    let symbol = o.symbol.clone();
    let old = symbol.id().to_string();
    let new = params.new_name.trim();
    if new == old {
        return Ok(None);
    }
    if !valid(&symbol, new) {
        return Err(match symbol {
            Symbol::Field { .. } => format!("`{new}` is not a field id: use lower-case letters, digits and `_`, starting with a letter"),
            _ => format!("`{new}` is not an id: use lower-case letters, digits, `-` and `_`, starting with a letter"),
        });
    }
    let index = w.snap.index();
    if index.of(&symbol.with_id(new)).iter().any(|o| o.definition) {
        return Err(format!("`{new}` already exists here; choose another id"));
    }
    let occurrences = index.of(&symbol);
    if !occurrences.iter().any(|o| o.definition) {
        return Err(format!(
            "`{old}` is not defined, so there is nothing to rename"
        ));
    }
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for o in &occurrences {
        let (Some(uri), Some(loc)) = (w.uri(&o.file), w.location(o)) else {
            continue;
        };
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(loc.range, new.to_string()));
    }
    if let Some((file, edit)) = was_edit(w, &symbol) {
        if let Some(uri) = w.uri(&file) {
            changes.entry(uri).or_default().push(edit);
        }
    }
    Ok(Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }))
}

/// The edit that records the old id under `was:` of a status or field definition.
fn was_edit(w: &World, symbol: &Symbol) -> Option<(String, TextEdit)> {
    let (process, id, section) = match symbol {
        Symbol::Status { process, id } => (process, id, "statuses"),
        Symbol::Field { process, id } => (process, id, "fields"),
        _ => return None,
    };
    let p = w.process(process)?;
    let file = p.file.to_string();
    let doc = w
        .snap
        .files
        .get(&file)?
        .documents
        .iter()
        .find(|d| d.kind() == Some("Process") && d.name() == Some(process.as_str()))?;
    let value = doc.root.get("spec")?.get(section)?.get(id)?;
    let lines = w.lines(&file)?;
    let edit = match value.get("was") {
        Some(was) if was_lists(was, id) => return None,
        Some(was) => append_to_was(&lines, was, id)?,
        None => add_was(&lines, value, id)?,
    };
    Some((file, edit))
}

fn was_lists(was: &Node, id: &str) -> bool {
    match &was.value {
        Value::Str(s) => s == id,
        Value::Seq(items) => items.iter().any(|i| i.as_str() == Some(id)),
        _ => false,
    }
}

/// The LSP position of a 0-based character index on a 1-based line.
fn at(lines: &Lines, line: usize, char_index: usize) -> Position {
    lines.position(Pos::new(line, char_index + 1))
}

/// Where to insert before the closing bracket of a one-line flow collection ending at `end`:
/// right after the last character that is not a space, and whether the collection is empty.
fn before_close(lines: &Lines, end: Pos) -> Option<(Position, bool)> {
    let text: Vec<char> = lines.line(end.line - 1).chars().collect();
    let close = end.column.checked_sub(2)?;
    if !matches!(text.get(close), Some('}' | ']')) {
        return None;
    }
    let mut i = close;
    while i > 0 && text[i - 1] == ' ' {
        i -= 1;
    }
    let empty = i > 0 && matches!(text[i - 1], '{' | '[');
    Some((at(lines, end.line, i), empty))
}

/// `was` exists: add the old id to it.
fn append_to_was(lines: &Lines, was: &Node, id: &str) -> Option<TextEdit> {
    match &was.value {
        Value::Seq(_) if first_char(lines, was) == Some('[') => {
            let (p, empty) = before_close(lines, was.span.end)?;
            let text = if empty {
                id.to_string()
            } else {
                format!(", {id}")
            };
            Some(TextEdit::new(Range::new(p, p), text))
        }
        Value::Seq(items) => {
            let last = items.last()?;
            let line = last.span.start.line;
            let indent = last.span.start.column.saturating_sub(3);
            let end = at(lines, line, lines.line(line - 1).chars().count());
            let text = format!("\n{}- {id}", " ".repeat(indent));
            Some(TextEdit::new(Range::new(end, end), text))
        }
        Value::Str(s) => Some(TextEdit::new(lines.range(was.span), format!("[{s}, {id}]"))),
        _ => None,
    }
}

/// No `was` yet: add `was: [old]` to the definition, in the style it is written in.
fn add_was(lines: &Lines, value: &Node, id: &str) -> Option<TextEdit> {
    value.as_map()?;
    if first_char(lines, value) == Some('{') {
        let (p, empty) = before_close(lines, value.span.end)?;
        let text = if empty {
            format!("was: [{id}]")
        } else {
            format!(", was: [{id}]")
        };
        return Some(TextEdit::new(Range::new(p, p), text));
    }
    // A block mapping: a line of its own before the first key, at the keys' indentation.
    let start = value.span.start;
    let p = Position::new((start.line - 1) as u32, 0);
    let text = format!("{}was: [{id}]\n", " ".repeat(start.column - 1));
    Some(TextEdit::new(Range::new(p, p), text))
}

fn first_char(lines: &Lines, n: &Node) -> Option<char> {
    lines
        .line(n.span.start.line.checked_sub(1)?)
        .chars()
        .nth(n.span.start.column.checked_sub(1)?)
}
