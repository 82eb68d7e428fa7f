//! The one renderer of `sopctl explain`: the same sections for every code, with headings that
//! suit its kind (a lint rule "does" and has a "use instead"; a validation code "means" and
//! has a "fixed"). Prose is wrapped; YAML is printed as is, so it can be copied into a file.

use super::{all, Doc, Kind};

/// Prose is wrapped to this many columns.
pub(crate) const TEXT_WIDTH: usize = 80;

struct Headings {
    what: &'static str,
    example: &'static str,
    fixed: &'static str,
}

fn headings(kind: Kind) -> Headings {
    match kind {
        Kind::Lint { .. } => Headings {
            what: "What it does",
            example: "Example",
            fixed: "Use instead",
        },
        Kind::Validation | Kind::Meta => Headings {
            what: "What it means",
            example: "Example (fails)",
            fixed: "Fixed",
        },
    }
}

/// Plain text for a terminal: the code and summary, then one section per part.
pub fn explain_text(doc: &Doc) -> String {
    let h = headings(doc.kind);
    let mut out = format!("{} — {}\n", doc.code, doc.summary);
    for (heading, text) in [(h.what, doc.what), ("Why it matters", doc.why)] {
        out.push_str(&format!("\n{heading}\n{}", wrap(text)));
    }
    for (heading, yaml) in [(h.example, doc.example), (h.fixed, doc.fixed)] {
        out.push_str(&format!("\n{heading}\n\n{}\n", yaml.trim_end()));
    }
    out.push_str(&format!("\nHow to fix\n{}", wrap(doc.help)));
    if let Some(settings) = settings(doc.kind) {
        out.push_str(&format!("\nSettings\n{}", wrap(&settings)));
    }
    out
}

/// The level and options of a lint rule, in words; None for other kinds.
pub(crate) fn settings(kind: Kind) -> Option<String> {
    let Kind::Lint {
        default_level,
        options,
    } = kind
    else {
        return None;
    };
    let mut text = format!(
        "Default level: {} (set `off`, `warn` or `error` under `lint.rules` in sopctl.yaml).",
        default_level.as_str()
    );
    if options.is_empty() {
        text.push_str(" Options: none.");
    }
    for o in options {
        text.push_str(&format!(
            " Option `{}` (default {}): {}",
            o.name, o.default, o.doc
        ));
    }
    Some(text)
}

/// What `sopctl explain` without a code prints: every code with its summary, grouped.
pub fn list_text() -> String {
    let docs: Vec<&Doc> = all().collect();
    let width = docs.iter().map(|d| d.code.len()).max().unwrap_or(0);
    let mut out = String::new();
    let mut group = "";
    for d in docs {
        if d.kind.group() != group {
            group = d.kind.group();
            let sep = if out.is_empty() { "" } else { "\n" };
            out.push_str(&format!(
                "{sep}{}{}:\n",
                &group[..1].to_uppercase(),
                &group[1..]
            ));
        }
        out.push_str(&format!("  {:width$}  {}\n", d.code, d.summary));
    }
    out.push_str("\nRun `sopctl explain CODE` for what a code means, an example and its fix.\n");
    out
}

/// Word-wrap `text` with a two-space indent; each line ends with a newline.
pub fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let width = unicode_width::UnicodeWidthStr::width(line.as_str());
        if !line.is_empty()
            && width + 1 + unicode_width::UnicodeWidthStr::width(word) > TEXT_WIDTH - 2
        {
            out.push_str(&format!("  {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("  {line}\n"));
    }
    out
}
