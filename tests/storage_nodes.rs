//! Several nodes on one PostgreSQL database (SPEC 15), as two `Store` connections racing on
//! threads: record ids from the sequence, optimistic version checks, timers and outbox rows
//! claimed by one node at a time (with a lease another node takes over when it runs out), and
//! idempotency keys shared. Each test has its own fresh database; with `CI=true` a missing
//! server fails them. Every loop is bounded.

mod pg_support;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use pg_support::{record, FreshPg};
use serde_json::json;
use sopctl::engine::{Record, RecordId};
use sopctl::runtime::storage::{
    Commit, NewAudit, NewInbox, NewOutbox, RecordWrite, Store, StoreError,
};

fn write(r: &Record, v: Option<i64>, timer: Option<i64>) -> RecordWrite<'_> {
    RecordWrite {
        record: r,
        bundle_hash: "h",
        expected_version: v,
        terminal: false,
        timer,
        approval_role: None,
    }
}

fn audit(id: Option<RecordId>) -> NewAudit<'static> {
    NewAudit {
        at: 1,
        actor: "chen",
        action: "test",
        record_id: id,
        bundle_hash: None,
        detail: json!({}),
    }
}

/// Two nodes' worth of the same work on their own connections, started together.
fn on_two_nodes<T: Send + 'static>(
    url: &str,
    work: impl Fn(usize, Store) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let work = Arc::new(work);
    let go = Arc::new(Barrier::new(2));
    let nodes: Vec<_> = (0..2)
        .map(|n| {
            let (url, work, go) = (url.to_string(), work.clone(), go.clone());
            std::thread::spawn(move || {
                let s = Store::open_postgres(&url).unwrap();
                go.wait();
                work(n, s)
            })
        })
        .collect();
    nodes.into_iter().map(|h| h.join().unwrap()).collect()
}

fn disjoint_and_complete(sets: &[Vec<i64>], all: &BTreeSet<i64>) {
    let (a, b): (BTreeSet<i64>, BTreeSet<i64>) = (
        sets[0].iter().copied().collect(),
        sets[1].iter().copied().collect(),
    );
    assert_eq!(
        a.len() + b.len(),
        sets[0].len() + sets[1].len(),
        "no node took a row twice"
    );
    assert!(
        a.is_disjoint(&b),
        "taken by both nodes: {:?}",
        a.intersection(&b)
    );
    assert_eq!(&a.union(&b).copied().collect::<BTreeSet<_>>(), all);
}

#[test]
fn record_ids_from_the_sequence_never_collide_across_nodes() {
    let Some(db) = FreshPg::new() else { return };
    let ids = on_two_nodes(&db.url(), |_, mut s| {
        (0..25)
            .map(|_| {
                let id = s.next_record_id().unwrap();
                let r = record(id, "a");
                s.commit(&Commit::new(vec![write(&r, None, None)], audit(Some(id))))
                    .expect("a drawn id is free");
                id as i64
            })
            .collect::<Vec<_>>()
    });
    let all: BTreeSet<i64> = ids.iter().flatten().copied().collect();
    assert_eq!(all.len(), 50);
    disjoint_and_complete(&ids, &all);
}

#[test]
fn of_two_nodes_writing_the_same_version_one_wins() {
    let Some(db) = FreshPg::new() else { return };
    let url = db.url();
    let mut s = Store::open_postgres(&url).unwrap();
    let id = s.next_record_id().unwrap();
    let r = record(id, "a");
    s.commit(&Commit::new(vec![write(&r, None, None)], audit(Some(id))))
        .unwrap();
    for round in 1..=10i64 {
        let results = on_two_nodes(&url, move |n, mut s| {
            let next = record(id, &format!("r{round}n{n}"));
            let mut c = Commit::new(vec![write(&next, Some(round), None)], audit(Some(id)));
            c.inbox.push(NewInbox {
                user: "li".into(),
                record_id: Some(id),
                reason: "status".into(),
                message: format!("r{round}n{n}"),
            });
            s.commit(&c)
        });
        let won: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
        assert_eq!(won.len(), 1, "round {round}: {results:?}");
        assert!(results
            .iter()
            .any(|r| matches!(r, Err(StoreError::Conflict(x)) if *x == id)));
        let now = s.record(id).unwrap().unwrap();
        assert_eq!(now.version, round + 1);
        // The loser's inbox message went with its commit.
        let inbox = s.inbox("li", 100).unwrap();
        assert_eq!(inbox.len() as i64, round);
        assert_eq!(inbox[0].message, now.record.status);
    }
}

/// `n` records with a timer each, due at `at`; their ids.
fn with_timers(s: &mut Store, n: usize, at: i64) -> BTreeSet<i64> {
    (0..n)
        .map(|_| {
            let id = s.next_record_id().unwrap();
            let r = record(id, "a");
            s.commit(&Commit::new(
                vec![write(&r, None, Some(at))],
                audit(Some(id)),
            ))
            .unwrap();
            id as i64
        })
        .collect()
}

#[test]
fn each_due_timer_is_fired_by_one_node() {
    let Some(db) = FreshPg::new() else { return };
    let url = db.url();
    let all = with_timers(&mut Store::open_postgres(&url).unwrap(), 60, 100);
    let fired = on_two_nodes(&url, |_, mut s| {
        let mut fired = vec![];
        for _ in 0..100 {
            let due = s.claim_due_timers(1000, 7, 60).unwrap();
            if due.is_empty() {
                break;
            }
            for id in due {
                // Firing: the tick's commit moves the timer on (here: clears it).
                s.commit(&Commit::timers(vec![(id, None)])).unwrap();
                fired.push(id as i64);
            }
        }
        fired
    });
    disjoint_and_complete(&fired, &all);
    assert!(Store::open_postgres(&url)
        .unwrap()
        .due_timers(i64::MAX, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn a_timer_a_dead_node_held_is_taken_after_its_lease() {
    let Some(db) = FreshPg::new() else { return };
    let url = db.url();
    let all = with_timers(&mut Store::open_postgres(&url).unwrap(), 5, 100);
    let taken = Store::open_postgres(&url)
        .unwrap()
        .claim_due_timers(1000, 10, 60)
        .unwrap();
    assert_eq!(taken.len(), 5);
    // That node is gone (its connection closed) without firing them.
    let other = Store::open_postgres(&url).unwrap();
    assert!(
        other.claim_due_timers(1059, 10, 60).unwrap().is_empty(),
        "still leased"
    );
    let later: BTreeSet<i64> = other
        .claim_due_timers(1060, 10, 60)
        .unwrap()
        .into_iter()
        .map(|id| id as i64)
        .collect();
    assert_eq!(later, all);
}

/// `n` pending outbox rows, due at 1; their ids.
fn with_outbox(s: &mut Store, n: usize) -> BTreeSet<i64> {
    let mut c = Commit::new(vec![], audit(None));
    c.outbox = (0..n)
        .map(|i| NewOutbox {
            record_id: None,
            channel: "webhook".into(),
            payload: json!({ "n": i }),
        })
        .collect();
    s.commit(&c).unwrap();
    s.outbox(None).unwrap().iter().map(|o| o.id).collect()
}

#[test]
fn each_outbox_message_is_sent_by_one_node() {
    let Some(db) = FreshPg::new() else { return };
    let url = db.url();
    let all = with_outbox(&mut Store::open_postgres(&url).unwrap(), 40);
    let sent = on_two_nodes(&url, |_, mut s| {
        let mut sent = vec![];
        for _ in 0..100 {
            let rows = s.claim_outbox(1000, 5, 300).unwrap();
            if rows.is_empty() {
                break;
            }
            for o in rows {
                assert_eq!(s.outbox_claim(o.id).unwrap().unwrap().0, s.node());
                s.outbox_attempted(o.id, Ok(())).unwrap();
                sent.push(o.id);
            }
        }
        sent
    });
    disjoint_and_complete(&sent, &all);
    let s = Store::open_postgres(&url).unwrap();
    let rows = s.outbox(None).unwrap();
    assert!(rows.iter().all(|o| o.state == "sent" && o.attempts == 1));
    assert!(
        rows.iter().all(|o| s.outbox_claim(o.id).unwrap().is_none()),
        "leases ended"
    );
}

#[test]
fn outbox_rows_a_dead_node_held_are_taken_over_after_the_lease() {
    let Some(db) = FreshPg::new() else { return };
    let url = db.url();
    let all = with_outbox(&mut Store::open_postgres(&url).unwrap(), 3);
    let dead = Store::open_postgres(&url).unwrap();
    assert_eq!(dead.claim_outbox(1000, 10, 300).unwrap().len(), 3);
    let dead_node = dead.node().to_string();
    drop(dead);
    let mut other = Store::open_postgres(&url).unwrap();
    assert_ne!(other.node(), dead_node);
    assert!(
        other.claim_outbox(1299, 10, 300).unwrap().is_empty(),
        "still leased"
    );
    let rows = other.claim_outbox(1300, 10, 300).unwrap();
    assert_eq!(rows.iter().map(|o| o.id).collect::<BTreeSet<_>>(), all);
    assert_eq!(
        other.outbox_claim(rows[0].id).unwrap(),
        Some((other.node().to_string(), 1600))
    );
    // A failed attempt to retry later ends the lease; the row is due again then, for anyone.
    other
        .outbox_attempted(rows[0].id, Err(("down".into(), Some(2000))))
        .unwrap();
    assert!(other.outbox_claim(rows[0].id).unwrap().is_none());
    // The other two were never attempted: their lease ran out at 1600.
    let third = Store::open_postgres(&url).unwrap();
    let ids = |rows: Vec<sopctl::runtime::storage::OutboxRow>| -> Vec<i64> {
        rows.iter().map(|o| o.id).collect()
    };
    assert_eq!(
        ids(third.claim_outbox(1999, 10, 300).unwrap()),
        [rows[1].id, rows[2].id]
    );
    assert_eq!(
        ids(third.claim_outbox(2000, 10, 300).unwrap()),
        [rows[0].id]
    );
}

#[test]
fn an_idempotency_key_acts_once_across_nodes() {
    let Some(db) = FreshPg::new() else { return };
    let url = db.url();
    for round in 0..5 {
        let key = format!("k{round}");
        let results = on_two_nodes(&url, move |n, mut s| {
            let mut c = Commit::new(vec![], audit(None));
            c.idempotency = Some(("chen".into(), key.clone(), format!("answer {n}")));
            c.inbox.push(NewInbox {
                user: format!("u{round}"),
                record_id: None,
                reason: "r".into(),
                message: format!("from {n}"),
            });
            match s.commit(&c) {
                Ok(()) => true,
                Err(StoreError::KeyTaken) => false,
                Err(e) => panic!("the loser is told the key was taken, not: {e}"),
            }
        });
        assert_eq!(results.iter().filter(|ok| **ok).count(), 1, "round {round}");
        let s = Store::open_postgres(&url).unwrap();
        let winner = results.iter().position(|ok| *ok).unwrap();
        assert_eq!(
            s.idempotent("chen", &format!("k{round}")).unwrap(),
            Some(format!("answer {winner}"))
        );
        let inbox = s.inbox(&format!("u{round}"), 10).unwrap();
        assert_eq!(inbox.len(), 1, "the loser's commit left nothing");
        assert_eq!(inbox[0].message, format!("from {winner}"));
    }
}
