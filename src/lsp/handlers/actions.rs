//! Quick fixes: a finding whose help says "did you mean `x`?" offers to write `x` instead.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Range, TextEdit,
    WorkspaceEdit,
};

use super::diagnostics::{covered, range, to_lsp};
use super::World;
use crate::diagnostic::Diagnostic;
use crate::report::Indexed;

/// The suggestion of a help text: what stands between "did you mean `" and "`?".
pub fn suggestion(help: &str) -> Option<&str> {
    let rest = &help[help.find("did you mean `")? + "did you mean `".len()..];
    let end = rest.find("`?")?;
    Some(&rest[..end]).filter(|s| !s.is_empty() && !s.contains('`'))
}

/// The text that replaces `written` (the finding's range): the suggestion, keeping a
/// `role:`/`field:` prefix and quotes that the suggestion does not repeat.
fn replacement(written: &str, suggested: &str) -> String {
    let (quote, inner) = match written.chars().next() {
        Some(q @ ('"' | '\'')) if written.len() >= 2 && written.ends_with(q) => {
            (Some(q), &written[1..written.len() - 1])
        }
        _ => (None, written),
    };
    let prefix = ["role:", "field:"]
        .into_iter()
        .find(|p| inner.starts_with(p) && !suggested.starts_with(p))
        .unwrap_or("");
    match quote {
        Some(q) => format!("{q}{prefix}{suggested}{q}"),
        None => format!("{prefix}{suggested}"),
    }
}

pub fn actions(w: &World, params: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let uri = &params.text_document.uri;
    let file = w.file(uri)?;
    let sources = Indexed::new(&w.snap.loaded.sources);
    let wanted = params.range;
    let mut out = Vec::new();
    for d in w.snap.diagnostics.get(&file).into_iter().flatten() {
        let r = range(&sources, d);
        if r.end < wanted.start || wanted.end < r.start {
            continue;
        }
        if let Some(action) = fix(&sources, d, r, uri) {
            out.push(CodeActionOrCommand::CodeAction(action));
        }
    }
    Some(out)
}

fn fix(sources: &Indexed, d: &Diagnostic, r: Range, uri: &lsp_types::Url) -> Option<CodeAction> {
    let suggested = suggestion(d.help.as_deref()?)?;
    let written = covered(sources, d)?;
    let new_text = replacement(written, suggested);
    if new_text == written {
        return None;
    }
    let edit = WorkspaceEdit {
        changes: Some(HashMap::from([(
            uri.clone(),
            vec![TextEdit::new(r, new_text)],
        )])),
        ..WorkspaceEdit::default()
    };
    Some(CodeAction {
        title: format!("Change to `{suggested}`"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![to_lsp(sources, d, uri, true)]),
        edit: Some(edit),
        is_preferred: Some(true),
        ..CodeAction::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_and_replacements() {
        assert_eq!(
            suggestion("did you mean `shipped`? statuses: a"),
            Some("shipped")
        );
        assert_eq!(
            suggestion("define it. did you mean `amount`? fields"),
            Some("amount")
        );
        assert_eq!(suggestion("statuses: a, b"), None);
        assert_eq!(replacement("shiped", "shipped"), "shipped");
        assert_eq!(replacement("role:finanse", "finance"), "role:finance");
        assert_eq!(replacement("\"field:ownr\"", "owner"), "\"field:owner\"");
        assert_eq!(replacement("titel", "title"), "title");
    }
}
