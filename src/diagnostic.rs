//! The one finding type that flows through every stage (load, schema, check, lint) and is
//! printed by `report` in every format.

use serde::Serialize;

/// How bad a finding is. Validation findings are errors; lint findings are warnings unless
/// configured otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in a source file: 1-based line, 1-based column counted in Unicode scalar values
/// (characters), so that a column means the same thing whatever the encoding of the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };
    pub fn new(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }
}

/// A range in a source file; `end` is exclusive. An empty range (start == end) points at a
/// place without underlining anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Span {
        Span { start, end }
    }
    pub fn point(p: Pos) -> Span {
        Span { start: p, end: p }
    }
}

/// One finding. `file` is relative to the project root, with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub span: Span,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &str, file: &str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            severity: Severity::Error,
            message: message.into(),
            file: file.to_string(),
            span,
            help: None,
        }
    }

    pub fn warning(code: &str, file: &str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, span, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn line(&self) -> usize {
        self.span.start.line
    }

    pub fn column(&self) -> usize {
        self.span.start.column
    }

    /// Stable order for output: file, then position, then code.
    pub fn sort_key(&self) -> (&str, Pos, &str, &str) {
        (&self.file, self.span.start, &self.code, &self.message)
    }
}

/// Sort findings into their stable output order and drop exact repeats.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}
