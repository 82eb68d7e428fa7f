//! Time passing for one record's open tasks: reminders, overdue marks and escalations.

use super::events::{Event, NotifyReason, RecordId};
use super::record::Record;
use super::rights::users_in;
use super::step::Step;
use crate::bundle::Ref;

impl Step<'_, '_> {
    pub fn task_timers(&mut self, id: RecordId) {
        let now = self.now;
        let r = self.rec(id);
        let fire = r.tasks.iter().any(|t| {
            t.reminders.first().is_some_and(|&x| x <= now)
                || (!t.overdue && t.due.is_some_and(|d| d < now))
                || t.escalate_at.is_some_and(|x| x <= now)
        });
        if !fire {
            return;
        }
        let e = self.e;
        let status = e.status(&r.process, &r.status);
        let mut ev = Vec::new();
        let Record { tasks, fields, .. } = self.rec_mut(id);
        for t in tasks.iter_mut() {
            let assignees = if t.roles.is_empty() {
                t.users.clone()
            } else {
                t.roles.clone()
            };
            while t.reminders.first().is_some_and(|&x| x <= now) {
                t.reminders.remove(0);
                ev.push(Event::Notified {
                    record: id,
                    to: assignees.clone(),
                    channel: "inbox".into(),
                    message: format!("reminder: {}", t.id),
                    reason: NotifyReason::Reminder(t.id.clone()),
                });
            }
            if !t.overdue && t.due.is_some_and(|d| d < now) {
                t.overdue = true;
                ev.push(Event::Overdue {
                    record: id,
                    task: t.id.clone(),
                });
            }
            if t.escalate_at.is_some_and(|x| x <= now) {
                t.escalate_at = None;
                let def = status.tasks.iter().find(|d| d.id == t.id);
                if let Some(esc) = def.and_then(|d| d.escalate.as_ref()) {
                    let to = match &esc.to {
                        Ref::Role(x) => vec![x.clone()],
                        Ref::Field(f) => users_in(fields, f),
                    };
                    ev.push(Event::Notified {
                        record: id,
                        to,
                        channel: "inbox".into(),
                        message: format!("escalation: {} is overdue", t.id),
                        reason: NotifyReason::Escalation(t.id.clone()),
                    });
                }
            }
        }
        self.ev.extend(ev);
    }
}
