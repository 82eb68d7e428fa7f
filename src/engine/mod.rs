//! The execution engine: pure, no I/O, no clock, no randomness. Given a bundle, a world of
//! records, an actor, an action and the time, [`Engine::apply`] changes the world and returns
//! the events (tasks opened or closed, approvals requested, notifications, …). `sopctl test`
//! runs it on a simulated clock; a runtime runs it for real.
//!
//! An action either succeeds or leaves the world as it was (the records it touched are
//! restored on error). Each action is one method on a [`step::Step`] (see `actions/`); who may
//! do what is decided in `rights`, and nowhere else.
//!
//! Rules where SPEC is silent:
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
//! - A rejection reopens an `each` task for every person again, like any other task.
//! - A user with no role at all may start a record when `create.by` is not written (only
//!   users whose roles are all external may not).

pub mod error;
pub mod eval;
pub mod events;
pub mod record;
pub mod time;

mod actions;
mod approvals;
mod automatic;
mod children;
mod flow;
mod rights;
mod step;
mod tasks;
mod timers;
mod values;

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet};
use serde_json::Value;

use crate::bundle::{Bundle, Process, Status, Transition};
pub use approvals::PendingWork;
pub use error::EngineError;
use error::*;
pub use events::{Event, NotifyReason, RecordId};
pub use record::{OpenTask, PendingApproval, Record, World};
pub use tasks::due_time;
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
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Create {
        process: String,
        fields: BTreeMap<String, Value>,
    },
    /// Fields edited by hand: each needs the field's `edit`.
    Set {
        record: RecordId,
        fields: BTreeMap<String, Value>,
    },
    /// A manual transition, with the fields it requires (sent with the move).
    Move {
        record: RecordId,
        to: String,
        fields: BTreeMap<String, Value>,
    },
    /// Decides the pending approval step; a rejection needs a non-empty `reason`.
    Approve {
        record: RecordId,
        approve: bool,
        reason: Option<String>,
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
    /// from → to → transition index (looked up by `&str`, without building a key).
    trans: HashMap<String, HashMap<String, usize>>,
    /// status → its automatic transitions, in order.
    auto: HashMap<String, Vec<usize>>,
    /// Fields the creator may give: required ones, the initial status's `requires`, and those
    /// that no task, transition or `edit` names as its writer (SPEC 10).
    at_creation: HashSet<String>,
}

pub struct Engine<'b> {
    pub bundle: &'b Bundle,
    procs: HashMap<String, ProcIndex>,
    /// Roles with `external: true`.
    external: HashSet<String>,
}

impl<'b> Engine<'b> {
    pub fn new(bundle: &'b Bundle) -> Engine<'b> {
        let procs = bundle
            .processes
            .iter()
            .enumerate()
            .map(|(idx, p)| (p.name.clone(), index_process(idx, p)))
            .collect();
        let external = bundle
            .roles
            .iter()
            .filter(|r| r.external)
            .map(|r| r.id.clone())
            .collect();
        Engine {
            bundle,
            procs,
            external,
        }
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
            .get(from)
            .and_then(|tos| tos.get(to))
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
        let mut step = step::Step::new(self, world, actor, now);
        match step.run(action) {
            Ok(()) => Ok(step.finish()),
            Err(e) => {
                step.rollback();
                Err(e)
            }
        }
    }
}

fn index_process(idx: usize, p: &Process) -> ProcIndex {
    let mut auto: HashMap<String, Vec<usize>> = HashMap::new();
    let mut trans: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for (i, t) in p.transitions.iter().enumerate() {
        trans
            .entry(t.from.clone())
            .or_default()
            .insert(t.to.clone(), i);
        if t.when.is_some() {
            auto.entry(t.from.clone()).or_default().push(i);
        }
    }
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
        at_creation: rights::creation_fields(p),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod rules_tests;
