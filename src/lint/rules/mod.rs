//! One file per lint rule: its documentation, its check and its tests.

mod duplicate_title;
mod external_role_pool;
mod idle_status;
mod kpi_without_target;
mod long_checklist;
mod long_guide;
mod message_loop;
mod missing_owner;
mod missing_purpose;
mod missing_review;
mod self_approval;
mod stale_review;
mod task_without_due;
mod task_without_guide;
mod unfilled_requirement;
mod unused_field;
mod unused_role;

use super::Rule;

/// Read before the rules run: the git history is loaded only for the files it will look at.
pub use stale_review::RULE as STALE_REVIEW;

/// Every rule, in the order of SPEC section 6, then those of SPEC 12.
pub const ALL: &[Rule] = &[
    missing_purpose::RULE,
    missing_owner::RULE,
    missing_review::RULE,
    stale_review::RULE,
    task_without_guide::RULE,
    task_without_due::RULE,
    idle_status::RULE,
    unfilled_requirement::RULE,
    self_approval::RULE,
    long_checklist::RULE,
    long_guide::RULE,
    unused_field::RULE,
    unused_role::RULE,
    duplicate_title::RULE,
    external_role_pool::RULE,
    message_loop::RULE,
    kpi_without_target::RULE,
];
