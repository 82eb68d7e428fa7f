//! The `human` format: each finding through miette's graphical handler, then a summary line.

use std::borrow::Cow;
use std::fmt::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{counts, locate, ReportOptions, SourceText};
use crate::diagnostic::{Diagnostic, Severity};

/// Fixed so that the output does not depend on the terminal and tests are stable.
const WIDTH: usize = 100;

pub(super) fn render(
    diags: &[Diagnostic],
    sources: &dyn SourceText,
    opts: &ReportOptions,
) -> String {
    let mut out = String::new();
    for d in diags {
        let block = sources
            .text(&d.file)
            .and_then(|text| graphical(d, text, opts.color))
            .unwrap_or_else(|| plain(d, opts.color));
        for line in block.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&summary(diags));
    out.push('\n');
    out
}

/// `2 errors, 1 warning`, leaving out a count that is zero.
fn summary(diags: &[Diagnostic]) -> String {
    fn plural(n: usize, word: &str) -> String {
        format!("{n} {word}{}", if n == 1 { "" } else { "s" })
    }
    match counts(diags) {
        (0, 0) => "no problems found".to_string(),
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

fn theme(color: bool) -> GraphicalTheme {
    // Unicode in both cases: the sources are CJK text, so the terminal is UTF-8 anyway, and the
    // layout stays identical with and without colour.
    if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    }
}

/// `error[code]:` in the severity's colour.
fn header_tag(d: &Diagnostic, theme: &GraphicalTheme) -> String {
    let tag = format!("{}[{}]:", d.severity.as_str(), d.code);
    let style = match d.severity {
        Severity::Error => theme.styles.error,
        Severity::Warning => theme.styles.warning,
    };
    style.style(tag).to_string()
}

/// The finding with its source snippet; `None` when its position is not in the text.
fn graphical(d: &Diagnostic, text: &str, color: bool) -> Option<String> {
    let loc = locate(text, d.span)?;
    let start = loc.line_offset + loc.byte_in_line(loc.start_char);
    let end = loc.line_offset + loc.byte_in_line(loc.end_char);
    let report = Report {
        message: &d.message,
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help: d.help.as_deref(),
        source: CharColumns {
            name: &d.file,
            text: for_miette(text, start),
        },
        span: SourceSpan::new(start.into(), end - start),
        label: d.code.replace('-', " "),
    };
    // miette prints a diagnostic code on a line of its own; the severity icon starts the
    // message line, so making the icon `error[code]:` gives a rustc-style header instead.
    let mut theme = theme(color);
    let tag = header_tag(d, &GraphicalTheme::unicode_nocolor());
    theme.characters.error.clone_from(&tag);
    theme.characters.warning = tag;
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_urls(false)
        .without_syntax_highlighting();
    let mut out = String::new();
    handler.render_report(&mut out, &report).ok()?;
    // The message line is indented by two spaces like the rest; the header starts the block.
    Some(out.strip_prefix("  ").unwrap_or(&out).to_string())
}

/// The text as miette can show it. miette reads a lone CR as a line break in one place and
/// as text in another, so it becomes LF (same length, so offsets stay). And miette draws no
/// marker at the very end of a text, so a point there gets a line break to sit on.
fn for_miette(text: &str, start: usize) -> Cow<'_, str> {
    let lone_cr = text
        .char_indices()
        .any(|(i, c)| c == '\r' && !text[i + 1..].starts_with('\n'));
    let mut text = Cow::Borrowed(text);
    if lone_cr {
        let fixed: String = text
            .char_indices()
            .map(|(i, c)| match c {
                '\r' if !text[i + 1..].starts_with('\n') => '\n',
                c => c,
            })
            .collect();
        text = Cow::Owned(fixed);
    }
    if start == text.len() {
        text.to_mut().push('\n');
    }
    text
}

/// The finding without a snippet, for a file whose text is not available.
fn plain(d: &Diagnostic, color: bool) -> String {
    let theme = theme(color);
    // Continuation lines are indented so each finding reads as one block.
    let mut out = format!(
        "{} {}\n",
        header_tag(d, &theme),
        d.message.replace('\n', "\n  ")
    );
    let place = if d.line() == 0 {
        d.file.clone()
    } else {
        format!("{}:{}:{}", d.file, d.line(), d.column().max(1))
    };
    let _ = writeln!(out, "  {} {}", theme.styles.link.style("-->"), place);
    if let Some(help) = &d.help {
        let help = help.replace('\n', "\n        ");
        let _ = writeln!(out, "  {} {}", theme.styles.help.style("help:"), help);
    }
    out
}

#[derive(Debug)]
struct Report<'a> {
    message: &'a str,
    severity: miette::Severity,
    help: Option<&'a str>,
    source: CharColumns<'a>,
    span: SourceSpan,
    label: String,
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span);
        Some(Box::new(std::iter::once(label)))
    }
}

/// A named source like miette's `NamedSource`, except that the `file:line:col` it reports
/// counts the column in characters, as sopctl does everywhere, not in bytes.
#[derive(Debug)]
struct CharColumns<'a> {
    name: &'a str,
    text: Cow<'a, str>,
}

impl SourceCode for CharColumns<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &str = &self.text;
        let inner = text.read_span(span, context_lines_before, context_lines_after)?;
        let found = *inner.span();
        let data = text
            .as_bytes()
            .get(found.offset()..found.offset() + found.len())
            .ok_or(MietteError::OutOfBounds)?;
        // The byte column is the distance from the start of the span's line.
        let byte_column = inner.column();
        let column = span
            .offset()
            .checked_sub(byte_column)
            .and_then(|line_start| text.get(line_start..span.offset()))
            .map_or(byte_column, |before| before.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            data,
            found,
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Pos, Span};
    use crate::report::tests::sources;
    use crate::report::{render as render_any, Format};

    fn human(diags: &[Diagnostic], srcs: &dyn SourceText, color: bool) -> String {
        let mut opts = ReportOptions::new("0.1.0");
        opts.color = color;
        render_any(Format::Human, diags, srcs, &opts)
    }

    const DELIVERY: &str = "\
statuses:
  pending: { title: 待发货, initial: true }
transitions:
  - from: pending
    to: shiped
";

    fn unknown_status() -> Diagnostic {
        Diagnostic::error(
            "unknown-status",
            "sops/delivery.yaml",
            Span::new(Pos::new(5, 9), Pos::new(5, 15)),
            "transition target `shiped` is not a status of process `delivery`",
        )
        .with_help("did you mean `shipped`?")
    }

    #[test]
    fn snippet_without_colour() {
        let out = human(
            &[unknown_status()],
            &sources("sops/delivery.yaml", DELIVERY),
            false,
        );
        insta::assert_snapshot!(out, @r"
        error[unknown-status]: transition target `shiped` is not a status of process `delivery`
           ╭─[sops/delivery.yaml:5:9]
         4 │   - from: pending
         5 │     to: shiped
           ·         ───┬──
           ·            ╰── unknown status
           ╰────
          help: did you mean `shipped`?

        1 error
        ");
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn colour_only_adds_escapes() {
        let srcs = sources("sops/delivery.yaml", DELIVERY);
        let coloured = human(&[unknown_status()], &srcs, true);
        assert!(coloured.contains("\u{1b}["));
        assert_eq!(
            strip_ansi(&coloured),
            human(&[unknown_status()], &srcs, false)
        );
    }

    #[test]
    fn carets_line_up_under_wide_text() {
        let text = "statuses:\n  shipped: { title: 已发货, initial: ture }\n";
        let d = Diagnostic::warning(
            "schema",
            "sops/发货.yaml",
            Span::point(Pos::new(2, 35)),
            "`initial` must be true or false",
        );
        let out = human(&[d], &sources("sops/发货.yaml", text), false);
        // 已发货 is six columns wide: the underline sits under `ture`, not two columns left.
        insta::assert_snapshot!(out, @r"
        warning[schema]: `initial` must be true or false
           ╭─[sops/发货.yaml:2:35]
         1 │ statuses:
         2 │   shipped: { title: 已发货, initial: ture }
           ·                                      ──┬─
           ·                                        ╰── schema
           ╰────

        1 warning
        ");
        let lines: Vec<&str> = out.lines().collect();
        let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
        let code_line = lines[3];
        let caret_line = lines[4];
        let token_at = width(&code_line[..code_line.find("ture").unwrap()]);
        let underline_at = width(&caret_line[..caret_line.find('─').unwrap()]);
        assert_eq!(token_at, underline_at);
    }

    #[test]
    fn without_source_text_prints_the_place() {
        let d = Diagnostic::error(
            "yaml-syntax",
            "sops/lost.yaml",
            Span::point(Pos::new(3, 4)),
            "could not read the file",
        )
        .with_help("check the file's permissions");
        let w = Diagnostic::warning(
            "missing-owner",
            "sops/lost.yaml",
            Span::default(),
            "no owner",
        );
        let out = human(&[d, w], &(), false);
        assert_eq!(
            out,
            "error[yaml-syntax]: could not read the file\n  --> sops/lost.yaml:3:4\n  \
             help: check the file's permissions\n\nwarning[missing-owner]: no owner\n  --> \
             sops/lost.yaml\n\n1 error, 1 warning\n"
        );
    }

    #[test]
    fn plain_indents_continuation_lines() {
        let d = Diagnostic::error("schema", "a.yaml", Span::point(Pos::new(1, 1)), "one\ntwo")
            .with_help("first\nsecond");
        assert_eq!(
            human(&[d], &(), false),
            "error[schema]: one\n  two\n  --> a.yaml:1:1\n  help: first\n        second\n\n1 error\n"
        );
    }

    #[test]
    fn position_past_the_text_falls_back_to_plain() {
        let d = Diagnostic::error("yaml-syntax", "a.yaml", Span::point(Pos::new(9, 1)), "bad");
        let out = human(&[d], &sources("a.yaml", "a: [\n"), false);
        assert!(out.starts_with("error[yaml-syntax]: bad\n  --> a.yaml:9:1\n"));
    }

    #[test]
    fn end_of_file_and_end_of_line_positions_render() {
        for (text, pos) in [
            ("a: [", Pos::new(1, 5)),
            ("a: 1\n", Pos::new(2, 1)),
            ("", Pos::new(1, 1)),
            ("k: v\r\nx: 1\r\n", Pos::new(1, 30)),
        ] {
            let d = Diagnostic::error("yaml-syntax", "a.yaml", Span::point(pos), "unexpected end");
            let out = human(&[d], &sources("a.yaml", text), false);
            assert!(
                out.starts_with("error[yaml-syntax]: unexpected end\n"),
                "{out}"
            );
            assert!(!out.contains("Failed to read"), "{out}");
            assert!(out.contains('▲') || out.contains('┬'), "{out}");
            assert!(out.ends_with("\n\n1 error\n"), "{out}");
        }
    }

    #[test]
    fn lone_carriage_return_is_a_line_break() {
        let d = Diagnostic::error("schema", "a.yaml", Span::point(Pos::new(2, 4)), "bad");
        let out = human(&[d], &sources("a.yaml", "a: 1\rb: x y\r"), false);
        assert!(!out.contains('\r'));
        assert!(
            out.contains("─[a.yaml:2:4]\n 1 │ a: 1\n 2 │ b: x y\n   ·    ┬\n"),
            "{out}"
        );
    }

    #[test]
    fn empty_and_plural_summaries() {
        assert_eq!(human(&[], &(), false), "no problems found\n");
        let e = Diagnostic::error("schema", "a.yaml", Span::default(), "x");
        let w = Diagnostic::warning("long-guide", "a.yaml", Span::default(), "y");
        assert_eq!(
            summary(&[e.clone(), e.clone(), w.clone()]),
            "2 errors, 1 warning"
        );
        assert_eq!(summary(&[w.clone(), w]), "2 warnings");
        assert_eq!(summary(&[e]), "1 error");
    }

    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
