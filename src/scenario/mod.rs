//! `sopctl test`: runs `Scenario` documents (SPEC section 4) on the engine.

pub mod runner;

pub use runner::{run_all, Coverage, ProcessCoverage, ScenarioResult};
