//! `sopctl explain [CODE]`: one code's documentation, or the list of every code.

use super::{refuse, Exit, Global};
use crate::codes;
use crate::suggest::did_you_mean;

pub fn run(_g: &Global, code: Option<&str>) -> Exit {
    let Some(code) = code else {
        print!("{}", codes::list_text());
        return Exit::Ok;
    };
    match codes::explain(code) {
        Some(text) => {
            print!("{text}");
            Exit::Ok
        }
        None => {
            let all = codes::all_codes();
            let hint = match did_you_mean(code, all.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? Known codes: {}", all.join(", ")),
                None => format!("known codes: {}", all.join(", ")),
            };
            refuse(&format!("unknown code `{code}`"), &hint)
        }
    }
}
