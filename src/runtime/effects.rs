//! What the runtime does with an action's outcome beyond storing the records: the messages it
//! sends (inbox rows for every recipient, plus an outbox row for an external channel) and when
//! the background loop must look at a record next (its timer).

use std::collections::BTreeSet;

use serde_json::json;

use super::storage::{NewInbox, NewOutbox};
use crate::bundle::Bundle;
use crate::engine::{Event, NotifyReason, Record, World};

/// How often a record in a status with a time-based automatic transition (`when` using `now`)
/// is looked at again: such a condition has no single moment it becomes true.
pub const RECHECK_SECS: i64 = 60;

/// Whether the record's status is terminal in its bundle.
pub fn is_terminal(b: &Bundle, r: &Record) -> bool {
    b.process(&r.process)
        .and_then(|p| p.statuses.iter().find(|s| s.id == r.status))
        .is_some_and(|s| s.terminal)
}

/// The next moment something may happen to `r` by itself: a reminder, a due time passing, an
/// escalation, or a time-based condition to re-check. None when nothing ever will.
pub fn next_timer(b: &Bundle, r: &Record, now: i64) -> Option<i64> {
    let p = b.process(&r.process)?;
    let st = p.statuses.iter().find(|s| s.id == r.status)?;
    if st.terminal {
        return None;
    }
    let mut next: Option<i64> = None;
    let mut at = |t: i64| next = Some(next.map_or(t, |n| n.min(t)));
    for t in &r.tasks {
        if let Some(x) = t.reminders.first() {
            at(x.secs);
        }
        if let (false, Some(d)) = (t.overdue, t.due) {
            // The engine marks a task overdue once `now` is past its due time.
            at(d.secs + 1);
        }
        if let Some(x) = t.escalate_at {
            at(x.secs);
        }
    }
    if let Some(x) = r.approval.as_ref().and_then(|a| a.next_timer()) {
        at(x.secs);
    }
    let timed = p
        .transitions
        .iter()
        .any(|t| t.from == r.status && t.when.as_ref().is_some_and(|w| w.uses_now));
    if timed {
        at(now + RECHECK_SECS);
    }
    next
}

/// User ids behind a notification's `to`: role ids become their holders in the directory.
fn recipients(b: &Bundle, world: &World, to: &[String]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for who in to {
        if b.roles.iter().any(|r| &r.id == who) {
            out.extend(world.holders(who));
        } else {
            out.insert(who.clone());
        }
    }
    out.into_iter().collect()
}

fn reason_word(r: &NotifyReason) -> String {
    match r {
        NotifyReason::Status(s) => format!("status:{s}"),
        NotifyReason::ApprovalRequested => "approval-requested".into(),
        NotifyReason::Rejected => "rejected".into(),
        NotifyReason::Reminder(t) => format!("reminder:{t}"),
        NotifyReason::Escalation(t) => format!("escalation:{t}"),
    }
}

/// Inbox and outbox rows for the `Notified` events of one action. Every recipient gets the
/// message in their inbox; a channel other than `inbox` also gets an outbox row to deliver.
pub fn messages(b: &Bundle, world: &World, events: &[Event]) -> (Vec<NewInbox>, Vec<NewOutbox>) {
    let (mut inbox, mut outbox) = (vec![], vec![]);
    for e in events {
        let Event::Notified {
            record,
            to,
            channel,
            message,
            reason,
        } = e
        else {
            continue;
        };
        let users = recipients(b, world, to);
        let rec = world.get(*record);
        let p = rec.and_then(|r| b.process(&r.process));
        let text = match (rec, p, reason) {
            (Some(r), Some(p), NotifyReason::Status(s)) => {
                let st = p.statuses.iter().find(|x| &x.id == s);
                super::channels::render_message(
                    message,
                    r,
                    &p.title,
                    st.map_or(s.as_str(), |x| &x.title),
                )
            }
            _ => message.clone(),
        };
        let reason = reason_word(reason);
        for u in &users {
            inbox.push(NewInbox {
                user: u.clone(),
                record_id: Some(*record),
                reason: reason.clone(),
                message: text.clone(),
            });
        }
        if channel != "inbox" {
            outbox.push(NewOutbox {
                record_id: Some(*record),
                channel: channel.clone(),
                payload: json!({
                    "record": record,
                    "process": rec.map(|r| r.process.as_str()),
                    "process_title": p.map(|p| p.title.as_str()),
                    "to": users,
                    "reason": reason,
                    "message": text,
                }),
            });
        }
    }
    (inbox, outbox)
}
