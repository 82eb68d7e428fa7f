//! `missing-purpose`: a process without `spec.purpose`.

use crate::codes::{Doc, Kind};
use crate::lint::{Check, Finding, Level, LintCtx, Rule};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "missing-purpose",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a process without `purpose`",
    what: "Flags a process whose `spec.purpose` is missing or blank. The finding points at \
        `metadata.name`.",
    why: "The purpose (目的) is the first thing the handbook shows and the first thing a new \
        person reads. Without it, people follow the steps without knowing what they protect, \
        and cannot judge the cases the SOP did not foresee.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  record: 发货单
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: today 18:00, guide: 按发货单拣货、复核并交接物流。 }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  record: 发货单
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: today 18:00, guide: 按发货单拣货、复核并交接物流。 }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    help: "Add `spec.purpose`: one or two sentences on what this SOP achieves and for whom.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "流程没有 `purpose`（目的）",
    check: Check::Process(check),
};

fn check(_ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    if p.purpose.as_ref().is_some_and(|t| !t.v.trim().is_empty()) {
        return vec![];
    }
    vec![Finding::new(
        &p.file,
        p.name.span,
        format!(
            "process `{}` ({}) does not say what it is for: it has no `spec.purpose`",
            p.name.v, p.title.v
        ),
        "add `spec.purpose` with one or two sentences on what this SOP achieves and for whom, e.g. `purpose: 让每一票货都先审批、再出库`",
    )]
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("missing-purpose");
    }

    #[test]
    fn blank_purpose_is_missing_and_points_at_the_name() {
        let yaml = crate::lint::lookup("missing-purpose")
            .unwrap()
            .doc
            .fixed
            .replace(
                "purpose: 让每一票货都先审批、再出库，发货信息当天回填。",
                "purpose: \"  \"",
            );
        let f = run_rule("missing-purpose", &yaml);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].0, f[0].1),
            (line_of(&yaml, "name: sales-delivery"), 19)
        );
        assert!(f[0].2.contains("销售发货"));
    }
}
