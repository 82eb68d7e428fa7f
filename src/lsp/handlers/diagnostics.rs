//! Findings as the editor shows them: the code, message and position `sopctl lint --format
//! json` prints, with the range the terminal output underlines.

use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Url,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{Indexed, SourceText};

/// At most this many findings are sent per file, as the CLI prints at most this many.
pub const PER_FILE: usize = crate::report::PER_FILE;

/// The range a diagnostic underlines, in UTF-16 columns: its span when the span lies on one
/// line, else the token at its start. A finding with no position (line 0) is at the start.
pub(crate) fn range(sources: &Indexed, d: &Diagnostic) -> Range {
    let Some(l) = sources.locate(&d.file, d.span) else {
        return Range::default();
    };
    let line = (d.span.start.line - 1) as u32;
    let col = |c: usize| (l.utf16_column(c) - 1) as u32;
    Range::new(
        Position::new(line, col(l.start_char)),
        Position::new(line, col(l.end_char)),
    )
}

/// The text a diagnostic's range covers.
pub(crate) fn covered<'a>(sources: &Indexed<'a>, d: &Diagnostic) -> Option<&'a str> {
    let l = sources.locate(&d.file, d.span)?;
    let byte = |c: usize| {
        l.line_text
            .char_indices()
            .nth(c)
            .map_or(l.line_text.len(), |(b, _)| b)
    };
    Some(&l.line_text[byte(l.start_char)..byte(l.end_char)])
}

/// One finding in protocol form. The help goes where the client shows it: as related
/// information at the same place when it supports that, else after the message.
pub(crate) fn to_lsp(
    sources: &Indexed,
    d: &Diagnostic,
    uri: &Url,
    related_information: bool,
) -> LspDiagnostic {
    let range = range(sources, d);
    let help = d.help.as_deref().filter(|h| !h.is_empty());
    let mut message = d.message.clone();
    let mut related = None;
    if let Some(h) = help {
        if related_information {
            related = Some(vec![DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), range),
                message: format!("help: {h}"),
            }]);
        } else {
            message.push_str("\n\nhelp: ");
            message.push_str(h);
        }
    }
    LspDiagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.clone())),
        code_description: None,
        source: Some("sopctl".into()),
        message,
        related_information: related,
        tags: None,
        data: help.map(|h| serde_json::json!({ "help": h })),
    }
}

/// The findings of one file in protocol form, at most [`PER_FILE`].
pub fn for_file(
    sources: &dyn SourceText,
    diags: &[Diagnostic],
    uri: &Url,
    related_information: bool,
) -> Vec<LspDiagnostic> {
    let indexed = Indexed::new(sources);
    diags
        .iter()
        .take(PER_FILE)
        .map(|d| to_lsp(&indexed, d, uri, related_information))
        .collect()
}
