//! The `github` format: workflow commands that GitHub Actions turns into annotations.

use super::{prefixed_path, Indexed, Omitted, ReportOptions};
use crate::diagnostic::{Diagnostic, Severity};

pub(super) fn render(
    diags: &[Diagnostic],
    sources: &Indexed,
    opts: &ReportOptions,
    omitted: &Omitted,
) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&command(d, sources, opts));
        out.push('\n');
    }
    for (file, n) in &omitted.by_file {
        let file = escape_property(&prefixed_path(opts.uri_prefix, file));
        out.push_str(&format!(
            "::notice file={file},title=sopctl::{n} more findings in this file were not shown\n"
        ));
    }
    out
}

fn command(d: &Diagnostic, sources: &Indexed, opts: &ReportOptions) -> String {
    let name = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = vec![("file", prefixed_path(opts.uri_prefix, &d.file))];
    let line = d.line();
    // A finding about a whole file (line 0) is annotated on the file alone.
    if line > 0 {
        // Character columns, end exclusive, never an empty range.
        let (start, end) = match sources.locate(&d.file, d.span) {
            Some(l) => (l.start_char + 1, l.end_char.max(l.start_char + 1) + 1),
            None => {
                let start = d.column().max(1);
                let end = if d.span.end.line == line && d.span.end.column > start {
                    d.span.end.column
                } else {
                    start + 1
                };
                (start, end)
            }
        };
        props.extend([
            ("line", line.to_string()),
            ("col", start.to_string()),
            ("endLine", line.to_string()),
            ("endColumn", end.to_string()),
        ]);
    }
    props.push(("title", format!("sopctl {}", d.code)));
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    let mut message = d.message.clone();
    if let Some(help) = d.help.as_deref().filter(|h| !h.is_empty()) {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{name} {}::{}", props.join(","), escape_data(&message))
}

/// The message part: `%`, CR and LF would end or corrupt the command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: additionally `:` and `,`, which separate the properties.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Pos, Span};
    use crate::report::tests::sources;
    use crate::report::SourceText;

    fn github(diags: &[Diagnostic], srcs: &dyn SourceText, prefix: &str) -> String {
        let mut opts = ReportOptions::new("0.1.0");
        opts.uri_prefix = prefix;
        render(
            diags,
            &crate::report::Indexed::new(srcs),
            &opts,
            &Omitted::default(),
        )
    }

    #[test]
    fn escapes_message_and_properties() {
        let d = Diagnostic::error(
            "bad-expression",
            "sops/a,b.yaml",
            Span::new(Pos::new(3, 11), Pos::new(3, 20)),
            "100% sure: a, b\r\nnext",
        )
        .with_help("write `and`, not `&&`");
        let out = github(&[d], &(), "docs/p:x/");
        assert_eq!(
            out,
            "::error file=docs/p%3Ax/sops/a%2Cb.yaml,line=3,col=11,endLine=3,endColumn=20,\
             title=sopctl bad-expression::100%25 sure: a, b%0D%0Anext%0Ahelp: write `and`, not `&&`\n"
        );
    }

    #[test]
    fn warnings_and_file_level_findings() {
        let text = "metadata:\n  title: 发货流程\n";
        let w = Diagnostic::warning(
            "long-guide",
            "sops/发货.yaml",
            Span::point(Pos::new(2, 10)),
            "长",
        );
        let f = Diagnostic::warning(
            "missing-owner",
            "sops/发货.yaml",
            Span::default(),
            "no owner",
        );
        let out = github(&[w, f], &sources("sops/发货.yaml", text), "");
        assert_eq!(
            out,
            "::warning file=sops/发货.yaml,line=2,col=10,endLine=2,endColumn=14,title=sopctl \
             long-guide::长\n::warning file=sops/发货.yaml,title=sopctl missing-owner::no owner\n"
        );
    }

    #[test]
    fn empty() {
        assert_eq!(github(&[], &(), ""), "");
    }
}
