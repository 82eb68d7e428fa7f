//! `unfilled-requirement`: a field needed to move on that nobody is asked to fill.

use std::collections::{HashMap, HashSet};

use crate::codes::{Doc, Kind};
use crate::diagnostic::Span;
use crate::lint::{
    describe_field, describe_status, describe_transition, record_word, Check, Finding, Level,
    LintCtx, Rule,
};
use crate::model::{Field, Process, Sp, Status, Transition};

const DOC: Doc = Doc {
    code: "unfilled-requirement",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a field required to enter a status or take a transition that no task in the from-status asks for (`complete.fill`) and that is not required at creation",
    what: "For every transition and every status it leaves from, takes the fields it needs: \
        the target status's `requires` and the transition's own `requires`. A field is fine \
        when some task of that from-status lists it in `complete.fill` (bot tasks count: a \
        bot fills fields too), or when it is certain to be filled already: it is `required: \
        true` (asked for at creation), has a `default`, or is required on every way into the \
        from-status (by the `requires` of a status or transition on every path from the \
        initial status), so that moving back and forth between statuses does not ask twice. \
        Otherwise the rule warns at the `requires` \
        entry, naming the field, the status where the record gets stuck and the task whose \
        fill list should ask for it (the task that completes into the target, else the \
        status's first task for a person), or a new task when the status has none. An entry \
        shared by several transitions or from-statuses is reported once, naming every \
        status that lacks it. References to undefined fields or statuses are left to \
        validation.",
    why: "The move is refused until the field is filled, but nothing tells anyone to fill it: \
        the person pressing the button gets an error about a field they were never asked \
        for, and the record stays where it is. Asking for it in the task that leads there \
        turns a dead end into one more box on the form.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    approved:
      title: 已审批
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: today 18:00, guide: 按发货单拣货、复核并交接物流。 }
    shipped: { title: 已发货, terminal: true, requires: [tracking_no] }
  transitions:
    - { from: approved, to: shipped, by: [role:warehouse] }
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    approved:
      title: 已审批
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: today 18:00
          guide: 按发货单拣货、复核并交接物流，填写物流单号。
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true, requires: [tracking_no] }
  transitions:
    - { from: approved, to: shipped, by: [role:warehouse] }
"#,
    help: "Add the field to `complete.fill` of a task in the status the record leaves from (or add such a task).",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "进入状态或流转需要的字段，原状态里没有任务要求填写，创建时也不必填",
    check: Check::Process(check),
};

/// One `requires` entry that some from-statuses do not ask for.
struct Gap<'a> {
    entry: &'a Sp<String>,
    field: &'a Field,
    /// Set when the entry is the transition's own `requires`.
    transition: Option<&'a Transition>,
    target: &'a str,
    /// (from-status, the transition taken from it).
    stuck_in: Vec<(&'a Status, &'a Transition)>,
}

/// For each status, the fields certain to be filled while a record is in it: required at
/// creation or defaulted, or required on every way in. A greatest fixpoint over the edges,
/// found with a work list: a status is looked at again only when a way into it changed, so
/// a process with thousands of statuses stays fast.
fn certainly_filled(p: &Process) -> HashMap<&str, HashSet<&str>> {
    let base: HashSet<&str> = p
        .fields
        .iter()
        .filter(|f| f.required || f.default.is_some())
        .map(|f| f.id.v.as_str())
        .collect();
    let all: HashSet<&str> = p.fields.iter().map(|f| f.id.v.as_str()).collect();
    let mut known: HashMap<&str, HashSet<&str>> = p
        .statuses
        .iter()
        .map(|s| {
            let start = if s.initial { base.clone() } else { all.clone() };
            (s.id.v.as_str(), start)
        })
        .collect();
    let mut into: HashMap<&str, Vec<(&str, &Transition)>> = HashMap::new();
    let mut out_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for (from, to, t) in p.edges() {
        into.entry(to).or_default().push((from, t));
        out_of.entry(from).or_default().push(to);
    }
    let mut queued: HashSet<&str> = p.statuses.iter().map(|s| s.id.v.as_str()).collect();
    let mut todo: std::collections::VecDeque<&Status> = p.statuses.iter().collect();
    while let Some(s) = todo.pop_front() {
        queued.remove(s.id.v.as_str());
        let mut new: Option<HashSet<&str>> = s.initial.then(|| base.clone());
        for (from, t) in into.get(s.id.v.as_str()).into_iter().flatten() {
            let Some(before) = known.get(from) else {
                continue;
            };
            let mut here = before.clone();
            here.extend(s.requires.iter().map(|r| r.v.as_str()));
            here.extend(t.requires.iter().map(|r| r.v.as_str()));
            new = Some(match new {
                None => here,
                Some(acc) => acc.intersection(&here).copied().collect(),
            });
        }
        // A status nothing leads to (validation reports it) only has what creation gives.
        let new = new.unwrap_or_else(|| base.clone());
        if known.get(s.id.v.as_str()) == Some(&new) {
            continue;
        }
        known.insert(&s.id.v, new);
        for next in out_of.get(s.id.v.as_str()).into_iter().flatten() {
            if let Some(n) = p.status(next) {
                if queued.insert(n.id.v.as_str()) {
                    todo.push_back(n);
                }
            }
        }
    }
    known
}

fn asks_for(s: &Status, field: &str) -> bool {
    s.tasks.iter().any(|t| t.fill.iter().any(|f| f.v == field))
}

/// What to add, for one status the record is stuck in.
fn suggestion(ctx: &LintCtx, p: &Process, s: &Status, t: &Transition, field: &str) -> String {
    let task = s
        .tasks
        .iter()
        .find(|x| x.then.as_ref().is_some_and(|th| th.v == t.to.v))
        .or_else(|| s.tasks.iter().find(|x| !ctx.is_bot(x)))
        .or_else(|| s.tasks.first());
    match task {
        Some(task) => format!(
            "add `{field}` to `complete.fill` of task `{}` ({}) in {}",
            task.id.v,
            task.title.v,
            describe_status(p, &s.id.v)
        ),
        None => format!(
            "add a task to {} whose `complete.fill` lists `{field}`",
            describe_status(p, &s.id.v)
        ),
    }
}

fn check(ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    let known = certainly_filled(p);
    let mut gaps: Vec<Gap> = Vec::new();
    for t in &p.transitions {
        let Some(target) = p.status(&t.to.v) else {
            continue;
        };
        let entries = target
            .requires
            .iter()
            .map(|e| (e, None))
            .chain(t.requires.iter().map(|e| (e, Some(t))));
        for (entry, own) in entries {
            let Some(field) = p.field(&entry.v) else {
                continue;
            };
            if field.required || field.default.is_some() {
                continue;
            }
            for from in p.from_ids(t) {
                let Some(from) = p.status(from) else { continue };
                let filled = known
                    .get(from.id.v.as_str())
                    .is_some_and(|k| k.contains(field.id.v.as_str()));
                if filled || asks_for(from, &field.id.v) {
                    continue;
                }
                let key: (Span, &str) = (entry.span, &entry.v);
                match gaps
                    .iter_mut()
                    .find(|g| (g.entry.span, g.entry.v.as_str()) == key)
                {
                    Some(g) => {
                        if !g.stuck_in.iter().any(|(s, _)| s.id.v == from.id.v) {
                            g.stuck_in.push((from, t));
                        }
                    }
                    None => gaps.push(Gap {
                        entry,
                        field,
                        transition: own,
                        target: &target.id.v,
                        stuck_in: vec![(from, t)],
                    }),
                }
            }
        }
    }
    gaps.into_iter()
        .map(|g| {
            let field = describe_field(p, &g.field.id.v);
            let needed_for = match g.transition {
                Some(t) => format!("to take {}", describe_transition(p, t)),
                None => format!("to enter {}", describe_status(p, g.target)),
            };
            let stuck: Vec<String> = g
                .stuck_in
                .iter()
                .map(|(s, _)| describe_status(p, &s.id.v))
                .collect();
            let help: Vec<String> = g
                .stuck_in
                .iter()
                .map(|(s, t)| suggestion(ctx, p, s, t, &g.field.id.v))
                .collect();
            Finding::new(
                &p.file,
                g.entry.span,
                format!(
                    "nobody is asked to fill {field}, which a {} needs {needed_for}: it gets stuck in {} because the field is not required at creation and no task there has it in `complete.fill`",
                    record_word(p),
                    stuck.join(", ")
                ),
                help.join("; "),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("unfilled-requirement");
    }

    #[test]
    fn message_names_field_status_and_task() {
        let yaml = crate::lint::lookup("unfilled-requirement")
            .unwrap()
            .doc
            .example;
        let f = run_rule("unfilled-requirement", yaml);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (line_of(yaml, "shipped: {"), 55));
        assert_eq!(
            f[0].2,
            "nobody is asked to fill 物流单号 (`tracking_no`), which a 发货单 needs to enter 已发货 (`shipped`): it gets stuck in 已审批 (`approved`) because the field is not required at creation and no task there has it in `complete.fill`"
        );
        assert_eq!(
            f[0].3,
            "add `tracking_no` to `complete.fill` of task `ship` (出库发货) in 已审批 (`approved`)"
        );
    }

    const MANY: &str = "apiVersion: sopctl/v1
kind: Process
metadata: { name: p, title: P }
spec:
  record: 报修单
  fields:
    owner: { type: user, title: 归属人, required: true }
    reason: { type: text, title: 取消原因 }
    amount: { type: money, title: 金额, default: 0 }
    fee: { type: money, title: 维修费 }
  statuses:
    a:
      title: 待受理
      initial: true
      tasks: [{ id: accept, title: 受理, assignee: field:owner, complete: { fill: [reason] } }]
    b: { title: 维修中 }
    done: { title: 已完成, terminal: true, requires: [owner, amount] }
    cancelled: { title: 已取消, terminal: true, requires: [reason] }
  transitions:
    - { from: a, to: b }
    - { from: b, to: done, requires: [fee] }
    - { from: [a, b], to: cancelled }
";

    #[test]
    fn one_finding_per_entry_naming_every_status() {
        let f = run_rule("unfilled-requirement", MANY);
        assert_eq!(f.len(), 2, "{f:?}");
        // The transition's own `requires` (its transition comes first).
        assert_eq!(f[0].0, line_of(MANY, "requires: [fee]"));
        assert!(
            f[0].2.contains("to take the transition to 已完成 (`done`)"),
            "{}",
            f[0].2
        );
        // `reason` is asked for in `a` but not in `b`.
        assert_eq!(f[1].0, line_of(MANY, "cancelled: {"));
        assert!(f[1].2.contains("stuck in 维修中 (`b`)"), "{}", f[1].2);
        assert_eq!(
            f[1].3,
            "add a task to 维修中 (`b`) whose `complete.fill` lists `reason`"
        );
    }

    #[test]
    fn fields_required_on_every_way_in_are_known() {
        let yaml = "apiVersion: sopctl/v1
kind: Process
metadata: { name: p, title: P }
spec:
  fields:
    owner: { type: user, title: 归属人, required: true }
    tech: { type: user, title: 工程师 }
    parts: { type: text, title: 配件 }
  statuses:
    new:
      title: 新建
      initial: true
      tasks: [{ id: assign, title: 派工, assignee: field:owner, complete: { fill: [tech] } }]
    repairing: { title: 维修中, requires: [tech] }
    waiting: { title: 待配件 }
    shortcut: { title: 捷径 }
    done: { title: 完成, terminal: true, requires: [tech, parts] }
  transitions:
    - { from: new, to: repairing }
    - { from: repairing, to: waiting, requires: [parts] }
    - { from: waiting, to: repairing }
    - { from: new, to: shortcut }
    - { from: [waiting, shortcut], to: done }
";
        let f = run_rule("unfilled-requirement", yaml);
        // `tech` is known in `waiting` (required to enter `repairing`, the only way in), and
        // `parts` too (required by the only transition into `waiting`); in `shortcut`
        // neither is. Nobody in `repairing` is asked for `parts`.
        let stuck: Vec<(&str, &str)> = f
            .iter()
            .map(|x| {
                let field = x.2.split(' ').nth(5).unwrap();
                let place =
                    x.2.split("stuck in ")
                        .nth(1)
                        .unwrap()
                        .split(' ')
                        .next()
                        .unwrap();
                (field, place)
            })
            .collect();
        assert_eq!(
            stuck,
            [("配件", "维修中"), ("工程师", "捷径"), ("配件", "捷径")],
            "{f:?}"
        );
    }

    #[test]
    fn several_from_statuses_are_named_once() {
        let yaml = MANY.replace("complete: { fill: [reason] }", "complete: { fill: [] }");
        let f = run_rule("unfilled-requirement", &yaml);
        let reason: Vec<_> = f.iter().filter(|x| x.2.contains("取消原因")).collect();
        assert_eq!(reason.len(), 1);
        assert!(
            reason[0].2.contains("stuck in 待受理 (`a`), 维修中 (`b`)"),
            "{}",
            reason[0].2
        );
        assert!(
            reason[0]
                .3
                .contains("of task `accept` (受理) in 待受理 (`a`); add a task to 维修中"),
            "{}",
            reason[0].3
        );
    }
}
