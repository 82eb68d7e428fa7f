//! Moving a record: taking a transition (an approval is requested first when it has one),
//! leaving a status (its open tasks close) and entering one (tasks, notifications, children,
//! `move_parent`).

use super::events::{Event, NotifyReason, RecordId};
use super::record::{HistoryEntry, OpenTask};
use super::rights::users_in;
use super::step::Step;
use super::tasks::open_tasks;
use super::EngineError;
use crate::bundle::{Ref, Transition};

impl Step<'_, '_> {
    /// Takes a transition: checks requirements, then requests its approval or moves.
    /// `from_task` is the task whose `complete.then` asked for it.
    pub fn take(
        &mut self,
        id: RecordId,
        t: &Transition,
        by: Option<String>,
        from_task: Option<String>,
    ) -> Result<(), EngineError> {
        let e = self.e;
        let to = e.status(&self.rec(id).process, &t.to);
        self.check_requires(id, &to.requires, &t.requires)?;
        if t.approval.is_empty() {
            return self.do_move(id, t, by);
        }
        self.request_approval(id, t, by, from_task)
    }

    pub fn do_move(
        &mut self,
        id: RecordId,
        t: &Transition,
        by: Option<String>,
    ) -> Result<(), EngineError> {
        let now = self.now;
        let r = self.rec_mut(id);
        r.approval = None;
        let closed: Vec<OpenTask> = std::mem::take(&mut r.tasks);
        r.history.push(HistoryEntry {
            at: now,
            transition: t.id.clone(),
            by: by.clone(),
        });
        let process = r.process.clone();
        for task in closed {
            self.push(Event::TaskClosed {
                record: id,
                task: task.id,
                completed_by: None,
            });
        }
        self.push(Event::Moved {
            record: id,
            process,
            transition: t.id.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
            by,
        });
        self.enter(id, &t.to)
    }

    /// Enters a status: its tasks, notifications, child processes and `move_parent`.
    pub fn enter(&mut self, id: RecordId, status: &str) -> Result<(), EngineError> {
        let e = self.e;
        let (ix, p) = e.index(&self.rec(id).process)?;
        let s = &p.statuses[ix.status[status]];
        // Reuses the status's buffer (a move is the common case, and ids are short).
        let r = self.rec_mut(id);
        r.status.clear();
        r.status.push_str(status);
        let local = self.now.in_offset(self.w.offset);
        for task in &s.tasks {
            let opened = open_tasks(p, self.rec(id), task, local, self.w.offset);
            self.open(id, opened);
        }
        for n in &s.notify {
            let to = resolve(&self.rec(id).fields, &n.to);
            self.push(Event::Notified {
                record: id,
                to,
                channel: n.channel.clone(),
                message: n.message.clone(),
                reason: NotifyReason::Status(status.to_string()),
            });
        }
        for link in &s.start {
            self.start_children(id, link)?;
        }
        if let Some(target) = &s.move_parent {
            self.move_parent(id, status, target, s.move_parent_all)?;
        }
        Ok(())
    }

    /// Adds open tasks to a record, with their events.
    pub fn open(&mut self, id: RecordId, tasks: Vec<OpenTask>) {
        for open in tasks {
            self.push(Event::TaskOpened {
                record: id,
                task: open.id.clone(),
                assignees: if open.roles.is_empty() {
                    open.users.clone()
                } else {
                    open.roles.clone()
                },
                due: open.due,
            });
            self.rec_mut(id).tasks.push(open);
        }
    }
}

/// Role ids and user ids behind references, each once, in order.
pub(super) fn resolve(
    fields: &std::collections::BTreeMap<String, serde_json::Value>,
    refs: &[Ref],
) -> Vec<String> {
    let mut out = Vec::new();
    for x in refs {
        match x {
            Ref::Role(role) => out.push(role.clone()),
            Ref::Field(f) => out.extend(users_in(fields, f)),
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|x| seen.insert(x.clone()));
    out
}
