//! `terminal-has-exit`: a transition leaves a terminal status.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::{From, Process};

pub const CODE: Code = &Doc {
    code: "terminal-has-exit",
    kind: Kind::Validation,
    summary: "A transition leaves a terminal status",
    what: "A transition's `from` is a status marked `terminal: true`. A terminal status means \
        the record is finished, so it can have no way out.",
    why: "A record counted as finished could still change, so closed work reopens unnoticed \
        and reports of finished work are wrong.",
    example: include_str!("terminal_has_exit/bad.yaml"),
    fixed: include_str!("terminal_has_exit/fixed.yaml"),
    help: "If records really go on from that status, remove `terminal: true` from it and make \
        sure a terminal status can be reached from it; otherwise delete the transition.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(terminal_has_exit),
    },
};

pub fn terminal_has_exit(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in &p.transitions {
        let From::List(ids) = &t.from else { continue };
        for id in ids {
            if p.status(&id.v).is_some_and(|s| s.terminal) {
                out.push(ctx.error(
                    CODE,
                    &p.file,
                    id.span,
                    format!("status `{}` is terminal, but this transition leaves it for `{}`", id.v, t.to.v),
                    format!("a terminal status is the end of the record: remove `{}` from `from`, or drop `terminal: true` from it", id.v),
                ));
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
