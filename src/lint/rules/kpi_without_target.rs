//! `kpi-without-target`: a KPI with no `target`.

use crate::codes::{Doc, Kind};
use crate::lint::{Check, Finding, Level, LintCtx, Rule};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "kpi-without-target",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a KPI with no `target`",
    what: "Flags a KPI in `spec.kpis` with no `target`, at the KPI's `id`. It is still \
        measured and charted, but no period is ever met or missed.",
    why: "A number without a target starts no conversation: the periodic review (定期复盘) \
        needs to see where the process falls short of what was agreed, and the handbook tells \
        people what good looks like only when the target is written down.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: today 18:00, guide: 按发货单拣货、复核并交接物流。 }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
  kpis:
    - { id: on-time-shipping, title: 按时发货率, on_time: ship }
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: today 18:00, guide: 按发货单拣货、复核并交接物流。 }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
  kpis:
    - { id: on-time-shipping, title: 按时发货率, on_time: ship, target: ">= 95%" }
"#,
    help: "Add `target:`, e.g. `p90 <= 1d` for a time, `>= 95%` for a share or an on-time rate, \
        `>= 4.5` for an average.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "KPI 没有 `target`（目标值）",
    check: Check::Process(check),
};

fn check(_ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    p.kpis
        .iter()
        .filter(|k| k.target.is_none())
        .map(|k| {
            Finding::new(
                &p.file,
                k.id.span,
                format!(
                    "KPI `{}` ({}) has no target: it is measured, but never met or missed",
                    k.id.v, k.title.v
                ),
                match k.measure() {
                    Some(crate::model::KpiMeasure::Time { .. }) => {
                        "add `target:`, e.g. `target: \"p90 <= 1d\"`"
                    }
                    Some(crate::model::KpiMeasure::Average(_)) => {
                        "add `target:`, e.g. `target: \">= 4.5\"`"
                    }
                    _ => "add `target:`, e.g. `target: \">= 95%\"`",
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("kpi-without-target");
    }

    #[test]
    fn points_at_the_kpi_id() {
        let yaml = crate::lint::lookup("kpi-without-target")
            .unwrap()
            .doc
            .example;
        let f = run_rule("kpi-without-target", yaml);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (line_of(yaml, "on-time-shipping"), 13));
        assert!(f[0].3.contains(">= 95%"), "{}", f[0].3);
    }
}
