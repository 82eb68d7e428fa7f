//! Kept so that callers of the old module still compile: the documentation of every code now
//! lives in [`crate::codes`].

pub use crate::codes::{all_codes, explain, rule_doc};
