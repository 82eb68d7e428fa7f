//! The execution engine: pure, no I/O, no clock, no randomness. Given a bundle, a world of
//! records, an actor, an action and the time, [`Engine::apply`] changes the world and returns
//! the events (tasks opened or closed, approvals requested, notifications, …). `sopctl test`
//! runs it on a simulated clock; a runtime runs it for real.
//!
//! An action either succeeds or leaves the world as it was (the records it touched are
//! restored on error).
//!
//! Rules where SPEC is silent:
//! - `Set` (field edits) is not restricted to participants; `Create` is open to anyone.
//! - A transition's `requires` and its target's `requires` are checked when the move is asked
//!   for (before an approval is requested) and again when it happens.
//! - `complete.then` bypasses `by` (a `by: []` transition is only reachable that way); a `then`
//!   transition with an approval requests it, with the completing user as the requester.
//! - Automatic transitions (`when`) are checked after every action, for every record it
//!   touched, and on `Tick` for every record; one whose requirements are unmet does not fire.
//!   More than [`MAX_AUTOMATIC_STEPS`] in one action is an `automatic-loop` error.
//! - `move_parent`: the parent takes its transition to that status if it has one and its
//!   requirements are met (an approval on it is requested); otherwise nothing happens.
//! - A started child gets the mapped fields, then its defaults; its `required` fields are not
//!   enforced (nobody could fill them).
//! - Notifications and escalations resolve `role:x` to the role id `x` and `field:f` to the
//!   user ids in `f`; reminders go to the task's assignees (role ids or user ids).

pub mod error;
pub mod eval;
pub mod events;
pub mod record;
pub mod time;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::bundle::{Bundle, Process, Ref, Status, Task, Transition};
use crate::expr::Due;
pub use error::EngineError;
use error::*;
pub use events::{Event, NotifyReason, RecordId};
pub use record::{OpenTask, PendingApproval, Record, World};
pub use time::DateTime;

/// At most this many automatic transitions in one action.
pub const MAX_AUTOMATIC_STEPS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: String,
    pub roles: Vec<String>,
}

impl Actor {
    /// The actor as the world's directory knows them.
    pub fn of(world: &World, user: &str) -> Actor {
        Actor {
            user: user.to_string(),
            roles: world
                .users
                .get(user)
                .map(|r| r.iter().cloned().collect())
                .unwrap_or_default(),
        }
    }
    fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Create {
        process: String,
        fields: BTreeMap<String, Value>,
    },
    Set {
        record: RecordId,
        fields: BTreeMap<String, Value>,
    },
    Move {
        record: RecordId,
        to: String,
    },
    Approve {
        record: RecordId,
        approve: bool,
    },
    Complete {
        record: RecordId,
        task: String,
        fill: BTreeMap<String, Value>,
    },
    /// Time passed: reminders, overdue tasks, escalations and time-based conditions.
    Tick,
}

struct ProcIndex {
    idx: usize,
    status: HashMap<String, usize>,
    field: HashMap<String, usize>,
    /// (from, to) → transition index.
    trans: HashMap<(String, String), usize>,
    /// status → its automatic transitions, in order.
    auto: HashMap<String, Vec<usize>>,
}

pub struct Engine<'b> {
    pub bundle: &'b Bundle,
    procs: HashMap<String, ProcIndex>,
}

/// Records touched by an action, as they were before it (None: created by it).
struct Tx {
    saved: BTreeMap<RecordId, Option<Record>>,
    next_id: RecordId,
    touched: BTreeSet<RecordId>,
    autos: usize,
}

impl Tx {
    fn save(&mut self, w: &World, id: RecordId) {
        self.touched.insert(id);
        self.saved
            .entry(id)
            .or_insert_with(|| w.records.get(&id).cloned());
    }
    fn rollback(self, w: &mut World) {
        for (id, r) in self.saved {
            match r {
                Some(r) => {
                    w.records.insert(id, r);
                }
                None => {
                    w.records.remove(&id);
                }
            }
        }
        w.next_id = self.next_id;
    }
}

fn rec_mut(w: &mut World, id: RecordId) -> &mut Record {
    w.records.get_mut(&id).expect("record exists")
}

impl<'b> Engine<'b> {
    pub fn new(bundle: &'b Bundle) -> Engine<'b> {
        let mut procs = HashMap::new();
        for (idx, p) in bundle.processes.iter().enumerate() {
            let mut auto: HashMap<String, Vec<usize>> = HashMap::new();
            let mut trans = HashMap::new();
            for (i, t) in p.transitions.iter().enumerate() {
                trans.insert((t.from.clone(), t.to.clone()), i);
                if t.when.is_some() {
                    auto.entry(t.from.clone()).or_default().push(i);
                }
            }
            procs.insert(
                p.name.clone(),
                ProcIndex {
                    idx,
                    status: p
                        .statuses
                        .iter()
                        .enumerate()
                        .map(|(i, s)| (s.id.clone(), i))
                        .collect(),
                    field: p
                        .fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| (f.id.clone(), i))
                        .collect(),
                    trans,
                    auto,
                },
            );
        }
        Engine { bundle, procs }
    }

    fn index(&self, process: &str) -> Result<(&ProcIndex, &'b Process), EngineError> {
        let ix = self
            .procs
            .get(process)
            .ok_or_else(|| EngineError::new(NO_SUCH_PROCESS, format!("no process `{process}`")))?;
        Ok((ix, &self.bundle.processes[ix.idx]))
    }

    fn status(&self, process: &str, status: &str) -> &'b Status {
        let (ix, p) = self.index(process).expect("known process");
        &p.statuses[ix.status[status]]
    }

    /// The transition from `from` to `to`, if any.
    pub fn transition(&self, process: &str, from: &str, to: &str) -> Option<&'b Transition> {
        let (ix, p) = self.index(process).ok()?;
        ix.trans
            .get(&(from.to_string(), to.to_string()))
            .map(|&i| &p.transitions[i])
    }

    /// Applies one action at time `now`. On error the world is unchanged.
    pub fn apply(
        &self,
        world: &mut World,
        actor: &Actor,
        action: Action,
        now: DateTime,
    ) -> Result<Vec<Event>, EngineError> {
        let mut tx = Tx {
            saved: BTreeMap::new(),
            next_id: world.next_id,
            touched: BTreeSet::new(),
            autos: 0,
        };
        let mut ev = Vec::new();
        let r = self.apply_in(world, actor, action, now, &mut tx, &mut ev);
        match r {
            Ok(()) => Ok(ev),
            Err(e) => {
                tx.rollback(world);
                Err(e)
            }
        }
    }

    fn apply_in(
        &self,
        w: &mut World,
        actor: &Actor,
        action: Action,
        now: DateTime,
        tx: &mut Tx,
        ev: &mut Vec<Event>,
    ) -> Result<(), EngineError> {
        match action {
            Action::Create { process, fields } => {
                let (_, p) = self.index(&process)?;
                let mut values = BTreeMap::new();
                for (k, v) in &fields {
                    if let Some(v) = self.check_value(p, k, v, w)? {
                        values.insert(k.clone(), v);
                    }
                }
                for f in &p.fields {
                    if !values.contains_key(&f.id) {
                        if let Some(d) = &f.default {
                            values.insert(f.id.clone(), d.clone());
                        }
                    }
                }
                let missing: Vec<String> = p
                    .fields
                    .iter()
                    .filter(|f| f.required && !record::is_filled(values.get(&f.id)))
                    .map(|f| f.title.clone())
                    .collect();
                if !missing.is_empty() {
                    return Err(EngineError::missing(missing));
                }
                let id = self.new_record(w, tx, p, values, None);
                let initial = p
                    .statuses
                    .iter()
                    .find(|s| s.initial)
                    .expect("one initial status");
                self.check_requires(w, id, &initial.requires, &[])?;
                ev.push(Event::Created {
                    record: id,
                    process: p.name.clone(),
                });
                self.enter(w, id, &initial.id, now, tx, ev)?;
            }
            Action::Set { record, fields } => {
                let (_, p) = self.record_process(w, record)?;
                let mut values = Vec::new();
                for (k, v) in &fields {
                    values.push((k.clone(), self.check_value(p, k, v, w)?));
                }
                tx.save(w, record);
                let r = rec_mut(w, record);
                for (k, v) in values {
                    match v {
                        Some(v) => r.fields.insert(k, v),
                        None => r.fields.remove(&k),
                    };
                }
                ev.push(Event::FieldsSet {
                    record,
                    fields: fields.keys().cloned().collect(),
                });
            }
            Action::Move { record, to } => {
                let (_, p) = self.record_process(w, record)?;
                let r = &w.records[&record];
                let t = self.transition(&p.name, &r.status, &to).ok_or_else(|| {
                    EngineError::new(
                        NO_SUCH_TRANSITION,
                        format!("no transition from `{}` to `{to}`", r.status),
                    )
                })?;
                if t.when.is_some() {
                    return Err(EngineError::new(
                        NOT_ALLOWED,
                        format!(
                            "`{}` is automatic: it fires when `{}`",
                            t.id,
                            t.when.as_ref().map(|c| c.source.as_str()).unwrap_or("")
                        ),
                    ));
                }
                if r.approval.is_some() {
                    return Err(EngineError::new(
                        NOT_ALLOWED,
                        "an approval is pending on this record",
                    ));
                }
                if !self.may_trigger(w, p, r, t, actor) {
                    return Err(EngineError::new(
                        NOT_ALLOWED,
                        format!("`{}` may not take `{}`", actor.user, t.id),
                    ));
                }
                self.take(w, record, t, Some(actor.user.clone()), now, tx, ev)?;
            }
            Action::Approve { record, approve } => {
                let (_, p) = self.record_process(w, record)?;
                let r = &w.records[&record];
                let Some(pa) = r.approval.clone() else {
                    return Err(EngineError::new(
                        NOT_ALLOWED,
                        "no approval is pending on this record",
                    ));
                };
                let t = &p.transitions[pa.transition];
                let step = &t.approval[pa.step];
                if !actor.has_role(&step.role) {
                    return Err(EngineError::new(
                        NOT_ALLOWED,
                        format!(
                            "`{}` does not hold `{}`, whose approval is pending",
                            actor.user, step.role
                        ),
                    ));
                }
                tx.save(w, record);
                if !approve {
                    rec_mut(w, record).approval = None;
                    ev.push(Event::Rejected {
                        record,
                        transition: t.id.clone(),
                        by: actor.user.clone(),
                    });
                    if let Some(req) = pa.requester {
                        ev.push(Event::Notified {
                            record,
                            to: vec![req],
                            channel: "inbox".into(),
                            message: format!("{} was rejected by {}", t.title, actor.user),
                            reason: NotifyReason::Rejected,
                        });
                    }
                } else {
                    ev.push(Event::Approved {
                        record,
                        transition: t.id.clone(),
                        step: pa.step,
                        by: actor.user.clone(),
                    });
                    let mut approved_by = pa.approved_by.clone();
                    approved_by.insert(actor.user.clone());
                    let done = step.mode != "all"
                        || w.holders(&step.role)
                            .iter()
                            .all(|h| approved_by.contains(h));
                    if !done {
                        rec_mut(w, record)
                            .approval
                            .as_mut()
                            .expect("pending")
                            .approved_by = approved_by;
                    } else if pa.step + 1 < t.approval.len() {
                        let a = rec_mut(w, record).approval.as_mut().expect("pending");
                        a.step += 1;
                        a.approved_by.clear();
                        self.request_step(record, t, pa.step + 1, ev);
                    } else {
                        rec_mut(w, record).approval = None;
                        self.check_requires(
                            w,
                            record,
                            &self.status(&p.name, &t.to).requires,
                            &t.requires,
                        )?;
                        self.do_move(w, record, t, Some(actor.user.clone()), now, tx, ev)?;
                    }
                }
            }
            Action::Complete { record, task, fill } => {
                let (_, p) = self.record_process(w, record)?;
                let r = &w.records[&record];
                let Some(pos) = r.tasks.iter().position(|t| t.id == task) else {
                    return Err(EngineError::new(
                        NO_SUCH_TASK,
                        format!("no open task `{task}` in status `{}`", r.status),
                    ));
                };
                let open = &r.tasks[pos];
                let allowed = open.roles.iter().any(|x| actor.has_role(x))
                    || open.users.contains(&actor.user);
                if !allowed {
                    return Err(EngineError::new(
                        NOT_ALLOWED,
                        format!("`{}` is not assigned `{task}`", actor.user),
                    ));
                }
                let status = self.status(&p.name, &r.status);
                let def: &Task = status
                    .tasks
                    .iter()
                    .find(|t| t.id == task)
                    .expect("task of the status");
                let mut values = Vec::new();
                for (k, v) in &fill {
                    values.push((k.clone(), self.check_value(p, k, v, w)?));
                }
                tx.save(w, record);
                let r = rec_mut(w, record);
                for (k, v) in values {
                    match v {
                        Some(v) => r.fields.insert(k, v),
                        None => r.fields.remove(&k),
                    };
                }
                self.check_requires(w, record, &def.complete.fill, &[])?;
                let then = match &def.complete.then {
                    Some(to) => {
                        let t = self
                            .transition(&p.name, &w.records[&record].status, to)
                            .ok_or_else(|| {
                                EngineError::new(
                                    NO_SUCH_TRANSITION,
                                    format!("no transition to `{to}`"),
                                )
                            })?;
                        self.check_requires(
                            w,
                            record,
                            &self.status(&p.name, to).requires,
                            &t.requires,
                        )?;
                        Some(t)
                    }
                    None => None,
                };
                if !fill.is_empty() {
                    ev.push(Event::FieldsSet {
                        record,
                        fields: fill.keys().cloned().collect(),
                    });
                }
                rec_mut(w, record).tasks.remove(pos);
                ev.push(Event::TaskClosed {
                    record,
                    task: task.clone(),
                    completed_by: Some(actor.user.clone()),
                });
                if let Some(t) = then {
                    if w.records[&record].approval.is_some() {
                        return Err(EngineError::new(
                            NOT_ALLOWED,
                            "an approval is pending on this record",
                        ));
                    }
                    self.take(w, record, t, Some(actor.user.clone()), now, tx, ev)?;
                }
            }
            Action::Tick => {
                let ids: Vec<RecordId> = w.records.keys().copied().collect();
                for id in ids {
                    self.timers(w, id, now, tx, ev);
                }
                let all: Vec<RecordId> = w.records.keys().copied().collect();
                tx.touched.extend(all);
            }
        }
        self.run_automatic(w, now, tx, ev)
    }

    fn record_process(
        &self,
        w: &World,
        id: RecordId,
    ) -> Result<(&ProcIndex, &'b Process), EngineError> {
        let r = w
            .records
            .get(&id)
            .ok_or_else(|| EngineError::new(NO_SUCH_RECORD, format!("no record {id}")))?;
        self.index(&r.process)
    }

    fn new_record(
        &self,
        w: &mut World,
        tx: &mut Tx,
        p: &Process,
        fields: BTreeMap<String, Value>,
        parent: Option<RecordId>,
    ) -> RecordId {
        let id = w.next_id;
        w.next_id += 1;
        tx.save(w, id);
        let initial = p
            .statuses
            .iter()
            .find(|s| s.initial)
            .expect("one initial status");
        w.records.insert(
            id,
            Record {
                id,
                process: p.name.clone(),
                status: initial.id.clone(),
                fields,
                tasks: vec![],
                approval: None,
                parent,
                children: vec![],
                history: vec![],
            },
        );
        id
    }

    /// Checks and normalizes a value for a field; `None` unsets it.
    fn check_value(
        &self,
        p: &Process,
        field: &str,
        v: &Value,
        w: &World,
    ) -> Result<Option<Value>, EngineError> {
        let (ix, _) = self.index(&p.name)?;
        let f = ix.field.get(field).map(|&i| &p.fields[i]).ok_or_else(|| {
            EngineError::new(
                INVALID_VALUE,
                format!("`{}` has no field `{field}`", p.name),
            )
        })?;
        if v.is_null() {
            return Ok(None);
        }
        let bad = || {
            EngineError::new(
                INVALID_VALUE,
                format!("`{v}` is not a valid {} for {} (`{field}`)", f.ty, f.title),
            )
        };
        let known = |u: &Value| u.as_str().is_some_and(|u| w.users.contains_key(u));
        let ok = match f.ty.as_str() {
            "text" | "longtext" => match v {
                Value::String(_) => true,
                Value::Number(_) | Value::Bool(_) => {
                    return Ok(Some(Value::String(match v {
                        Value::Number(n) => n.to_string(),
                        _ => v.to_string(),
                    })))
                }
                _ => false,
            },
            "number" | "money" => v.is_number(),
            "bool" => v.is_boolean(),
            "date" => v
                .as_str()
                .is_some_and(|s| DateTime::is_date(s) || DateTime::parse(s).is_some()),
            "datetime" => v.as_str().is_some_and(|s| DateTime::parse(s).is_some()),
            "user" => known(v),
            "users" => match v {
                Value::Array(a) => a.iter().all(known),
                _ if known(v) => return Ok(Some(Value::Array(vec![v.clone()]))),
                _ => false,
            },
            "file" => v.is_string(),
            "files" => match v {
                Value::Array(a) => a.iter().all(Value::is_string),
                Value::String(_) => return Ok(Some(Value::Array(vec![v.clone()]))),
                _ => false,
            },
            "choice" => v.as_str().is_some_and(|s| f.options.iter().any(|o| o == s)),
            _ => true,
        };
        if ok {
            Ok(Some(v.clone()))
        } else {
            Err(bad())
        }
    }

    /// `missing-fields` listing the titles of unfilled fields among `a` and `b`.
    fn check_requires(
        &self,
        w: &World,
        id: RecordId,
        a: &[String],
        b: &[String],
    ) -> Result<(), EngineError> {
        let r = &w.records[&id];
        let (_, p) = self.index(&r.process)?;
        let need: BTreeSet<&str> = a.iter().chain(b).map(String::as_str).collect();
        let missing: Vec<String> = p
            .fields
            .iter()
            .filter(|f| need.contains(f.id.as_str()) && !r.is_set(&f.id))
            .map(|f| f.title.clone())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(EngineError::missing(missing))
        }
    }

    /// The user ids in a user or users field.
    fn users_in(r: &Record, field: &str) -> Vec<String> {
        users_in_fields(&r.fields, field)
    }

    fn resolve(r: &Record, refs: &[Ref]) -> Vec<String> {
        let mut out = Vec::new();
        for x in refs {
            match x {
                Ref::Role(role) => out.push(role.clone()),
                Ref::Field(f) => out.extend(Self::users_in(r, f)),
            }
        }
        let mut seen = BTreeSet::new();
        out.retain(|x| seen.insert(x.clone()));
        out
    }

    /// `by`: null = any participant; `[]` = nobody by hand.
    fn may_trigger(
        &self,
        w: &World,
        p: &Process,
        r: &Record,
        t: &Transition,
        actor: &Actor,
    ) -> bool {
        match &t.by {
            Some(refs) => refs.iter().any(|x| match x {
                Ref::Role(role) => actor.has_role(role),
                Ref::Field(f) => Self::users_in(r, f).contains(&actor.user),
            }),
            None => self.is_participant(w, p, r, actor),
        }
    }

    /// Anyone named in the record's user fields, assigned one of its open tasks, or holding
    /// the process owner's role (or named in the owner field).
    pub fn is_participant(&self, _w: &World, p: &Process, r: &Record, actor: &Actor) -> bool {
        let in_fields = p
            .fields
            .iter()
            .filter(|f| f.ty == "user" || f.ty == "users")
            .any(|f| Self::users_in(r, &f.id).contains(&actor.user));
        let assigned = r
            .tasks
            .iter()
            .any(|t| t.users.contains(&actor.user) || t.roles.iter().any(|x| actor.has_role(x)));
        let owner = match &p.owner {
            Some(Ref::Role(role)) => actor.has_role(role),
            Some(Ref::Field(f)) => Self::users_in(r, f).contains(&actor.user),
            None => false,
        };
        in_fields || assigned || owner
    }

    /// Takes a transition: checks requirements, then requests its approval or moves.
    #[allow(clippy::too_many_arguments)]
    fn take(
        &self,
        w: &mut World,
        id: RecordId,
        t: &Transition,
        by: Option<String>,
        now: DateTime,
        tx: &mut Tx,
        ev: &mut Vec<Event>,
    ) -> Result<(), EngineError> {
        let process = w.records[&id].process.clone();
        self.check_requires(w, id, &self.status(&process, &t.to).requires, &t.requires)?;
        if t.approval.is_empty() {
            return self.do_move(w, id, t, by, now, tx, ev);
        }
        let (ix, _) = self.index(&process)?;
        tx.save(w, id);
        rec_mut(w, id).approval = Some(PendingApproval {
            transition: ix.trans[&(t.from.clone(), t.to.clone())],
            step: 0,
            requester: by,
            approved_by: BTreeSet::new(),
        });
        self.request_step(id, t, 0, ev);
        Ok(())
    }

    fn request_step(&self, id: RecordId, t: &Transition, step: usize, ev: &mut Vec<Event>) {
        let role = t.approval[step].role.clone();
        ev.push(Event::ApprovalRequested {
            record: id,
            transition: t.id.clone(),
            step,
            role: role.clone(),
        });
        ev.push(Event::Notified {
            record: id,
            to: vec![role],
            channel: "inbox".into(),
            message: format!("approval requested: {}", t.title),
            reason: NotifyReason::ApprovalRequested,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn do_move(
        &self,
        w: &mut World,
        id: RecordId,
        t: &Transition,
        by: Option<String>,
        now: DateTime,
        tx: &mut Tx,
        ev: &mut Vec<Event>,
    ) -> Result<(), EngineError> {
        tx.save(w, id);
        let r = rec_mut(w, id);
        r.approval = None;
        let closed: Vec<OpenTask> = std::mem::take(&mut r.tasks);
        r.history.push(record::HistoryEntry {
            at: now,
            transition: t.id.clone(),
            by: by.clone(),
        });
        let process = r.process.clone();
        for task in closed {
            ev.push(Event::TaskClosed {
                record: id,
                task: task.id,
                completed_by: None,
            });
        }
        ev.push(Event::Moved {
            record: id,
            process,
            transition: t.id.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
            by,
        });
        self.enter(w, id, &t.to, now, tx, ev)
    }

    /// Enters a status: its tasks, notifications, child processes and `move_parent`.
    fn enter(
        &self,
        w: &mut World,
        id: RecordId,
        status: &str,
        now: DateTime,
        tx: &mut Tx,
        ev: &mut Vec<Event>,
    ) -> Result<(), EngineError> {
        tx.save(w, id);
        let offset = w.offset;
        let process = w.records[&id].process.clone();
        let (_, p) = self.index(&process)?;
        let s = self.status(&process, status);
        let r = rec_mut(w, id);
        r.status = status.to_string();
        for task in &s.tasks {
            let open = open_task(p, r, task, now.in_offset(offset), offset);
            ev.push(Event::TaskOpened {
                record: id,
                task: task.id.clone(),
                assignees: if open.roles.is_empty() {
                    open.users.clone()
                } else {
                    open.roles.clone()
                },
                due: open.due,
            });
            r.tasks.push(open);
        }
        for n in &s.notify {
            ev.push(Event::Notified {
                record: id,
                to: Self::resolve(r, &n.to),
                channel: n.channel.clone(),
                message: n.message.clone(),
                reason: NotifyReason::Status(status.to_string()),
            });
        }
        for link in &s.start {
            let (_, child_p) = self.index(&link.process)?;
            let parent = &w.records[&id];
            let mut fields = BTreeMap::new();
            for (child_field, parent_field) in &link.with {
                if let Some(v) = parent.fields.get(parent_field) {
                    fields.insert(child_field.clone(), v.clone());
                }
            }
            for f in &child_p.fields {
                if let (false, Some(d)) = (fields.contains_key(&f.id), &f.default) {
                    fields.insert(f.id.clone(), d.clone());
                }
            }
            let child = self.new_record(w, tx, child_p, fields, Some(id));
            rec_mut(w, id).children.push(child);
            ev.push(Event::ChildStarted {
                parent: id,
                child,
                process: child_p.name.clone(),
            });
            ev.push(Event::Created {
                record: child,
                process: child_p.name.clone(),
            });
            let initial = child_p
                .statuses
                .iter()
                .find(|s| s.initial)
                .expect("initial");
            self.enter(w, child, &initial.id, now, tx, ev)?;
        }
        if let (Some(target), Some(parent)) = (&s.move_parent, w.records[&id].parent) {
            let pr = &w.records[&parent];
            if let Some(t) = self.transition(&pr.process, &pr.status, target) {
                if pr.approval.is_none()
                    && self
                        .check_requires(
                            w,
                            parent,
                            &self.status(&pr.process, target).requires,
                            &t.requires,
                        )
                        .is_ok()
                {
                    self.take(w, parent, t, None, now, tx, ev)?;
                }
            }
        }
        Ok(())
    }

    /// Reminders, overdue and escalations of one record's open tasks at `now`.
    fn timers(&self, w: &mut World, id: RecordId, now: DateTime, tx: &mut Tx, ev: &mut Vec<Event>) {
        let r = &w.records[&id];
        let fire = r.tasks.iter().any(|t| {
            t.reminders.first().is_some_and(|&x| x <= now)
                || (!t.overdue && t.due.is_some_and(|d| d < now))
                || t.escalate_at.is_some_and(|x| x <= now)
        });
        if !fire {
            return;
        }
        tx.save(w, id);
        let process = r.process.clone();
        let status = self.status(&process, &r.status);
        let r = rec_mut(w, id);
        let Record { tasks, fields, .. } = r;
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
                if let Some(esc) = status
                    .tasks
                    .iter()
                    .find(|d| d.id == t.id)
                    .and_then(|d| d.escalate.as_ref())
                {
                    let to = match &esc.to {
                        Ref::Role(x) => vec![x.clone()],
                        Ref::Field(f) => users_in_fields(fields, f),
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
    }

    /// Fires automatic transitions until none applies.
    fn run_automatic(
        &self,
        w: &mut World,
        now: DateTime,
        tx: &mut Tx,
        ev: &mut Vec<Event>,
    ) -> Result<(), EngineError> {
        loop {
            let mut fired = false;
            let ids: Vec<RecordId> = tx.touched.iter().copied().collect();
            for id in ids {
                let Some(r) = w.records.get(&id) else {
                    continue;
                };
                let (ix, p) = self.index(&r.process)?;
                let Some(autos) = ix.auto.get(&r.status) else {
                    continue;
                };
                if r.approval.is_some() {
                    continue;
                }
                let cx = eval::Ctx {
                    process: p,
                    record: r,
                    now,
                    offset: w.offset,
                };
                let hit = autos.iter().map(|&i| &p.transitions[i]).find(|t| {
                    t.when.as_ref().is_some_and(|c| eval::holds(&c.expr, &cx))
                        && self
                            .check_requires(
                                w,
                                id,
                                &self.status(&p.name, &t.to).requires,
                                &t.requires,
                            )
                            .is_ok()
                });
                if let Some(t) = hit {
                    tx.autos += 1;
                    if tx.autos > MAX_AUTOMATIC_STEPS {
                        return Err(EngineError::new(
                            AUTOMATIC_LOOP,
                            format!("automatic transitions keep firing (last: `{}`)", t.id),
                        ));
                    }
                    self.do_move(w, id, t, None, now, tx, ev)?;
                    fired = true;
                }
            }
            if !fired {
                return Ok(());
            }
        }
    }
}

fn users_in_fields(fields: &BTreeMap<String, Value>, field: &str) -> Vec<String> {
    match fields.get(field) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => vec![],
    }
}

/// The due time of a task opened at `now` (None when the rule's field is unset).
pub fn due_time(
    p: &Process,
    r: &Record,
    due: &Due,
    now: DateTime,
    offset: i32,
) -> Option<DateTime> {
    match due {
        Due::Today { hour, minute } => Some(now.at_local(0, *hour, *minute)),
        Due::Tomorrow { hour, minute } => Some(now.at_local(1, *hour, *minute)),
        Due::After { duration } => Some(now.plus(*duration)),
        Due::FieldPlus {
            field, duration, ..
        } => {
            let ty = p
                .fields
                .iter()
                .find(|f| &f.id == field)
                .map(|f| f.ty.as_str())
                .unwrap_or("");
            match eval::field_val(ty, r.fields.get(field), offset) {
                eval::Val::Time(t) => Some(t.in_offset(offset).plus(*duration)),
                _ => None,
            }
        }
    }
}

fn open_task(p: &Process, r: &Record, task: &Task, now: DateTime, offset: i32) -> OpenTask {
    let (roles, users) = match &task.assignee {
        Ref::Role(x) => (vec![x.clone()], vec![]),
        Ref::Field(f) => (vec![], Engine::users_in(r, f)),
    };
    let due = task
        .due
        .as_ref()
        .and_then(|d| due_time(p, r, &d.rule, now, offset));
    let mut reminders: Vec<DateTime> = match due {
        Some(d) => task
            .remind_before
            .iter()
            .map(|x| d.minus(x.duration()))
            .collect(),
        None => vec![],
    };
    reminders.sort();
    OpenTask {
        id: task.id.clone(),
        roles,
        users,
        opened: now,
        due,
        reminders,
        overdue: false,
        escalate_at: match (due, &task.escalate) {
            (Some(d), Some(e)) => Some(d.plus(e.after.duration())),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests;
