//! Completion of ids where a reference is expected, each with its title as detail.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Position, Range, TextEdit,
};

use super::World;
use crate::lsp::context::{self, Want};
use crate::model::Process;

/// At most this many items are offered (a project may have thousands of processes).
const MAX_ITEMS: usize = 500;

pub fn completion(w: &World, params: &CompletionParams) -> Option<CompletionResponse> {
    let at = &params.text_document_position;
    let (file, lines, pos) = w.pos(&at.text_document.uri, at.position)?;
    let n = pos.line - 1;
    let ctx = context::at(&lines, n, pos.column - 1)?;
    let line = lines.line(n);
    let start_units: usize = line.chars().take(ctx.start).map(char::len_utf16).sum();
    let range = Range::new(Position::new(n as u32, start_units as u32), at.position);
    let process = w.process_at(&file, pos.line);
    let mut items = match (&ctx.want, &ctx.child) {
        (Want::StartedField, Some(child)) => field_items(w.process(child), "", false),
        (Want::StartedField, None) => Vec::new(),
        _ => candidates(w, ctx.want, process),
    };
    items.truncate(MAX_ITEMS);
    for (i, item) in items.iter_mut().enumerate() {
        item.text_edit = Some(CompletionTextEdit::Edit(TextEdit::new(
            range,
            item.label.clone(),
        )));
        // Keep the order of the SOP (statuses in display order), not the alphabet.
        item.sort_text = Some(format!("{i:04}"));
    }
    Some(CompletionResponse::Array(items))
}

fn item(label: String, detail: &str, kind: CompletionItemKind) -> CompletionItem {
    CompletionItem {
        label,
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        kind: Some(kind),
        ..CompletionItem::default()
    }
}

/// The fields of a process (the people fields only, if asked), each with its title and type.
fn field_items(p: Option<&Process>, prefix: &str, people_only: bool) -> Vec<CompletionItem> {
    p.into_iter()
        .flat_map(|p| p.fields.iter())
        .filter(|f| !people_only || f.ty.is_user())
        .map(|f| {
            let detail = format!("{} · {}", f.title, f.ty.as_str());
            item(
                format!("{prefix}{}", f.id.v),
                &detail,
                CompletionItemKind::FIELD,
            )
        })
        .collect()
}

fn candidates(w: &World, want: Want, p: Option<&Process>) -> Vec<CompletionItem> {
    let project = &w.snap.loaded.project;
    let roles = |prefix: &str| {
        project
            .roles
            .iter()
            .map(|r| {
                item(
                    format!("{prefix}{}", r.id.v),
                    &r.title,
                    CompletionItemKind::CLASS,
                )
            })
            .collect::<Vec<_>>()
    };
    let fields = |prefix: &str, people_only: bool| field_items(p, prefix, people_only);
    match want {
        Want::Status => p
            .into_iter()
            .flat_map(|p| p.statuses.iter())
            .map(|s| item(s.id.v.clone(), &s.title.v, CompletionItemKind::ENUM_MEMBER))
            .collect(),
        Want::Field => fields("", false),
        Want::UserField => fields("", true),
        Want::Role => roles(""),
        Want::Ref => {
            let mut v = roles("role:");
            v.extend(fields("field:", true));
            v
        }
        Want::Process => project
            .processes
            .iter()
            .map(|p| item(p.name.v.clone(), &p.title.v, CompletionItemKind::MODULE))
            .collect(),
        Want::Task => p
            .into_iter()
            .flat_map(|p| p.tasks())
            .map(|(_, t)| item(t.id.v.clone(), &t.title.v, CompletionItemKind::EVENT))
            .collect(),
        // Answered by the caller, which knows the started process.
        Want::StartedField => Vec::new(),
        Want::LintRule => crate::lint::registry()
            .iter()
            .map(|r| {
                item(
                    r.name().to_string(),
                    r.doc.summary,
                    CompletionItemKind::PROPERTY,
                )
            })
            .collect(),
    }
}
