//! Runs scenarios on the engine with a simulated clock and compares each step's `expect`.
//!
//! - The clock starts at `spec.start` (default [`DEFAULT_START`], a Monday); its UTC offset is
//!   the process time zone (for `today`/`tomorrow`, dates and business days).
//! - `users` is the directory: user → roles. It decides who holds a role (for `mode: all`
//!   approvals, "every holder" is every scenario user holding the role) and which ids a
//!   `user` field accepts.
//! - `status`, `open_tasks`, `overdue_tasks`, `awaiting_approval` are compared exactly on the
//!   step's record: the latest record of the step's `on` process (created, or started as a
//!   child; for `complete`, the latest where the acting user has that task open, for
//!   `approve`, the latest whose pending step they may decide, so that each of several
//!   children can be reached), or without `on` the one the latest `create` made (each `create` starts a new
//!   record of `spec.process`, or of `on`). `open_tasks` counts an `each` task once per person.
//! - `expect.children`: the records of a process started by the step's record, how many and
//!   their statuses in start order; `expect.reopened`: the tasks this step's rejection opened
//!   again.
//! - `move` takes a status, or `{ to, fill }` with the fields sent with the move; `approve:
//!   false` takes the step's `reason`.
//! - `notified`: the ids (role ids, user ids) notified by that step — status notifications,
//!   approval requests (the step's role), rejections (the requester), reminders (the
//!   assignees) and escalations — must include every listed id; `notified: []` means that
//!   the step notified nobody.
//! - `error`: the step must fail with that code; a step that fails without `expect.error`
//!   fails the scenario. A failed step leaves the record as it was, and the scenario goes on,
//!   so that every failing step is reported.
//! - Coverage: per process, the transitions taken (by any record, children included) out of
//!   all its transitions.

use std::collections::{BTreeMap, BTreeSet};

use crate::bundle::Bundle;
use crate::diagnostic::{Diagnostic, Span};
use crate::engine::{Action, Actor, DateTime, Engine, Event, Record, RecordId, World};
use crate::load::node::Node;
use crate::load::Document;
use crate::model::scenario::{strings, Scenario, Step, Verb};

/// The default clock: Monday 2026-01-05 09:00 in UTC+8.
pub const DEFAULT_START: &str = "2026-01-05T09:00:00+08:00";

pub const CODE: &str = "scenario-failed";

#[derive(Debug, Clone)]
pub struct ScenarioResult {
    pub name: String,
    pub file: String,
    pub process: String,
    pub steps: usize,
    pub failures: Vec<Diagnostic>,
}

impl ScenarioResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct ProcessCoverage {
    pub process: String,
    pub taken: Vec<String>,
    pub missing: Vec<String>,
}

impl ProcessCoverage {
    pub fn total(&self) -> usize {
        self.taken.len() + self.missing.len()
    }
    pub fn percent(&self) -> f64 {
        if self.total() == 0 {
            100.0
        } else {
            100.0 * self.taken.len() as f64 / self.total() as f64
        }
    }
}

#[derive(Debug, Clone)]
pub struct Coverage {
    pub processes: Vec<ProcessCoverage>,
}

impl Coverage {
    pub fn taken(&self) -> usize {
        self.processes.iter().map(|p| p.taken.len()).sum()
    }
    pub fn total(&self) -> usize {
        self.processes.iter().map(|p| p.total()).sum()
    }
    pub fn percent(&self) -> f64 {
        if self.total() == 0 {
            100.0
        } else {
            100.0 * self.taken() as f64 / self.total() as f64
        }
    }
}

/// Runs the scenario documents among `docs` (those with `kind: Scenario`) whose file is
/// accepted by `select`.
pub fn run_all(
    bundle: &Bundle,
    docs: &[Document],
    select: &dyn Fn(&str) -> bool,
) -> (Vec<ScenarioResult>, Coverage) {
    let engine = Engine::new(bundle);
    let mut taken: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut results = Vec::new();
    let mut docs: Vec<&Document> = docs
        .iter()
        .filter(|d| d.kind() == Some("Scenario") && select(&d.file))
        .collect();
    docs.sort_by(|a, b| (&a.file, a.index).cmp(&(&b.file, b.index)));
    for d in docs {
        results.push(run_one(&engine, d, &mut taken));
    }
    let processes = bundle
        .processes
        .iter()
        .map(|p| {
            let seen = taken.get(&p.name);
            let (t, m): (Vec<_>, Vec<_>) = p
                .transitions
                .iter()
                .map(|t| t.id.clone())
                .partition(|id| seen.is_some_and(|s| s.contains(id)));
            ProcessCoverage {
                process: p.name.clone(),
                taken: t,
                missing: m,
            }
        })
        .collect();
    (results, Coverage { processes })
}

fn set_text(v: &BTreeSet<String>) -> String {
    format!("[{}]", v.iter().cloned().collect::<Vec<_>>().join(", "))
}

/// One scenario in progress.
struct Run<'e, 'b> {
    engine: &'e Engine<'b>,
    file: String,
    name: String,
    process: String,
    world: World,
    now: DateTime,
    /// The record the latest `create` made.
    created: Option<RecordId>,
    /// The records of each process (created, or started as a child), in order.
    latest: BTreeMap<String, Vec<RecordId>>,
    failures: Vec<Diagnostic>,
    /// When the scenario started, and what its KPIs are measured from (`expect.kpis`).
    started: DateTime,
    kpi_log: crate::kpi::log::Log,
}

impl Run<'_, '_> {
    fn fail(&mut self, span: Span, msg: String) {
        let d = Diagnostic::error(
            CODE,
            &self.file,
            span,
            format!("scenario `{}`: {msg}", self.name),
        );
        self.failures.push(d);
    }
}

fn run_one(
    engine: &Engine,
    doc: &Document,
    taken: &mut BTreeMap<String, BTreeSet<String>>,
) -> ScenarioResult {
    let scenario = Scenario::of(doc);
    let mut run = Run {
        engine,
        file: scenario.file.clone(),
        name: scenario.name.clone(),
        process: scenario.process.clone(),
        world: World::default(),
        now: DateTime::parse(DEFAULT_START).expect("valid"),
        created: None,
        latest: BTreeMap::new(),
        failures: Vec::new(),
        started: DateTime::parse(DEFAULT_START).expect("valid"),
        kpi_log: Default::default(),
    };
    run.start(&scenario);
    for (i, step) in scenario.steps.iter().enumerate() {
        run.step(i + 1, step, taken);
    }
    ScenarioResult {
        name: run.name,
        file: run.file,
        process: run.process,
        steps: scenario.steps.len(),
        failures: run.failures,
    }
}

impl Run<'_, '_> {
    /// The clock and the directory.
    fn start(&mut self, scenario: &Scenario) {
        if let Some(start) = &scenario.start {
            match DateTime::parse(&start.text) {
                Some(t) => self.now = t,
                None => self.fail(
                    start.span,
                    format!("`start` is not an RFC 3339 date-time: `{}`", start.text),
                ),
            }
        }
        self.world = World::new(scenario.users.clone(), self.now.offset);
        self.started = self.now;
    }

    fn step(&mut self, n: usize, step: &Step, taken: &mut BTreeMap<String, BTreeSet<String>>) {
        let Some(verb) = &step.verb else {
            return;
        };
        let Some(actor) = self.actor(n, step, verb) else {
            return;
        };
        let on = step.on.clone();
        let target = match &on {
            Some(p) => self.target_of(p, &actor, verb),
            None => self.created,
        };
        let Some(action) = self.action(n, step, verb, target) else {
            return;
        };
        let is_create = matches!(action, Action::Create { .. });
        let result = self.engine.apply(&mut self.world, &actor, action, self.now);
        let events = self.outcome(n, step, verb, result);
        // The same rows the runtime keeps for its KPIs, from the same events.
        self.kpi_log.add(&crate::runtime::kpi_store::rows(
            self.engine.bundle,
            &self.world,
            &events,
            self.now.secs,
        ));
        let mut record = target;
        for e in &events {
            match e {
                Event::Moved {
                    process,
                    transition,
                    ..
                } => {
                    taken
                        .entry(process.clone())
                        .or_default()
                        .insert(transition.clone());
                }
                Event::Created {
                    record: id,
                    process,
                } => {
                    self.latest.entry(process.clone()).or_default().push(*id);
                    let created_here = on.as_deref().unwrap_or(&self.process) == process;
                    if is_create && created_here && record.is_none_or(|r| r < *id) {
                        record = Some(*id);
                        if on.is_none() {
                            self.created = Some(*id);
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(expect) = step.expect.as_ref().and_then(Node::as_map) {
            self.check(n, expect, record, &events);
        }
    }

    /// The record `on: <process>` acts on: the latest of that process, or for `complete` the
    /// latest where the user has that task open, for `approve` the latest whose pending step
    /// the user may decide (so that each of several children can be reached).
    fn target_of(&self, process: &str, actor: &Actor, verb: &Verb) -> Option<RecordId> {
        let ids = self.latest.get(process)?;
        // First a record where this user may act, then one where anybody may, then the latest.
        let fits = |r: &Record, anybody: bool| match verb {
            Verb::Complete { task, .. } => r.tasks.iter().any(|t| {
                t.id == *task
                    && (anybody
                        || t.users.contains(&actor.user)
                        || t.roles.iter().any(|x| actor.has_role(x)))
            }),
            Verb::Approve { .. } => {
                r.approval.is_some()
                    && (anybody || self.engine.approvers(&self.world, r).contains(&actor.user))
            }
            _ => false,
        };
        let find = |anybody: bool| {
            ids.iter()
                .rev()
                .copied()
                .find(|id| self.world.get(*id).is_some_and(|r| fits(r, anybody)))
        };
        find(false).or_else(|| find(true)).or(ids.last().copied())
    }

    /// The acting user (`advance` needs none).
    fn actor(&mut self, n: usize, step: &Step, verb: &Verb) -> Option<Actor> {
        match &step.actor {
            Some(u) => {
                if !self.world.users.contains_key(&u.text) {
                    self.fail(
                        u.span,
                        format!(
                            "step {n}: `{}` is not one of the scenario's `users`",
                            u.text
                        ),
                    );
                    return None;
                }
                Some(Actor::of(&self.world, &u.text))
            }
            None if matches!(verb, Verb::Advance { .. }) => Some(Actor {
                user: String::new(),
                roles: vec![],
            }),
            None => {
                self.fail(
                    step.span,
                    format!("step {n}: `{}` needs `as` (the acting user)", verb.key()),
                );
                None
            }
        }
    }

    fn action(
        &mut self,
        n: usize,
        step: &Step,
        verb: &Verb,
        target: Option<RecordId>,
    ) -> Option<Action> {
        match verb {
            Verb::Advance { by } => match crate::expr::parse_duration(&by.text) {
                Ok(d) => {
                    self.now = self.now.plus(d);
                    return Some(Action::Tick);
                }
                Err(e) => {
                    self.fail(by.span, format!("step {n}: {}", e.message));
                    return None;
                }
            },
            Verb::Create { fields } => {
                return Some(Action::Create {
                    process: step.on.as_deref().unwrap_or(&self.process).to_string(),
                    fields: fields.clone(),
                })
            }
            _ => {}
        }
        let Some(record) = target else {
            let msg = match &step.on {
                Some(p) => format!("step {n}: there is no record of `{p}` yet"),
                None => format!("step {n}: there is no record yet: start with a `create` step"),
            };
            self.fail(step.span, msg);
            return None;
        };
        Some(record_action(record, verb))
    }

    /// The events of a step, or its error compared with `expect.error`.
    fn outcome(
        &mut self,
        n: usize,
        step: &Step,
        verb: &Verb,
        result: Result<Vec<Event>, crate::engine::EngineError>,
    ) -> Vec<Event> {
        let error_key = step.expect.as_ref().and_then(|x| x.entry("error"));
        let expected = error_key.and_then(|(_, v)| v.as_str());
        let span = error_key.map(|(k, _)| k.span).unwrap_or(step.span);
        match (result, expected) {
            (Ok(ev), None) => ev,
            (Ok(ev), Some(code)) => {
                self.fail(
                    span,
                    format!("step {n}: expected error `{code}`, but the step succeeded"),
                );
                ev
            }
            (Err(e), Some(code)) if code == e.code => vec![],
            (Err(e), Some(code)) => {
                self.fail(
                    span,
                    format!(
                        "step {n}: expected error `{code}`, got `{}` ({})",
                        e.code, e.message
                    ),
                );
                vec![]
            }
            (Err(e), None) => {
                self.fail(step.span, format!("step {n}: `{}` failed: {e}", verb.key()));
                vec![]
            }
        }
    }
}

/// The action of a verb that acts on an existing record.
fn record_action(record: RecordId, verb: &Verb) -> Action {
    match verb.clone() {
        Verb::Move { to, fields } => Action::Move { record, to, fields },
        Verb::Approve { approve, reason } => Action::Approve {
            record,
            approve,
            reason,
        },
        Verb::Complete { task, fill } => Action::Complete { record, task, fill },
        Verb::Set { fields } | Verb::Create { fields } => Action::Set { record, fields },
        // `advance` acts on no record; `action` handles it before.
        Verb::Advance { .. } => Action::Tick,
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn list_text(v: &[String]) -> String {
    format!("[{}]", v.join(", "))
}

impl Run<'_, '_> {
    fn check(
        &mut self,
        n: usize,
        expect: &[(Node, Node)],
        record: Option<RecordId>,
        events: &[Event],
    ) {
        let rec = record.and_then(|id| self.world.get(id)).cloned();
        for (k, v) in expect {
            let key = k.key_text().unwrap_or_default();
            let exp: Vec<String> = match v.as_str() {
                Some(s) => vec![s.to_string()],
                None => strings(v),
            };
            let actual = match key.as_str() {
                "notified" => {
                    self.check_notified(n, k, exp, events);
                    continue;
                }
                "children" => {
                    self.check_children(n, v, rec.as_ref());
                    continue;
                }
                "reopened" => Some(sorted(reopened(events))),
                "kpis" => {
                    let range = (self.started.secs, self.now.secs + 1);
                    let found = crate::kpi::log::check(
                        &self.kpi_log,
                        self.engine.bundle,
                        &self.world,
                        &self.process,
                        v,
                        range,
                    );
                    for (span, msg) in found {
                        self.fail(span, format!("step {n}: {msg}"));
                    }
                    continue;
                }
                "error" => continue,
                _ => match &rec {
                    None => {
                        self.fail(k.span, format!("step {n}: {key}: there is no record"));
                        continue;
                    }
                    Some(r) => self.observed(&key, r),
                },
            };
            let Some(actual) = actual else { continue };
            let exp = sorted(exp);
            if actual != exp {
                let show = |s: &[String]| {
                    if key == "status" {
                        s.first().cloned().unwrap_or_default()
                    } else {
                        list_text(s)
                    }
                };
                let msg = format!(
                    "step {n}: {key}: expected {}, actual {}",
                    show(&exp),
                    show(&actual)
                );
                self.fail(k.span, msg);
            }
        }
    }

    /// What an `expect` key observes on the record, sorted.
    fn observed(&self, key: &str, r: &Record) -> Option<Vec<String>> {
        Some(sorted(match key {
            "status" => vec![r.status.clone()],
            "open_tasks" => r.open_task_ids(),
            "overdue_tasks" => r.overdue_task_ids(self.now),
            "awaiting_approval" => match &r.approval {
                Some(a) => {
                    let p = self.engine.bundle.process(&r.process).expect("process");
                    vec![p.transitions[a.transition].approval[a.step].role.clone()]
                }
                None => vec![],
            },
            _ => return None,
        }))
    }

    fn check_notified(&mut self, n: usize, k: &Node, exp: Vec<String>, events: &[Event]) {
        let mut notified = BTreeSet::new();
        for e in events {
            if let Event::Notified { to, .. } = e {
                notified.extend(to.iter().cloned());
            }
        }
        let exp: BTreeSet<String> = exp.into_iter().collect();
        let ok = if exp.is_empty() {
            notified.is_empty()
        } else {
            exp.is_subset(&notified)
        };
        if !ok {
            self.fail(
                k.span,
                format!(
                    "step {n}: notified: expected {}{}, actual {}",
                    if exp.is_empty() { "nobody " } else { "" },
                    set_text(&exp),
                    set_text(&notified)
                ),
            );
        }
    }

    /// `children: { <process>: { count, status: [..] } }`, statuses in start order.
    fn check_children(&mut self, n: usize, v: &Node, rec: Option<&Record>) {
        for (pk, want) in v.as_map().unwrap_or(&[]) {
            let process = pk.key_text().unwrap_or_default();
            let statuses: Vec<String> = rec
                .map(|r| {
                    r.children
                        .iter()
                        .filter_map(|c| self.world.get(*c))
                        .filter(|c| c.process == process)
                        .map(|c| c.status.clone())
                        .collect()
                })
                .unwrap_or_default();
            let count = want.get("count").map(|c| c.to_json());
            if let Some(c) = count.filter(|c| c.as_u64() != Some(statuses.len() as u64)) {
                let msg = format!(
                    "step {n}: children: expected {c} of `{process}`, actual {}",
                    statuses.len()
                );
                self.fail(pk.span, msg);
            }
            if let Some(exp) = want.get("status").map(strings) {
                if exp != statuses {
                    let msg = format!(
                        "step {n}: children: `{process}` statuses: expected {}, actual {}",
                        list_text(&exp),
                        list_text(&statuses)
                    );
                    self.fail(pk.span, msg);
                }
            }
        }
    }
}

/// The tasks a rejection in this step opened again.
fn reopened(events: &[Event]) -> Vec<String> {
    if !events.iter().any(|e| matches!(e, Event::Rejected { .. })) {
        return vec![];
    }
    events
        .iter()
        .filter_map(|e| match e {
            Event::TaskOpened { task, .. } => Some(task.clone()),
            _ => None,
        })
        .collect()
}
