//! `bad-kpi`: a KPI's target does not parse or does not fit its measure.
//! Also reports the unknown statuses and fields of a KPI under their own codes
//! (`unknown-status`, `unknown-field`) and a repeated KPI id as `duplicate-name`; the task of
//! an `on_time` KPI is checked by `unknown-task`.

use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc};
use crate::diagnostic::Diagnostic;
use crate::expr::{check_condition, ExprErrorKind};
use crate::kpi::target::Kind;
use crate::model::{Cond, FieldType, Kpi, KpiMeasure, Process, Sp};

pub const CODE: Code = &Doc {
    code: "bad-kpi",
    kind: crate::codes::Kind::Validation,
    summary: "A KPI's target does not parse or does not fit its measure",
    what: "A KPI in `spec.kpis` has no measure or several, a `share` with both or neither of \
        `reached` and `where`, or a `target` that is not `[p50|p90|p95|avg] <op> <value>` or \
        does not fit the measure: a `time` target needs a statistic and a duration (`p90 <= \
        1d`), `share` and `on_time` a percentage (`>= 95%`), `average` a number (`>= 4.5`).",
    why: "A KPI is how the owner sees whether the process works. A target that cannot be \
        compared with what is measured would show every period as met or missed for no \
        reason, and the periodic review would argue about numbers that mean nothing.",
    example: include_str!("bad_kpi/bad.yaml"),
    fixed: include_str!("bad_kpi/fixed.yaml"),
    help: "Write the target as `p90 <= 1d` for a time, `>= 95%` for a share or on-time \
        rate, `>= 4.5` for an average.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(kpis),
    },
};

const MEASURES: &str = "give exactly one of `time: { from, to }`, `share: { reached }` (or `share: { where }`), `on_time: <task>` or `average: <field>`";

pub fn kpis(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for k in &p.kpis {
        if seen.contains(&k.id.v.as_str()) {
            out.push(ctx.error(
                super::duplicate_name::CODE,
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
                CODE,
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
    let bad =
        |span, message: String, help: String| Some(ctx.error(CODE, &p.file, span, message, help));
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
                CODE,
                &p.file,
                *span,
                format!("`share` of KPI `{}` needs exactly one of `reached` and `where`", k.id.v),
                "`reached: <status>` counts the records that entered that status; `where: <condition>` those whose fields match".into(),
            )),
        },
        // Its task is checked by `unknown-task`.
        KpiMeasure::OnTime(_) => {}
        KpiMeasure::Average(field) => out.extend(average(ctx, p, k, field)),
    }
    out
}

fn status(ctx: &Ctx, p: &Process, k: &Kpi, id: &Sp<String>) -> Option<Diagnostic> {
    if p.status(&id.v).is_some() {
        return None;
    }
    Some(ctx.error(
        super::unknown_status::CODE,
        &p.file,
        id.span,
        format!(
            "KPI `{}` names status `{}`, which process `{}` does not have",
            k.id.v, id.v, p.name.v
        ),
        crate::check::shared::status_suggestion(p, &id.v),
    ))
}

fn average(ctx: &Ctx, p: &Process, k: &Kpi, id: &Sp<String>) -> Option<Diagnostic> {
    let Some(f) = p.field(&id.v) else {
        return Some(ctx.error(
            super::unknown_field::CODE,
            &p.file,
            id.span,
            format!(
                "KPI `{}` averages field `{}`, which process `{}` does not define",
                k.id.v, id.v, p.name.v
            ),
            crate::check::shared::field_suggestion(p, &id.v),
        ));
    };
    if matches!(f.ty, FieldType::Number | FieldType::Money) {
        return None;
    }
    Some(ctx.error(
        super::field_type_mismatch::CODE,
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
                super::bad_expression::CODE,
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
                ExprErrorKind::UnknownField => super::unknown_field::CODE,
                ExprErrorKind::TypeMismatch => super::field_type_mismatch::CODE,
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

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
