//! `Complete`: an open task, by its assignee, with its `complete.fill` fields; `then` fires
//! (for `each` tasks, when the last person completes theirs).

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::error::*;
use super::super::events::{Event, RecordId};
use super::super::rights::Via;
use super::super::step::Step;
use super::super::tasks::accumulate;
use super::super::EngineError;
use crate::bundle::{Process, Task, Transition};

impl<'b> Step<'_, 'b> {
    pub fn complete(
        &mut self,
        record: RecordId,
        task: &str,
        fill: BTreeMap<String, Value>,
    ) -> Result<(), EngineError> {
        let e = self.e;
        let (_, p) = self.record_process(record)?;
        let pos = self.task_position(record, task)?;
        let r = self.rec(record);
        let def: &Task = e
            .status(&p.name, &r.status)
            .tasks
            .iter()
            .find(|t| t.id == task)
            .expect("task of the status");
        let mut values = self.checked_writes(p, &r.fields, false, &fill, Via::Complete(def))?;
        if def.each {
            self.accumulate_each(p, record, &mut values);
        }
        self.write(record, values);
        self.check_requires(record, &def.complete.fill, &[])?;
        let user = self.actor.user.clone();
        self.rec_mut(record).tasks.remove(pos);
        self.push(Event::TaskClosed {
            record,
            task: task.to_string(),
            completed_by: Some(user.clone()),
        });
        // An `each` task moves on when the last person completes theirs.
        if self.rec(record).tasks.iter().any(|t| t.id == task) {
            return Ok(());
        }
        let Some(t) = self.then_transition(p, record, def)? else {
            return Ok(());
        };
        if self.rec(record).approval.is_some() {
            return Err(EngineError::new(
                NOT_ALLOWED,
                "an approval is pending on this record",
            ));
        }
        self.take(record, t, Some(user), Some(task.to_string()))
    }

    /// The open task the actor may complete: theirs when the task is one per person.
    fn task_position(&self, record: RecordId, task: &str) -> Result<usize, EngineError> {
        let r = self.rec(record);
        let actor = self.actor;
        let mine = |t: &&super::super::record::OpenTask| {
            t.roles.iter().any(|x| actor.has_role(x)) || t.users.contains(&actor.user)
        };
        if let Some(pos) = r.tasks.iter().position(|t| t.id == task && mine(&t)) {
            return Ok(pos);
        }
        if r.tasks.iter().any(|t| t.id == task) {
            return Err(EngineError::new(
                NOT_ALLOWED,
                format!("`{}` is not assigned `{task}`", actor.user),
            ));
        }
        Err(EngineError::new(
            NO_SUCH_TASK,
            format!("no open task `{task}` in status `{}`", r.status),
        ))
    }

    /// For an `each` task: the person's values are added to what the others gave.
    fn accumulate_each(
        &self,
        p: &Process,
        record: RecordId,
        values: &mut [(String, Option<Value>)],
    ) {
        let r = self.rec(record);
        for (k, v) in values.iter_mut() {
            let ty = p
                .fields
                .iter()
                .find(|f| &f.id == k)
                .map_or("", |f| f.ty.as_str());
            if let Some(new) = v.take() {
                *v = Some(accumulate(ty, r.fields.get(k), new, &self.actor.user));
            }
        }
    }

    /// The transition `complete.then` asks for, with its requirements met.
    fn then_transition(
        &self,
        p: &'b Process,
        record: RecordId,
        def: &Task,
    ) -> Result<Option<&'b Transition>, EngineError> {
        let Some(to) = &def.complete.then else {
            return Ok(None);
        };
        let e = self.e;
        let from = &self.rec(record).status;
        let t = e.transition(&p.name, from, to).ok_or_else(|| {
            EngineError::new(NO_SUCH_TRANSITION, format!("no transition to `{to}`"))
        })?;
        self.check_requires(record, &e.status(&p.name, to).requires, &t.requires)?;
        Ok(Some(t))
    }
}
