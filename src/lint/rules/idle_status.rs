//! `idle-status`: a status in which nobody is told what to do.

use crate::codes::{Doc, Kind};
use crate::lint::{
    describe_status, describe_transition, record_word, Check, Finding, Level, LintCtx, Rule,
};
use std::collections::{HashMap, HashSet};

use crate::model::{From, Process, Ref, RefKind, Status, Transition};

const DOC: Doc = Doc {
    code: "idle-status",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a non-terminal status with no task, no automatic transition out and no approval on the way in: nobody is told what to do",
    what: "Flags a non-terminal status, at its key, when all of these hold: it has no task; no \
        automatic (`when`) transition leaves it by name (a `from: \"*\"` automatic transition \
        does not count: it handles an exception such as a refund in every status, it does \
        not move the normal work on); no transition into it has an `approval`; and it starts \
        no child process (`start`: the work then goes on in the child record, whose tasks \
        tell people what to do). The message names the status, what a record is called \
        (`spec.record`), who could be stuck (the roles and fields in `by` of the manual \
        transitions out, or \"any participant\" when one has no `by`) and the way on.",
    why: "This is where people \"enter the system and don't know what to do\": the record sits \
        in the status, nobody has it in their task list, and the button that moves it on is \
        only found by someone who already knows to look. A task with a guide puts it in the \
        right person's list and says what to do.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  record: 发货单
  statuses:
    approved: { title: 已审批, initial: true }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: approved, to: shipped, title: 确认发货, by: [role:warehouse] }
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  record: 发货单
  statuses:
    approved:
      title: 已审批
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: today 18:00
          guide: 按发货单拣货、复核并交接物流，完成后点击“确认发货”。
          complete: { then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: approved, to: shipped, title: 确认发货, by: [role:warehouse] }
"#,
    help: "Add a task with a guide to the status, assigned to whoever must move the record on.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "非终止状态既没有任务、没有自动流转，也没有进入时的审批：没人知道该做什么",
    check: Check::Process(check),
};

/// The transitions of a process by the statuses they leave and enter, gathered once so that
/// a process with thousands of statuses is not rescanned for each of them.
struct Ways<'p> {
    /// Positions of the transitions leaving a status by name.
    named_out: HashMap<&'p str, Vec<usize>>,
    /// Positions of the `from: "*"` transitions: they leave every non-terminal status but
    /// their target.
    any_out: Vec<usize>,
    approval_in: HashSet<&'p str>,
}

impl<'p> Ways<'p> {
    fn of(p: &'p Process) -> Ways<'p> {
        let mut ways = Ways {
            named_out: HashMap::new(),
            any_out: Vec::new(),
            approval_in: HashSet::new(),
        };
        for (i, t) in p.transitions.iter().enumerate() {
            match &t.from {
                From::Any(_) => ways.any_out.push(i),
                From::List(ids) => {
                    for id in ids {
                        ways.named_out.entry(id.v.as_str()).or_default().push(i);
                    }
                }
            }
            if !t.approval.is_empty() {
                ways.approval_in.insert(t.to.v.as_str());
            }
        }
        ways
    }

    /// Every transition leaving `s`, in source order.
    fn out_of(&self, p: &'p Process, s: &Status) -> Vec<&'p Transition> {
        let named = self.named_out.get(s.id.v.as_str()).into_iter().flatten();
        let any = self
            .any_out
            .iter()
            .filter(|&&i| !s.terminal && p.transitions[i].to.v != s.id.v);
        let mut at: Vec<usize> = named.chain(any).copied().collect();
        // Source order, as the messages list them; a status named twice in one `from` once.
        at.sort_unstable();
        at.dedup();
        at.into_iter().map(|i| &p.transitions[i]).collect()
    }

    /// The status is idle: see the rule's documentation.
    fn is_idle(&self, p: &Process, s: &Status) -> bool {
        if s.terminal || !s.tasks.is_empty() || !s.start.is_empty() {
            return false;
        }
        let automatic_out = self
            .named_out
            .get(s.id.v.as_str())
            .is_some_and(|at| at.iter().any(|&i| p.transitions[i].when.is_some()));
        !automatic_out && !self.approval_in.contains(s.id.v.as_str())
    }
}

fn check(ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    let mut out = Vec::new();
    let ways = Ways::of(p);
    for s in p.statuses.iter().filter(|s| ways.is_idle(p, s)) {
        let manual: Vec<&Transition> = ways
            .out_of(p, s)
            .into_iter()
            .filter(|t| t.when.is_none())
            .collect();
        // Who could move it on by hand, and so who is stuck.
        let anyone = manual.iter().any(|t| t.by.is_empty());
        let mut who: Vec<&Ref> = Vec::new();
        for r in manual.iter().flat_map(|t| t.by.iter()) {
            if !who.iter().any(|w| w.kind == r.kind && w.id == r.id) {
                who.push(r);
            }
        }
        let stuck = if manual.is_empty() {
            "nobody can move it on by hand".to_string()
        } else if anyone {
            "any participant could be stuck here".to_string()
        } else {
            let names: Vec<String> = who.iter().map(|r| ctx.describe_ref(p, r)).collect();
            format!("{} could be stuck here", names.join(", "))
        };
        // The most useful assignee to suggest: a person who may take the way on.
        let is_person =
            |r: &&Ref| r.kind == RefKind::Field || ctx.project.role(&r.id).is_none_or(|x| !x.bot);
        let assignee = who
            .iter()
            .copied()
            .find(is_person)
            .or(p.owner.as_ref())
            .map(|r| r.to_string())
            .or_else(|| {
                p.fields
                    .iter()
                    .find(|f| f.ty.is_user())
                    .map(|f| format!("field:{}", f.id.v))
            })
            .unwrap_or_else(|| "role:<who moves it on>".into());
        let then = manual
            .first()
            .map(|t| format!(", complete: {{ then: {} }}", t.to.v))
            .unwrap_or_default();
        let way_on = if manual.is_empty() {
            String::new()
        } else {
            let ways: Vec<String> = manual.iter().map(|t| describe_transition(p, t)).collect();
            format!(" (the way on: {})", ways.join(", "))
        };
        out.push(Finding::new(
            &p.file,
            s.id.span,
            format!(
                "a {} in {} waits with nobody told what to do: the status has no task, no automatic transition out and no approval on the way in; {stuck}{way_on}",
                record_word(p),
                describe_status(p, &s.id.v),
            ),
            format!(
                "add a task with a guide to `{}` saying what to do to move it on, e.g. `tasks: [{{ id: …, title: …, assignee: {assignee}, due: …, guide: …{then} }}]`",
                s.id.v
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;

    fn process(statuses: &str, transitions: &str) -> String {
        format!(
            "apiVersion: sopctl/v1
kind: Process
metadata: {{ name: p, title: 销售发货 }}
spec:
  record: 发货单
  fields:
    owner: {{ type: user, title: 归属人, required: true }}
    refunded: {{ type: money, title: 已退款金额 }}
  statuses:
{statuses}
  transitions:
{transitions}"
        )
    }

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("idle-status");
    }

    #[test]
    fn message_says_who_where_and_what_to_add() {
        let yaml = crate::lint::lookup("idle-status").unwrap().doc.example;
        let f = run_rule("idle-status", yaml);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (line_of(yaml, "approved: {"), 5));
        assert_eq!(
            f[0].2,
            "a 发货单 in 已审批 (`approved`) waits with nobody told what to do: the status has no task, no automatic transition out and no approval on the way in; 库管 (role:warehouse) could be stuck here (the way on: \"确认发货\" to 已发货 (`shipped`))"
        );
        assert_eq!(
            f[0].3,
            "add a task with a guide to `approved` saying what to do to move it on, e.g. `tasks: [{ id: …, title: …, assignee: role:warehouse, due: …, guide: …, complete: { then: shipped } }]`"
        );
    }

    #[test]
    fn any_participant_when_a_way_out_has_no_by() {
        let yaml = process(
            "    a: { title: A, initial: true }\n    b: { title: B, terminal: true }\n    c: { title: C, terminal: true }",
            "    - { from: a, to: b, by: [field:owner] }\n    - { from: a, to: c }\n",
        );
        let f = run_rule("idle-status", &yaml);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].2.contains("any participant could be stuck here"),
            "{}",
            f[0].2
        );
        assert!(f[0].3.contains("assignee: field:owner"), "{}", f[0].3);
    }

    #[test]
    fn automatic_way_out_approval_in_and_child_processes_are_not_idle() {
        // Named automatic transition out.
        let yaml = process(
            "    a: { title: A, initial: true }\n    b: { title: B, terminal: true }",
            "    - { from: a, to: b, when: \"refunded > 0\" }\n",
        );
        assert!(run_rule("idle-status", &yaml).is_empty());
        // An approval on the way in.
        let yaml = process(
            "    a:\n      title: A\n      initial: true\n      tasks: [{ id: t, title: T, assignee: field:owner }]\n    b: { title: B }\n    c: { title: C, terminal: true }",
            "    - { from: a, to: b, approval: [{ role: finance }] }\n    - { from: b, to: c }\n",
        );
        assert!(run_rule("idle-status", &yaml).is_empty());
    }

    #[test]
    fn a_star_automatic_transition_does_not_count() {
        let yaml = process(
            "    a: { title: A, initial: true }\n    b: { title: B, terminal: true }\n    r: { title: R, terminal: true }",
            "    - { from: a, to: b, by: [role:sales] }\n    - { from: \"*\", to: r, when: \"refunded > 0\" }\n",
        );
        let f = run_rule("idle-status", &yaml);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].2.contains("销售 (role:sales) could be stuck"),
            "{}",
            f[0].2
        );
    }

    #[test]
    fn a_bot_in_by_is_not_suggested_as_assignee() {
        let yaml = process(
            "    a: { title: A, initial: true }\n    b: { title: B, terminal: true }",
            "    - { from: a, to: b, by: [role:logistics-bot, role:sales] }\n",
        );
        let f = run_rule("idle-status", &yaml);
        assert!(f[0].3.contains("assignee: role:sales"), "{}", f[0].3);
    }
}
