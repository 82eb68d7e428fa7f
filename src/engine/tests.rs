//! One test (or a few) per rule of the engine, on small processes compiled from YAML.

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
    warehouse: { title: 库管 }
";

const DELIVERY: &str = "apiVersion: sopctl/v1
kind: Process
metadata: { name: delivery, title: 发货, owner: role:boss }
spec:
  fields:
    owner: { type: user, title: 归属人, required: true }
    amount: { type: money, title: 金额, required: true }
    kind: { type: choice, title: 类型, options: [普通, 加急], default: 普通 }
    shipped_at: { type: datetime, title: 发货时间 }
    tracking_no: { type: text, title: 物流单号 }
    refunded: { type: money, title: 已退款, default: 0, edit: [role:boss, role:finance] }
    deadline: { type: datetime, title: 截止, edit: [role:warehouse] }
  statuses:
    pending:
      title: 待审批
      initial: true
      tasks:
        - { id: submit, title: 提交, assignee: field:owner, due: +4h, remind_before: [1h], complete: { then: approved } }
    approved:
      title: 已审批
      notify: [{ to: [role:warehouse, field:owner], message: 已审批 }]
      tasks:
        - id: ship
          title: 发货
          assignee: role:warehouse
          due: today 18:00
          remind_before: [2h]
          escalate: { after: 1d, to: role:boss }
          complete: { fill: [shipped_at, tracking_no], then: shipped }
    shipped:
      title: 已发货
      requires: [shipped_at]
      tasks:
        - { id: confirm, title: 确认, assignee: field:owner, due: shipped_at + 2bd }
    late: { title: 超期, terminal: true }
    done: { title: 完成, terminal: true }
    returned: { title: 已退货, terminal: true }
  transitions:
    - { from: pending, to: approved, by: [role:sales], approval: [{ role: boss }, { role: finance, mode: all }] }
    - { from: approved, to: shipped, by: [role:warehouse], requires: [tracking_no] }
    - { from: shipped, to: done }
    - { from: shipped, to: late, when: \"deadline < now\" }
    - { from: \"*\", to: returned, when: \"refunded > 0\" }
";

const PARENT: &str = "apiVersion: sopctl/v1
kind: Process
metadata: { name: order, title: 订单, owner: role:boss }
spec:
  fields:
    owner: { type: user, title: 销售, required: true }
    no: { type: text, title: 单号, required: true }
  statuses:
    open: { title: 新建, initial: true, start: [{ process: job, with: { ref: no, lead: owner } }] }
    finished: { title: 完成, terminal: true }
  transitions:
    - { from: open, to: finished, by: [] }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: job, title: 项目, owner: role:boss }
spec:
  fields:
    ref: { type: text, title: 订单号 }
    lead: { type: user, title: 负责人 }
  statuses:
    doing:
      title: 进行中
      initial: true
      tasks: [{ id: work, title: 干活, assignee: field:lead, complete: { then: over } }]
    over: { title: 完成, terminal: true, move_parent: finished }
  transitions:
    - { from: doing, to: over }
";

fn bundle() -> Bundle {
    let dir = tempfile::tempdir().unwrap();
    let sops = dir.path().join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    std::fs::write(sops.join("roles.yaml"), ROLES).unwrap();
    std::fs::write(sops.join("delivery.yaml"), DELIVERY).unwrap();
    std::fs::write(sops.join("order.yaml"), PARENT).unwrap();
    let config = crate::config::find(dir.path(), None).unwrap();
    let (files, _) = crate::project::discover(&config, dir.path(), &[]).unwrap();
    let loaded = crate::project::load(&config, &files, &Default::default());
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    crate::bundle::compile(&loaded.project, &loaded.root).unwrap()
}

fn t(s: &str) -> DateTime {
    DateTime::parse(s).unwrap()
}

const START: &str = "2026-01-05T09:00:00+08:00";

fn world() -> World {
    let users = [
        ("ann", vec!["sales"]),
        ("bob", vec!["boss"]),
        ("cat", vec!["finance"]),
        ("cy", vec!["finance"]),
        ("dan", vec!["warehouse"]),
    ];
    World::new(
        users
            .iter()
            .map(|(u, r)| (u.to_string(), r.iter().map(|x| x.to_string()).collect()))
            .collect(),
        8 * 3600,
    )
}

fn fields(v: Value) -> BTreeMap<String, Value> {
    v.as_object().unwrap().clone().into_iter().collect()
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
    fn rec(&self, id: RecordId) -> &Record {
        self.w.get(id).unwrap()
    }
    fn create(&mut self) -> RecordId {
        self.act(
            "ann",
            Action::Create {
                process: "delivery".into(),
                fields: fields(json!({"owner": "ann", "amount": 100})),
            },
        )
        .unwrap();
        self.w.next_id - 1
    }
    fn approve_all(&mut self, id: RecordId) {
        self.act(
            "ann",
            Action::Move {
                record: id,
                to: "approved".into(),
                fields: BTreeMap::new(),
            },
        )
        .unwrap();
        self.act(
            "bob",
            Action::Approve {
                record: id,
                approve: true,
                reason: None,
            },
        )
        .unwrap();
        self.act(
            "cat",
            Action::Approve {
                record: id,
                approve: true,
                reason: None,
            },
        )
        .unwrap();
        self.act(
            "cy",
            Action::Approve {
                record: id,
                approve: true,
                reason: None,
            },
        )
        .unwrap();
    }
}

fn with<R>(f: impl FnOnce(&mut H) -> R) -> R {
    let b = bundle();
    let mut h = H {
        e: Engine::new(&b),
        w: world(),
        now: t(START),
    };
    f(&mut h)
}

fn notified(ev: &[Event]) -> Vec<String> {
    let mut v: Vec<String> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Notified { to, .. } => Some(to.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    v.sort();
    v
}

#[test]
fn create_applies_defaults_opens_initial_tasks_and_checks_required_fields() {
    with(|h| {
        let id = h.create();
        let r = h.rec(id);
        assert_eq!(r.status, "pending");
        assert_eq!(r.fields["kind"], json!("普通"));
        assert_eq!(r.open_task_ids(), ["submit"]);
        assert_eq!(r.tasks[0].due, Some(t("2026-01-05T13:00:00+08:00")));
        let e = h
            .act(
                "ann",
                Action::Create {
                    process: "delivery".into(),
                    fields: fields(json!({"owner": "ann"})),
                },
            )
            .unwrap_err();
        assert_eq!(
            (e.code, e.fields.clone()),
            ("missing-fields", vec!["金额".to_string()])
        );
        assert_eq!(h.w.records.len(), 1, "a failed create leaves nothing");
    });
}

#[test]
fn values_are_type_checked() {
    with(|h| {
        for bad in [
            json!({"owner": "nobody", "amount": 1}),
            json!({"owner": "ann", "amount": "many"}),
            json!({"owner": "ann", "amount": 1, "kind": "慢"}),
            json!({"owner": "ann", "amount": 1, "nope": 1}),
        ] {
            let e = h
                .act(
                    "ann",
                    Action::Create {
                        process: "delivery".into(),
                        fields: fields(bad.clone()),
                    },
                )
                .unwrap_err();
            assert_eq!(e.code, "invalid-value", "{bad}");
        }
        let id = h.create();
        h.approve_all(id);
        let ship = Action::Complete {
            record: id,
            task: "ship".into(),
            fill: fields(json!({"shipped_at": "yesterday", "tracking_no": "SF1"})),
        };
        assert_eq!(h.act("dan", ship).unwrap_err().code, "invalid-value");
    });
}

#[test]
fn manual_moves_check_by_and_existence() {
    with(|h| {
        let id = h.create();
        let e = h
            .act(
                "dan",
                Action::Move {
                    record: id,
                    to: "approved".into(),
                    fields: BTreeMap::new(),
                },
            )
            .unwrap_err();
        assert_eq!(e.code, "not-allowed");
        let e = h
            .act(
                "ann",
                Action::Move {
                    record: id,
                    to: "done".into(),
                    fields: BTreeMap::new(),
                },
            )
            .unwrap_err();
        assert_eq!(e.code, "no-such-transition");
        let e = h
            .act(
                "ann",
                Action::Move {
                    record: id,
                    to: "returned".into(),
                    fields: BTreeMap::new(),
                },
            )
            .unwrap_err();
        assert_eq!(
            e.code, "not-allowed",
            "automatic transitions are not taken by hand"
        );
    });
}

#[test]
fn approvals_are_sequential_and_mode_all_needs_every_holder() {
    with(|h| {
        let id = h.create();
        let ev = h
            .act(
                "ann",
                Action::Move {
                    record: id,
                    to: "approved".into(),
                    fields: BTreeMap::new(),
                },
            )
            .unwrap();
        assert_eq!(notified(&ev), ["boss"]);
        assert_eq!(h.rec(id).status, "pending");
        assert_eq!(
            h.act(
                "cat",
                Action::Approve {
                    record: id,
                    approve: true,
                    reason: None,
                }
            )
            .unwrap_err()
            .code,
            "not-allowed"
        );
        h.act(
            "bob",
            Action::Approve {
                record: id,
                approve: true,
                reason: None,
            },
        )
        .unwrap();
        h.act(
            "cat",
            Action::Approve {
                record: id,
                approve: true,
                reason: None,
            },
        )
        .unwrap();
        assert_eq!(
            h.rec(id).status,
            "pending",
            "cy, the other finance holder, has not approved"
        );
        let ev = h
            .act(
                "cy",
                Action::Approve {
                    record: id,
                    approve: true,
                    reason: None,
                },
            )
            .unwrap();
        assert_eq!(h.rec(id).status, "approved");
        assert_eq!(notified(&ev), ["ann", "warehouse"]);
        assert!(ev.iter().any(
            |e| matches!(e, Event::TaskClosed { task, completed_by: None, .. } if task == "submit")
        ));
    });
}

#[test]
fn a_rejection_leaves_the_record_and_tells_the_requester() {
    with(|h| {
        let id = h.create();
        h.act(
            "ann",
            Action::Move {
                record: id,
                to: "approved".into(),
                fields: BTreeMap::new(),
            },
        )
        .unwrap();
        let ev = h
            .act(
                "bob",
                Action::Approve {
                    record: id,
                    approve: false,
                    reason: Some("金额不对".into()),
                },
            )
            .unwrap();
        assert_eq!(notified(&ev), ["ann"]);
        assert_eq!(h.rec(id).status, "pending");
        assert!(h.rec(id).approval.is_none());
        assert_eq!(
            h.act(
                "bob",
                Action::Approve {
                    record: id,
                    approve: true,
                    reason: None,
                }
            )
            .unwrap_err()
            .code,
            "not-allowed"
        );
    });
}

#[test]
fn completing_a_task_fills_fields_and_fires_then_with_requirements() {
    with(|h| {
        let id = h.create();
        h.approve_all(id);
        assert_eq!(h.rec(id).open_task_ids(), ["ship"]);
        let c = |fill: Value| Action::Complete {
            record: id,
            task: "ship".into(),
            fill: fields(fill),
        };
        assert_eq!(h.act("ann", c(json!({}))).unwrap_err().code, "not-allowed");
        let e = h.act("dan", c(json!({"tracking_no": "SF1"}))).unwrap_err();
        assert_eq!(e.fields, ["发货时间"]);
        assert!(
            !h.rec(id).is_set("tracking_no"),
            "a failed completion changes nothing"
        );
        let e = h
            .act(
                "dan",
                Action::Complete {
                    record: id,
                    task: "nope".into(),
                    fill: BTreeMap::new(),
                },
            )
            .unwrap_err();
        assert_eq!(e.code, "no-such-task");
        h.act(
            "dan",
            c(json!({"tracking_no": "SF1", "shipped_at": "2026-01-09T10:00:00+08:00"})),
        )
        .unwrap();
        let r = h.rec(id);
        assert_eq!(r.status, "shipped");
        // shipped_at (a Friday) + 2 business days = Tuesday.
        assert_eq!(r.tasks[0].due, Some(t("2026-01-13T10:00:00+08:00")));
    });
}

#[test]
fn transition_requires_are_enforced_on_manual_moves() {
    with(|h| {
        let id = h.create();
        h.approve_all(id);
        let e = h
            .act(
                "dan",
                Action::Move {
                    record: id,
                    to: "shipped".into(),
                    fields: fields(json!({"shipped_at": "2026-01-05T10:00:00+08:00"})),
                },
            )
            .unwrap_err();
        assert_eq!(
            (e.code, e.fields),
            ("missing-fields", vec!["物流单号".to_string()])
        );
    });
}

#[test]
fn automatic_transitions_fire_after_edits() {
    with(|h| {
        let id = h.create();
        h.act(
            "bob",
            Action::Set {
                record: id,
                fields: fields(json!({"refunded": 5})),
            },
        )
        .unwrap();
        assert_eq!(h.rec(id).status, "returned");
        assert!(h.rec(id).tasks.is_empty());
    });
}

#[test]
fn time_fires_reminders_overdue_escalations_and_time_conditions() {
    with(|h| {
        let id = h.create();
        h.approve_all(id);
        h.now = t("2026-01-05T16:30:00+08:00");
        let ev = h.act("", Action::Tick).unwrap();
        assert_eq!(notified(&ev), ["warehouse"], "a reminder 2h before 18:00");
        h.now = t("2026-01-06T18:30:00+08:00");
        let ev = h.act("", Action::Tick).unwrap();
        assert!(ev
            .iter()
            .any(|e| matches!(e, Event::Overdue { task, .. } if task == "ship")));
        assert_eq!(notified(&ev), ["boss"], "escalated 1d after the due time");
        assert_eq!(h.rec(id).overdue_task_ids(h.now), ["ship"]);
        let ev = h.act("", Action::Tick).unwrap();
        assert!(ev.is_empty(), "timers fire once: {ev:?}");
        h.act(
            "dan",
            Action::Complete {
                record: id,
                task: "ship".into(),
                fill: fields(json!({"tracking_no": "SF1", "shipped_at": "2026-01-06T18:00:00+08:00", "deadline": "2026-01-07T00:00:00+08:00"})),
            },
        )
        .unwrap();
        assert_eq!(h.rec(id).status, "shipped");
        h.now = t("2026-01-07T00:00:01+08:00");
        h.act("", Action::Tick).unwrap();
        assert_eq!(h.rec(id).status, "late");
    });
}

#[test]
fn by_null_means_any_participant() {
    with(|h| {
        let id = h.create();
        h.approve_all(id);
        h.act(
            "dan",
            Action::Complete {
                record: id,
                task: "ship".into(),
                fill: fields(
                    json!({"tracking_no": "SF1", "shipped_at": "2026-01-05T10:00:00+08:00"}),
                ),
            },
        )
        .unwrap();
        assert_eq!(
            h.act(
                "cat",
                Action::Move {
                    record: id,
                    to: "done".into(),
                    fields: BTreeMap::new(),
                }
            )
            .unwrap_err()
            .code,
            "not-allowed"
        );
        h.act(
            "bob",
            Action::Move {
                record: id,
                to: "done".into(),
                fields: BTreeMap::new(),
            },
        )
        .unwrap();
        assert_eq!(h.rec(id).status, "done");
    });
}

#[test]
fn start_maps_fields_into_a_child_and_move_parent_moves_the_parent() {
    with(|h| {
        let ev = h
            .act(
                "ann",
                Action::Create {
                    process: "order".into(),
                    fields: fields(json!({"owner": "ann", "no": "A1"})),
                },
            )
            .unwrap();
        assert!(ev.iter().any(|e| matches!(
            e,
            Event::ChildStarted {
                parent: 1,
                child: 2,
                ..
            }
        )));
        let child = h.rec(2);
        assert_eq!(
            (child.fields["ref"].clone(), child.parent),
            (json!("A1"), Some(1))
        );
        assert_eq!(
            h.act(
                "ann",
                Action::Move {
                    record: 1,
                    to: "finished".into(),
                    fields: BTreeMap::new(),
                }
            )
            .unwrap_err()
            .code,
            "not-allowed"
        );
        h.act(
            "ann",
            Action::Complete {
                record: 2,
                task: "work".into(),
                fill: BTreeMap::new(),
            },
        )
        .unwrap();
        assert_eq!(h.rec(2).status, "over");
        assert_eq!(h.rec(1).status, "finished");
    });
}

#[test]
fn the_engine_is_deterministic() {
    let run = || {
        with(|h| {
            let id = h.create();
            h.approve_all(id);
            format!("{:?}", h.w.records)
        })
    };
    assert_eq!(run(), run());
}

#[test]
fn a_failed_action_leaves_every_part_of_the_record_as_it_was() {
    with(|h| {
        let id = h.create();
        h.approve_all(id);
        let before = h.rec(id).clone();
        // The fill is written (a new field) before the missing `shipped_at` is found.
        let e = h
            .act(
                "dan",
                Action::Complete {
                    record: id,
                    task: "ship".into(),
                    fill: fields(json!({"tracking_no": "SF1"})),
                },
            )
            .unwrap_err();
        assert_eq!(e.code, "missing-fields");
        assert_eq!(*h.rec(id), before);
        assert_eq!(h.w.next_id, 2);
    });
}
