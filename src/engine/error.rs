//! The engine's errors. `code` is one of the names of SPEC section 4 (`missing-fields`,
//! `not-allowed`, `no-such-transition`, `no-such-task`, `invalid-value`), plus
//! `automatic-loop` (automatic transitions that keep firing: a bundle bug, not a user error)
//! and `no-such-record` / `no-such-process` for callers that name things that do not exist.

use crate::bundle::Field;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    pub code: &'static str,
    pub message: String,
    /// The titles of the fields concerned (missing, refused or invalid), in the process's
    /// field order.
    pub fields: Vec<String>,
    /// The ids of the same fields, in the same order (for `fields:[{id,title}]`).
    pub field_ids: Vec<String>,
}

impl EngineError {
    pub fn new(code: &'static str, message: impl Into<String>) -> EngineError {
        EngineError {
            code,
            message: message.into(),
            fields: vec![],
            field_ids: vec![],
        }
    }

    pub fn missing(fields: &[&Field]) -> EngineError {
        let titles: Vec<&str> = fields.iter().map(|f| f.title.as_str()).collect();
        EngineError::new(
            MISSING_FIELDS,
            format!("missing fields: {}", titles.join(", ")),
        )
        .with_fields(fields.to_vec())
    }

    /// Names the fields concerned.
    pub fn with_fields(mut self, fields: Vec<&Field>) -> EngineError {
        self.fields = fields.iter().map(|f| f.title.clone()).collect();
        self.field_ids = fields.iter().map(|f| f.id.clone()).collect();
        self
    }

    /// The field a request names that is not a field (such as a rejection's `reason`).
    pub fn with_field_id(mut self, id: &str) -> EngineError {
        self.fields = vec![id.to_string()];
        self.field_ids = vec![id.to_string()];
        self
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
