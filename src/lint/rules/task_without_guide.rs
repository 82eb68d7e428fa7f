//! `task-without-guide`: a task for a person with no `guide`.

use crate::codes::{Doc, Kind};
use crate::lint::{describe_task, Check, Finding, Level, LintCtx, Rule};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "task-without-guide",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a task for a person with no `guide`",
    what: "Flags a task with no `guide` (or a blank one), at the task's `id`. Tasks assigned to \
        a role with `bot: true` are exempt: a bot does not read guides.",
    why: "A title says what, not how. The guide is what a person opens when they do not know \
        where to start: what to check, what to enter where, whom to ask. Without it, the \
        task is one more item people \"enter the system and don't know what to do\" with.",
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
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: today 18:00
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
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: today 18:00
          guide: |
            按发货单拣货并复核数量，与物流当面交接并索取面单，
            在系统中填写物流单号后点击“完成”。
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    help: "Add a `guide` saying what to do, how, and with whom.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "分配给人的任务没有 `guide`（操作指引）",
    check: Check::Process(check),
};

fn check(ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    p.tasks()
        .filter(|(_, t)| !ctx.is_bot(t))
        .filter(|(_, t)| t.guide.as_ref().is_none_or(|g| g.v.trim().is_empty()))
        .map(|(s, t)| {
            Finding::new(
                &p.file,
                t.id.span,
                format!(
                    "{} has no guide: {} gets only its title to go on",
                    describe_task(p, &s.id.v, t),
                    ctx.describe_ref(p, &t.assignee)
                ),
                "add `guide:` saying what to do, how, and with whom: what to check, what to enter where in the system, whom to ask when stuck",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("task-without-guide");
    }

    #[test]
    fn points_at_the_id_and_names_the_assignee() {
        let yaml = crate::lint::lookup("task-without-guide")
            .unwrap()
            .doc
            .example;
        let f = run_rule("task-without-guide", yaml);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (line_of(yaml, "- id: ship"), 15));
        assert!(f[0].2.contains("库管 (role:warehouse)"), "{}", f[0].2);
    }

    #[test]
    fn bots_are_exempt() {
        let yaml = crate::lint::lookup("task-without-guide")
            .unwrap()
            .doc
            .example
            .replace("assignee: role:warehouse", "assignee: role:logistics-bot");
        assert!(run_rule("task-without-guide", &yaml).is_empty());
    }
}
