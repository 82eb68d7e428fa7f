//! Approval steps as work for a person: requesting a step (with its due time, reminders and
//! escalation, as for tasks), what a runtime lists as pending work, and the step's timers.

use super::events::{Event, NotifyReason, RecordId};
use super::record::{PendingApproval, Record, World};
use super::step::Step;
use super::tasks::{due_time, timing};
use super::time::DateTime;
use super::{Engine, EngineError};
use crate::bundle::{ApprovalStep, Ref, Transition};

/// A pending approval step as a person's work: what to show and who may decide it.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingWork<'b> {
    pub record: RecordId,
    pub transition: &'b Transition,
    pub step: usize,
    /// The step's `title`, or the transition's.
    pub title: &'b str,
    pub guide: Option<&'b str>,
    pub checklist: &'b [String],
    pub due: Option<DateTime>,
    /// Who asked for the move (None: a child's `move_parent` or an automatic cause).
    pub requester: Option<&'b str>,
    pub role: &'b str,
    /// The user ids who may decide it now (holders of the role, less the requester unless the
    /// step allows self-approval, less those who already approved in mode `all`).
    pub approvers: Vec<String>,
}

impl<'b> Engine<'b> {
    /// The pending approval step of a record, as work, or None.
    pub fn pending_work<'r>(&self, world: &World, r: &'r Record) -> Option<PendingWork<'r>>
    where
        'b: 'r,
    {
        let pa = r.approval.as_ref()?;
        let (_, p) = self.index(&r.process).ok()?;
        let t = p.transitions.get(pa.transition)?;
        let step = t.approval.get(pa.step)?;
        Some(PendingWork {
            record: r.id,
            transition: t,
            step: pa.step,
            title: step.title.as_deref().unwrap_or(&t.title),
            guide: step.guide.as_deref(),
            checklist: &step.checklist,
            due: pa.due,
            requester: pa.requester.as_deref(),
            role: &step.role,
            approvers: self.deciders(world, step, pa),
        })
    }

    /// The user ids who may decide the record's pending approval step now.
    pub fn approvers(&self, world: &World, r: &Record) -> Vec<String> {
        self.pending_work(world, r)
            .map(|w| w.approvers)
            .unwrap_or_default()
    }
}

impl Step<'_, '_> {
    pub fn request_approval(
        &mut self,
        id: RecordId,
        t: &Transition,
        requester: Option<String>,
        from_task: Option<String>,
    ) -> Result<(), EngineError> {
        let (ix, _) = self.record_process(id)?;
        let transition = ix.trans[&t.from][&t.to];
        self.rec_mut(id).approval = Some(PendingApproval {
            transition,
            requester,
            from_task,
            ..Default::default()
        });
        self.request_step(id, t, 0)
    }

    /// Asks step `step` of the pending approval: its timers start now.
    pub fn request_step(
        &mut self,
        id: RecordId,
        t: &Transition,
        step: usize,
    ) -> Result<(), EngineError> {
        let (_, p) = self.record_process(id)?;
        let s: &ApprovalStep = &t.approval[step];
        let local = self.now.in_offset(self.w.offset);
        let due = s
            .due
            .as_ref()
            .and_then(|d| due_time(p, self.rec(id), &d.rule, local, self.w.offset));
        let (reminders, escalate_at) = timing(due, &s.remind_before, s.escalate.as_ref());
        let now = self.now;
        let pa = self.rec_mut(id).approval.as_mut().expect("pending");
        pa.step = step;
        pa.approved_by.clear();
        pa.requested = Some(now);
        pa.due = due;
        pa.reminders = reminders;
        pa.overdue = false;
        pa.escalate_at = escalate_at;
        self.push(Event::ApprovalRequested {
            record: id,
            transition: t.id.clone(),
            step,
            role: s.role.clone(),
        });
        self.push(Event::Notified {
            record: id,
            to: vec![s.role.clone()],
            channel: "inbox".into(),
            message: format!(
                "approval requested: {}",
                s.title.as_deref().unwrap_or(&t.title)
            ),
            reason: NotifyReason::ApprovalRequested,
        });
        Ok(())
    }

    /// Reminders and escalation of a pending step at `now`.
    pub fn approval_timers(&mut self, id: RecordId) {
        let now = self.now;
        let r = self.rec(id);
        let Some(pa) = &r.approval else {
            return;
        };
        if pa.next_timer().is_none_or(|t| t > now) {
            return;
        }
        let e = self.e;
        let Ok((_, p)) = e.index(&r.process) else {
            return;
        };
        let t = &p.transitions[pa.transition];
        let step = &t.approval[pa.step];
        let name = format!("approval:{}", t.id);
        let fields = r.fields.clone();
        let pa = self.rec_mut(id).approval.as_mut().expect("pending");
        let mut notes = Vec::new();
        while pa.reminders.first().is_some_and(|&x| x <= now) {
            pa.reminders.remove(0);
            notes.push((
                vec![step.role.clone()],
                NotifyReason::Reminder(name.clone()),
                "reminder",
            ));
        }
        if !pa.overdue && pa.due.is_some_and(|d| d < now) {
            pa.overdue = true;
        }
        if pa.escalate_at.is_some_and(|x| x <= now) {
            pa.escalate_at = None;
            if let Some(esc) = &step.escalate {
                let to = match &esc.to {
                    Ref::Role(x) => vec![x.clone()],
                    Ref::Field(f) => super::rights::users_in(&fields, f),
                };
                notes.push((to, NotifyReason::Escalation(name.clone()), "escalation"));
            }
        }
        let title = step.title.as_deref().unwrap_or(&t.title);
        for (to, reason, word) in notes {
            self.push(Event::Notified {
                record: id,
                to,
                channel: "inbox".into(),
                message: format!("{word}: approval {title} is pending"),
                reason,
            });
        }
    }
}
