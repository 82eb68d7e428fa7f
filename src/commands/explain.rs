//! `sopctl explain CODE`.

use super::{fail, Global, EXIT_ERROR, EXIT_OK};
use crate::docs;
use crate::suggest::did_you_mean;

pub fn run(_g: &Global, code: &str) -> i32 {
    match docs::explain(code) {
        Some(text) => {
            print!("{text}");
            EXIT_OK
        }
        None => {
            let all = docs::all_codes();
            let hint = match did_you_mean(code, all.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? Known codes: {}", all.join(", ")),
                None => format!("known codes: {}", all.join(", ")),
            };
            fail(&format!("unknown code `{code}`"), &hint);
            EXIT_ERROR
        }
    }
}
