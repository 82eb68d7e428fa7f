//! A YAML node tree in which every key and value knows where it stands in its file.

use crate::diagnostic::{Pos, Span};

/// How a scalar was written; needed to map an offset inside its text back to a file column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
    /// Not a scalar (a mapping or a sequence).
    Collection,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Pairs in source order; duplicates are kept so that checks can point at both.
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    pub style: Style,
}

impl Default for Node {
    fn default() -> Node {
        Node::new(Value::Null, Span::default(), Style::Plain)
    }
}

impl Node {
    pub fn new(value: Value, span: Span, style: Style) -> Node {
        Node { value, span, style }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The value under `key` in a mapping (the first, if the key is repeated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node under `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.key_is(key))
            .map(|(k, v)| (k, v))
    }

    /// Whether this key node spells `key`, without allocating for the common string case.
    pub fn key_is(&self, key: &str) -> bool {
        match &self.value {
            Value::Str(s) => s == key,
            Value::Seq(_) | Value::Map(_) => false,
            _ => self.key_text().as_deref() == Some(key),
        }
    }

    /// A mapping key as text: strings as they are, other scalars as written in JSON.
    pub fn key_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Null => Some("null".into()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            _ => None,
        }
    }

    /// What kind of value this is, in words, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a yes/no value",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The span of characters `start..end` of this scalar's text (see `sub_span`).
    pub fn sub_span(&self, start: usize, end: usize) -> Span {
        sub_span(self.span, self.style, start, end)
    }

    /// Converts to JSON for schema validation. For repeated keys the first value wins; the
    /// repeat is reported separately.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(f.to_string())),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(pairs) => {
                let mut obj = serde_json::Map::with_capacity(pairs.len());
                for (k, v) in pairs {
                    let key = k.key_text().unwrap_or_else(|| "<complex key>".into());
                    obj.entry(key).or_insert_with(|| v.to_json());
                }
                J::Object(obj)
            }
        }
    }

    /// The node at a JSON pointer path (as produced by the schema validator), with the key node
    /// that leads to it when the last step is a mapping key.
    pub fn at_pointer<'a>(&'a self, segments: &[String]) -> Option<(Option<&'a Node>, &'a Node)> {
        let mut node = self;
        let mut key = None;
        for seg in segments {
            match &node.value {
                Value::Map(_) => {
                    let (k, v) = node.entry(seg)?;
                    key = Some(k);
                    node = v;
                }
                Value::Seq(items) => {
                    let i: usize = seg.parse().ok()?;
                    key = None;
                    node = items.get(i)?;
                }
                _ => return None,
            }
        }
        Some((key, node))
    }
}

/// The file position of the character at `offset` (counted in characters) of a scalar's text.
/// Exact for scalars written on one line; otherwise the scalar's start.
pub fn pos_at(span: Span, style: Style, offset: usize) -> Pos {
    let single_line = span.start.line == span.end.line;
    match style {
        Style::Plain if single_line => Pos::new(span.start.line, span.start.column + offset),
        Style::Quoted if single_line => Pos::new(span.start.line, span.start.column + 1 + offset),
        _ => span.start,
    }
}

/// The span of characters `start..end` of a scalar's text; the whole scalar when the text
/// spans several lines and exact columns cannot be known.
pub fn sub_span(span: Span, style: Style, start: usize, end: usize) -> Span {
    let a = pos_at(span, style, start);
    let b = pos_at(span, style, end.max(start));
    if a == span.start && b == span.start && (start, end) != (0, 0) {
        span
    } else {
        Span::new(a, b)
    }
}
