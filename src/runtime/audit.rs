//! What an audit row keeps of an action: the request with every long text cut, and the
//! fields it changed with their new values (cut the same way). A record's history is read by
//! people and tools; a 2 MB field set forty times must not make it 80 MB.

use serde_json::{json, Map, Value};

use crate::engine::Record;

/// The longest text kept in an audit row, in bytes.
pub const MAX_TEXT: usize = 4096;

/// `v` with every string longer than [`MAX_TEXT`] cut at a character boundary and marked.
pub fn bounded(v: &Value) -> Value {
    match v {
        Value::String(s) if s.len() > MAX_TEXT => {
            let mut end = MAX_TEXT;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            Value::String(format!("{}…(cut, {} bytes)", &s[..end], s.len()))
        }
        Value::Array(a) => Value::Array(a.iter().map(bounded).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), bounded(v))).collect()),
        other => other.clone(),
    }
}

/// Field id → new value (null when cleared) for the fields that differ.
pub fn changed(before: Option<&Record>, after: Option<&Record>) -> Value {
    let mut out = Map::new();
    let Some(after) = after else {
        return Value::Object(out);
    };
    let empty = Default::default();
    let old = before.map_or(&empty, |b| &b.fields);
    for (k, v) in &after.fields {
        if old.get(k) != Some(v) {
            out.insert(k.clone(), bounded(v));
        }
    }
    for k in old.keys().filter(|k| !after.fields.contains_key(*k)) {
        out.insert(k.clone(), Value::Null);
    }
    Value::Object(out)
}

/// The detail of an action's audit row.
pub fn detail(
    request: &Value,
    before: Option<&Record>,
    after: Option<&Record>,
    events: &[Value],
) -> Value {
    json!({"request": bounded(request), "changed": changed(before, after), "events": bounded(&Value::Array(events.to_vec()))})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_and_say_how_long_they_were() {
        let big = "中".repeat(3000);
        let v = bounded(&json!({"set": {"note": big, "n": 1}}));
        let s = v["set"]["note"].as_str().unwrap();
        assert!(
            s.len() < MAX_TEXT + 40 && s.ends_with("(cut, 9000 bytes)"),
            "{s}"
        );
        assert_eq!(v["set"]["n"], 1);
    }
}
