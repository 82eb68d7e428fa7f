//! The data a print template reads from `data.json`: the same views the Markdown and HTML
//! pages are made from (`context`), with each Markdown text also given as a block tree
//! (`guide_doc`, `purpose_doc`, …) and the HTML-only values left out.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

use super::markdown;

/// Keys holding Markdown: each gets a `<key>_doc` sibling with the block tree.
const MARKDOWN_KEYS: &[&str] = &["guide", "purpose", "scope", "markdown"];
/// Keys only HTML pages use.
const HTML_KEYS: &[&str] = &[
    "guide_html",
    "purpose_html",
    "scope_html",
    "html",
    "mermaid",
];
/// Keys whose text is drawn by sopctl (SVG, QR codes), not typeset from fonts.
const DRAWN_KEYS: &[&str] = &["svg", "qr"];

/// A view as template data.
pub fn of(view: &impl Serialize) -> Value {
    let mut v = serde_json::to_value(view).unwrap_or(Value::Null);
    prepare(&mut v);
    v
}

fn prepare(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for k in HTML_KEYS {
                map.remove(*k);
            }
            let docs: Vec<(String, Value)> = MARKDOWN_KEYS
                .iter()
                .filter_map(|k| {
                    let text = map.get(*k)?.as_str()?;
                    Some((format!("{k}_doc"), markdown::doc(text)))
                })
                .collect();
            for child in map.values_mut() {
                prepare(child);
            }
            map.extend(docs);
        }
        Value::Array(items) => items.iter_mut().for_each(prepare),
        _ => {}
    }
}

/// Builds the object of one document from named parts.
pub fn document(parts: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in parts {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

/// Every character a document typesets (for the font check): all strings but the drawn
/// ones, whose text the diagram's own fonts show (its titles are in the data as well).
pub fn chars(v: &Value, out: &mut BTreeSet<char>) {
    match v {
        Value::String(s) => out.extend(s.chars()),
        Value::Array(items) => items.iter().for_each(|x| chars(x, out)),
        Value::Object(map) => {
            for (k, x) in map {
                if !DRAWN_KEYS.contains(&k.as_str()) {
                    chars(x, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn markdown_gets_a_tree_and_html_goes() {
        let mut v = json!({"tasks": [{"guide": "**a**", "guide_html": "<b>a</b>", "title": "x"}]});
        prepare(&mut v);
        let t = &v["tasks"][0];
        assert!(t.get("guide_html").is_none());
        assert_eq!(t["guide"], "**a**");
        assert_eq!(t["guide_doc"][0]["c"][0]["k"], "b");
    }

    #[test]
    fn drawn_text_is_not_checked() {
        let mut s = BTreeSet::new();
        chars(&json!({"title": "发货", "svg": "<svg>ぁ</svg>"}), &mut s);
        assert!(s.contains(&'发') && !s.contains(&'ぁ'));
    }
}
