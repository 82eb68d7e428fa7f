//! One action in progress: the engine, the world it changes, who acts and when, the records to
//! restore if it fails, and the events so far. Every action and rule is a method on it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::error::*;
use super::events::{Event, RecordId};
use super::record::{OpenTask, PendingApproval, Record, World};
use super::time::DateTime;
use super::{Action, Actor, Engine, EngineError, ProcIndex};
use crate::bundle::Process;

/// What an action may change in a record it did not create, as it was before the action.
/// Cloning the whole record per action (its fields and history) was most of an action's
/// cost; instead the history and children are only ever appended to (their lengths restore
/// them), and a field's old value is kept when [`Step::write`] replaces it.
pub(super) struct Saved {
    status: String,
    tasks: Vec<OpenTask>,
    approval: Option<PendingApproval>,
    started_in: Option<usize>,
    history_len: usize,
    children_len: usize,
    /// Field values before each write, in the order written (undone in reverse).
    fields: Vec<(String, Option<Value>)>,
}

impl Saved {
    fn of(r: &Record) -> Saved {
        Saved {
            status: r.status.clone(),
            tasks: r.tasks.clone(),
            approval: r.approval.clone(),
            started_in: r.started_in,
            history_len: r.history.len(),
            children_len: r.children.len(),
            fields: Vec::new(),
        }
    }

    fn restore(self, r: &mut Record) {
        r.status = self.status;
        r.tasks = self.tasks;
        r.approval = self.approval;
        r.started_in = self.started_in;
        r.history.truncate(self.history_len);
        r.children.truncate(self.children_len);
        for (k, old) in self.fields.into_iter().rev() {
            match old {
                Some(v) => r.fields.insert(k, v),
                None => r.fields.remove(&k),
            };
        }
    }
}

/// Records touched by an action, as they were before it (None: created by it).
pub(super) struct Tx {
    saved: BTreeMap<RecordId, Option<Saved>>,
    next_id: RecordId,
    pub touched: BTreeSet<RecordId>,
    pub autos: usize,
}

pub(super) struct Step<'a, 'b> {
    pub e: &'a Engine<'b>,
    pub w: &'a mut World,
    pub actor: &'a Actor,
    pub now: DateTime,
    pub tx: Tx,
    pub ev: Vec<Event>,
}

impl<'a, 'b> Step<'a, 'b> {
    pub fn new(e: &'a Engine<'b>, w: &'a mut World, actor: &'a Actor, now: DateTime) -> Self {
        let tx = Tx {
            saved: BTreeMap::new(),
            next_id: w.next_id,
            touched: BTreeSet::new(),
            autos: 0,
        };
        Step {
            e,
            w,
            actor,
            now,
            tx,
            ev: Vec::new(),
        }
    }

    /// The action, then the automatic transitions it makes true.
    pub fn run(&mut self, action: Action) -> Result<(), EngineError> {
        match action {
            Action::Create { process, fields } => self.create(&process, fields)?,
            Action::Set { record, fields } => self.set(record, fields)?,
            Action::Move { record, to, fields } => self.move_to(record, &to, fields)?,
            Action::Approve {
                record,
                approve,
                reason,
            } => self.approve(record, approve, reason)?,
            Action::Complete { record, task, fill } => self.complete(record, &task, fill)?,
            Action::Tick => self.tick(),
        }
        self.run_automatic()
    }

    pub fn finish(self) -> Vec<Event> {
        self.ev
    }

    pub fn rollback(self) {
        for (id, saved) in self.tx.saved {
            match (saved, self.w.records.get_mut(&id)) {
                (Some(saved), Some(r)) => saved.restore(r),
                _ => {
                    self.w.records.remove(&id);
                }
            }
        }
        self.w.next_id = self.tx.next_id;
    }

    /// Remembers a record as it was before this action changes it.
    pub fn save(&mut self, id: RecordId) {
        self.tx.touched.insert(id);
        let w = &*self.w;
        self.tx
            .saved
            .entry(id)
            .or_insert_with(|| w.records.get(&id).map(Saved::of));
    }

    /// Keeps a field's value before `write` replaces it (the record is saved already).
    pub fn save_field(&mut self, id: RecordId, field: &str) {
        if let Some(Some(saved)) = self.tx.saved.get_mut(&id) {
            let old = self
                .w
                .records
                .get(&id)
                .and_then(|r| r.fields.get(field))
                .cloned();
            saved.fields.push((field.to_string(), old));
        }
    }

    pub fn rec(&self, id: RecordId) -> &Record {
        &self.w.records[&id]
    }

    /// The record, saved first so that a failure restores it.
    pub fn rec_mut(&mut self, id: RecordId) -> &mut Record {
        self.save(id);
        self.w.records.get_mut(&id).expect("record exists")
    }

    pub fn record_process(
        &self,
        id: RecordId,
    ) -> Result<(&'a ProcIndex, &'b Process), EngineError> {
        let r = self
            .w
            .records
            .get(&id)
            .ok_or_else(|| EngineError::new(NO_SUCH_RECORD, format!("no record {id}")))?;
        let e: &'a Engine<'b> = self.e;
        e.index(&r.process)
    }

    pub fn push(&mut self, e: Event) {
        self.ev.push(e);
    }
}
