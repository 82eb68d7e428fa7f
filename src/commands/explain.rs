//! `sopctl explain [CODE]`: one code's documentation, or the list of every code.

use super::{fail, Global, EXIT_ERROR, EXIT_OK};
use crate::codes;
use crate::suggest::did_you_mean;

pub fn run(_g: &Global, code: Option<&str>) -> i32 {
    let Some(code) = code else {
        print!("{}", codes::list_text());
        return EXIT_OK;
    };
    match codes::explain(code) {
        Some(text) => {
            print!("{text}");
            EXIT_OK
        }
        None => {
            let all = codes::all_codes();
            let hint = match did_you_mean(code, all.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? Known codes: {}", all.join(", ")),
                None => format!("known codes: {}", all.join(", ")),
            };
            fail(&format!("unknown code `{code}`"), &hint);
            EXIT_ERROR
        }
    }
}
