//! `Approve`: decides the pending approval step. Approving moves on to the next step, or
//! takes the transition after the last; rejecting needs a reason, tells the requester, and
//! opens again the task whose `complete.then` asked for the move.

use super::super::error::*;
use super::super::events::{Event, NotifyReason, RecordId};
use super::super::record::PendingApproval;
use super::super::step::Step;
use super::super::tasks::open_tasks;
use super::super::EngineError;
use crate::bundle::Transition;

impl Step<'_, '_> {
    pub fn approve(
        &mut self,
        record: RecordId,
        approve: bool,
        reason: Option<String>,
    ) -> Result<(), EngineError> {
        let (_, p) = self.record_process(record)?;
        let Some(pa) = self.rec(record).approval.clone() else {
            return Err(EngineError::new(
                NOT_ALLOWED,
                "no approval is pending on this record",
            ));
        };
        let t = &p.transitions[pa.transition];
        self.e.check_decide(&t.approval[pa.step], &pa, self.actor)?;
        if approve {
            return self.approve_step(record, t, pa);
        }
        let reason = reason.map(|r| r.trim().to_string()).unwrap_or_default();
        if reason.is_empty() {
            return Err(EngineError::new(
                INVALID_VALUE,
                "a rejection needs a `reason`: tell the requester what to change",
            )
            .with_field_id("reason"));
        }
        self.reject(record, t, pa, reason);
        Ok(())
    }

    fn approve_step(
        &mut self,
        record: RecordId,
        t: &Transition,
        pa: PendingApproval,
    ) -> Result<(), EngineError> {
        let user = self.actor.user.clone();
        let step = &t.approval[pa.step];
        self.push(Event::Approved {
            record,
            transition: t.id.clone(),
            step: pa.step,
            by: user.clone(),
        });
        let mut approved_by = pa.approved_by.clone();
        approved_by.insert(user.clone());
        let done = step.mode != "all"
            || self
                .w
                .holders(&step.role)
                .iter()
                .filter(|h| step.allow_self_approval || pa.requester.as_ref() != Some(*h))
                .all(|h| approved_by.contains(h));
        if !done {
            self.rec_mut(record)
                .approval
                .as_mut()
                .expect("pending")
                .approved_by = approved_by;
            return Ok(());
        }
        if pa.step + 1 < t.approval.len() {
            return self.request_step(record, t, pa.step + 1);
        }
        self.rec_mut(record).approval = None;
        let to = self.e.status(&self.rec(record).process, &t.to);
        self.check_requires(record, &to.requires, &t.requires)?;
        self.do_move(record, t, Some(user))
    }

    fn reject(&mut self, record: RecordId, t: &Transition, pa: PendingApproval, reason: String) {
        let user = self.actor.user.clone();
        self.rec_mut(record).approval = None;
        self.push(Event::Rejected {
            record,
            transition: t.id.clone(),
            by: user.clone(),
            reason: reason.clone(),
        });
        if let Some(req) = pa.requester {
            self.push(Event::Notified {
                record,
                to: vec![req],
                channel: "inbox".into(),
                message: format!("{} was rejected by {user}: {reason}", t.title),
                reason: NotifyReason::Rejected,
            });
        }
        if let Some(task) = pa.from_task {
            self.reopen(record, &task, &reason);
        }
    }

    /// Opens a task of the record's status again, with the rejection's reason on it.
    fn reopen(&mut self, record: RecordId, task: &str, reason: &str) {
        let e = self.e;
        let r = self.rec(record);
        let Ok((_, p)) = e.index(&r.process) else {
            return;
        };
        let status = e.status(&p.name, &r.status);
        let Some(def) = status.tasks.iter().find(|d| d.id == task) else {
            return;
        };
        let local = self.now.in_offset(self.w.offset);
        let mut opened = open_tasks(p, r, def, local, self.w.offset);
        for o in &mut opened {
            o.note = Some(reason.to_string());
        }
        self.open(record, opened);
    }
}
