//! The small languages embedded in SOP files (SPEC section 3): `when` conditions, durations
//! and due rules. Everything here works on one string at a time and reports positions as
//! character offsets into that string; the caller maps them to file positions.

pub mod ast;
pub mod due;
pub mod duration;
pub mod lexer;
pub mod parser;
pub mod typecheck;

pub use ast::{BinaryOp, Expr, ExprKind, UnaryOp};
pub use due::{parse_due, Due};
pub use duration::{parse_duration, Duration, DurationUnit};
pub use parser::parse_expr;
pub use typecheck::{check_condition, Type};

/// A problem inside one expression/duration/due string. `start`/`end` are offsets counted in
/// CHARACTERS (Unicode scalar values, not bytes) into the string given to the parser, end
/// exclusive; the caller maps them to file positions.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    pub kind: ExprErrorKind,
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub help: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprErrorKind {
    Syntax,
    UnknownField,
    TypeMismatch,
}

impl ExprError {
    pub fn new(
        kind: ExprErrorKind,
        start: usize,
        end: usize,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> ExprError {
        ExprError {
            kind,
            start,
            // A reversed range would confuse every caret printer downstream.
            end: end.max(start),
            message: message.into(),
            help: help.into(),
        }
    }

    pub fn syntax(
        start: usize,
        end: usize,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> ExprError {
        ExprError::new(ExprErrorKind::Syntax, start, end, message, help)
    }

    /// The same error moved `by` characters to the right: used when a piece of a larger
    /// string (the duration inside a due rule) was parsed on its own.
    pub fn shifted(mut self, by: usize) -> ExprError {
        self.start = self.start.saturating_add(by);
        self.end = self.end.saturating_add(by);
        self
    }
}

impl std::fmt::Display for ExprError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExprError {}

impl ExprErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExprErrorKind::Syntax => "syntax",
            ExprErrorKind::UnknownField => "unknown-field",
            ExprErrorKind::TypeMismatch => "type-mismatch",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversed_range_is_clamped() {
        let e = ExprError::syntax(5, 2, "m", "h");
        assert_eq!((e.start, e.end), (5, 5));
    }

    #[test]
    fn shifted_moves_both_ends() {
        let e = ExprError::syntax(1, 3, "m", "h").shifted(4);
        assert_eq!((e.start, e.end), (5, 7));
        assert_eq!(e.to_string(), "m");
    }

    #[test]
    fn kinds_have_stable_names() {
        assert_eq!(ExprErrorKind::Syntax.as_str(), "syntax");
        assert_eq!(ExprErrorKind::UnknownField.as_str(), "unknown-field");
        assert_eq!(ExprErrorKind::TypeMismatch.as_str(), "type-mismatch");
    }
}
