//! One file per validation code (SPEC section 5): its documentation, its check and its tests,
//! with its failing and fixed examples as YAML files in the folder of the same name.

pub mod asset_missing;
pub mod asset_outside_project;
pub mod bad_due;
pub mod bad_duration;
pub mod bad_expression;
pub mod bad_kpi;
pub mod bad_template;
pub mod dead_end_status;
pub mod duplicate_name;
pub mod duplicate_transition;
pub mod field_type_mismatch;
pub mod invalid_each;
pub mod invalid_move_parent;
pub mod multiple_initial_statuses;
pub mod no_initial_status;
pub mod no_terminal_status;
pub mod schema;
pub mod start_cycle;
pub mod task_then_without_transition;
pub mod terminal_has_exit;
pub mod unknown_field;
pub mod unknown_process;
pub mod unknown_role;
pub mod unknown_status;
pub mod unknown_task;
pub mod unreachable_status;
pub mod yaml_syntax;

use super::CodeDef;

/// Every validation code, in the order of SPEC section 5, then those of SPEC 10.
pub const ALL: &[CodeDef] = &[
    yaml_syntax::DEF,
    schema::DEF,
    duplicate_name::DEF,
    unknown_status::DEF,
    unknown_field::DEF,
    unknown_role::DEF,
    unknown_process::DEF,
    no_initial_status::DEF,
    multiple_initial_statuses::DEF,
    no_terminal_status::DEF,
    terminal_has_exit::DEF,
    unreachable_status::DEF,
    dead_end_status::DEF,
    duplicate_transition::DEF,
    task_then_without_transition::DEF,
    field_type_mismatch::DEF,
    bad_expression::DEF,
    bad_duration::DEF,
    bad_due::DEF,
    bad_template::DEF,
    asset_missing::DEF,
    asset_outside_project::DEF,
    invalid_move_parent::DEF,
    start_cycle::DEF,
    invalid_each::DEF,
    bad_kpi::DEF,
    unknown_task::DEF,
];
