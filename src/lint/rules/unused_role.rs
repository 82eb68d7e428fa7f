//! `unused-role`: a role that no process uses.

use std::collections::HashSet;

use crate::codes::{Doc, Kind};
use crate::lint::{all_refs, Check, Finding, Level, LintCtx, Rule};
use crate::model::RefKind;

const DOC: Doc = Doc {
    code: "unused-role",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a role defined and never referenced",
    what: "Flags a role of a Roles document, at its key, that no process of the project names: \
        not as `owner`, task `assignee`, `on_behalf_of` or `escalate.to`, not in `by`, \
        `notify.to` or an approval step. Scenarios do not count. It looks at the whole \
        project, so it cannot be allowed by one process; switch it off or ignore the Roles \
        file in sopctl.yaml instead.",
    why: "The role list is the map of who does what. A role with no part in any SOP is either \
        left over from a process that changed (and its holders think they still have \
        duties) or a part the SOPs forgot to give work to.",
    example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales-manager: { title: 销售主管 }
    warehouse: { title: 库管 }
    logistics: { title: 物流专员 }
---
apiVersion: sopctl/v1
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
    fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales-manager: { title: 销售主管 }
    warehouse: { title: 库管 }
    logistics: { title: 物流专员 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  statuses:
    pending:
      title: 待发货
      initial: true
      notify: [{ to: [role:logistics], message: "发货单 {{ record.id }} 今天出库，请预约取件。" }]
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: today 18:00, guide: 按发货单拣货、复核并交接物流。 }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    help: "Give the role its part in a process (a task, an approval, `by` or `notify`), or remove it from the Roles file.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "定义了但从未使用的角色",
    check: Check::Project(check),
};

fn check(ctx: &LintCtx) -> Vec<Finding> {
    let used: HashSet<String> = ctx
        .project
        .processes
        .iter()
        .flat_map(|p| all_refs(p))
        .filter(|r| r.kind == RefKind::Role)
        .map(|r| r.id)
        .collect();
    ctx.project
        .roles
        .iter()
        .filter(|r| !used.contains(&r.id.v))
        .map(|r| {
            Finding::new(
                &r.file,
                r.id.span,
                format!(
                    "role {} (`{}`) is defined but no process uses it: nobody holding it is ever given a task, an approval or a message",
                    r.title, r.id.v
                ),
                "give the role its part in a process (a task `assignee`, an approval step, `by` or `notify.to`), or remove it from the Roles file",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("unused-role");
    }

    #[test]
    fn points_at_the_role_key() {
        let yaml = crate::lint::lookup("unused-role").unwrap().doc.example;
        let f = run_rule("unused-role", yaml);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (line_of(yaml, "logistics:"), 5));
        assert!(
            f[0].2.starts_with("role 物流专员 (`logistics`)"),
            "{}",
            f[0].2
        );
    }

    #[test]
    fn approval_roles_count() {
        let yaml = crate::lint::lookup("unused-role")
            .unwrap()
            .doc
            .example
            .replace(
                "by: [role:warehouse] }",
                "by: [role:warehouse], approval: [{ role: logistics }] }",
            );
        assert!(run_rule("unused-role", &yaml).is_empty());
    }
}
