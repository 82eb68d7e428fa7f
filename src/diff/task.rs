//! Tasks, matched by id (unique within a process). Tasks of an added or removed status are
//! not reported: the status change covers them.

use super::{named, show_list, show_ref, Impact, Out, Pair};
use crate::bundle::{Dur, Media, Status, Task};

fn durs(v: &[Dur]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.iter()
        .map(|d| d.duration().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn media(v: &[Media]) -> Vec<String> {
    v.iter()
        .map(|m| match m {
            Media::File(f) => f.path.clone(),
            Media::Link(l) => l.url.clone(),
        })
        .collect()
}

pub(crate) fn diff(p: &Pair, out: &mut Out) {
    let base: Vec<(&Status, &Task)> = p
        .base
        .statuses
        .iter()
        .flat_map(|s| s.tasks.iter().map(move |t| (s, t)))
        .collect();
    for hs in &p.head.statuses {
        let status_is_new = p.base_status_of(&hs.id).is_none();
        for h in &hs.tasks {
            let this = named(&h.title, &h.id);
            let subject = || format!("task:{}", h.id);
            let Some((bs, b)) = base.iter().find(|(_, t)| t.id == h.id) else {
                if !status_is_new {
                    out.push(
                        "task-added",
                        Impact::Behavioral,
                        subject(),
                        format!(
                            "task {this} added to status {}, for {}",
                            named(&hs.title, &hs.id),
                            show_ref(&h.assignee)
                        ),
                    );
                }
                continue;
            };
            if p.renames.status(&bs.id) != hs.id {
                out.push(
                    "task-moved",
                    Impact::Behavioral,
                    subject(),
                    format!(
                        "task {this} moved from status {} to {}",
                        named(&bs.title, &bs.id),
                        named(&hs.title, &hs.id)
                    ),
                );
            }
            changed(p, b, h, &this, out);
        }
    }
    for (bs, b) in &base {
        let status_kept = p.head_status(&bs.id).is_some();
        let task_kept = p
            .head
            .statuses
            .iter()
            .any(|s| s.tasks.iter().any(|t| t.id == b.id));
        if status_kept && !task_kept {
            out.push(
                "task-removed",
                Impact::Behavioral,
                format!("task:{}", b.id),
                format!(
                    "task {} removed from status {}",
                    named(&b.title, &b.id),
                    named(&bs.title, &bs.id)
                ),
            );
        }
    }
}

fn changed(p: &Pair, b: &Task, h: &Task, this: &str, out: &mut Out) {
    people(p, b, h, this, out);
    timing(p, b, h, this, out);
    completion(p, b, h, this, out);
    wording(b, h, this, out);
}

/// Who does the task: the assignee, and on whose behalf.
fn people(p: &Pair, b: &Task, h: &Task, this: &str, out: &mut Out) {
    let subject = || format!("task:{}", h.id);
    let r = &p.renames;
    if r.reference(&b.assignee) != h.assignee {
        out.push(
            "task-assignee-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "task {this} reassigned from {} to {}",
                show_ref(&b.assignee),
                show_ref(&h.assignee)
            ),
        );
    }
    if b.on_behalf_of.as_ref().map(|x| r.reference(x)) != h.on_behalf_of {
        let show = |o: &Option<crate::bundle::Ref>| o.as_ref().map_or("nobody".into(), show_ref);
        out.push(
            "task-on-behalf-of-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "task {this} is now created on behalf of {} (was {})",
                show(&h.on_behalf_of),
                show(&b.on_behalf_of)
            ),
        );
    }
}

/// When: the due date, the reminders and the escalation.
fn timing(p: &Pair, b: &Task, h: &Task, this: &str, out: &mut Out) {
    let subject = || format!("task:{}", h.id);
    let r = &p.renames;
    let due = |d: &Option<crate::bundle::DueRule>| d.as_ref().map(|d| d.source.clone());
    if due(&b.due) != due(&h.due) {
        let show = |d: Option<String>| d.unwrap_or_else(|| "none".into());
        out.push(
            "task-due-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "due date of task {this} changed from {} to {}",
                show(due(&b.due)),
                show(due(&h.due))
            ),
        );
    }
    if b.remind_before != h.remind_before {
        out.push(
            "task-reminders-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "reminders of task {this} changed from {} to {}",
                durs(&b.remind_before),
                durs(&h.remind_before)
            ),
        );
    }
    let esc = |e: &Option<crate::bundle::Escalation>, map: bool| {
        e.as_ref().map_or("none".into(), |e| {
            let to = if map {
                r.reference(&e.to)
            } else {
                e.to.clone()
            };
            format!("after {} to {}", e.after.duration(), show_ref(&to))
        })
    };
    if esc(&b.escalate, true) != esc(&h.escalate, false) {
        out.push(
            "task-escalation-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "escalation of task {this} changed from {} to {}",
                esc(&b.escalate, false),
                esc(&h.escalate, false)
            ),
        );
    }
}

/// What completing it asks for and where it moves the record.
fn completion(p: &Pair, b: &Task, h: &Task, this: &str, out: &mut Out) {
    let subject = || format!("task:{}", h.id);
    let r = &p.renames;
    let fill = r.fields(&b.complete.fill);
    if fill != h.complete.fill {
        out.push(
            "task-fill-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "fields asked for when completing task {this} changed from [{}] to [{}]",
                show_list(&fill),
                show_list(&h.complete.fill)
            ),
        );
    }
    if b.each != h.each {
        let word = if h.each {
            "one task per person"
        } else {
            "one task for all"
        };
        out.push(
            "task-each-changed",
            Impact::Behavioral,
            subject(),
            format!("task {this} is now {word}"),
        );
    }
    let then = b.complete.then.as_deref().map(|t| r.status(t).to_string());
    if then != h.complete.then {
        let show = |t: &Option<String>| t.as_ref().map_or("nowhere".into(), |t| p.status_title(t));
        out.push(
            "task-then-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "completing task {this} now moves the record to {} (was {})",
                show(&h.complete.then),
                show(&then)
            ),
        );
    }
}

/// Titles, texts and media.
fn wording(b: &Task, h: &Task, this: &str, out: &mut Out) {
    let subject = || format!("task:{}", h.id);
    let cosmetic: [(&'static str, &str, bool); 5] = [
        ("task-title-changed", "title", b.title != h.title),
        (
            "task-description-changed",
            "description",
            b.description != h.description,
        ),
        ("task-guide-changed", "guide", b.guide != h.guide),
        (
            "task-checklist-changed",
            "checklist",
            b.checklist != h.checklist,
        ),
        (
            "task-media-changed",
            "media",
            media(&b.media) != media(&h.media),
        ),
    ];
    for (kind, what, differs) in cosmetic {
        if differs {
            let message = if kind == "task-title-changed" {
                format!("task `{}` retitled from {} to {}", h.id, b.title, h.title)
            } else {
                format!("{what} of task {this} changed")
            };
            out.push(kind, Impact::Cosmetic, subject(), message);
        }
    }
}
