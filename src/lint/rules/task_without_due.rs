//! `task-without-due`: a task with no `due`.

use crate::codes::{Doc, Kind};
use crate::lint::{describe_task, Check, Finding, Level, LintCtx, Rule};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "task-without-due",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a task with no `due`",
    what: "Flags a task with no `due`, at the task's `id`. Bot tasks are included: a due date \
        is what makes a stuck bot task overdue, so that `escalate` brings in a person.",
    why: "Without a due date a task never becomes overdue: it is not reminded, not escalated, \
        and sinks under newer work. \"By when\" is half of knowing what to do. When the date \
        truly cannot be known in advance, allow the rule for the process with a reason.",
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
          guide: 按发货单拣货、复核并交接物流。
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
          remind_before: [2h]
          guide: 按发货单拣货、复核并交接物流。
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    help: "Add `due:` (`today 18:00`, `+1bd`, `<date field> + 2d`), or allow the rule with a reason when no date can be known.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "任务没有 `due`（截止时间）",
    check: Check::Process(check),
};

fn check(_ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    p.tasks()
        .filter(|(_, t)| t.due.as_ref().is_none_or(|d| d.v.trim().is_empty()))
        .map(|(s, t)| {
            Finding::new(
                &p.file,
                t.id.span,
                format!(
                    "{} has no due date: it is never reminded, never overdue and never escalated",
                    describe_task(p, &s.id.v, t)
                ),
                "add `due:`, e.g. `due: today 18:00`, `due: +1bd` or `due: <date field> + 2d`; if no date can be known in advance, add `metadata.lint.allow: [{ rule: task-without-due, reason: … }]`",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("task-without-due");
    }

    #[test]
    fn bots_need_a_due_date_too() {
        let yaml = crate::lint::lookup("task-without-due")
            .unwrap()
            .doc
            .example
            .replace("assignee: role:warehouse", "assignee: role:logistics-bot");
        let f = run_rule("task-without-due", &yaml);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (line_of(&yaml, "- id: ship"), 15));
        assert!(
            f[0].2
                .starts_with("task 出库发货 (`ship`) in 待发货 (`pending`)"),
            "{}",
            f[0].2
        );
    }
}
