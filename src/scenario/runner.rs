//! Runs scenarios on the engine with a simulated clock and compares each step's `expect`.
//!
//! - The clock starts at `spec.start` (default [`DEFAULT_START`], a Monday); its UTC offset is
//!   the process time zone (for `today`/`tomorrow`, dates and business days).
//! - `users` is the directory: user → roles. It decides who holds a role (for `mode: all`
//!   approvals, "every holder" is every scenario user holding the role) and which ids a
//!   `user` field accepts.
//! - `status`, `open_tasks`, `overdue_tasks`, `awaiting_approval` are compared as exact sets
//!   on the scenario's record: the one the latest `create` made (each `create` starts a new
//!   record of `spec.process`; later steps act on it).
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

use serde_json::Value;

use crate::bundle::Bundle;
use crate::diagnostic::{Diagnostic, Span};
use crate::engine::{Action, Actor, DateTime, Engine, Event, RecordId, World};
use crate::load::node::{Node, Value as NV};
use crate::load::Document;

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

fn strings(n: &Node) -> Vec<String> {
    n.as_seq()
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn values(n: &Node) -> BTreeMap<String, Value> {
    n.as_map()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.key_text()?, v.to_json())))
                .collect()
        })
        .unwrap_or_default()
}

fn set_text(v: &BTreeSet<String>) -> String {
    format!("[{}]", v.iter().cloned().collect::<Vec<_>>().join(", "))
}

fn run_one(
    engine: &Engine,
    doc: &Document,
    taken: &mut BTreeMap<String, BTreeSet<String>>,
) -> ScenarioResult {
    let root = &doc.root;
    let spec = root.get("spec").cloned().unwrap_or_default();
    let name = doc.name().unwrap_or("").to_string();
    let process = spec
        .get("process")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let file = doc.file.to_string();
    let mut failures = Vec::new();
    let fail = |span: Span, msg: String| {
        Diagnostic::error(CODE, &file, span, format!("scenario `{name}`: {msg}"))
    };

    let start_text = spec.get("start").map(|n| match &n.value {
        NV::Str(s) => s.clone(),
        _ => String::new(),
    });
    let now0 = match &start_text {
        Some(s) => match DateTime::parse(s) {
            Some(t) => t,
            None => {
                let span = spec.get("start").map(|n| n.span).unwrap_or_default();
                failures.push(fail(
                    span,
                    format!("`start` is not an RFC 3339 date-time: `{s}`"),
                ));
                DateTime::parse(DEFAULT_START).expect("valid")
            }
        },
        None => DateTime::parse(DEFAULT_START).expect("valid"),
    };
    let mut users = BTreeMap::new();
    if let Some(m) = spec.get("users").and_then(Node::as_map) {
        for (k, v) in m {
            if let Some(k) = k.key_text() {
                users.insert(k, strings(v).into_iter().collect());
            }
        }
    }
    let mut world = World::new(users, now0.offset);
    let mut now = now0;
    let mut record: Option<RecordId> = None;
    let mut kpi_log = crate::kpi::log::Log::default();
    let steps = spec.get("steps").and_then(Node::as_seq).unwrap_or(&[]);
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        let actor = step
            .get("as")
            .and_then(Node::as_str)
            .map(|u| Actor::of(&world, u));
        if let Some(a) = &actor {
            if !world.users.contains_key(&a.user) {
                let span = step.get("as").map(|x| x.span).unwrap_or(step.span);
                failures.push(fail(
                    span,
                    format!(
                        "step {n}: `{}` is not one of the scenario's `users`",
                        a.user
                    ),
                ));
                continue;
            }
        }
        let (verb_key, verb) = match ["create", "move", "approve", "complete", "set", "advance"]
            .iter()
            .find_map(|k| step.entry(k).map(|(kn, v)| (*k, kn, v)))
        {
            Some((k, _, v)) => (k, v),
            None => continue,
        };
        let action = match verb_key {
            "advance" => {
                let text = verb.as_str().unwrap_or("");
                match crate::expr::parse_duration(text) {
                    Ok(d) => {
                        now = now.plus(d);
                        Some(Action::Tick)
                    }
                    Err(e) => {
                        failures.push(fail(verb.span, format!("step {n}: {}", e.message)));
                        continue;
                    }
                }
            }
            "create" => Some(Action::Create {
                process: process.clone(),
                fields: values(verb),
            }),
            _ => record.map(|record| match verb_key {
                "move" => Action::Move {
                    record,
                    to: verb.as_str().unwrap_or("").to_string(),
                },
                "approve" => Action::Approve {
                    record,
                    approve: verb.as_bool().unwrap_or(false),
                },
                "complete" => Action::Complete {
                    record,
                    task: verb
                        .get("task")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string(),
                    fill: verb.get("fill").map(values).unwrap_or_default(),
                },
                _ => Action::Set {
                    record,
                    fields: values(verb),
                },
            }),
        };
        let Some(action) = action else {
            failures.push(fail(
                step.span,
                format!("step {n}: there is no record yet: start with a `create` step"),
            ));
            continue;
        };
        let actor = match actor {
            Some(a) => a,
            None if verb_key == "advance" => Actor {
                user: String::new(),
                roles: vec![],
            },
            None => {
                failures.push(fail(
                    step.span,
                    format!("step {n}: `{verb_key}` needs `as` (the acting user)"),
                ));
                continue;
            }
        };
        let is_create = matches!(action, Action::Create { .. });
        let result = engine.apply(&mut world, &actor, action, now);
        let expect = step.get("expect");
        let expected_error = expect.and_then(|e| e.get("error")).and_then(Node::as_str);
        let events = match result {
            Ok(ev) => {
                if let Some(code) = expected_error {
                    let span = expect
                        .and_then(|e| e.entry("error"))
                        .map(|(k, _)| k.span)
                        .unwrap_or(step.span);
                    failures.push(fail(
                        span,
                        format!("step {n}: expected error `{code}`, but the step succeeded"),
                    ));
                }
                ev
            }
            Err(e) => {
                match expected_error {
                    Some(code) if code == e.code => {}
                    Some(code) => {
                        let span = expect
                            .and_then(|x| x.entry("error"))
                            .map(|(k, _)| k.span)
                            .unwrap_or(step.span);
                        failures.push(fail(
                            span,
                            format!(
                                "step {n}: expected error `{code}`, got `{}` ({})",
                                e.code, e.message
                            ),
                        ));
                    }
                    None => failures.push(fail(
                        step.span,
                        format!("step {n}: `{verb_key}` failed: {e}"),
                    )),
                }
                vec![]
            }
        };
        kpi_log.add(&crate::runtime::kpi_store::rows(
            engine.bundle,
            &world,
            &events,
            now.secs,
        ));
        let mut notified = BTreeSet::new();
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
                Event::Notified { to, .. } => notified.extend(to.iter().cloned()),
                Event::Created {
                    record: id,
                    process: pr,
                } if is_create && *pr == process => record = Some(*id),
                _ => {}
            }
        }
        let Some(expect) = expect.and_then(Node::as_map) else {
            continue;
        };
        let rec = record.and_then(|id| world.get(id));
        for (k, v) in expect {
            let key = k.key_text().unwrap_or_default();
            let exp: BTreeSet<String> = match &v.value {
                NV::Str(s) => [s.clone()].into(),
                _ => strings(v).into_iter().collect(),
            };
            let actual: Option<BTreeSet<String>> = match key.as_str() {
                "status" => rec.map(|r| [r.status.clone()].into()),
                "open_tasks" => rec.map(|r| r.open_task_ids().into_iter().collect()),
                "overdue_tasks" => rec.map(|r| r.overdue_task_ids(now).into_iter().collect()),
                "awaiting_approval" => rec.map(|r| match &r.approval {
                    Some(a) => {
                        let p = engine.bundle.process(&r.process).expect("process");
                        [p.transitions[a.transition].approval[a.step].role.clone()].into()
                    }
                    None => BTreeSet::new(),
                }),
                "notified" => {
                    let ok = if exp.is_empty() {
                        notified.is_empty()
                    } else {
                        exp.is_subset(&notified)
                    };
                    if !ok {
                        failures.push(fail(
                            k.span,
                            format!(
                                "step {n}: notified: expected {}{}, actual {}",
                                if exp.is_empty() { "nobody " } else { "" },
                                set_text(&exp),
                                set_text(&notified)
                            ),
                        ));
                    }
                    continue;
                }
                "kpis" => {
                    let range = (now0.secs, now.secs + 1);
                    for (span, msg) in
                        crate::kpi::log::check(&kpi_log, engine.bundle, &world, &process, v, range)
                    {
                        failures.push(fail(span, format!("step {n}: {msg}")));
                    }
                    continue;
                }
                _ => continue,
            };
            match actual {
                None => failures.push(fail(k.span, format!("step {n}: {key}: there is no record"))),
                Some(actual) if actual != exp => {
                    let show = |s: &BTreeSet<String>| {
                        if key == "status" {
                            s.iter().next().cloned().unwrap_or_default()
                        } else {
                            set_text(s)
                        }
                    };
                    failures.push(fail(
                        k.span,
                        format!(
                            "step {n}: {key}: expected {}, actual {}",
                            show(&exp),
                            show(&actual)
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    ScenarioResult {
        name,
        file,
        process,
        steps: steps.len(),
        failures,
    }
}
