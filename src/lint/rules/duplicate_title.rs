//! `duplicate-title`: two statuses of one process with the same title.

use std::collections::HashMap;

use crate::codes::{Doc, Kind};
use crate::lint::{Check, Finding, Level, LintCtx, Rule};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "duplicate-title",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "two statuses of one process with the same title",
    what: "Flags every status whose `title` (compared after trimming blank space) is already \
        the title of an earlier status of the same process, at the later title.",
    why: "People see statuses by their titles: in lists, on buttons (a transition's label \
        defaults to its target's title), in notifications and in the handbook. Two \
        statuses called the same cannot be told apart, so people pick the wrong one or \
        cannot say where a record is.",
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
    manager-review: { title: 审批中 }
    finance-review: { title: 审批中 }
    approved: { title: 已批准, terminal: true }
  transitions:
    - { from: draft, to: manager-review, by: [role:sales], approval: [{ role: sales-manager }] }
    - { from: manager-review, to: finance-review, by: [role:sales], approval: [{ role: finance }] }
    - { from: finance-review, to: approved, by: [role:sales] }
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
    manager-review: { title: 主管已批 }
    finance-review: { title: 财务已批 }
    approved: { title: 已批准, terminal: true }
  transitions:
    - { from: draft, to: manager-review, by: [role:sales], approval: [{ role: sales-manager }] }
    - { from: manager-review, to: finance-review, by: [role:sales], approval: [{ role: finance }] }
    - { from: finance-review, to: approved, by: [role:sales] }
"#,
    help: "Give each status a title that says how it differs from the others.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "同一流程里两个状态的标题相同",
    check: Check::Process(check),
};

fn check(_ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut out = Vec::new();
    for s in &p.statuses {
        let title = s.title.v.trim();
        match first.get(title) {
            Some(earlier) => out.push(Finding::new(
                &p.file,
                s.title.span,
                format!(
                    "status `{}` is titled {title}, like status `{earlier}`: people cannot tell the two apart in lists, buttons and the handbook",
                    s.id.v
                ),
                format!(
                    "give `{}` a title that says how it differs from `{earlier}`",
                    s.id.v
                ),
            )),
            None => {
                first.insert(title, &s.id.v);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("duplicate-title");
    }

    #[test]
    fn points_at_the_second_title() {
        let yaml = crate::lint::lookup("duplicate-title").unwrap().doc.example;
        let f = run_rule("duplicate-title", yaml);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (line_of(yaml, "finance-review: {"), 30));
        assert!(
            f[0].2.contains("like status `manager-review`"),
            "{}",
            f[0].2
        );
    }
}
