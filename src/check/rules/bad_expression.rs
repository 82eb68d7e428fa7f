//! `bad-expression`: a when condition does not parse.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;

pub const CODE: Code = &Doc {
    code: "bad-expression",
    kind: Kind::Validation,
    summary: "A when condition does not parse",
    what: "An automatic transition's `when` is not a valid sopctl expression. Expressions use \
        field ids, literals, `now`, `+ -`, comparisons, `in [..]`, `and`, `or`, `not`, \
        parentheses and `is_set(field)`.",
    why: "An automatic transition whose condition cannot be read never fires, so records \
        wait for a move that should have happened on its own.",
    example: include_str!("bad_expression/bad.yaml"),
    fixed: include_str!("bad_expression/fixed.yaml"),
    help: "Fix the syntax at the position shown: use `and`, `or`, `not` (not `&&`, `||`, \
        `!`), `==` for equality, and single quotes for text.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(bad_expression),
    },
};

pub fn bad_expression(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    p.transitions
        .iter()
        .filter_map(|t| {
            let cond = t.when.as_ref()?;
            let e = cond.parsed.as_ref().err()?;
            Some(ctx.error(
                CODE,
                &p.file,
                cond.source.sub_span(e.start, e.end),
                format!(
                    "the condition of the transition to `{}` does not parse: {}",
                    t.to.v, e.message
                ),
                e.help.clone(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
