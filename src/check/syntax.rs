//! Text that must parse: `bad-expression`, `bad-duration`, `bad-due`, `bad-template`.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::expr::{Due, ExprError};
use crate::model::{DurationText, Process, Sp};

pub fn bad_expression(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    p.transitions
        .iter()
        .filter_map(|t| {
            let cond = t.when.as_ref()?;
            let e = cond.parsed.as_ref().err()?;
            Some(ctx.error(
                "bad-expression",
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

pub fn bad_duration(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut all: Vec<(&DurationText, String)> = Vec::new();
    if let Some(r) = &p.review_every {
        all.push((r, "`review.every`".into()));
    }
    for (_, t) in p.tasks() {
        for r in &t.remind_before {
            all.push((r, format!("`remind_before` of task `{}`", t.id.v)));
        }
        if let Some(e) = &t.escalate {
            all.push((&e.after, format!("`escalate.after` of task `{}`", t.id.v)));
        }
    }
    for t in &p.transitions {
        for (i, step) in t.approval.iter().enumerate() {
            let what = format!("approval step {} of the transition to `{}`", i + 1, t.to.v);
            for r in &step.remind_before {
                all.push((r, format!("`remind_before` of {what}")));
            }
            if let Some(e) = &step.escalate {
                all.push((&e.after, format!("`escalate.after` of {what}")));
            }
        }
    }
    all.into_iter()
        .filter_map(|(d, what)| {
            let e = d.parsed.as_ref().err()?;
            Some(ctx.error(
                "bad-duration",
                &p.file,
                d.text.sub_span(e.start, e.end),
                format!("{what} is not a duration: {}", e.message),
                e.help.clone(),
            ))
        })
        .collect()
}

pub fn bad_due(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut all: Vec<(&Sp<String>, &Result<Due, ExprError>, String)> = Vec::new();
    for (_, t) in p.tasks() {
        if let (Some(due), Some(parsed)) = (&t.due, &t.due_parsed) {
            all.push((due, parsed, format!("task `{}`", t.id.v)));
        }
    }
    for t in &p.transitions {
        for (i, step) in t.approval.iter().enumerate() {
            if let (Some(due), Some(parsed)) = (&step.due, &step.due_parsed) {
                let what = format!("approval step {} of the transition to `{}`", i + 1, t.to.v);
                all.push((due, parsed, what));
            }
        }
    }
    all.into_iter()
        .filter_map(|(due, parsed, what)| {
            let e = parsed.as_ref().err()?;
            Some(ctx.error(
                "bad-due",
                &p.file,
                due.sub_span(e.start, e.end),
                format!("the due date of {what} does not parse: {}", e.message),
                e.help.clone(),
            ))
        })
        .collect()
}

/// Character offset of a byte offset in `s`.
fn char_offset(s: &str, byte: usize) -> usize {
    s.char_indices().take_while(|(i, _)| *i < byte).count()
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
                super::suggestion(f, fields.iter().copied(), "fields")
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

pub fn bad_template(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in &p.statuses {
        for n in &s.notify {
            let m: &Sp<String> = &n.message;
            for (a, b, msg, help) in template_problems(p, &m.v) {
                out.push(ctx.error("bad-template", &p.file, m.sub_span(a, b), msg, help));
            }
        }
    }
    out
}
