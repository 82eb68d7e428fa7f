//! What the runtime does with an action's outcome beyond storing the records: the messages it
//! sends (inbox rows for every recipient, plus an outbox row for an external channel) and when
//! the background loop must look at a record next (its timer).
//!
//! The engine says *that* someone is to be told; the words are written here, per recipient,
//! in their language (see `wording.rs`). Status notifications are the SOP's own template,
//! rendered once for everyone.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::directory::Directory;
use super::events::event_json;
use super::storage::{NewInbox, NewOutbox};
use super::wording::{record_label, sentence, Lang, Say};
use crate::bundle::{Bundle, Process};
use crate::engine::{DateTime, Event, NotifyReason, Record, RecordId, World};

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

/// What the messages of one action need to know besides its events.
pub struct Context<'a> {
    pub bundle: &'a Bundle,
    /// The records after the action, and who holds which role.
    pub world: &'a World,
    /// Names and languages of the recipients.
    pub directory: &'a Directory,
    /// Who acted: not told about the task their own action gave them.
    pub actor: Option<&'a str>,
    /// The reason the request gave for a rejection, if any.
    pub reason: Option<&'a str>,
}

/// Renders a status notification's MiniJinja template for a record; None when it does not
/// render. The one place templates are rendered.
pub fn render_template(
    template: &str,
    record: &Record,
    process_title: &str,
    status_title: &str,
) -> Option<String> {
    let mut fields = serde_json::Map::new();
    for (k, v) in &record.fields {
        fields.insert(k.clone(), v.clone());
    }
    fields.insert("id".into(), Value::from(record.id));
    let ctx = json!({
        "record": fields,
        "process": { "id": record.process, "title": process_title },
        "status": { "id": record.status, "title": status_title },
    });
    // Bounded: fuel and an output cap, so no template can hang the server or fill the disk.
    super::render_bounded::try_render(template, &ctx)
}

/// The words of one message: the rendered template, or a sentence to write per language.
enum Words<'a> {
    Rendered(String),
    Said(Say<'a>),
}

/// One message to write: who gets it and what it says.
struct Note<'a> {
    record: RecordId,
    to: Vec<String>,
    channel: &'a str,
    reason: String,
    words: Words<'a>,
}

fn task_title<'a>(p: Option<&'a Process>, r: &Record, task: &'a str) -> &'a str {
    let Some(p) = p else { return task };
    let in_status = |current: bool| {
        p.statuses
            .iter()
            .filter(|s| (s.id == r.status) == current)
            .flat_map(|s| &s.tasks)
            .find(|t| t.id == task)
    };
    in_status(true)
        .or_else(|| in_status(false))
        .map_or(task, |t| t.title.as_str())
}

fn transition_title<'a>(p: Option<&'a Process>, id: &'a str) -> &'a str {
    p.and_then(|p| p.transitions.iter().find(|t| t.id == id))
        .map_or(id, |t| t.title.as_str())
}

/// The transition of the latest event before `i` that `pick` recognises for `record`.
fn earlier<'a, T>(
    events: &'a [Event],
    i: usize,
    pick: impl Fn(&'a Event) -> Option<(RecordId, T)>,
    record: RecordId,
) -> Option<T> {
    events[..i]
        .iter()
        .rev()
        .filter_map(pick)
        .find(|(r, _)| *r == record)
        .map(|(_, t)| t)
}

/// The words the engine's `Notified` event at `i` stands for.
fn notified_words<'a>(ctx: &Context<'a>, events: &'a [Event], i: usize) -> Option<Words<'a>> {
    let Event::Notified {
        record,
        message,
        reason,
        ..
    } = &events[i]
    else {
        return None;
    };
    let r = ctx.world.get(*record)?;
    let p = ctx.bundle.process(&r.process);
    let words = match reason {
        NotifyReason::Status(s) => {
            let st = p.and_then(|p| p.statuses.iter().find(|x| &x.id == s));
            let status = st.map_or(s.as_str(), |x| &x.title);
            let title = p.map_or(r.process.as_str(), |p| &p.title);
            match render_template(message, r, title, status) {
                Some(text) => Words::Rendered(text),
                None => Words::Said(Say::Entered { status }),
            }
        }
        NotifyReason::ApprovalRequested => {
            let pick = |e: &'a Event| match e {
                Event::ApprovalRequested {
                    record, transition, ..
                } => Some((*record, transition.as_str())),
                _ => None,
            };
            let t = earlier(events, i, pick, *record).unwrap_or("");
            Words::Said(Say::ApprovalRequested {
                step: transition_title(p, t),
            })
        }
        NotifyReason::Rejected => {
            let pick = |e: &'a Event| match e {
                Event::Rejected {
                    record,
                    transition,
                    by,
                    ..
                } => Some((*record, (transition.as_str(), by.as_str()))),
                _ => None,
            };
            let (t, by) = earlier(events, i, pick, *record).unwrap_or(("", ""));
            Words::Said(Say::Rejected {
                step: transition_title(p, t),
                by: ctx.directory.get(by).map_or(by, |u| u.name.as_str()),
                reason: ctx.reason.filter(|x| !x.trim().is_empty()),
            })
        }
        NotifyReason::Reminder(t) => Words::Said(Say::Reminder {
            task: task_title(p, r, t),
            due: r
                .tasks
                .iter()
                .find(|x| &x.id == t)
                .and_then(|x| x.due)
                .map(|d| DateTime {
                    secs: d.secs,
                    offset: ctx.world.offset,
                }),
        }),
        NotifyReason::Escalation(t) => Words::Said(Say::Escalation {
            task: task_title(p, r, t),
        }),
    };
    Some(words)
}

/// The messages the events at `i` asks for: the engine's notifications, and the runtime's own
/// word to the assignees of a task that opens or falls overdue.
fn note<'a>(ctx: &Context<'a>, events: &'a [Event], i: usize) -> Option<Note<'a>> {
    match &events[i] {
        Event::Notified {
            record,
            to,
            channel,
            reason,
            ..
        } => Some(Note {
            record: *record,
            to: recipients(ctx.bundle, ctx.world, to),
            channel,
            reason: reason_word(reason),
            words: notified_words(ctx, events, i)?,
        }),
        Event::TaskOpened {
            record,
            task,
            assignees,
            due,
        } => {
            let r = ctx.world.get(*record)?;
            let mut to = recipients(ctx.bundle, ctx.world, assignees);
            to.retain(|u| Some(u.as_str()) != ctx.actor);
            Some(Note {
                record: *record,
                to,
                channel: "inbox",
                reason: format!("task-assigned:{task}"),
                words: Words::Said(Say::TaskAssigned {
                    task: task_title(ctx.bundle.process(&r.process), r, task),
                    due: due.map(|d| DateTime {
                        secs: d.secs,
                        offset: ctx.world.offset,
                    }),
                }),
            })
        }
        Event::Overdue { record, task } => {
            let r = ctx.world.get(*record)?;
            let open = r.tasks.iter().find(|t| &t.id == task)?;
            let who: Vec<String> = open.users.iter().chain(&open.roles).cloned().collect();
            Some(Note {
                record: *record,
                to: recipients(ctx.bundle, ctx.world, &who),
                channel: "inbox",
                reason: format!("overdue:{task}"),
                words: Words::Said(Say::Overdue {
                    task: task_title(ctx.bundle.process(&r.process), r, task),
                }),
            })
        }
        _ => None,
    }
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

impl Note<'_> {
    /// The text for a reader of `lang` (a rendered template reads the same for everyone).
    fn text(&self, ctx: &Context<'_>, lang: Lang) -> String {
        match &self.words {
            Words::Rendered(t) => t.clone(),
            Words::Said(say) => {
                let r = ctx.world.get(self.record);
                let p = r.and_then(|r| ctx.bundle.process(&r.process));
                let label = r.map_or(format!("#{}", self.record), |r| record_label(p, r));
                sentence(lang, say, &label)
            }
        }
    }

    fn process<'c>(&self, ctx: &Context<'c>) -> Option<&'c Process> {
        let r = ctx.world.get(self.record)?;
        ctx.bundle.process(&r.process)
    }
}

/// Inbox and outbox rows for one action's events. Every recipient gets the message in their
/// inbox, in their language; a channel other than `inbox` also gets an outbox row to deliver
/// (one per language among its recipients).
pub fn messages(ctx: &Context<'_>, events: &[Event]) -> (Vec<NewInbox>, Vec<NewOutbox>) {
    let (mut inbox, mut outbox) = (vec![], vec![]);
    for i in 0..events.len() {
        let Some(n) = note(ctx, events, i) else {
            continue;
        };
        let p = n.process(ctx);
        let lang_of = |u: &str| Lang::of(ctx.directory.get(u), p);
        for u in &n.to {
            inbox.push(NewInbox {
                user: u.clone(),
                record_id: Some(n.record),
                reason: n.reason.clone(),
                message: n.text(ctx, lang_of(u)),
            });
        }
        if n.channel == "inbox" {
            continue;
        }
        for lang in [Lang::Zh, Lang::En] {
            let to: Vec<&String> = n.to.iter().filter(|u| lang_of(u) == lang).collect();
            if to.is_empty() {
                continue;
            }
            outbox.push(NewOutbox {
                record_id: Some(n.record),
                channel: n.channel.to_string(),
                payload: json!({
                    "record": n.record,
                    "process": ctx.world.get(n.record).map(|r| r.process.as_str()),
                    "process_title": p.map(|p| p.title.as_str()),
                    "to": to,
                    "reason": n.reason,
                    "message": n.text(ctx, lang),
                }),
            });
        }
    }
    (inbox, outbox)
}

/// The events as JSON for answers and the audit log, with every notification's message as
/// people read it (rendered, in the process's language), never the raw template.
pub fn events_json(ctx: &Context<'_>, events: &[Event]) -> Vec<Value> {
    let mut out: Vec<Value> = events.iter().map(event_json).collect();
    for (i, v) in out.iter_mut().enumerate() {
        if !matches!(events[i], Event::Notified { .. }) {
            continue;
        }
        if let Some(n) = note(ctx, events, i) {
            v["message"] = json!(n.text(ctx, Lang::of(None, n.process(ctx))));
        }
    }
    out
}
