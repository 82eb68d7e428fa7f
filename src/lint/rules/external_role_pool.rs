//! `external-role-pool`: a task assigned to a role whose holders are people outside the
//! company (`external: true`).

use crate::codes::{Doc, Kind};
use crate::lint::{Check, Finding, Level, LintCtx, Rule};
use crate::model::{Process, RefKind};

const DOC: Doc = Doc {
    code: "external-role-pool",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a task assigned to an external role: every outside holder sees it",
    what: "Flags a task, at its `assignee`, when the assignee is `role:<id>` and that role is \
        `external: true`. A task assigned to a role is one task that any holder may complete, \
        so every external person with the role sees it and may complete it.",
    why: "External people (实施人员（外部）, suppliers, freelancers) should see only their own \
        work. A role pool shows one freelancer the task, the record and the files meant for \
        another, and lets the wrong person hand in the work.",
    example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    pm: { title: 项目经理 }
    translator-ext: { title: 外部译员, external: true }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: translation, title: 翻译项目, owner: role:pm }
spec:
  fields:
    translator: { type: user, title: 译员, role: translator-ext }
    draft: { type: files, title: 译稿 }
  statuses:
    working:
      title: 翻译中
      initial: true
      tasks:
        - { id: translate, title: 提交译稿, assignee: role:translator-ext, complete: { fill: [draft], then: done } }
    done: { title: 完成, terminal: true }
  transitions:
    - { from: working, to: done, by: [role:pm] }
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    pm: { title: 项目经理 }
    translator-ext: { title: 外部译员, external: true }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: translation, title: 翻译项目, owner: role:pm }
spec:
  fields:
    translator: { type: user, title: 译员, role: translator-ext }
    draft: { type: files, title: 译稿 }
  statuses:
    working:
      title: 翻译中
      initial: true
      tasks:
        - { id: translate, title: 提交译稿, assignee: field:translator, complete: { fill: [draft], then: done } }
    done: { title: 完成, terminal: true }
  transitions:
    - { from: working, to: done, by: [role:pm] }
"#,
    help: "Assign the task to a person field (with `role:` naming the external role), or to \
        `field:<users field>` with `each: true` for one task per person.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "任务分配给外部角色：该角色的所有外部人员都能看到",
    check: Check::Process(check),
};

fn check(ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    let mut out = Vec::new();
    for (_, t) in p.tasks() {
        let a = &t.assignee;
        if a.kind != RefKind::Role || !ctx.project.role(&a.id).is_some_and(|r| r.external) {
            continue;
        }
        out.push(Finding::new(
            &p.file,
            a.span,
            format!(
                "task `{}` is assigned to {}, an external role: every outside person holding it sees the task and may complete it",
                t.id.v,
                ctx.describe_ref(p, a)
            ),
            format!(
                "assign it to a `user` field that says `role: {}` (the person it is for), or to a `users` field with `each: true`",
                a.id
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("external-role-pool");
    }

    #[test]
    fn points_at_the_assignee() {
        let yaml = crate::lint::lookup("external-role-pool")
            .unwrap()
            .doc
            .example;
        let f = run_rule("external-role-pool", yaml);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, line_of(yaml, "id: translate"));
        assert!(
            f[0].2.contains("外部译员 (role:translator-ext)"),
            "{}",
            f[0].2
        );
        // An internal role pool is fine.
        let internal = yaml.replace("assignee: role:translator-ext", "assignee: role:pm");
        assert!(run_rule("external-role-pool", &internal).is_empty());
    }
}
