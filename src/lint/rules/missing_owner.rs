//! `missing-owner`: a process without `metadata.owner`.

use crate::codes::{Doc, Kind};
use crate::lint::{Check, Finding, Level, LintCtx, Rule};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "missing-owner",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a process without `metadata.owner`",
    what: "Flags a process with no `metadata.owner`, the role that answers for the SOP \
        (责任人). The finding points at `metadata.name`.",
    why: "Someone must keep the SOP true to how work is really done, review it on schedule and \
        decide the cases it does not cover. Holders of the owner's role are also participants \
        of every record, so they can step in when a record is stuck. Without an owner, \
        nobody does any of this.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, review: { every: 180d } }
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
    help: "Add `metadata.owner: role:<id>`, the role that answers for this SOP.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "流程没有 `metadata.owner`（责任人）",
    check: Check::Process(check),
};

fn check(_ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    if p.owner.is_some() {
        return vec![];
    }
    // Who approves in this process is the most likely owner.
    let hint = p
        .transitions
        .iter()
        .flat_map(|t| t.approval.iter())
        .map(|s| s.role.v.as_str())
        .next()
        .unwrap_or("<role>");
    vec![Finding::new(
        &p.file,
        p.name.span,
        format!(
            "process `{}` ({}) has no owner: nobody answers for keeping it up to date",
            p.name.v, p.title.v
        ),
        format!("add `owner: role:{hint}` (the role that answers for this SOP) under `metadata`"),
    )]
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("missing-owner");
    }

    #[test]
    fn suggests_the_approving_role() {
        let yaml = crate::lint::lookup("missing-owner")
            .unwrap()
            .doc
            .example
            .replace(
                "by: [role:warehouse] }",
                "by: [role:warehouse], approval: [{ role: finance }] }",
            );
        let f = run_rule("missing-owner", &yaml);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].3.starts_with("add `owner: role:finance`"),
            "{}",
            f[0].3
        );
    }
}
