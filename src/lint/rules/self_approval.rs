//! `self-approval`: an approval step whose role may also trigger the same transition.

use crate::codes::{Doc, Kind};
use crate::lint::{describe_transition, Check, Finding, Level, LintCtx, Rule};
use crate::model::{Process, Ref, RefKind};

const DOC: Doc = Doc {
    code: "self-approval",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "an approval step whose role may also trigger the same transition",
    what: "Flags an approval step, at its `role`, when the same role is listed as \
        `role:<same>` in that transition's `by`. Only explicit `by` entries count: a \
        transition without `by` (any participant) is not flagged, because who participates \
        is only known at run time.",
    why: "An approval is a second pair of eyes. When the role that asks may also approve, one \
        person can request and approve the same move, and the control point the SOP \
        promises (审批) quietly does not exist.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 采购先申请、再审批，避免超预算采购。
  statuses:
    draft:
      title: 草稿
      initial: true
      tasks:
        - { id: submit, title: 提交采购申请, assignee: role:sales, due: +1bd, guide: 填写品名、数量和预算后提交审批。 }
    approved: { title: 已批准, terminal: true }
  transitions:
    - from: draft
      to: approved
      by: [role:sales, role:sales-manager]
      approval: [{ role: sales-manager }]
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 采购先申请、再审批，避免超预算采购。
  statuses:
    draft:
      title: 草稿
      initial: true
      tasks:
        - { id: submit, title: 提交采购申请, assignee: role:sales, due: +1bd, guide: 填写品名、数量和预算后提交审批。 }
    approved: { title: 已批准, terminal: true }
  transitions:
    - from: draft
      to: approved
      by: [role:sales]
      approval: [{ role: sales-manager }]
"#,
    help: "Let a different role approve, or remove the approving role from `by`.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "审批步骤的角色也能自己发起同一流转",
    check: Check::Process(check),
};

fn check(ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in &p.transitions {
        for step in &t.approval {
            if !t
                .by
                .iter()
                .any(|r| r.kind == RefKind::Role && r.id == step.role.v)
            {
                continue;
            }
            let role = Ref {
                kind: RefKind::Role,
                id: step.role.v.clone(),
                span: step.role.span,
            };
            out.push(Finding::new(
                &p.file,
                step.role.span,
                format!(
                    "{} may trigger {} and also approve it: one person can request and approve the same move",
                    ctx.describe_ref(p, &role),
                    describe_transition(p, t)
                ),
                format!(
                    "let a different role approve, or remove `role:{}` from `by` so that the request and the approval come from different people",
                    step.role.v
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("self-approval");
    }

    #[test]
    fn points_at_the_step_role() {
        let yaml = crate::lint::lookup("self-approval").unwrap().doc.example;
        let f = run_rule("self-approval", yaml);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (line_of(yaml, "approval: [{"), 26));
        assert!(
            f[0].2.starts_with(
                "销售主管 (role:sales-manager) may trigger the transition to 已批准 (`approved`)"
            ),
            "{}",
            f[0].2
        );
    }

    #[test]
    fn no_by_is_not_flagged() {
        let yaml = crate::lint::lookup("self-approval")
            .unwrap()
            .doc
            .example
            .replace("      by: [role:sales, role:sales-manager]\n", "");
        assert!(run_rule("self-approval", &yaml).is_empty());
    }
}
