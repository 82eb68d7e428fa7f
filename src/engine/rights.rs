//! Who may do what (SPEC 10): write a field, start a record, take a transition, decide an
//! approval step. Every refusal of that kind is made here, so `sopctl test`, the API and the
//! pages all show the same one.

use std::collections::BTreeMap;

use foldhash::{HashSet, HashSetExt};

use serde_json::Value;

use super::error::*;
use super::record::{PendingApproval, Record, World};
use super::step::Step;
use super::{Actor, Engine, EngineError};
use crate::bundle::{ApprovalStep, Field, Process, Ref, Task, Transition};

/// How a field is being written.
#[derive(Clone, Copy)]
pub(super) enum Via<'b> {
    Create,
    Complete(&'b Task),
    Move(&'b Transition),
    /// By hand (`set`), which only `edit` allows.
    Edit,
}

/// Fields the creator may give: the required ones, the initial status's `requires`, and
/// those that no task, transition or `edit` names as its writer.
pub(super) fn creation_fields(p: &Process) -> HashSet<String> {
    let mut elsewhere: HashSet<&str> = HashSet::new();
    for s in &p.statuses {
        for t in &s.tasks {
            elsewhere.extend(t.complete.fill.iter().map(String::as_str));
        }
    }
    for t in &p.transitions {
        elsewhere.extend(t.requires.iter().map(String::as_str));
        if let Some(s) = p.statuses.iter().find(|s| s.id == t.to) {
            elsewhere.extend(s.requires.iter().map(String::as_str));
        }
    }
    let initial: HashSet<&str> = p
        .statuses
        .iter()
        .filter(|s| s.initial)
        .flat_map(|s| s.requires.iter().map(String::as_str))
        .collect();
    p.fields
        .iter()
        .filter(|f| {
            f.required
                || initial.contains(f.id.as_str())
                || (f.edit.is_empty() && !elsewhere.contains(f.id.as_str()))
        })
        .map(|f| f.id.clone())
        .collect()
}

/// The user ids in a user or users field.
pub(super) fn users_in(fields: &BTreeMap<String, Value>, field: &str) -> Vec<String> {
    match fields.get(field) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => vec![],
    }
}

/// Whether the actor is what a reference names: a holder of the role, or a person in the field.
fn holds(actor: &Actor, r: &Ref, fields: &BTreeMap<String, Value>) -> bool {
    match r {
        Ref::Role(role) => actor.has_role(role),
        Ref::Field(f) => users_in(fields, f).contains(&actor.user),
    }
}

impl Engine<'_> {
    /// `spec.create.by`, or (when absent) anyone whose roles are not all external.
    pub(super) fn check_create(&self, p: &Process, actor: &Actor) -> Result<(), EngineError> {
        let ok = match &p.create_by {
            Some(by) => by
                .iter()
                .any(|r| matches!(r, Ref::Role(x) if actor.has_role(x))),
            None => {
                actor.roles.is_empty() || actor.roles.iter().any(|r| !self.external.contains(r))
            }
        };
        if ok {
            return Ok(());
        }
        let who = match &p.create_by {
            Some(by) => format!("only {}", self.refs_text(p, by)),
            None => "internal users only (every role of yours is external)".to_string(),
        };
        Err(EngineError::new(
            NOT_ALLOWED,
            format!(
                "`{}` may not start a {} (`{}`): {who} may",
                actor.user, p.title, p.name
            ),
        ))
    }

    /// `by`: null = any participant; `[]` = nobody by hand.
    pub(super) fn may_trigger(
        &self,
        p: &Process,
        r: &Record,
        t: &Transition,
        actor: &Actor,
    ) -> bool {
        match &t.by {
            Some(refs) => refs.iter().any(|x| holds(actor, x, &r.fields)),
            None => self.is_participant_in(p, r, actor),
        }
    }

    /// Anyone named in the record's user fields, assigned one of its open tasks, or holding
    /// the process owner's role (or named in the owner field).
    pub fn is_participant(&self, _w: &World, p: &Process, r: &Record, actor: &Actor) -> bool {
        self.is_participant_in(p, r, actor)
    }

    fn is_participant_in(&self, p: &Process, r: &Record, actor: &Actor) -> bool {
        let in_fields = p
            .fields
            .iter()
            .filter(|f| f.ty == "user" || f.ty == "users")
            .any(|f| users_in(&r.fields, &f.id).contains(&actor.user));
        let assigned = r
            .tasks
            .iter()
            .any(|t| t.users.contains(&actor.user) || t.roles.iter().any(|x| actor.has_role(x)));
        let owner = p.owner.as_ref().is_some_and(|o| holds(actor, o, &r.fields));
        in_fields || assigned || owner
    }

    /// Whether the actor may decide the pending step: holds its role, has not decided it yet,
    /// and did not ask for the move (four-eyes) unless the step allows it.
    pub(super) fn check_decide(
        &self,
        step: &ApprovalStep,
        pa: &PendingApproval,
        actor: &Actor,
    ) -> Result<(), EngineError> {
        if !actor.has_role(&step.role) {
            return Err(EngineError::new(
                NOT_ALLOWED,
                format!(
                    "`{}` does not hold `{}`, whose approval is pending",
                    actor.user, step.role
                ),
            ));
        }
        if !step.allow_self_approval && pa.requester.as_deref() == Some(actor.user.as_str()) {
            return Err(EngineError::new(
                NOT_ALLOWED,
                format!(
                    "`{}` asked for this move and may not decide its approval (four-eyes): another holder of `{}` decides",
                    actor.user, step.role
                ),
            ));
        }
        Ok(())
    }

    /// Who may decide a step, by user id: the role's holders, less the requester (four-eyes)
    /// and those who already approved it (mode `all`).
    pub(super) fn deciders(
        &self,
        w: &World,
        step: &ApprovalStep,
        pa: &PendingApproval,
    ) -> Vec<String> {
        w.holders(&step.role)
            .into_iter()
            .filter(|u| step.allow_self_approval || pa.requester.as_ref() != Some(u))
            .filter(|u| !pa.approved_by.contains(u))
            .collect()
    }

    /// "role 财务 (`finance`), 归属人 (`owner`)".
    fn refs_text(&self, p: &Process, refs: &[Ref]) -> String {
        let words: Vec<String> = refs
            .iter()
            .map(|r| match r {
                Ref::Role(id) => {
                    let title = self.bundle.roles.iter().find(|x| &x.id == id);
                    format!("role {} (`{id}`)", title.map_or(id.as_str(), |x| &x.title))
                }
                Ref::Field(id) => {
                    let title = p.fields.iter().find(|f| &f.id == id);
                    format!(
                        "the people in {} (`{id}`)",
                        title.map_or(id.as_str(), |f| &f.title)
                    )
                }
            })
            .collect();
        words.join(", ")
    }

    /// Who may write a field, in words, for a `not-allowed` message.
    fn writers_text(&self, p: &Process, f: &Field) -> String {
        let mut ways = Vec::new();
        if !f.edit.is_empty() {
            ways.push(format!("{} at any time", self.refs_text(p, &f.edit)));
        }
        for s in &p.statuses {
            for t in s.tasks.iter().filter(|t| t.complete.fill.contains(&f.id)) {
                ways.push(format!("the assignee completing {} (`{}`)", t.title, t.id));
            }
        }
        for t in &p.transitions {
            let target = p.statuses.iter().find(|s| s.id == t.to);
            if t.requires.contains(&f.id) || target.is_some_and(|s| s.requires.contains(&f.id)) {
                ways.push(format!("whoever takes {} (`{}`)", t.title, t.id));
            }
        }
        if ways.is_empty() {
            return "it is written only when the record is created".to_string();
        }
        format!("it may be written by {}", ways.join("; "))
    }
}

impl Step<'_, '_> {
    /// Checks that the actor may write each field this way, then each value; returns the values
    /// to write. `fields_now` are the record's fields (for `field:` refs in `edit`).
    pub fn checked_writes(
        &self,
        p: &Process,
        fields_now: &BTreeMap<String, Value>,
        terminal: bool,
        given: &BTreeMap<String, Value>,
        via: Via,
    ) -> Result<Vec<(String, Option<Value>)>, EngineError> {
        let (ix, _) = self.e.index(&p.name)?;
        let mut refused: Vec<&Field> = Vec::new();
        let mut fields: Vec<&Field> = Vec::with_capacity(given.len());
        for k in given.keys() {
            let f = match ix.field.get(k) {
                Some(&i) => &p.fields[i],
                None => return Err(super::values::no_such_field(p, k)),
            };
            fields.push(f);
            let by_edit = !terminal && f.edit.iter().any(|r| holds(self.actor, r, fields_now));
            let ok = by_edit
                || match via {
                    Via::Create => ix.at_creation.contains(k),
                    Via::Complete(t) => t.complete.fill.contains(k),
                    Via::Move(t) => {
                        t.requires.contains(k) || self.e.status(&p.name, &t.to).requires.contains(k)
                    }
                    Via::Edit => false,
                };
            if !ok {
                refused.push(f);
            }
        }
        if terminal && !refused.is_empty() {
            return Err(EngineError::new(
                NOT_ALLOWED,
                "the record is in a terminal status: its fields are no longer edited",
            )
            .with_fields(refused));
        }
        if !refused.is_empty() {
            return Err(self.refusal(p, refused));
        }
        given
            .values()
            .zip(fields)
            .map(|(v, f)| Ok((f.id.clone(), self.e.check_field_value(f, v, self.w)?)))
            .collect()
    }

    fn refusal(&self, p: &Process, refused: Vec<&Field>) -> EngineError {
        let parts: Vec<String> = refused
            .iter()
            .map(|f| format!("{} (`{}`): {}", f.title, f.id, self.e.writers_text(p, f)))
            .collect();
        EngineError::new(
            NOT_ALLOWED,
            format!("`{}` may not write {}", self.actor.user, parts.join("; ")),
        )
        .with_fields(refused)
    }
}
