//! `yaml-syntax`: the file is not valid YAML.
//! Reported by `load` while parsing, before there is a model to check.

use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};

pub const CODE: Code = &Doc {
    code: "yaml-syntax",
    kind: Kind::Validation,
    summary: "The file is not valid YAML",
    what: "The file could not be parsed as YAML, so nothing in it was checked. sopctl \
        recognises the usual typing mistakes and names them at the place they are, with \
        the corrected line: a missing `:` after a key, the full-width `：` or `，` of a \
        Chinese input method, a tab in the indentation or after a colon, a key one or two \
        spaces off its siblings, an unclosed quote or bracket (reported where it opens), \
        and a key written twice in one mapping. Otherwise the position is where the parser \
        gave up, and the mistake is on that line or just before it, often a `: ` inside an \
        unquoted text. It is also reported for a file that is binary, not UTF-8 or over 8 \
        MiB, that nests deeper than 64 levels, or whose aliases expand past 2 million values.",
    why: "Until the file parses, none of its processes exist for sopctl: they are not \
        validated, built into the bundle or shown in the handbook, so the people following \
        them get nothing.",
    example: include_str!("yaml_syntax/bad.yaml"),
    fixed: include_str!("yaml_syntax/fixed.yaml"),
    help: "Fix the YAML at the position shown; quote any text that contains `: ` or starts \
        with a special character such as `{`, `[`, `*` or `#`.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: None,
    },
};

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
