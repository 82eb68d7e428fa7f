//! The `human` format: each finding through miette's graphical handler, then a summary line.

use std::borrow::Cow;
use std::fmt::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{counts, Indexed, Located, Omitted, ReportOptions, PER_FILE, PER_RUN};
use crate::diagnostic::{Diagnostic, Severity};

/// Fixed so that the output does not depend on the terminal and tests are stable.
const WIDTH: usize = 100;

pub(super) fn render(
    diags: &[Diagnostic],
    sources: &Indexed,
    opts: &ReportOptions,
    omitted: &Omitted,
) -> String {
    let mut out = String::new();
    for d in diags {
        let block = graphical(d, sources, opts.color).unwrap_or_else(|| plain(d, opts.color));
        for line in block.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    for (file, n) in &omitted.by_file {
        let _ = writeln!(
            out,
            "… and {n} more finding{} in {file}, not shown (at most {PER_FILE} a file and \
             {PER_RUN} in all are shown; `--format json` counts them all)\n",
            if *n == 1 { "" } else { "s" }
        );
    }
    let (errors, warnings) = counts(diags);
    out.push_str(&summary(
        errors + omitted.errors,
        warnings + omitted.warnings,
    ));
    out.push('\n');
    out
}

/// `2 errors, 1 warning`, leaving out a count that is zero.
fn summary(errors: usize, warnings: usize) -> String {
    fn plural(n: usize, word: &str) -> String {
        format!("{n} {word}{}", if n == 1 { "" } else { "s" })
    }
    match (errors, warnings) {
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
fn graphical(d: &Diagnostic, sources: &Indexed, color: bool) -> Option<String> {
    let loc = sources.locate(&d.file, d.span)?;
    let snippet = Snippet::around(sources, &d.file, d.span.start.line, &loc);
    let (message, help) = (shorten(&d.message), d.help.as_deref().map(shorten));
    let report = Report {
        message: &message,
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help: help.as_deref(),
        span: SourceSpan::new(snippet.start.into(), snippet.end - snippet.start),
        source: CharColumns {
            name: &d.file,
            snippet,
        },
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
        .with_word_separator(textwrap::WordSeparator::Custom(id_safe_words))
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false)
        .without_syntax_highlighting();
    let mut out = String::new();
    handler.render_report(&mut out, &report).ok()?;
    // The message line is indented by two spaces like the rest; the header starts the block.
    Some(out.strip_prefix("  ").unwrap_or(&out).to_string())
}

/// Words for wrapping: runs of text between spaces, and each wide (CJK) character on its own,
/// so that Chinese text still wraps but an id such as `finance-manager` never breaks at its
/// hyphen (Unicode line breaking would allow that).
fn id_safe_words(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    let wide = |c: char| unicode_width::UnicodeWidthChar::width(c) == Some(2);
    let mut words = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in line.char_indices() {
        if let Some(p) = prev {
            let after_space = p == ' ' && c != ' ';
            let around_wide = c != ' ' && p != ' ' && (wide(c) || wide(p)) && !is_closing(c);
            if after_space || around_wide {
                words.push(textwrap::core::Word::from(&line[start..i]));
                start = i;
            }
        }
        prev = Some(c);
    }
    if start < line.len() {
        words.push(textwrap::core::Word::from(&line[start..]));
    }
    Box::new(words.into_iter())
}

/// Punctuation that must not start a line (it stays with the word before it).
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '：'
            | '；'
            | '）'
            | '」'
            | '”'
            | '！'
            | '？'
            | ','
            | '.'
            | ':'
            | ';'
            | ')'
            | '`'
    )
}

/// Lines longer than this many characters are shown as a window around the finding: a
/// 70,000-character key would otherwise flood the terminal (and overflow the formatter).
const MAX_SHOWN: usize = 160;
/// How much of a long line is kept before the finding's column.
const SHOWN_BEFORE: usize = 60;

/// The few lines miette shows (the finding's line and one on each side), cut to a window
/// around the finding when long, with what is needed to report true lines and columns.
#[derive(Debug)]
struct Snippet {
    text: String,
    /// Byte range of the underlined part within `text`.
    start: usize,
    end: usize,
    /// 0-based line number in the file of the first line of `text`.
    first_line: usize,
    /// Index within `text` of the finding's line.
    focus: usize,
    /// Characters of the finding's line that were cut away before the window.
    cut_before: usize,
}

impl Snippet {
    fn around(sources: &Indexed, file: &str, line_no: usize, loc: &Located) -> Snippet {
        let len = loc.line_text.chars().count();
        let (from, to) = if len <= MAX_SHOWN {
            (0, usize::MAX)
        } else {
            let from = loc.start_char.saturating_sub(SHOWN_BEFORE);
            (from, from + MAX_SHOWN)
        };
        let first = line_no.saturating_sub(1).max(1);
        let mut text = String::new();
        let (mut start, mut end, mut focus, mut cut_before) = (0, 0, 0, 0);
        for (i, n) in (first..=line_no + 1).enumerate() {
            let line = if n == line_no {
                Some(loc.line_text)
            } else {
                sources.line(file, n).map(|(_, l)| l)
            };
            let Some(line) = line else { continue };
            if i > 0 {
                text.push('\n');
            }
            // A neighbour too short to reach the window is shown from its start: its indentation
            // still tells where the finding sits.
            let shown = if n != line_no && line.chars().nth(from).is_none() {
                window(line, 0, MAX_SHOWN)
            } else {
                window(line, from, to)
            };
            if n == line_no {
                focus = i;
                let marker = usize::from(shown.starts_with('…'));
                cut_before = from.saturating_sub(marker);
                let at = |c: usize| {
                    let c = c.clamp(from, to.min(len)) - from + marker;
                    text.len() + shown.char_indices().nth(c).map_or(shown.len(), |(b, _)| b)
                };
                start = at(loc.start_char);
                end = at(loc.end_char.max(loc.start_char));
            }
            text.push_str(&shown);
        }
        // miette draws no marker at the very end of a text: give a point there a line to sit on.
        if start == text.len() {
            text.push('\n');
        }
        Snippet {
            text,
            start,
            end,
            first_line: first - 1,
            focus,
            cut_before,
        }
    }
}

/// Characters `from..to` of `line`, with `…` where something was cut.
fn window(line: &str, from: usize, to: usize) -> Cow<'_, str> {
    if from == 0 && line.chars().nth(to).is_none() {
        return Cow::Borrowed(line);
    }
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut chars = line.chars().skip(from);
    out.extend(chars.by_ref().take(to - from));
    if chars.next().is_some() {
        out.push('…');
    }
    Cow::Owned(out)
}

/// Longer runs of text without a space are cut in messages and help texts: they quote what
/// the user wrote, and a 70,000-character title would fill the screen.
const MAX_WORD: usize = 80;

fn shorten(text: &str) -> Cow<'_, str> {
    if !text.split(' ').any(|w| w.chars().nth(MAX_WORD).is_some()) {
        return Cow::Borrowed(text);
    }
    let words: Vec<String> = text
        .split(' ')
        .map(|w| match w.chars().count() {
            n if n > MAX_WORD => {
                let kept: String = w.chars().take(MAX_WORD / 2).collect();
                format!("{kept}…({n} characters)")
            }
            _ => w.to_string(),
        })
        .collect();
    Cow::Owned(words.join(" "))
}

/// The finding without a snippet, for a file whose text is not available.
fn plain(d: &Diagnostic, color: bool) -> String {
    let theme = theme(color);
    // Continuation lines are indented so each finding reads as one block.
    let mut out = format!(
        "{} {}\n",
        header_tag(d, &theme),
        shorten(&d.message).replace('\n', "\n  ")
    );
    let place = if d.line() == 0 {
        d.file.clone()
    } else {
        format!("{}:{}:{}", d.file, d.line(), d.column().max(1))
    };
    let _ = writeln!(out, "  {} {}", theme.styles.link.style("-->"), place);
    if let Some(help) = &d.help {
        let help = shorten(help).replace('\n', "\n        ");
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
/// counts the column in characters, as sopctl does everywhere, not in bytes, and that it holds
/// only the lines shown, reporting their true line numbers and columns.
#[derive(Debug)]
struct CharColumns<'a> {
    name: &'a str,
    snippet: Snippet,
}

impl SourceCode for CharColumns<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &str = &self.snippet.text;
        let inner = text.read_span(span, context_lines_before, context_lines_after)?;
        let found = *inner.span();
        let data = text
            .as_bytes()
            .get(found.offset()..found.offset() + found.len())
            .ok_or(MietteError::OutOfBounds)?;
        // The byte column is the distance from the start of the span's line.
        let byte_column = inner.column();
        let mut column = span
            .offset()
            .checked_sub(byte_column)
            .and_then(|line_start| text.get(line_start..span.offset()))
            .map_or(byte_column, |before| before.chars().count());
        if inner.line() == self.snippet.focus {
            column += self.snippet.cut_before;
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            data,
            found,
            inner.line() + self.snippet.first_line,
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
    use crate::report::{render as render_any, Format, SourceText};

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
    fn a_finding_past_column_65535_is_shown_as_a_window() {
        let key = "k".repeat(70_000);
        let text = format!("a: 1\n{key}x: 2\nb: 3\n");
        let d = Diagnostic::error(
            "schema",
            "a.yaml",
            Span::point(Pos::new(2, 70_001)),
            "unknown key",
        );
        let out = human(&[d], &sources("a.yaml", &text), false);
        assert!(out.contains("─[a.yaml:2:70001]"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() < 400), "{out}");
        assert!(out.contains(" 2 │ …kkk"), "{out}");
        assert!(out.contains(" 3 │ b: 3\n"), "{out}");
        // The caret sits under the `x` after the long key.
        let lines: Vec<&str> = out.lines().collect();
        let code = lines.iter().find(|l| l.starts_with(" 2 │")).unwrap();
        let caret = lines[lines.iter().position(|l| l.starts_with(" 2 │")).unwrap() + 1];
        let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
        assert_eq!(
            width(&code[..code.find('x').unwrap()]),
            width(&caret[..caret.find(['┬', '▲']).unwrap()])
        );
    }

    #[test]
    fn a_long_span_is_cut_at_the_window() {
        let key = format!("\"{}\"", "q".repeat(1 << 20));
        let text = format!("{key}: 1\n");
        let d = Diagnostic::error(
            "schema",
            "a.yaml",
            Span::new(Pos::new(1, 1), Pos::new(1, (1 << 20) + 3)),
            "unknown key",
        );
        let out = human(&[d], &sources("a.yaml", &text), false);
        assert!(out.contains("─[a.yaml:1:1]"), "{out}");
        assert!(out.len() < 4_000, "{} bytes", out.len());
    }

    #[test]
    fn empty_and_plural_summaries() {
        assert_eq!(human(&[], &(), false), "no problems found\n");
        let e = Diagnostic::error("schema", "a.yaml", Span::default(), "x");
        let w = Diagnostic::warning("long-guide", "a.yaml", Span::default(), "y");
        let _ = (e, w);
        assert_eq!(summary(2, 1), "2 errors, 1 warning");
        assert_eq!(summary(0, 2), "2 warnings");
        assert_eq!(summary(1, 0), "1 error");
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
