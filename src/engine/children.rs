//! Child records: `start` (one child, or one per person with `for_each`) and `move_parent`
//! (at once, or with `when: all` once every sibling started with it got there).

use std::collections::BTreeMap;

use serde_json::Value;

use super::events::{Event, RecordId};
use super::record::Record;
use super::rights::users_in;
use super::step::Step;
use super::EngineError;
use crate::bundle::{Process, StartLink};

impl Step<'_, '_> {
    pub fn start_children(
        &mut self,
        parent: RecordId,
        link: &StartLink,
    ) -> Result<(), EngineError> {
        let e = self.e;
        let (_, child_p) = e.index(&link.process)?;
        let base = self.rec(parent);
        let started_in = base.history.len();
        let mut fields = BTreeMap::new();
        for (child_field, parent_field) in &link.with {
            if let Some(v) = base.fields.get(parent_field) {
                fields.insert(child_field.clone(), v.clone());
            }
        }
        let people = match &link.for_each {
            Some(f) => users_in(&base.fields, f).into_iter().map(Some).collect(),
            None => vec![None],
        };
        for person in people {
            let mut fields = fields.clone();
            if let Some(u) = &person {
                for f in &link.each {
                    fields.insert(f.clone(), person_value(child_p, f, u));
                }
            }
            self.start_child(parent, child_p, fields, started_in)?;
        }
        Ok(())
    }

    fn start_child(
        &mut self,
        parent: RecordId,
        child_p: &Process,
        mut fields: BTreeMap<String, Value>,
        started_in: usize,
    ) -> Result<(), EngineError> {
        for f in &child_p.fields {
            if let (false, Some(d)) = (fields.contains_key(&f.id), &f.default) {
                fields.insert(f.id.clone(), d.clone());
            }
        }
        let child = self.new_record(child_p, fields, Some(parent));
        let r = self.rec_mut(child);
        r.started_in = Some(started_in);
        self.rec_mut(parent).children.push(child);
        self.push(Event::ChildStarted {
            parent,
            child,
            process: child_p.name.clone(),
        });
        self.push(Event::Created {
            record: child,
            process: child_p.name.clone(),
        });
        let initial = child_p
            .statuses
            .iter()
            .find(|s| s.initial)
            .expect("one initial status");
        self.enter(child, &initial.id)
    }

    /// A new record in the process's initial status (not entered yet).
    pub fn new_record(
        &mut self,
        p: &Process,
        fields: BTreeMap<String, Value>,
        parent: Option<RecordId>,
    ) -> RecordId {
        let id = self.w.next_id;
        self.w.next_id += 1;
        self.save(id);
        let initial = p
            .statuses
            .iter()
            .find(|s| s.initial)
            .expect("one initial status");
        self.w.records.insert(
            id,
            Record {
                fields,
                parent,
                ..Record::new(id, &p.name, &initial.id)
            },
        );
        id
    }

    /// The parent takes its transition to `target` when it has one, is not waiting for an
    /// approval and its requirements are met; with `all`, once every sibling is in `status`.
    pub fn move_parent(
        &mut self,
        id: RecordId,
        status: &str,
        target: &str,
        all: bool,
    ) -> Result<(), EngineError> {
        let Some(parent) = self.rec(id).parent else {
            return Ok(());
        };
        if all && !self.siblings_arrived(id, parent, status) {
            return Ok(());
        }
        let e = self.e;
        let pr = self.rec(parent);
        let Some(t) = e.transition(&pr.process, &pr.status, target) else {
            return Ok(());
        };
        let to = e.status(&pr.process, target);
        if pr.approval.is_none()
            && self
                .check_requires(parent, &to.requires, &t.requires)
                .is_ok()
        {
            self.take(parent, t, None, None)?;
        }
        Ok(())
    }

    /// Every child of `parent` started together with `id` (same process, same parent move) is
    /// in `status` or has been through it.
    fn siblings_arrived(&self, id: RecordId, parent: RecordId, status: &str) -> bool {
        let me = self.rec(id);
        let arrow = format!("->{status}");
        self.rec(parent)
            .children
            .iter()
            .filter_map(|c| self.w.records.get(c))
            .filter(|c| c.process == me.process && c.started_in == me.started_in)
            .all(|c| c.status == status || c.history.iter().any(|h| h.transition.ends_with(&arrow)))
    }
}

/// The person as a child field holds them: a list for a `users` field.
fn person_value(p: &Process, field: &str, user: &str) -> Value {
    let users = p.fields.iter().any(|f| f.id == field && f.ty == "users");
    if users {
        Value::Array(vec![Value::String(user.to_string())])
    } else {
        Value::String(user.to_string())
    }
}
