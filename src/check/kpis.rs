//! `spec.kpis`: each KPI measures exactly one thing that exists, with a target that parses
//! and fits its measure. Unknown ids get their own codes (`unknown-status`, `unknown-task`,
//! `unknown-field`), a `share.where` is checked like a transition's `when`, and everything
//! else wrong with a KPI is `bad-kpi`.

use super::{suggestion, Ctx};
use crate::diagnostic::Diagnostic;
use crate::expr::{check_condition, ExprErrorKind};
use crate::kpi::target::Kind;
use crate::model::{Cond, FieldType, Kpi, KpiMeasure, Process, Sp};

const MEASURES: &str = "give exactly one of `time: { from, to }`, `share: { reached }` (or `share: { where }`), `on_time: <task>` or `average: <field>`";

pub fn kpis(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for k in &p.kpis {
        if seen.contains(&k.id.v.as_str()) {
            out.push(ctx.error(
                "duplicate-name",
                &p.file,
                k.id.span,
                format!(
                    "two KPIs of process `{}` have the id `{}`",
                    p.name.v, k.id.v
                ),
                "give each KPI its own id".into(),
            ));
        }
        seen.push(&k.id.v);
        match k.measure() {
            Some(m) => out.extend(measure(ctx, p, k, m)),
            None => out.push(ctx.error(
                "bad-kpi",
                &p.file,
                k.id.span,
                format!(
                    "KPI `{}` has {} measures",
                    k.id.v,
                    if k.measures.is_empty() {
                        "no"
                    } else {
                        "several"
                    }
                ),
                MEASURES.into(),
            )),
        }
        out.extend(target(ctx, p, k));
    }
    out
}

fn kind(m: &KpiMeasure) -> Kind {
    match m {
        KpiMeasure::Time { .. } => Kind::Time,
        KpiMeasure::Share { .. } => Kind::Share,
        KpiMeasure::OnTime(_) => Kind::OnTime,
        KpiMeasure::Average(_) => Kind::Average,
    }
}

fn target(ctx: &Ctx, p: &Process, k: &Kpi) -> Option<Diagnostic> {
    let (text, parsed) = (k.target.as_ref()?, k.target_parsed.as_ref()?);
    let bad = |span, message: String, help: String| {
        Some(ctx.error("bad-kpi", &p.file, span, message, help))
    };
    match parsed {
        Err(e) => bad(
            text.sub_span(e.start, e.end),
            format!(
                "the target of KPI `{}` does not parse: {}",
                k.id.v, e.message
            ),
            e.help.clone(),
        ),
        Ok(t) => {
            let m = k.measure()?;
            let problem = t.fits(kind(m)).err()?;
            bad(
                text.span,
                format!(
                    "the target `{}` of KPI `{}` does not fit its measure",
                    text.v, k.id.v
                ),
                problem,
            )
        }
    }
}

fn measure(ctx: &Ctx, p: &Process, k: &Kpi, m: &KpiMeasure) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match m {
        KpiMeasure::Time { from, to } => {
            out.extend(status(ctx, p, k, from));
            out.extend(status(ctx, p, k, to));
        }
        KpiMeasure::Share { reached, when, span } => match (reached, when) {
            (Some(r), None) => out.extend(status(ctx, p, k, r)),
            (None, Some(c)) => out.extend(condition(ctx, p, k, c)),
            _ => out.push(ctx.error(
                "bad-kpi",
                &p.file,
                *span,
                format!("`share` of KPI `{}` needs exactly one of `reached` and `where`", k.id.v),
                "`reached: <status>` counts the records that entered that status; `where: <condition>` those whose fields match".into(),
            )),
        },
        KpiMeasure::OnTime(task) => {
            if !p.tasks().any(|(_, t)| t.id.v == task.v) {
                let known: Vec<&str> = p.tasks().map(|(_, t)| t.id.v.as_str()).collect();
                out.push(ctx.error(
                    "unknown-task",
                    &p.file,
                    task.span,
                    format!(
                        "KPI `{}` measures task `{}`, which process `{}` does not have",
                        k.id.v, task.v, p.name.v
                    ),
                    suggestion(&task.v, known.iter().copied(), "tasks of this process"),
                ));
            }
        }
        KpiMeasure::Average(field) => out.extend(average(ctx, p, k, field)),
    }
    out
}

fn status(ctx: &Ctx, p: &Process, k: &Kpi, id: &Sp<String>) -> Option<Diagnostic> {
    if p.status(&id.v).is_some() {
        return None;
    }
    Some(ctx.error(
        "unknown-status",
        &p.file,
        id.span,
        format!(
            "KPI `{}` names status `{}`, which process `{}` does not have",
            k.id.v, id.v, p.name.v
        ),
        super::status_suggestion(p, &id.v),
    ))
}

fn average(ctx: &Ctx, p: &Process, k: &Kpi, id: &Sp<String>) -> Option<Diagnostic> {
    let Some(f) = p.field(&id.v) else {
        return Some(ctx.error(
            "unknown-field",
            &p.file,
            id.span,
            format!(
                "KPI `{}` averages field `{}`, which process `{}` does not define",
                k.id.v, id.v, p.name.v
            ),
            super::field_suggestion(p, &id.v),
        ));
    };
    if matches!(f.ty, FieldType::Number | FieldType::Money) {
        return None;
    }
    Some(ctx.error(
        "field-type-mismatch",
        &p.file,
        id.span,
        format!(
            "KPI `{}` averages `{}` ({}), which holds {}, not a number",
            k.id.v, id.v, f.title, f.ty
        ),
        "average a field of type `number` or `money`; for a choice such as 满意/不满意, use `share: { where: \"…\" }`".into(),
    ))
}

/// A `share.where` is checked like a transition's `when`: syntax, unknown fields, types.
fn condition(ctx: &Ctx, p: &Process, k: &Kpi, c: &Cond) -> Vec<Diagnostic> {
    let what = format!("the `where` of KPI `{}`", k.id.v);
    let expr = match &c.parsed {
        Ok(e) => e,
        Err(e) => {
            return vec![ctx.error(
                "bad-expression",
                &p.file,
                c.source.sub_span(e.start, e.end),
                format!("{what} does not parse: {}", e.message),
                e.help.clone(),
            )]
        }
    };
    let Err(errs) = check_condition(expr, &|name| p.field(name).map(|f| f.ty)) else {
        return vec![];
    };
    errs.iter()
        .filter_map(|e| {
            let code = match e.kind {
                ExprErrorKind::UnknownField => "unknown-field",
                ExprErrorKind::TypeMismatch => "field-type-mismatch",
                _ => return None,
            };
            Some(ctx.error(
                code,
                &p.file,
                c.source.sub_span(e.start, e.end),
                format!("{what}: {}", e.message),
                e.help.clone(),
            ))
        })
        .collect()
}
