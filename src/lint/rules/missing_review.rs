//! `missing-review`: a process without `metadata.review.every`.

use crate::codes::{Doc, Kind};
use crate::lint::{Check, Finding, Level, LintCtx, Rule};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "missing-review",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a process without `metadata.review.every`",
    what: "Flags a process with no `metadata.review.every`, the cadence at which the SOP must \
        be reviewed (定期复盘). The finding points at `metadata.name`. With a cadence, \
        `stale-review` warns when the file has not changed for longer than that.",
    why: "Processes drift: people, tools and customers change, and an SOP nobody revisits \
        slowly describes work that is no longer done that way. A cadence makes the review \
        somebody's scheduled job instead of nobody's.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager }
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
"#,
    help: "Add `metadata.review: { every: 180d }` (or the cadence the owner commits to).",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "流程没有 `metadata.review.every`（复盘周期）",
    check: Check::Process(check),
};

fn check(_ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    if p.review_every.is_some() {
        return vec![];
    }
    vec![Finding::new(
        &p.file,
        p.name.span,
        format!(
            "process `{}` ({}) has no review cadence: nothing reminds its owner to check that it still matches how the work is done",
            p.name.v, p.title.v
        ),
        "add `review: { every: 180d }` under `metadata` (or the cadence the owner commits to)",
    )]
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("missing-review");
    }
}
