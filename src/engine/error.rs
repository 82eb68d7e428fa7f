//! The engine's errors. `code` is one of the names of SPEC section 4 (`missing-fields`,
//! `not-allowed`, `no-such-transition`, `no-such-task`, `invalid-value`), plus
//! `automatic-loop` (automatic transitions that keep firing: a bundle bug, not a user error)
//! and `no-such-record` / `no-such-process` for callers that name things that do not exist.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    pub code: &'static str,
    pub message: String,
    /// For `missing-fields`: the titles of the missing fields, in the process's field order.
    pub fields: Vec<String>,
}

impl EngineError {
    pub fn new(code: &'static str, message: impl Into<String>) -> EngineError {
        EngineError {
            code,
            message: message.into(),
            fields: vec![],
        }
    }

    pub fn missing(titles: Vec<String>) -> EngineError {
        EngineError {
            code: MISSING_FIELDS,
            message: format!("missing fields: {}", titles.join(", ")),
            fields: titles,
        }
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for EngineError {}

pub const MISSING_FIELDS: &str = "missing-fields";
pub const NOT_ALLOWED: &str = "not-allowed";
pub const NO_SUCH_TRANSITION: &str = "no-such-transition";
pub const NO_SUCH_TASK: &str = "no-such-task";
pub const INVALID_VALUE: &str = "invalid-value";
pub const AUTOMATIC_LOOP: &str = "automatic-loop";
pub const NO_SUCH_RECORD: &str = "no-such-record";
pub const NO_SUCH_PROCESS: &str = "no-such-process";
