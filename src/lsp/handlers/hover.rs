//! Hover: what the id under the cursor is (its title, a field's type), and on a finding's
//! range the `sopctl explain` text of its code.

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use super::diagnostics::range;
use super::World;
use crate::lsp::index::Symbol;
use crate::report::Indexed;

pub fn hover(w: &World, params: &HoverParams) -> Option<Hover> {
    let at = &params.text_document_position_params;
    let (file, lines, pos) = w.pos(&at.text_document.uri, at.position)?;
    let mut parts = Vec::new();
    let mut hover_range = None;
    if let Some(o) = w.snap.index().at(&file, pos) {
        parts.push(describe(w, &o.symbol));
        hover_range = Some(lines.range(o.span));
    }
    let sources = Indexed::new(&w.snap.loaded.sources);
    for d in w.snap.diagnostics.get(&file).into_iter().flatten() {
        let r = range(&sources, d);
        if r.start <= at.position && at.position <= r.end {
            let explain = crate::codes::explain(&d.code).unwrap_or_default();
            parts.push(format!(
                "**{}** — {}\n\n```text\n{}\n```",
                d.code,
                d.message,
                explain.trim_end()
            ));
            hover_range.get_or_insert(r);
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range: hover_range,
    })
}

/// One symbol in words, e.g. "**已审批** — status `approved` of process `sales-delivery`".
fn describe(w: &World, s: &Symbol) -> String {
    let title = w.title(s);
    let head = match &title {
        Some(t) => format!("**{t}** — "),
        None => String::new(),
    };
    let what = match s {
        Symbol::Status { process, id } => {
            let mut marks = Vec::new();
            if let Some(st) = w.status(process, id) {
                if st.initial {
                    marks.push("initial");
                }
                if st.terminal {
                    marks.push("terminal");
                }
            }
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" ({})", marks.join(", "))
            };
            format!("status `{id}`{marks} of process `{process}`")
        }
        Symbol::Field { process, id } => match w.field(process, id) {
            Some(f) => format!(
                "field `{id}` of process `{process}`: type `{}`{}",
                f.ty.as_str(),
                if f.required { ", required" } else { "" }
            ),
            None => format!("field `{id}`, which process `{process}` does not define"),
        },
        Symbol::Task { process, id } => match w.task(process, id) {
            Some((st, _)) => format!("task `{id}` in status `{}` of process `{process}`", st.id.v),
            None => format!("task `{id}`, which process `{process}` does not have"),
        },
        Symbol::Role(id) => match w.snap.loaded.project.role(id) {
            Some(r) if r.bot => format!("role `{id}` (a bot)"),
            Some(r) if r.external => format!("role `{id}` (people outside the company)"),
            Some(_) => format!("role `{id}`"),
            None => format!("role `{id}`, which no Roles document defines"),
        },
        Symbol::Process(name) => format!("process `{name}`"),
    };
    format!("{head}{what}")
}
