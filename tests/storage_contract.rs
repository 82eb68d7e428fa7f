//! The store's contract, one body per behaviour, run on both backends: `sqlite::*` on a
//! temporary file, `postgres::*` on a fresh PostgreSQL database each (see `pg_support`; with
//! `CI=true` a missing server fails them). Each body gets a function that opens another
//! connection to the same database, so it can also check what a reopened store sees.

mod common;
mod pg_support;

use pg_support::record;
use serde_json::json;
use sopctl::engine::{DateTime, OpenTask, Record, RecordId};
use sopctl::runtime::directory::DirUser;
use sopctl::runtime::kpi_store::{CloseRow, EntryRow, KpiRows, OpenRow, APPROVAL};
use sopctl::runtime::storage::{
    Commit, NewAudit, NewInbox, NewOutbox, RecordWrite, Store, StoreError,
};
use sopctl::runtime::storage_api::{FileRow, RecordQuery};

/// Opens one more connection to the test's database.
type Open<'a> = &'a dyn Fn() -> Store;

fn write(r: &Record, v: Option<i64>) -> RecordWrite<'_> {
    RecordWrite {
        record: r,
        bundle_hash: "h1",
        expected_version: v,
        terminal: false,
        timer: None,
        approval_role: None,
    }
}

fn audit(at: i64, action: &'static str, id: Option<RecordId>) -> NewAudit<'static> {
    NewAudit {
        at,
        actor: "chen",
        action,
        record_id: id,
        bundle_hash: Some("h1"),
        detail: json!({"request": {"complete": {"task": "pack"}}}),
    }
}

fn task(id: &str, role: &str) -> OpenTask {
    OpenTask {
        id: id.into(),
        roles: vec![role.into()],
        users: vec![],
        opened: DateTime { secs: 0, offset: 0 },
        due: None,
        reminders: vec![],
        overdue: false,
        escalate_at: None,
        note: None,
    }
}

/// Inserts record `id` (status `a`) with one commit and returns it.
fn start(s: &mut Store, id: RecordId) -> Record {
    let r = record(id, "a");
    s.commit(&Commit::new(
        vec![write(&r, None)],
        audit(10, "start", Some(id)),
    ))
    .unwrap();
    r
}

/// Inserts a record under the next id; returns the id.
fn start_next(s: &mut Store) -> RecordId {
    let id = s.next_record_id().unwrap();
    start(s, id).id
}

fn bundles(open: Open) {
    let mut s = open();
    assert!(s.active_bundle().unwrap().is_none());
    assert!(s
        .put_bundle("h1", "{}", 1, audit(1, "bundle", None), &[])
        .unwrap());
    assert!(!s
        .put_bundle("h1", "{}", 2, audit(2, "bundle", None), &[])
        .unwrap());
    assert!(s
        .put_bundle("h2", "{\"x\":1}", 3, audit(3, "bundle", None), &[])
        .unwrap());
    let again = open();
    assert_eq!(
        again.active_bundle().unwrap(),
        Some(("h2".into(), "{\"x\":1}".into()))
    );
    assert_eq!(again.active_hash().unwrap().as_deref(), Some("h2"));
    let all = again.bundles().unwrap();
    let seen: Vec<(&str, i64, bool)> = all
        .iter()
        .map(|b| (b.hash.as_str(), b.uploaded_at, b.active))
        .collect();
    assert_eq!(seen, [("h1", 1, false), ("h2", 3, true)]);
    assert_eq!(again.bundle_json("h1").unwrap().as_deref(), Some("{}"));
    assert!(again.bundle_json("nope").unwrap().is_none());
}

fn records_and_versions(open: Open) {
    let mut s = open();
    let first = s.next_record_id().unwrap();
    let r = start(&mut s, first);
    let loaded = open().record(first).unwrap().unwrap();
    assert_eq!((loaded.version, &loaded.record), (1, &r));
    let b = record(first, "b");
    s.commit(&Commit::new(
        vec![write(&b, Some(1))],
        audit(11, "complete", Some(first)),
    ))
    .unwrap();
    // A writer that read version 1 is refused, and nothing of its commit is kept.
    let c = record(first, "c");
    let mut stale = Commit::new(vec![write(&c, Some(1))], audit(12, "complete", Some(first)));
    stale.inbox.push(NewInbox {
        user: "li".into(),
        record_id: Some(first),
        reason: "status".into(),
        message: "lost".into(),
    });
    assert!(matches!(
        open().commit(&stale),
        Err(StoreError::Conflict(id)) if id == first
    ));
    let now = s.record(first).unwrap().unwrap();
    assert_eq!((now.record.status.as_str(), now.version), ("b", 2));
    assert!(s.inbox("li", 10).unwrap().is_empty());
    assert_eq!(s.history(first).unwrap().len(), 2);
    // Inserting an id that exists is a conflict too.
    assert!(matches!(
        s.commit(&Commit::new(
            vec![write(&r, None)],
            audit(13, "start", Some(first))
        )),
        Err(StoreError::Conflict(_))
    ));
    assert!(s.next_record_id().unwrap() > first);
    // A record written under an id ahead of the next (a child started with its parent takes
    // the ids after the parent's): the next id drawn is past it.
    let ahead = s.next_record_id().unwrap() + 5;
    start(&mut s, ahead);
    assert!(open().next_record_id().unwrap() > ahead);
    assert!(s.record(first + 1000).unwrap().is_none());
    assert_eq!(
        s.last_completion(first, "pack").unwrap(),
        Some(("chen".into(), 11))
    );
    assert!(s.last_completion(first, "other").unwrap().is_none());
}

fn listing_and_history(open: Open) {
    let mut s = open();
    let ids: Vec<RecordId> = (0..3).map(|_| start_next(&mut s)).collect();
    let done = record(ids[1], "z");
    let mut w = write(&done, Some(1));
    w.terminal = true;
    s.commit(&Commit::new(vec![w], audit(20, "complete", Some(ids[1]))))
        .unwrap();
    let live: Vec<RecordId> = s
        .live_records()
        .unwrap()
        .iter()
        .map(|r| r.record.id)
        .collect();
    assert_eq!(live, [ids[0], ids[2]]);
    let counts = s.live_counts().unwrap();
    assert_eq!((counts.len(), counts[0].records), (1, 2));
    let page = |q: RecordQuery| -> Vec<RecordId> {
        s.records_page(&q)
            .unwrap()
            .iter()
            .map(|r| r.record.id)
            .collect()
    };
    let all = RecordQuery {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(page(all.clone()), [ids[2], ids[1], ids[0]]);
    let in_z = RecordQuery {
        status: Some("z".into()),
        ..all.clone()
    };
    assert_eq!(page(in_z), [ids[1]]);
    let before = RecordQuery {
        before: Some(ids[2]),
        limit: 1,
        process: Some("orders".into()),
        ..Default::default()
    };
    assert_eq!(page(before), [ids[1]]);
    let h = s.history(ids[1]).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1].detail["request"]["complete"]["task"], "pack");
    let next = s.history_page(ids[1], h[0].id, 10).unwrap();
    assert_eq!(next.iter().map(|a| a.id).collect::<Vec<_>>(), [h[1].id]);
    let back = s.history_page_back(ids[1], i64::MAX, 1).unwrap();
    assert_eq!(back[0].id, h[1].id);
}

fn timers(open: Open) {
    let mut s = open();
    let id = s.next_record_id().unwrap();
    let r = record(id, "a");
    let mut w = write(&r, None);
    w.timer = Some(100);
    s.commit(&Commit::new(vec![w], audit(1, "start", Some(id))))
        .unwrap();
    assert!(s.due_timers(99, 10).unwrap().is_empty());
    assert_eq!(open().due_timers(100, 10).unwrap(), [id]);
    assert_eq!(s.timer(id).unwrap(), Some(100));
    s.commit(&Commit::timers(vec![(id, Some(50))])).unwrap();
    assert_eq!(s.timer(id).unwrap(), Some(50));
    s.commit(&Commit::timers(vec![(id, None)])).unwrap();
    assert!(s.timer(id).unwrap().is_none());
    assert!(s.due_timers(i64::MAX, 10).unwrap().is_empty());
}

fn inbox_and_assignments(open: Open) {
    let mut s = open();
    let id = s.next_record_id().unwrap();
    let mut r = record(id, "a");
    r.tasks.push(task("pack", "warehouse"));
    let mut c = Commit::new(vec![write(&r, None)], audit(5, "start", Some(id)));
    for m in ["one", "two", "three"] {
        c.inbox.push(NewInbox {
            user: "user".into(),
            record_id: Some(id),
            reason: "status".into(),
            message: m.into(),
        });
    }
    s.commit(&c).unwrap();
    let got: Vec<String> = s
        .inbox("user", 2)
        .unwrap()
        .into_iter()
        .map(|m| m.message)
        .collect();
    assert_eq!(got, ["three", "two"], "newest first, limited");
    assert_eq!(s.inbox("user", 9).unwrap()[0].at, 5);
    assert_eq!(s.assigned_records(&["warehouse".into()]).unwrap(), [id]);
    assert!(s.assigned_records(&["sales".into()]).unwrap().is_empty());
    let mut closed = record(id, "b");
    closed.tasks.clear();
    s.commit(&Commit::new(
        vec![write(&closed, Some(1))],
        audit(6, "complete", Some(id)),
    ))
    .unwrap();
    assert!(s
        .assigned_records(&["warehouse".into()])
        .unwrap()
        .is_empty());
}

fn outbox(open: Open) {
    let mut s = open();
    let id = start_next(&mut s);
    let mut c = Commit::new(vec![], audit(7, "notify", Some(id)));
    for n in 0..2 {
        c.outbox.push(NewOutbox {
            record_id: Some(id),
            channel: "webhook".into(),
            payload: json!({"n": n}),
        });
    }
    s.commit(&c).unwrap();
    let due = s.outbox_due(7, 10).unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].payload["n"], 0);
    s.outbox_attempted(due[0].id, Err(("down".into(), Some(50))))
        .unwrap();
    s.outbox_attempted(due[1].id, Err(("bad address".into(), None)))
        .unwrap();
    assert!(s.outbox_due(49, 10).unwrap().is_empty());
    assert_eq!(
        s.outbox_due(50, 10).unwrap()[0].last_error.as_deref(),
        Some("down")
    );
    s.outbox_attempted(due[0].id, Ok(())).unwrap();
    assert!(s.outbox_due(1000, 10).unwrap().is_empty());
    let all = open().outbox(Some(id)).unwrap();
    let states: Vec<(&str, i64)> = all.iter().map(|o| (o.state.as_str(), o.attempts)).collect();
    assert_eq!(states, [("sent", 2), ("failed", 1)]);
    assert_eq!(s.outbox(None).unwrap().len(), 2);
}

fn idempotency(open: Open) {
    let mut s = open();
    let mut c = Commit::new(vec![], audit(100, "start", None));
    c.idempotency = Some(("chen".into(), "k1".into(), "{\"id\":1}".into()));
    s.commit(&c).unwrap();
    assert_eq!(
        open().idempotent("chen", "k1").unwrap().as_deref(),
        Some("{\"id\":1}")
    );
    assert!(
        s.idempotent("li", "k1").unwrap().is_none(),
        "keys are per user"
    );
    // The same key twice is refused by the database, whichever connection tries.
    assert!(matches!(open().commit(&c), Err(StoreError::KeyTaken)));
    assert_eq!(s.forget_idempotency(100).unwrap(), 0);
    assert_eq!(s.forget_idempotency(101).unwrap(), 1);
    assert!(s.idempotent("chen", "k1").unwrap().is_none());
}

fn people_and_tokens(open: Open) {
    let mut s = open();
    let id = s.insert_token("li", "h1", 10, Some(20)).unwrap();
    let second = s.insert_token("wang", "h2", 11, None).unwrap();
    assert!(second > id);
    assert!(
        s.insert_token("wang", "h1", 10, None).is_err(),
        "hashes are unique"
    );
    let (t, h) = open().token_by_hash("h1").unwrap().unwrap();
    assert_eq!(
        (t.id, t.user.as_str(), t.expires, h.as_str()),
        (id, "li", Some(20), "h1")
    );
    assert!(s.token_by_hash("h3").unwrap().is_none());
    assert!(s.revoke_token(id, 15).unwrap());
    assert!(s.revoke_token(id, 16).unwrap());
    assert_eq!(s.tokens().unwrap()[0].revoked, Some(15));
    assert!(!s.revoke_token(9999, 15).unwrap());
    let u = DirUser {
        name: "Lisa".into(),
        roles: vec!["translator-ext".into()],
        language: Some("en".into()),
        ..DirUser::default()
    };
    s.invite_user("lisa", &u, 1).unwrap();
    let renamed = DirUser {
        name: "Lisa M".into(),
        ..u.clone()
    };
    let mut c = Commit::new(vec![], audit(2, "invite", None));
    c.invited.push(("lisa".into(), renamed));
    c.invited.push(("wu".into(), u.clone()));
    s.commit(&c).unwrap();
    let got = open().invited_users().unwrap();
    let names: Vec<(&str, &str)> = got
        .iter()
        .map(|(i, u)| (i.as_str(), u.name.as_str()))
        .collect();
    assert_eq!(names, [("lisa", "Lisa M"), ("wu", "Lisa")]);
    assert!(got[0].1.invited && got[0].1.roles == u.roles);
}

fn sessions(open: Open) {
    let mut s = open();
    let t = s
        .create_login_link("zhang", "/t/1/ship", 1000, 3600)
        .unwrap();
    assert!(
        !s.dump().unwrap().contains(&t),
        "the token itself is never stored"
    );
    let before = s.dump().unwrap();
    assert_eq!(
        open().login_link(&t, 1001).unwrap().unwrap().next,
        "/t/1/ship"
    );
    assert_eq!(
        before,
        s.dump().unwrap(),
        "looking at a link changes nothing"
    );
    let (link, new) = s.spend_login_link(&t, 1003).unwrap().unwrap();
    assert_eq!(link.user, "zhang");
    assert!(
        open().spend_login_link(&t, 1004).unwrap().is_none(),
        "used once"
    );
    assert_eq!(
        s.session(&new.token, 1004).unwrap().unwrap().csrf,
        new.row.csrf
    );
    s.touch_session(&new.token, 2000).unwrap();
    s.end_session(&new.token).unwrap();
    assert!(s.session(&new.token, 2001).unwrap().is_none());
    let late = s.create_login_link("li", "/", 1000, 3600).unwrap();
    assert!(
        s.spend_login_link(&late, 4600).unwrap().is_none(),
        "expired"
    );
}

fn files(open: Open) {
    let mut s = open();
    let f = FileRow {
        id: "sha-1".into(),
        name: "a.pdf".into(),
        size: 3,
        ty: "application/pdf".into(),
        created: 5,
        uploader: "chen".into(),
    };
    assert_eq!(s.put_file(&f).unwrap(), f);
    let again = FileRow {
        name: "b.pdf".into(),
        ..f.clone()
    };
    assert_eq!(
        s.put_file(&again).unwrap().name,
        "a.pdf",
        "the first upload keeps its name"
    );
    let id = start_next(&mut s);
    let mut c = Commit::new(vec![], audit(6, "attach", Some(id)));
    c.record_files = vec![(id, "sha-1".into()), (id, "sha-1".into())];
    s.commit(&c).unwrap();
    assert_eq!(open().records_with_file("sha-1").unwrap(), [id]);
    assert!(s.file("sha-2").unwrap().is_none());
}

fn approvals(open: Open) {
    let mut s = open();
    let id = s.next_record_id().unwrap();
    let mut r = record(id, "packed");
    r.approval = Some(
        serde_json::from_value(json!({
            "transition": 1, "step": 0, "requester": "chen", "approved_by": []
        }))
        .unwrap(),
    );
    let mut w = write(&r, None);
    w.approval_role = Some("boss".into());
    s.commit(&Commit::new(vec![w], audit(1, "start", Some(id))))
        .unwrap();
    let other = start_next(&mut s);
    let waiting = |s: &Store, role: &str| -> Vec<RecordId> {
        s.awaiting_approval_of(&[role.into()])
            .unwrap()
            .iter()
            .map(|r| r.record.id)
            .collect()
    };
    assert_eq!(waiting(&open(), "boss"), [id]);
    assert!(waiting(&s, "clerk").is_empty());
    let awaiting: Vec<RecordId> = s
        .awaiting_approval()
        .unwrap()
        .iter()
        .map(|r| r.record.id)
        .collect();
    assert_eq!(awaiting, [id], "record {other} waits on nothing");
    // Rebuilding the index from the records: every waiting record under the role named.
    assert_eq!(s.index_approvals(|_| Some("finance".into())).unwrap(), 1);
    assert_eq!(waiting(&s, "finance"), [id]);
    assert!(waiting(&s, "boss").is_empty());
}

/// The KPI fixture's bundle, built by the real binary.
fn kpi_bundle() -> sopctl::bundle::Bundle {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let project = common::repo_root().join("tests/fixtures/kpis");
    let o = common::run_in(&project, &["build", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    sopctl::bundle::Bundle::from_json(&std::fs::read_to_string(out.join("bundle.json")).unwrap())
        .unwrap()
}

fn entry(id: RecordId, status: &str, at: i64) -> EntryRow {
    EntryRow {
        record: id,
        process: "orders".into(),
        status: status.into(),
        at,
        terminal: false,
    }
}

fn kpis(open: Open) {
    let bundle = kpi_bundle();
    let mut s = open();
    assert!(s.ensure_kpis(&bundle, 0).unwrap() > 0);
    assert_eq!(open().ensure_kpis(&bundle, 0).unwrap(), 0, "kept once");
    let id = start_next(&mut s);
    let mut c = Commit::new(vec![], audit(1000, "start", Some(id)));
    c.kpi = KpiRows {
        entries: vec![entry(id, "new", 1000)],
        opened: vec![OpenRow {
            record: id,
            process: "orders".into(),
            kind: APPROVAL,
            task: "1#0".into(),
            assignees: "boss".into(),
            requester: Some("chen".into()),
            opened: 1000,
            due: Some(4600),
        }],
        ..Default::default()
    };
    s.commit(&c).unwrap();
    let open_work = open().kpi_open_work("orders").unwrap();
    assert_eq!((open_work.len(), open_work[0].kind.as_str()), (1, APPROVAL));
    let mut c = Commit::new(vec![], audit(9000, "approve", Some(id)));
    c.kpi = KpiRows {
        entries: vec![entry(id, "packed", 1600)],
        closed: vec![CloseRow {
            record: id,
            kind: APPROVAL,
            task: "1#0".into(),
            at: 9000,
            done: true,
            by: Some("bai".into()),
        }],
        ..Default::default()
    };
    s.commit(&c).unwrap();
    let pack_time = bundle.processes[0]
        .kpis
        .iter()
        .find(|k| k.id == "pack-time")
        .map(|k| sopctl::runtime::kpi_agg::key(&k.measure))
        .unwrap();
    let range = (0, 10 * 86_400);
    let r = open();
    let bins = r.kpi_bins("orders", &pack_time, range.0, range.1).unwrap();
    assert_eq!((bins.count(), bins.sum()), (1, 600.0));
    assert_eq!(
        r.kpi_percentile("orders", &pack_time, range, &bins, 50)
            .unwrap(),
        Some(600.0)
    );
    let roles = r.kpi_wait_roles("orders", range).unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(
        (
            roles[0].role.as_str(),
            roles[0].decided,
            roles[0].late,
            roles[0].longest
        ),
        ("boss", 1, 1, Some(8000.0))
    );
    assert_eq!(
        r.kpi_longest_waits("orders", range, 3).unwrap(),
        [(8000, Some("chen".to_string()), "boss".to_string())]
    );
    assert!(r.kpi_open_work("orders").unwrap().is_empty());
}

/// Instantiates each contract body for both backends.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let path = dir.path().join("store.db");
                    super::$name(&|| sopctl::runtime::storage::Store::open(&path).unwrap());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    let Some(db) = crate::pg_support::FreshPg::new() else { return };
                    let url = db.url();
                    super::$name(&|| {
                        sopctl::runtime::storage::Store::open_postgres(&url).unwrap()
                    });
                }
            )*
        }
    };
}

on_both_backends!(
    bundles,
    records_and_versions,
    listing_and_history,
    timers,
    inbox_and_assignments,
    outbox,
    idempotency,
    people_and_tokens,
    sessions,
    files,
    approvals,
    kpis,
);
