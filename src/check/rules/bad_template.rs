//! `bad-template`: a notification message is not a valid template.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::{Process, Sp};

pub const CODE: Code = &Doc {
    code: "bad-template",
    kind: Kind::Validation,
    summary: "A notification message is not a valid template",
    what: "A notification `message` is not a valid MiniJinja template, uses a variable \
        other than `record.<field>`, `record.id`, `process.title` and `status.title`, or \
        multiplies something that may be text: `*` on a string repeats it, and MiniJinja \
        builds `{{ 'x' * 100000000 }}` whole before any bound applies, so `*` may only \
        multiply number literals, `record.id` and number or money fields.",
    why: "A message that cannot be rendered is not sent, so the people who should act on it \
        never hear about it.",
    example: include_str!("bad_template/bad.yaml"),
    fixed: include_str!("bad_template/fixed.yaml"),
    help: "Close every `{{` with `}}` and `{%` with `%}`, and use only `record.<field>`, \
        `record.id`, `process.title` and `status.title`.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(bad_template),
    },
};

pub fn bad_template(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in &p.statuses {
        for n in &s.notify {
            let m: &Sp<String> = &n.message;
            for (a, b, msg, help) in template_problems(p, &m.v) {
                out.push(ctx.error(CODE, &p.file, m.sub_span(a, b), msg, help));
            }
        }
    }
    out
}

/// Checks one notification message; returns (char start, char end, message, help) problems.
pub(crate) fn template_problems(p: &Process, msg: &str) -> Vec<(usize, usize, String, String)> {
    // Before compiling: MiniJinja folds `'x' * 100000000` into the string while compiling.
    if let Ok(Some((a, b))) =
        crate::runtime::template_guard::first_unsafe(msg, &|path| numeric(p, path))
    {
        return vec![(
            char_offset(msg, a),
            char_offset(msg, b),
            "the message multiplies something that may be text: `*` would repeat it".into(),
            "`*` in a message may only multiply numbers (number literals, `record.id`, number and money fields); write repeated text out".into(),
        )];
    }
    let env = minijinja::Environment::new();
    let tmpl = match env.template_from_str(msg) {
        Ok(t) => t,
        Err(e) => {
            let (a, b) = e
                .range()
                .map(|r| (char_offset(msg, r.start), char_offset(msg, r.end)))
                .unwrap_or((0, msg.chars().count()));
            let detail = e.detail().unwrap_or("syntax error").to_string();
            return vec![(
                a,
                b,
                format!("the message template does not parse: {detail}"),
                "check the `{{ … }}` and `{% … %}` tags: each must be closed".into(),
            )];
        }
    };
    let fields: Vec<&str> = p.fields.iter().map(|f| f.id.v.as_str()).collect();
    let mut vars: Vec<String> = tmpl.undeclared_variables(true).into_iter().collect();
    vars.sort();
    let mut out = Vec::new();
    for var in vars {
        let ok = match var.split_once('.') {
            Some(("record", f)) => f == "id" || fields.contains(&f),
            Some(("process", "title")) | Some(("status", "title")) => true,
            _ => false,
        };
        if ok {
            continue;
        }
        let byte = msg.find(&var).unwrap_or(0);
        let start = char_offset(msg, byte);
        let end = start + var.chars().count();
        let help = match var.split_once('.') {
            Some(("record", f)) => format!(
                "process `{}` has no field `{f}`. {}",
                p.name.v,
                crate::check::shared::suggestion(f, fields.iter().copied(), "fields")
            ),
            _ => "a message may use `record.<field>`, `record.id`, `process.title` and `status.title`".into(),
        };
        out.push((
            start,
            end,
            format!("the message uses `{var}`, which is not available to notifications"),
            help,
        ));
    }
    out
}

/// Whether a dotted name is a number in a message: `record.id` or a number or money field.
fn numeric(p: &Process, path: &[&str]) -> bool {
    use crate::model::field_type::FieldType;
    match path {
        ["record", "id"] => true,
        ["record", f] => p
            .fields
            .iter()
            .any(|x| x.id.v == *f && matches!(x.ty, FieldType::Number | FieldType::Money)),
        _ => false,
    }
}

/// Character offset of a byte offset in `s`.
fn char_offset(s: &str, byte: usize) -> usize {
    s.char_indices().take_while(|(i, _)| *i < byte).count()
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
