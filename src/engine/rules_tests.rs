//! One test per rule of SPEC 10 (who may do what, approval steps as work, `each`,
//! `for_each`, `move_parent: { when: all }`, due before a date), on small processes.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::bundle::Bundle;

const ROLES: &str = "apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    boss: { title: 主管 }
    finance: { title: 财务 }
    pm: { title: 项目经理 }
    translator: { title: 译员 }
    ext: { title: 外部译员, external: true }
";

const CLAIM: &str = "apiVersion: sopctl/v1
kind: Process
metadata: { name: claim, title: 报销, owner: role:boss }
spec:
  create: { by: [role:sales, role:ext] }
  fields:
    owner: { type: user, title: 申请人, required: true }
    amount: { type: money, title: 金额, required: true }
    note: { type: text, title: 备注 }
    paid: { type: money, title: 已付, default: 0, edit: [role:finance] }
    receipt: { type: file, title: 发票 }
    checker: { type: user, title: 复核人, role: finance }
  statuses:
    draft:
      title: 草稿
      initial: true
      tasks:
        - { id: submit, title: 提交报销, assignee: field:owner, complete: { fill: [receipt], then: approved } }
    approved: { title: 已批准 }
    done: { title: 完成, terminal: true }
  transitions:
    - from: draft
      to: approved
      approval:
        - { role: boss, title: 审核报销, guide: 核对发票, checklist: [核对金额], due: +4h, remind_before: [1h], escalate: { after: 2h, to: role:finance } }
        - { role: finance, allow_self_approval: true }
    - { from: approved, to: done, by: [role:finance] }
";

const OPEN: &str = "apiVersion: sopctl/v1
kind: Process
metadata: { name: memo, title: 备忘 }
spec:
  fields:
    text: { type: text, title: 内容 }
  statuses:
    open: { title: 打开, initial: true }
    closed: { title: 关闭, terminal: true }
  transitions:
    - { from: open, to: closed }
";

const PROJECT: &str = "apiVersion: sopctl/v1
kind: Process
metadata: { name: project, title: 项目, owner: role:pm }
spec:
  fields:
    pm: { type: user, title: 项目经理, required: true }
    people: { type: users, title: 实施人员, required: true }
    deadline: { type: datetime, title: 截止, required: true }
    notes: { type: longtext, title: 心得 }
    files: { type: files, title: 译稿 }
  statuses:
    kickoff:
      title: 启动
      initial: true
      tasks:
        - { id: read, title: 阅读需求, assignee: field:people, each: true, due: deadline - 1d, complete: { fill: [notes, files], then: doing } }
    doing:
      title: 实施
      start:
        - { process: piece, for_each: field:people, with: { who: each, pm: pm } }
    review: { title: 审核 }
    done: { title: 完成, terminal: true }
  transitions:
    - { from: kickoff, to: doing }
    - { from: doing, to: review }
    - { from: review, to: done, by: [role:pm] }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: piece, title: 任务, owner: role:pm }
spec:
  fields:
    who: { type: user, title: 执行人 }
    pm: { type: user, title: 项目经理 }
  statuses:
    work:
      title: 实施
      initial: true
      tasks: [{ id: do, title: 翻译, assignee: field:who, complete: { then: ok } }]
    ok: { title: 通过, terminal: true, move_parent: { to: review, when: all } }
  transitions:
    - { from: work, to: ok }
";

fn bundle() -> Bundle {
    let dir = tempfile::tempdir().unwrap();
    let sops = dir.path().join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    for (name, text) in [
        ("roles", ROLES),
        ("claim", CLAIM),
        ("memo", OPEN),
        ("project", PROJECT),
    ] {
        std::fs::write(sops.join(format!("{name}.yaml")), text).unwrap();
    }
    let config = crate::config::find(dir.path(), None).unwrap();
    let (files, _) = crate::project::discover(&config, dir.path(), &[]).unwrap();
    let loaded = crate::project::load(&config, &files, &Default::default());
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    crate::bundle::compile(&loaded.project, &loaded.root).unwrap()
}

fn world() -> World {
    let users = [
        ("ann", vec!["sales"]),
        ("al", vec!["sales", "boss"]),
        ("bob", vec!["boss"]),
        ("cat", vec!["finance"]),
        ("sam", vec!["sales", "finance"]),
        ("pia", vec!["pm"]),
        ("tom", vec!["translator"]),
        ("tia", vec!["translator"]),
        ("eve", vec!["ext"]),
        ("nob", vec![]),
    ];
    let users = users
        .iter()
        .map(|(u, r)| (u.to_string(), r.iter().map(|x| x.to_string()).collect()))
        .collect();
    World::new(users, 8 * 3600)
}

fn fields(v: Value) -> BTreeMap<String, Value> {
    v.as_object().unwrap().clone().into_iter().collect()
}

fn t(s: &str) -> DateTime {
    DateTime::parse(s).unwrap()
}

struct H<'b> {
    e: Engine<'b>,
    w: World,
    now: DateTime,
}

impl H<'_> {
    fn act(&mut self, user: &str, a: Action) -> Result<Vec<Event>, EngineError> {
        let actor = Actor::of(&self.w, user);
        self.e.apply(&mut self.w, &actor, a, self.now)
    }
    fn create(&mut self, user: &str, process: &str, v: Value) -> Result<RecordId, EngineError> {
        let a = Action::Create {
            process: process.into(),
            fields: fields(v),
        };
        self.act(user, a).map(|_| self.w.next_id - 1)
    }
    fn claim(&mut self, owner: &str) -> RecordId {
        self.create(owner, "claim", json!({"owner": owner, "amount": 80}))
            .unwrap()
    }
    fn rec(&self, id: RecordId) -> &Record {
        self.w.get(id).unwrap()
    }
    fn complete(
        &mut self,
        user: &str,
        id: RecordId,
        task: &str,
        fill: Value,
    ) -> Result<Vec<Event>, EngineError> {
        let a = Action::Complete {
            record: id,
            task: task.into(),
            fill: fields(fill),
        };
        self.act(user, a)
    }
    fn decide(
        &mut self,
        user: &str,
        id: RecordId,
        approve: bool,
        reason: Option<&str>,
    ) -> Result<Vec<Event>, EngineError> {
        let a = Action::Approve {
            record: id,
            approve,
            reason: reason.map(str::to_string),
        };
        self.act(user, a)
    }
    fn set(&mut self, user: &str, id: RecordId, v: Value) -> Result<Vec<Event>, EngineError> {
        self.act(
            user,
            Action::Set {
                record: id,
                fields: fields(v),
            },
        )
    }
}

fn with<R>(f: impl FnOnce(&mut H) -> R) -> R {
    let b = bundle();
    let mut h = H {
        e: Engine::new(&b),
        w: world(),
        now: t("2026-01-05T09:00:00+08:00"),
    };
    f(&mut h)
}

#[test]
fn a_field_is_written_only_by_its_writers_and_the_error_names_them() {
    with(|h| {
        let id = h.claim("ann");
        let e = h.set("ann", id, json!({"paid": 1000000})).unwrap_err();
        assert_eq!(e.code, "not-allowed");
        assert!(e.message.contains("role 财务 (`finance`)"), "{}", e.message);
        assert_eq!(
            (e.field_ids.clone(), e.fields.clone()),
            (vec!["paid".to_string()], vec!["已付".to_string()])
        );
        h.set("cat", id, json!({"paid": 10})).unwrap();
        assert_eq!(h.rec(id).fields["paid"], json!(10));
        // A field with no `edit` is never written by hand, not even by the owner.
        let e = h.set("ann", id, json!({"amount": 1})).unwrap_err();
        assert!(
            e.message.contains("only when the record is created"),
            "{}",
            e.message
        );
        // A task's fill field is not given at creation, and completion writes only its fill.
        let e = h
            .create(
                "ann",
                "claim",
                json!({"owner": "ann", "amount": 1, "receipt": "r.pdf"}),
            )
            .unwrap_err();
        assert!(e.message.contains("提交报销"), "{}", e.message);
        let e = h
            .complete(
                "ann",
                id,
                "submit",
                json!({"receipt": "r.pdf", "note": "x"}),
            )
            .unwrap_err();
        assert_eq!(e.field_ids, ["note"]);
        assert!(
            !h.rec(id).is_set("receipt"),
            "a refused write changes nothing"
        );
    });
}

#[test]
fn edits_stop_at_a_terminal_status() {
    with(|h| {
        let id = h.claim("ann");
        h.complete("ann", id, "submit", json!({"receipt": "r.pdf"}))
            .unwrap();
        h.decide("bob", id, true, None).unwrap();
        h.decide("cat", id, true, None).unwrap();
        let mv = Action::Move {
            record: id,
            to: "done".into(),
            fields: BTreeMap::new(),
        };
        h.act("cat", mv).unwrap();
        assert_eq!(
            h.set("cat", id, json!({"paid": 5})).unwrap_err().code,
            "not-allowed"
        );
    });
}

#[test]
fn create_by_and_external_users() {
    with(|h| {
        // `create.by` names sales and ext: a boss may not, an external user named may.
        let e = h
            .create("bob", "claim", json!({"owner": "bob", "amount": 1}))
            .unwrap_err();
        assert_eq!(e.code, "not-allowed");
        assert!(e.message.contains("销售"), "{}", e.message);
        h.create("eve", "claim", json!({"owner": "eve", "amount": 1}))
            .unwrap();
        // Without `create.by`: internal users (even with no role) may, external ones not.
        h.create("bob", "memo", json!({"text": "x"})).unwrap();
        h.create("nob", "memo", json!({})).unwrap();
        let e = h.create("eve", "memo", json!({})).unwrap_err();
        assert!(e.message.contains("external"), "{}", e.message);
    });
}

#[test]
fn the_requester_never_decides_a_step_of_their_own_move() {
    with(|h| {
        // al holds sales and boss: he asked, so the boss step is someone else's.
        let id = h.claim("al");
        h.complete("al", id, "submit", json!({"receipt": "r.pdf"}))
            .unwrap();
        let e = h.decide("al", id, true, None).unwrap_err();
        assert!(e.message.contains("four-eyes"), "{}", e.message);
        assert_eq!(h.e.approvers(&h.w, h.rec(id)), ["bob"]);
        h.decide("bob", id, true, None).unwrap();
    });
}

#[test]
fn allow_self_approval_lifts_four_eyes_for_that_step() {
    with(|h| {
        let id = h.claim("sam");
        h.complete("sam", id, "submit", json!({"receipt": "r.pdf"}))
            .unwrap();
        h.decide("bob", id, true, None).unwrap();
        assert_eq!(h.e.approvers(&h.w, h.rec(id)), ["cat", "sam"]);
        h.decide("sam", id, true, None).unwrap();
        assert_eq!(h.rec(id).status, "approved");
    });
}

#[test]
fn a_rejection_needs_a_reason_tells_the_requester_and_reopens_the_task() {
    with(|h| {
        let id = h.claim("ann");
        h.complete("ann", id, "submit", json!({"receipt": "r.pdf"}))
            .unwrap();
        assert!(h.rec(id).tasks.is_empty());
        for reason in [None, Some("  ")] {
            let e = h.decide("bob", id, false, reason).unwrap_err();
            assert_eq!(
                (e.code, e.field_ids.clone()),
                ("invalid-value", vec!["reason".to_string()])
            );
        }
        let ev = h.decide("bob", id, false, Some("发票不清楚")).unwrap();
        assert!(ev
            .iter()
            .any(|e| matches!(e, Event::Rejected { reason, .. } if reason == "发票不清楚")));
        assert!(ev.iter().any(|e| matches!(e,
            Event::Notified { to, message, .. } if to == &["ann"] && message.contains("发票不清楚"))));
        let r = h.rec(id);
        assert_eq!(
            (r.status.as_str(), r.open_task_ids()),
            ("draft", vec!["submit".to_string()])
        );
        assert_eq!(r.tasks[0].note.as_deref(), Some("发票不清楚"));
    });
}

#[test]
fn approval_steps_have_a_due_time_reminders_and_an_escalation() {
    with(|h| {
        let id = h.claim("ann");
        h.complete("ann", id, "submit", json!({"receipt": "r.pdf"}))
            .unwrap();
        let w = h.e.pending_work(&h.w, h.rec(id)).unwrap();
        assert_eq!(
            (w.title, w.guide, w.checklist.len()),
            ("审核报销", Some("核对发票"), 1)
        );
        assert_eq!(
            (w.due, w.requester),
            (Some(t("2026-01-05T13:00:00+08:00")), Some("ann"))
        );
        h.now = t("2026-01-05T12:00:00+08:00");
        let ev = h.act("", Action::Tick).unwrap();
        assert!(ev.iter().any(|e| matches!(e, Event::Notified { to, reason: NotifyReason::Reminder(_), .. } if to == &["boss"])));
        h.now = t("2026-01-05T15:00:00+08:00");
        let ev = h.act("", Action::Tick).unwrap();
        assert!(ev.iter().any(|e| matches!(e, Event::Notified { to, reason: NotifyReason::Escalation(_), .. } if to == &["finance"])));
        assert!(
            h.act("", Action::Tick).unwrap().is_empty(),
            "each timer fires once"
        );
        // The second step's clock starts when it is requested; it has no timers.
        h.decide("bob", id, true, None).unwrap();
        assert_eq!(h.rec(id).approval.as_ref().unwrap().due, None);
    });
}

#[test]
fn a_person_field_holds_only_people_with_its_role() {
    with(|h| {
        let id = h.claim("ann");
        h.set("cat", id, json!({"paid": 1})).unwrap();
        let e = h
            .create(
                "ann",
                "claim",
                json!({"owner": "ann", "amount": 1, "checker": "bob"}),
            )
            .unwrap_err();
        assert_eq!(e.code, "invalid-value");
        assert!(e.message.contains("finance"), "{}", e.message);
        h.create(
            "ann",
            "claim",
            json!({"owner": "ann", "amount": 1, "checker": "cat"}),
        )
        .unwrap();
    });
}

fn project(h: &mut H) -> RecordId {
    let v = json!({"pm": "pia", "people": ["tom", "tia", "eve"], "deadline": "2026-01-09T18:00:00+08:00"});
    h.create("pia", "project", v).unwrap()
}

#[test]
fn each_opens_one_task_per_person_and_appends_their_work() {
    with(|h| {
        let id = project(h);
        let r = h.rec(id);
        assert_eq!(r.open_task_ids(), ["read", "read", "read"]);
        // Due one day before the deadline.
        assert!(r
            .tasks
            .iter()
            .all(|t| t.due == Some(t_("2026-01-08T18:00:00+08:00"))));
        h.complete(
            "tom",
            id,
            "read",
            json!({"notes": "术语多", "files": ["a.docx"]}),
        )
        .unwrap();
        assert_eq!(
            h.complete("tom", id, "read", json!({})).unwrap_err().code,
            "not-allowed"
        );
        h.complete(
            "tia",
            id,
            "read",
            json!({"notes": "格式乱", "files": ["b.docx"]}),
        )
        .unwrap();
        assert_eq!(
            h.rec(id).status,
            "kickoff",
            "then waits for the last person"
        );
        h.complete(
            "eve",
            id,
            "read",
            json!({"notes": "好", "files": ["c.docx"]}),
        )
        .unwrap();
        let r = h.rec(id);
        assert_eq!(r.fields["files"], json!(["a.docx", "b.docx", "c.docx"]));
        assert_eq!(
            r.fields["notes"],
            json!("tom: 术语多\ntia: 格式乱\neve: 好")
        );
        assert_eq!(r.status, "doing");
    });
}

fn t_(s: &str) -> DateTime {
    t(s)
}

#[test]
fn for_each_starts_one_child_per_person_and_the_parent_waits_for_all() {
    with(|h| {
        let id = project(h);
        for u in ["tom", "tia", "eve"] {
            h.complete(
                u,
                id,
                "read",
                json!({"notes": "ok", "files": [format!("{u}.docx")]}),
            )
            .unwrap();
        }
        let kids = h.rec(id).children.clone();
        assert_eq!(kids.len(), 3);
        let who: Vec<Value> = kids
            .iter()
            .map(|c| h.rec(*c).fields["who"].clone())
            .collect();
        assert_eq!(who, [json!("tom"), json!("tia"), json!("eve")]);
        assert!(kids.iter().all(|c| h.rec(*c).fields["pm"] == json!("pia")));
        for (c, u) in kids.iter().zip(["tom", "tia"]) {
            h.complete(u, *c, "do", json!({})).unwrap();
        }
        assert_eq!(h.rec(id).status, "doing", "one child is still working");
        h.complete("eve", kids[2], "do", json!({})).unwrap();
        assert_eq!(h.rec(id).status, "review");
    });
}
