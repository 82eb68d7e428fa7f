//! `schema`: checks each document against `schemas/sop.schema.json` (the same file editors use)
//! and turns JSON Schema errors into diagnostics at the exact key or value at fault.

pub mod config_doc;
mod keys;
mod messages;
mod node_json;

use std::sync::OnceLock;

use jsonschema::error::TypeKind;
use jsonschema::ValidationError;
use serde_json::Value as J;

use crate::diagnostic::Diagnostic;
use crate::load::{Document, Node, Value};
use keys::KeyIndex;

pub const SOP_SCHEMA: &str = include_str!("../../schemas/sop.schema.json");
pub const CONFIG_SCHEMA: &str = include_str!("../../schemas/sopctl-config.schema.json");

/// A compiled schema together with its JSON, which is read again for help texts.
pub struct Schema {
    json: J,
    validator: jsonschema::Validator<node_json::NodeJson>,
}

fn compile(text: &str) -> Schema {
    // The schemas are part of the binary and covered by tests: failing here is a build bug.
    compile_json(serde_json::from_str(text).expect("shipped schema is valid JSON"))
}

fn compile_json(json: J) -> Schema {
    let validator = jsonschema::options_for::<node_json::NodeJson>()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&json)
        .expect("shipped schema compiles");
    Schema { json, validator }
}

pub fn sop_schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| compile(SOP_SCHEMA))
}

pub fn config_schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let json = serde_json::from_str(CONFIG_SCHEMA).expect("shipped schema is valid JSON");
        compile_json(config_doc::lenient(json))
    })
}

/// Checks one document; an empty result means it is well formed.
pub fn check_document(doc: &Document) -> Vec<Diagnostic> {
    check_node(sop_schema(), &doc.file, &doc.root)
}

/// Checks any node tree against a schema, reporting repeated keys too.
pub fn check_node(schema: &Schema, file: &str, root: &Node) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    duplicate_keys(file, root, &mut out);
    if !matches!(root.value, Value::Map(_)) {
        out.push(
            crate::check::rules::schema::CODE.error(
                file,
                root.span,
                format!(
                    "a sopctl document must be a mapping, but this is {}",
                    root.kind_name()
                ),
            )
            .with_help(
                "start the document with `apiVersion: sopctl/v1`, `kind:`, `metadata:` and `spec:`",
            ),
        );
        return out;
    }
    // Most documents are valid: the boolean check is much cheaper than collecting errors.
    if schema.validator.is_valid(root) {
        return out;
    }
    let keys = KeyIndex::default();
    for err in schema.validator.iter_errors(root) {
        out.extend(map_error(schema, file, root, &keys, &err));
    }
    out
}

fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// A readable path such as `spec.statuses.approved.tasks[0]`.
fn dotted(segs: &[String]) -> String {
    let mut s = String::new();
    for seg in segs {
        if seg.parse::<usize>().is_ok() {
            s.push_str(&format!("[{seg}]"));
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(seg);
        }
    }
    if s.is_empty() {
        "the document".into()
    } else {
        format!("`{s}`")
    }
}

/// The schema object at a keyword location, following `$ref`s on the way.
fn schema_at<'a>(root: &'a J, segs: &[String]) -> Option<&'a J> {
    let mut cur = root;
    for seg in segs {
        cur = follow_ref(root, cur);
        cur = match cur {
            J::Object(m) => m.get(seg)?,
            J::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(follow_ref(root, cur))
}

fn follow_ref<'a>(root: &'a J, mut cur: &'a J) -> &'a J {
    for _ in 0..16 {
        match cur
            .get("$ref")
            .and_then(J::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(ptr) => match root.pointer(ptr) {
                Some(next) => cur = next,
                None => break,
            },
            None => break,
        }
    }
    cur
}

/// The object schema that owns a keyword (the keyword location minus its last segment).
fn owner_schema<'a>(schema: &'a Schema, err: &ValidationError) -> Option<&'a J> {
    let mut segs = segments(err.schema_path().as_str());
    segs.pop();
    schema_at(&schema.json, &segs)
}

fn describe_property(owner: Option<&J>, key: &str) -> Option<String> {
    let prop = owner?.get("properties")?.get(key)?;
    prop.get("description")
        .and_then(J::as_str)
        .map(str::to_string)
}

fn type_name(kind: &TypeKind) -> String {
    let one = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "object" => "a mapping".to_string(),
        "array" => "a list".to_string(),
        "string" => "text".to_string(),
        "boolean" => "true or false".to_string(),
        "integer" => "a whole number".to_string(),
        "number" => "a number".to_string(),
        "null" => "nothing".to_string(),
        other => other.to_string(),
    };
    match kind {
        TypeKind::Single(t) => one(t),
        TypeKind::Multiple(set) => set.iter().map(|t| one(&t)).collect::<Vec<_>>().join(" or "),
    }
}

/// What an identifier in this place is called, by the mapping it is a key of.
fn id_role(parent: Option<&str>) -> &'static str {
    match parent {
        Some("statuses") => "status id",
        Some("fields") | Some("with") | Some("create") | Some("set") | Some("fill") => "field id",
        Some("roles") => "role id",
        _ => "key",
    }
}

/// A valid identifier made from `value`, or a generic one when nothing usable is left.
fn example_id(value: &str, allowed: impl Fn(char) -> bool, fallback: &str) -> String {
    let cleaned: String = value
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '.' { '-' } else { c })
        .filter(|c| allowed(*c))
        .collect();
    match cleaned.chars().next() {
        Some(c) if c.is_ascii_lowercase() => cleaned,
        _ => fallback.to_string(),
    }
}

/// `role:finance` or `field:owner` where a bare id is wanted: the prefix and the id.
fn prefixed_ref(value: &str) -> Option<(&str, &str)> {
    let (prefix, id) = value.split_once(':')?;
    let id_ok = id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    (matches!(prefix, "role" | "field") && id_ok).then_some((prefix, id))
}

fn pattern_help(pattern: &str, value: &str) -> (String, String) {
    match pattern {
        "^[a-z][a-z0-9_-]*$" if prefixed_ref(value).is_some() => {
            let (prefix, id) = prefixed_ref(value).unwrap_or_default();
            (
                format!("`{value}` is not an id: this key already names a {prefix}, so the `{prefix}:` prefix does not belong here"),
                format!("drop the `{prefix}:` prefix: write `{id}`"),
            )
        }
        "^[a-z][a-z0-9_-]*$" => {
            let ex = example_id(value, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_', "sales-delivery");
            (
                format!("`{value}` is not a valid identifier"),
                format!("identifiers start with a lowercase letter and use only a-z, 0-9, `-` and `_`, e.g. `{ex}`; put Chinese names in `title`"),
            )
        }
        "^[a-z][a-z0-9_]*$" => {
            let ex = example_id(&value.replace('-', "_"), |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_', "shipped_at");
            (
                format!("`{value}` is not a valid field id"),
                format!("field ids are used in expressions: a lowercase letter, then a-z, 0-9 and `_` only, e.g. `{ex}`; put Chinese names in `title`"),
            )
        }
        p if p.contains("role:") || p.contains("field:") => (
            format!("`{value}` is not a reference"),
            "write `role:<role-id>` (e.g. `role:warehouse`) or `field:<user field>` (e.g. `field:owner`)".into(),
        ),
        p => (format!("`{value}` does not match the pattern `{p}`"), "change the value to match the pattern".into()),
    }
}

fn map_error<'a>(
    schema: &Schema,
    file: &str,
    root: &'a Node,
    keys: &KeyIndex<'a>,
    err: &ValidationError,
) -> Vec<Diagnostic> {
    let segs = segments(err.instance_path().as_str());
    let Some((key, node)) = keys.at_pointer(root, &segs) else {
        return vec![crate::check::rules::schema::CODE
            .error(file, root.span, err.to_string())
            .with_help("fix the value so that it matches schemas/sop.schema.json")];
    };
    let at = messages::At {
        schema,
        err,
        root,
        node,
        keys,
        at_key: key.map(|k| k.span).unwrap_or(node.span),
        where_: dotted(&segs),
        segs: &segs,
    };
    let found = messages::explain(&at);
    found
        .into_iter()
        .map(|(span, msg, help)| {
            crate::check::rules::schema::CODE
                .error(file, span, msg)
                .with_help(help)
        })
        .collect()
}

fn duplicate_keys(file: &str, root: &Node, out: &mut Vec<Diagnostic>) {
    for dup in crate::load::typo::duplicates(root) {
        let what = match dup.parent {
            Some("roles") => "role",
            Some("statuses") => "status",
            Some("fields") => "field",
            _ => continue,
        };
        out.push(
            crate::check::rules::duplicate_name::CODE
                .error(
                    file,
                    dup.key.span,
                    format!(
                        "{what} `{}` is defined twice in this mapping (first at line {})",
                        dup.text, dup.first.span.start.line
                    ),
                )
                .with_help("remove one of them, or give it another name"),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// Every object of `v` with its JSON pointer.
    fn objects<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
        match v {
            Value::Object(o) => {
                out.push((at.clone(), v));
                for (k, x) in o {
                    objects(x, format!("{at}/{k}"), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    objects(x, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    /// Editors show `markdownDescription`: for every key of the SOP schema it holds the English
    /// `description`, a blank line and the Chinese, as the config schema does.
    #[test]
    fn every_sop_schema_description_is_in_english_and_chinese() {
        let doc: Value = serde_json::from_str(super::SOP_SCHEMA).unwrap();
        let mut all = Vec::new();
        objects(&doc, "#".into(), &mut all);
        let mut described = 0;
        let mut wrong = Vec::new();
        for (at, o) in all {
            let en = o.get("description").and_then(Value::as_str);
            let md = o.get("markdownDescription").and_then(Value::as_str);
            match (en, md) {
                (None, None) => continue,
                (Some(en), Some(md)) => {
                    described += 1;
                    let zh = md.strip_prefix(en).and_then(|r| r.strip_prefix("\n\n"));
                    let chinese = zh
                        .is_some_and(|z| z.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
                    if !chinese {
                        wrong.push(at);
                    }
                }
                _ => wrong.push(at),
            }
        }
        assert!(
            wrong.is_empty(),
            "no English + Chinese markdownDescription at {wrong:?}"
        );
        assert!(described > 150, "{described}");
    }
}
