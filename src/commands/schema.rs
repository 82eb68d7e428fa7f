//! `sopctl schema`: prints the shipped JSON Schema, so editors can use it without a checkout.

use super::EXIT_OK;

pub fn run(config_schema: bool) -> i32 {
    let text = if config_schema {
        crate::schema::CONFIG_SCHEMA
    } else {
        crate::schema::SOP_SCHEMA
    };
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    EXIT_OK
}
