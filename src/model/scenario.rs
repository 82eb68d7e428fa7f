//! The typed `Scenario` document (docs/reference/scenarios.md), read from the loaded YAML with
//! positions, as `build` reads processes. The schema has checked its shape already; what only
//! running can tell (an unknown user, a bad duration or date) is left to the runner, which
//! reports it at the positions kept here.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diagnostic::Span;
use crate::load::node::Node;
use crate::load::Document;

/// A text as written, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct At {
    pub text: String,
    pub span: Span,
}

impl At {
    /// The node's text (empty when it is not a string), at the node.
    fn of(n: &Node) -> At {
        At {
            text: n.as_str().unwrap_or("").to_string(),
            span: n.span,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub file: String,
    pub name: String,
    /// `spec.process`: what `create` makes a record of, without `on`.
    pub process: String,
    /// `spec.start`: the clock at the first step.
    pub start: Option<At>,
    /// `spec.users`: the directory, user → roles.
    pub users: BTreeMap<String, BTreeSet<String>>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub span: Span,
    /// What the step does; a step with no verb does nothing (the schema reports it).
    pub verb: Option<Verb>,
    /// `as`: the acting user.
    pub actor: Option<At>,
    /// `on`: the process whose latest record the step acts on (or `create` makes).
    pub on: Option<String>,
    /// `expect`: the expectations, compared key by key after the step.
    pub expect: Option<Node>,
}

/// The verbs of a step, in the order a step is read for them (the first one present wins).
#[derive(Debug, Clone, PartialEq)]
pub enum Verb {
    Create {
        fields: BTreeMap<String, Value>,
    },
    Move {
        to: String,
        fields: BTreeMap<String, Value>,
    },
    Approve {
        approve: bool,
        reason: Option<String>,
    },
    Complete {
        task: String,
        fill: BTreeMap<String, Value>,
    },
    Set {
        fields: BTreeMap<String, Value>,
    },
    Advance {
        by: At,
    },
}

/// The YAML keys of the verbs, in the order a step is read for them.
pub const VERBS: [&str; 6] = ["create", "move", "approve", "complete", "set", "advance"];

impl Verb {
    /// The verb's YAML key, e.g. `complete`.
    pub fn key(&self) -> &'static str {
        match self {
            Verb::Create { .. } => "create",
            Verb::Move { .. } => "move",
            Verb::Approve { .. } => "approve",
            Verb::Complete { .. } => "complete",
            Verb::Set { .. } => "set",
            Verb::Advance { .. } => "advance",
        }
    }

    fn read(key: &str, verb: &Node, step: &Node) -> Verb {
        let fill = || verb.get("fill").map(values).unwrap_or_default();
        match key {
            "create" => Verb::Create {
                fields: values(verb),
            },
            "move" => Verb::Move {
                to: verb
                    .as_str()
                    .or_else(|| verb.get("to").and_then(Node::as_str))
                    .unwrap_or("")
                    .to_string(),
                fields: fill(),
            },
            "approve" => Verb::Approve {
                approve: verb.as_bool().unwrap_or(false),
                reason: step
                    .get("reason")
                    .and_then(Node::as_str)
                    .map(str::to_string),
            },
            "complete" => Verb::Complete {
                task: verb
                    .get("task")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
                fill: fill(),
            },
            "advance" => Verb::Advance { by: At::of(verb) },
            _ => Verb::Set {
                fields: values(verb),
            },
        }
    }
}

impl Step {
    fn read(step: &Node) -> Step {
        let verb = VERBS
            .iter()
            .find_map(|k| step.get(k).map(|v| Verb::read(k, v, step)));
        Step {
            span: step.span,
            verb,
            actor: step.get("as").map(At::of),
            on: step.get("on").and_then(Node::as_str).map(str::to_string),
            expect: step.get("expect").cloned(),
        }
    }
}

impl Scenario {
    /// The scenario of a `kind: Scenario` document.
    pub fn of(doc: &Document) -> Scenario {
        let spec = doc.root.get("spec").cloned().unwrap_or_default();
        let mut users = BTreeMap::new();
        if let Some(m) = spec.get("users").and_then(Node::as_map) {
            for (k, v) in m {
                if let Some(k) = k.key_text() {
                    users.insert(k, strings(v).into_iter().collect());
                }
            }
        }
        Scenario {
            file: doc.file.to_string(),
            name: doc.name().unwrap_or("").to_string(),
            process: spec
                .get("process")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            start: spec.get("start").map(At::of),
            users,
            steps: spec
                .get("steps")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .map(Step::read)
                .collect(),
        }
    }
}

/// The strings of a sequence (others left out; not a sequence: none).
pub fn strings(n: &Node) -> Vec<String> {
    n.as_seq()
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// A mapping of field values, as JSON.
fn values(n: &Node) -> BTreeMap<String, Value> {
    n.as_map()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.key_text()?, v.to_json())))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::load_bytes;

    fn scenario(yaml: &str) -> Scenario {
        let loaded = load_bytes("t.yaml", yaml.as_bytes().to_vec(), Default::default());
        Scenario::of(&loaded.documents[0])
    }

    #[test]
    fn reads_verbs_actors_and_positions() {
        let s = scenario(
            "apiVersion: sopctl/v1\nkind: Scenario\nmetadata: { name: s }\nspec:\n  process: p\n  \
             users: { ann: [sales] }\n  steps:\n    - create: { qty: 2 }\n      as: ann\n    \
             - move: { to: done, fill: { ok: true } }\n      as: ann\n      on: q\n    \
             - advance: 2d\n    - approve: false\n      reason: late\n      as: ann\n",
        );
        assert_eq!((s.name.as_str(), s.process.as_str()), ("s", "p"));
        assert_eq!(s.users["ann"], BTreeSet::from(["sales".to_string()]));
        let verbs: Vec<&str> = s
            .steps
            .iter()
            .map(|x| x.verb.as_ref().map_or("", Verb::key))
            .collect();
        assert_eq!(verbs, ["create", "move", "advance", "approve"]);
        let ann = s.steps[0].actor.as_ref().unwrap();
        assert_eq!((ann.text.as_str(), ann.span.start.line), ("ann", 9));
        match &s.steps[1].verb {
            Some(Verb::Move { to, fields }) => {
                assert_eq!(to, "done");
                assert_eq!(fields["ok"], Value::Bool(true));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s.steps[1].on.as_deref(), Some("q"));
        match &s.steps[2].verb {
            Some(Verb::Advance { by }) => {
                assert_eq!((by.text.as_str(), by.span.start.line), ("2d", 13))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            s.steps[3].verb,
            Some(Verb::Approve {
                approve: false,
                reason: Some("late".into())
            })
        );
    }
}
