//! `duplicate-transition`: two transitions connect the same pair of statuses.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::{Diagnostic, Span};
use crate::model::{From, Process};
use std::collections::HashMap;

pub const CODE: Code = &Doc {
    code: "duplicate-transition",
    kind: Kind::Validation,
    summary: "Two transitions connect the same pair of statuses",
    what: "More than one transition has the same (from, to) pair, counting each status of a \
        `from` list and of `from: \"*\"` separately.",
    why: "There is one way from one status to another, with one set of people who may take \
        it, one set of requirements and one approval chain; two definitions would \
        contradict each other.",
    example: include_str!("duplicate_transition/bad.yaml"),
    fixed: include_str!("duplicate_transition/fixed.yaml"),
    help: "Merge the transitions into one: list every role in `by`, combine the `requires`, \
        or use sequential `approval` steps when several people must agree.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(duplicate_transition),
    },
};

pub fn duplicate_transition(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut first: HashMap<(&str, &str), usize> = HashMap::new();
    let mut out = Vec::new();
    for t in &p.transitions {
        let froms: Vec<(&str, Span)> = match &t.from {
            From::Any(span) => p.from_ids(t).into_iter().map(|f| (f, *span)).collect(),
            From::List(ids) => ids.iter().map(|i| (i.v.as_str(), i.span)).collect(),
        };
        for (f, span) in froms {
            let key = (f, t.to.v.as_str());
            match first.get(&key) {
                Some(line) => out.push(ctx.error(
                    CODE,
                    &p.file,
                    span,
                    format!("there is already a transition from `{f}` to `{}` (line {line})", t.to.v),
                    "keep one transition per (from, to) pair: merge their `by`, `requires` and `approval`; note that `from: \"*\"` covers every non-terminal status".into(),
                )),
                None => {
                    first.insert(key, t.span.start.line);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
