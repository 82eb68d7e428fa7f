//! `sopctl schema`: prints the shipped JSON Schema, so editors can use it without a checkout.

use super::Exit;

pub fn run(config_schema: bool) -> Exit {
    let text = if config_schema {
        crate::schema::CONFIG_SCHEMA
    } else {
        crate::schema::SOP_SCHEMA
    };
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Exit::Ok
}
