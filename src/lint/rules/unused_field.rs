//! `unused-field`: a field nothing asks for and nothing reads.

use std::collections::HashSet;

use crate::codes::{Doc, Kind};
use crate::expr::Due;
use crate::lint::{all_refs, Check, Finding, Level, LintCtx, Rule};
use crate::model::{Process, RefKind};

const DOC: Doc = Doc {
    code: "unused-field",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a field defined and never referenced",
    what: "Flags a field, at its key, that nothing uses. A field is used when it is \
        `required: true` (the creation form asks for it), or named by: a `requires` (of a \
        status or a transition), a task's `complete.fill`, a `when` condition, a `field:` \
        reference (`assignee`, `on_behalf_of`, `escalate.to`, `notify.to`, `by`, `owner`), a \
        due date counted from it (`<field> + 2d`), `start.with` on either side (as the parent \
        field of this process, or as the child field when another process starts this one), \
        or a notification message (`{{ record.<field> }}`).",
    why: "A field that nobody is asked to fill and nothing reads is an empty box on every \
        record: people wonder whether they should fill it, and reports built on it show \
        nothing. Either someone should collect it (add it to a task's `complete.fill`) or it \
        should go.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  fields:
    tracking_no: { type: text, title: 物流单号 }
    weight: { type: number, title: 包裹重量 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: today 18:00
          guide: 按发货单拣货、复核并交接物流，填写物流单号。
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  fields:
    tracking_no: { type: text, title: 物流单号 }
    weight: { type: number, title: 包裹重量 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: today 18:00
          guide: 按发货单拣货、复核并交接物流，填写物流单号和包裹重量。
          complete: { fill: [tracking_no, weight], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    help: "Ask for the field in a task's `complete.fill` (or use it elsewhere), or remove it.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "定义了但从未使用的字段",
    check: Check::Process(check),
};

/// `record.<field>` names used by a message template; nothing when it does not parse.
fn template_fields(msg: &str) -> Vec<String> {
    let env = minijinja::Environment::new();
    let Ok(tmpl) = env.template_from_str(msg) else {
        return vec![];
    };
    tmpl.undeclared_variables(true)
        .into_iter()
        .filter_map(|v| v.strip_prefix("record.").map(str::to_string))
        .collect()
}

/// Every field id of `p` that something uses.
fn used_fields<'a>(ctx: &'a LintCtx, p: &'a Process) -> HashSet<String> {
    let mut used: HashSet<String> = HashSet::new();
    for f in p.fields.iter().filter(|f| f.required) {
        used.insert(f.id.v.clone());
    }
    for s in &p.statuses {
        used.extend(s.requires.iter().map(|r| r.v.clone()));
        for n in &s.notify {
            used.extend(template_fields(&n.message.v));
        }
        for l in &s.start {
            used.extend(l.with.iter().map(|(_, parent)| parent.v.clone()));
            // `each` (with `for_each`) is the person, not a field.
            used.remove(crate::model::EACH);
        }
        for t in &s.tasks {
            used.extend(t.fill.iter().map(|f| f.v.clone()));
            if let Some(Ok(Due::FieldPlus { field, .. })) = &t.due_parsed {
                used.insert(field.clone());
            }
        }
    }
    for t in &p.transitions {
        for step in &t.approval {
            if let Some(Ok(Due::FieldPlus { field, .. })) = &step.due_parsed {
                used.insert(field.clone());
            }
        }
        used.extend(t.requires.iter().map(|r| r.v.clone()));
        if let Some(Ok(e)) = t.when.as_ref().map(|c| &c.parsed) {
            used.extend(e.fields().into_iter().map(str::to_string));
        }
    }
    // A KPI reads the field it averages or its `share.where` names.
    used.extend(crate::model::kpi::fields_read(p));
    for r in all_refs(p) {
        if r.kind == RefKind::Field {
            used.insert(r.id);
        }
    }
    // The child side of `start.with` in processes that start this one.
    for parent in &ctx.project.processes {
        for s in &parent.statuses {
            for l in s.start.iter().filter(|l| l.process.v == p.name.v) {
                used.extend(l.with.iter().map(|(child, _)| child.v.clone()));
            }
        }
    }
    used
}

fn check(ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    let used = used_fields(ctx, p);
    p.fields
        .iter()
        .filter(|f| !used.contains(&f.id.v))
        .map(|f| {
            Finding::new(
                &p.file,
                f.id.span,
                format!(
                    "field {} (`{}`) of process `{}` is never used: it is not required at creation, no task asks for it and nothing reads it",
                    f.title, f.id.v, p.name.v
                ),
                format!(
                    "add `{}` to `complete.fill` of the task that should collect it, or remove the field",
                    f.id.v
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("unused-field");
    }

    #[test]
    fn points_at_the_key() {
        let yaml = crate::lint::lookup("unused-field").unwrap().doc.example;
        let f = run_rule("unused-field", yaml);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (line_of(yaml, "weight:"), 5));
        assert!(
            f[0].2.starts_with("field 包裹重量 (`weight`)"),
            "{}",
            f[0].2
        );
    }

    #[test]
    fn every_kind_of_use_counts() {
        let yaml = "apiVersion: sopctl/v1
kind: Process
metadata: { name: parent, title: 订单 }
spec:
  fields:
    created: { type: text, title: 创建人, required: true }
    in_req: { type: text, title: A }
    in_treq: { type: text, title: B }
    in_fill: { type: text, title: C }
    in_when: { type: money, title: D }
    is_set_f: { type: text, title: E }
    assignee_f: { type: user, title: F }
    behalf_f: { type: user, title: G }
    esc_f: { type: user, title: H }
    notify_f: { type: users, title: I }
    by_f: { type: user, title: J }
    due_f: { type: date, title: K }
    with_f: { type: text, title: L }
    msg_f: { type: text, title: M }
    unused: { type: text, title: 没用的字段 }
  statuses:
    a:
      title: A
      initial: true
      notify: [{ to: [field:notify_f], message: \"{{ record.msg_f }} {{ record.id }}\" }]
      start: [{ process: child, with: { code: with_f } }]
      tasks:
        - id: t
          title: T
          assignee: field:assignee_f
          on_behalf_of: field:behalf_f
          due: due_f + 1d
          escalate: { after: 1d, to: field:esc_f }
          complete: { fill: [in_fill] }
    b: { title: B, requires: [in_req] }
    c: { title: C, terminal: true }
  transitions:
    - { from: a, to: b, by: [field:by_f], requires: [in_treq] }
    - { from: b, to: c, when: \"in_when > 0 and is_set(is_set_f)\" }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: child, title: 子流程 }
spec:
  fields:
    code: { type: text, title: 编号 }
    spare: { type: text, title: 备用 }
  statuses:
    x: { title: X, initial: true }
    y: { title: Y, terminal: true }
  transitions:
    - { from: x, to: y }
";
        let f = run_rule("unused-field", yaml);
        let names: Vec<&str> = f.iter().map(|x| x.2.split(' ').nth(1).unwrap()).collect();
        assert_eq!(names, ["没用的字段", "备用"], "{f:?}");
    }
}
