//! One file per action of [`crate::engine::Action`], each a method on the step.

mod approve;
mod complete;
mod create;
mod move_;
mod set;
mod tick;
