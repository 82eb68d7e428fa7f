//! Lets the JSON Schema validator walk our YAML node tree directly, so that each document is
//! validated without first being copied into a `serde_json::Value`.

use std::borrow::Cow;

use jsonschema::json::{Array, Json, JsonNumber, Node as JNode, NodeIdentity, Object};
use jsonschema::JsonType;
use serde_json::Value as J;

use crate::diagnostic::Span;
use crate::load::{Node, Style, Value};

/// The marker type naming our representation to the validator.
pub struct NodeJson;

impl Json for NodeJson {
    type Node<'a> = &'a Node;
    type PreparedKey = String;
    type StringBuffer = Node;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(buffer: &mut Node, string: &str, f: impl FnOnce(&Node) -> T) -> T {
        *buffer = Node::new(Value::Str(string.to_owned()), Span::default(), Style::Plain);
        f(buffer)
    }
}

/// A YAML number: integers stay integers.
pub enum Num {
    Int(i64),
    Float(f64),
}

impl JsonNumber for Num {
    fn as_u64(&self) -> Option<u64> {
        match *self {
            Num::Int(i) => u64::try_from(i).ok(),
            Num::Float(_) => None,
        }
    }
    fn as_i64(&self) -> Option<i64> {
        match *self {
            Num::Int(i) => Some(i),
            Num::Float(_) => None,
        }
    }
    fn as_f64(&self) -> Option<f64> {
        Some(match *self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        })
    }
    fn as_str(&self) -> Cow<'_, str> {
        Cow::Owned(match *self {
            Num::Int(i) => i.to_string(),
            Num::Float(f) => f.to_string(),
        })
    }
    fn to_number(&self) -> Cow<'_, serde_json::Number> {
        Cow::Owned(match *self {
            Num::Int(i) => serde_json::Number::from(i),
            // Non-finite floats are presented as strings (see `as_string`), never as numbers.
            Num::Float(f) => {
                serde_json::Number::from_f64(f).unwrap_or_else(|| serde_json::Number::from(0))
            }
        })
    }
}

fn finite(f: f64) -> bool {
    f.is_finite()
}

/// A mapping's pairs.
#[derive(Clone, Copy)]
pub struct Members<'a>(&'a [(Node, Node)]);

/// A sequence's items.
#[derive(Clone, Copy)]
pub struct Items<'a>(&'a [Node]);

fn key_cow(k: &Node) -> Cow<'_, str> {
    match &k.value {
        Value::Str(s) => Cow::Borrowed(s.as_str()),
        _ => Cow::Owned(k.key_text().unwrap_or_else(|| "<complex key>".into())),
    }
}

impl<'a> JNode<'a, NodeJson> for &'a Node {
    type Object = Members<'a>;
    type Array = Items<'a>;
    type Number = Num;

    fn as_object(&self) -> Option<Members<'a>> {
        match &self.value {
            Value::Map(m) => Some(Members(m)),
            _ => None,
        }
    }
    fn as_array(&self) -> Option<Items<'a>> {
        match &self.value {
            Value::Seq(s) => Some(Items(s)),
            _ => None,
        }
    }
    fn as_string(&self) -> Option<Cow<'a, str>> {
        match &self.value {
            Value::Str(s) => Some(Cow::Borrowed(s.as_str())),
            Value::Float(f) if !finite(*f) => Some(Cow::Owned(f.to_string())),
            _ => None,
        }
    }
    fn as_number(&self) -> Option<Num> {
        match self.value {
            Value::Int(i) => Some(Num::Int(i)),
            Value::Float(f) if finite(f) => Some(Num::Float(f)),
            _ => None,
        }
    }
    fn as_boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
    fn json_type(&self) -> JsonType {
        match &self.value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Int(_) => JsonType::Number,
            Value::Float(f) if finite(*f) => JsonType::Number,
            Value::Float(_) | Value::Str(_) => JsonType::String,
            Value::Seq(_) => JsonType::Array,
            Value::Map(_) => JsonType::Object,
        }
    }
    fn to_value(&self) -> Cow<'a, J> {
        Cow::Owned(Node::to_json(self))
    }
    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(std::ptr::from_ref::<Node>(*self) as usize))
    }
}

impl<'a> Object<'a, NodeJson> for Members<'a> {
    type Node = &'a Node;
    type MemberName = Cow<'a, str>;
    type MembersIter = MembersIter<'a>;

    fn len(&self) -> usize {
        self.0.len()
    }
    fn get(&self, key: &String) -> Option<&'a Node> {
        self.0.iter().find(|(k, _)| k.key_is(key)).map(|(_, v)| v)
    }
    fn members(&self) -> MembersIter<'a> {
        MembersIter(self.0.iter())
    }
}

pub struct MembersIter<'a>(std::slice::Iter<'a, (Node, Node)>);

impl<'a> Iterator for MembersIter<'a> {
    type Item = (Cow<'a, str>, &'a Node);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (key_cow(k), v))
    }
}

impl<'a> Array<'a, NodeJson> for Items<'a> {
    type Node = &'a Node;
    type ElementsIter = std::slice::Iter<'a, Node>;

    fn len(&self) -> usize {
        self.0.len()
    }
    fn elements(&self) -> std::slice::Iter<'a, Node> {
        self.0.iter()
    }
}
