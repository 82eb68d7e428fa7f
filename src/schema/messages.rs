//! What a JSON Schema error means in words: one function per kind of error, each giving the
//! span to point at, the message and the help (the caller makes them diagnostics).

use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use serde_json::Value as J;

use super::keys::KeyIndex;
use super::{
    describe_property, id_role, owner_schema, pattern_help, schema_at, segments, type_name, Schema,
};
use crate::diagnostic::Span;
use crate::load::Node;
use crate::suggest::did_you_mean;

/// A span, a message and a help text.
pub type Found = (Span, String, String);

/// Where an error stands: the schema, the error, and the node it is about.
pub struct At<'s, 'a> {
    pub schema: &'s Schema,
    pub err: &'s ValidationError<'s>,
    pub root: &'a Node,
    pub node: &'a Node,
    pub keys: &'s KeyIndex<'a>,
    /// The key that leads to the node, or the node itself when it has none.
    pub at_key: Span,
    /// The node's path in words (`spec.statuses.draft`).
    pub where_: String,
    pub segs: &'s [String],
}

/// The findings for one schema error (several for unknown keys: one per key).
pub fn explain(at: &At) -> Vec<Found> {
    let node = at.node;
    let where_ = &at.where_;
    match at.err.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => unknown_keys(at, unexpected),
        ValidationErrorKind::Required { property } => vec![missing_key(at, property)],
        ValidationErrorKind::Type { kind } => {
            let help = schema_at(&at.schema.json, &{
                let mut s = segments(at.err.schema_path().as_str());
                s.pop();
                s
            })
            .and_then(|s| s.get("description"))
            .and_then(J::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("write {} here", type_name(kind)));
            let msg = format!(
                "{where_} must be {}, but this is {}",
                type_name(kind),
                node.kind_name()
            );
            vec![(node.span, msg, help)]
        }
        ValidationErrorKind::Enum { options } => vec![not_an_option(at, options)],
        ValidationErrorKind::Constant { expected_value } => {
            let exp = expected_value
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| expected_value.to_string());
            let msg = format!("{where_} must be `{exp}`");
            vec![(node.span, msg, format!("write `{exp}`"))]
        }
        ValidationErrorKind::Pattern { pattern } => {
            let (msg, help) = pattern_help(pattern, node.as_str().unwrap_or(""));
            vec![(node.span, msg, help)]
        }
        ValidationErrorKind::PropertyNames { error } => vec![bad_key_name(at, error)],
        ValidationErrorKind::MinItems { .. }
        | ValidationErrorKind::MinProperties { .. }
        | ValidationErrorKind::MinLength { .. } => vec![(
            node.span,
            format!("{where_} must not be empty"),
            "fill it in, or remove the key".into(),
        )],
        ValidationErrorKind::FalseSchema => {
            let verb = at.segs.last().cloned().unwrap_or_default();
            vec![(
                at.at_key,
                format!("a step does only one thing, but `{verb}` is a second action in this step"),
                "split it into two steps, one action each: create, move, approve, complete, set or advance".into(),
            )]
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            vec![no_alternative(at)]
        }
        _ => vec![(
            node.span,
            format!("{where_}: {}", at.err),
            "see the schema description of this key in your editor, or `sopctl schema`".into(),
        )],
    }
}

/// A key the schema does not allow here, with the nearest allowed one.
fn unknown_keys(at: &At, unexpected: &[String]) -> Vec<Found> {
    let allowed: Vec<String> = owner_schema(at.schema, at.err)
        .and_then(|o| o.get("properties"))
        .and_then(J::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    unexpected
        .iter()
        .map(|name| {
            let span = at
                .keys
                .entry(at.node, name)
                .map(|(k, _)| k.span)
                .unwrap_or(at.node.span);
            let mut help = match did_you_mean(name, allowed.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`? "),
                None => String::new(),
            };
            if !allowed.is_empty() {
                help.push_str(&format!("allowed keys here: {}", allowed.join(", ")));
            } else {
                help.push_str("remove this key");
            }
            (span, format!("unknown key `{name}` in {}", at.where_), help)
        })
        .collect()
}

/// A required key that is missing, with what the schema says of it.
fn missing_key(at: &At, property: &J) -> Found {
    let name = property.as_str().unwrap_or("?");
    let owner = owner_schema(at.schema, at.err);
    let help = match describe_property(owner, name) {
        Some(desc) => format!("add `{name}:` here. {desc}"),
        None => format!("add `{name}:` here"),
    };
    let span = if at.segs.is_empty() {
        Span::point(at.root.span.start)
    } else {
        at.at_key
    };
    let msg = format!("missing required key `{name}` in {}", at.where_);
    (span, msg, help)
}

/// A value outside a fixed list, with the nearest option.
fn not_an_option(at: &At, options: &J) -> Found {
    let opts: Vec<String> = options
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    let shown = at
        .node
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| at.node.to_json().to_string());
    let mut help = match did_you_mean(&shown, opts.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`? "),
        None => String::new(),
    };
    help.push_str(&format!("use one of: {}", opts.join(", ")));
    let msg = format!("`{shown}` is not allowed for {}", at.where_);
    (at.node.span, msg, help)
}

/// A mapping key that is not a valid id (a status, task or field name).
fn bad_key_name(at: &At, error: &ValidationError) -> Found {
    let name = error.instance().as_str().unwrap_or("").to_string();
    let span = at
        .keys
        .entry(at.node, &name)
        .map(|(k, _)| k.span)
        .unwrap_or(at.node.span);
    let role = id_role(at.segs.last().map(String::as_str));
    let (_, help) = match error.kind() {
        ValidationErrorKind::Pattern { pattern } => pattern_help(pattern, &name),
        _ => (String::new(), error.to_string()),
    };
    (span, format!("`{name}` is not a valid {role}"), help)
}

/// A value that matches none of the shapes allowed (a scenario step with no action, …).
fn no_alternative(at: &At) -> Found {
    let owner = owner_schema(at.schema, at.err);
    let title = owner
        .and_then(|o| o.get("title"))
        .and_then(J::as_str)
        .unwrap_or("value");
    let desc = owner
        .and_then(|o| o.get("description"))
        .and_then(J::as_str)
        .unwrap_or("");
    if title == "Step" {
        (
            at.node.span,
            "this step has no action".to_string(),
            "give the step one of: create, move, approve, complete, set, advance".to_string(),
        )
    } else {
        (
            at.node.span,
            format!("{} is not a valid {}", at.where_, title.to_lowercase()),
            desc.to_string(),
        )
    }
}
