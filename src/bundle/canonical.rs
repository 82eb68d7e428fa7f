//! Canonical JSON, and the bundle hash defined on it.
//!
//! Canonical JSON of a value:
//! - objects: keys sorted by their UTF-8 bytes (the same as Unicode code point order), written
//!   `{"key":value,…}`;
//! - arrays: in order, `[a,b,…]`;
//! - no whitespace outside strings;
//! - strings: UTF-8, with only `"` `\` and control characters escaped (`\"` `\\` `\b` `\f`
//!   `\n` `\r` `\t`, others `\u00XX` in lowercase hex), exactly as `serde_json` writes them;
//! - numbers: a whole number of magnitude below 2^53 as an integer (`3`, never `3.0` or
//!   `3e0`), any integer as its decimal digits, other numbers in the shortest form that reads
//!   back to the same `f64` (as `serde_json` writes them);
//! - `true`, `false`, `null`.
//!
//! The bundle hash is `"sha256:"` followed by the lowercase hex SHA-256 of the canonical JSON
//! of the object `{"processes":[…],"roles":[…]}`, i.e. the bundle's `roles` and `processes`
//! and nothing else: not `format`, not `hash`, not `source`.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Process, Role};

/// Largest magnitude below which every whole `f64` is an exact integer.
const EXACT_INT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// The canonical JSON text of any value.
pub fn to_string(v: &Value) -> String {
    let mut out = String::new();
    write(v, &mut out);
    out
}

/// The canonical JSON of a serializable value.
pub fn of<T: Serialize>(v: &T) -> String {
    to_string(&serde_json::to_value(v).expect("bundle values always serialize"))
}

fn write(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => out.push_str(&serde_json::to_string(s).expect("strings serialize")),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("strings serialize"));
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

fn number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < EXACT_INT_LIMIT => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

/// The same value with every object's keys sorted and every whole number as an integer, so
/// that even the pretty-printed file does not depend on how the source wrote it.
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < EXACT_INT_LIMIT => Value::from(f as i64),
            _ => v.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), normalize(v)))
                    .collect(),
            )
        }
        _ => v.clone(),
    }
}

/// `"sha256:<hex>"` of any bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The text the bundle hash covers: the canonical JSON of `{"processes":…,"roles":…}`.
/// (Built from the canonical JSON of each process, in parallel: the same text.)
pub fn hashed_text(roles: &[Role], processes: &[Process]) -> String {
    let parts: Vec<String> = processes.par_iter().map(of).collect();
    let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum::<usize>() + 64);
    out.push_str("{\"processes\":[");
    out.push_str(&parts.join(","));
    out.push_str("],\"roles\":");
    out.push_str(&of(&roles));
    out.push('}');
    out
}

/// The bundle hash: `"sha256:"` + hex SHA-256 of [`hashed_text`].
pub fn hash(roles: &[Role], processes: &[Process]) -> String {
    format!(
        "sha256:{}",
        sha256_hex(hashed_text(roles, processes).as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn sorts_keys_at_every_level_and_drops_whitespace() {
        let v =
            parse(r#"{ "b": 1, "a": { "z": [ 3, { "y": 1, "x": 2 } ], "m": null }, "A": true }"#);
        assert_eq!(
            to_string(&v),
            r#"{"A":true,"a":{"m":null,"z":[3,{"x":2,"y":1}]},"b":1}"#
        );
    }

    #[test]
    fn orders_keys_by_code_point() {
        let v = json!({"é": 1, "z": 2, "销售": 3, "Z": 4, "_": 5, "a_b": 6, "a-b": 7});
        assert_eq!(
            to_string(&v),
            r#"{"Z":4,"_":5,"a-b":7,"a_b":6,"z":2,"é":1,"销售":3}"#
        );
    }

    #[test]
    fn writes_whole_numbers_as_integers() {
        let v = parse(r#"[3, 3.0, -0.0, 1e3, 2.5, -7, 18446744073709551615, 0.1, 1e300]"#);
        assert_eq!(
            to_string(&v),
            "[3,3,0,1000,2.5,-7,18446744073709551615,0.1,1e+300]"
        );
    }

    #[test]
    fn escapes_only_what_json_requires() {
        let v = json!(["a\"b\\c\n\t\u{1}", "发货 ✓", "/"]);
        assert_eq!(to_string(&v), r#"["a\"b\\c\n\t\u0001","发货 ✓","/"]"#);
    }

    #[test]
    fn normalize_sorts_and_makes_integers() {
        let v = parse(r#"{"b": [1.0, {"d": 2, "c": 0.5}], "a": -0.0}"#);
        let n = normalize(&v);
        assert_eq!(
            serde_json::to_string(&n).unwrap(),
            r#"{"a":0,"b":[1,{"c":0.5,"d":2}]}"#
        );
        assert_eq!(to_string(&n), to_string(&v));
    }

    #[test]
    fn hash_covers_roles_and_processes_only() {
        let roles = vec![Role {
            id: "sales".into(),
            title: "销售".into(),
            description: None,
            bot: false,
            external: false,
        }];
        assert_eq!(
            hashed_text(&roles, &[]),
            r#"{"processes":[],"roles":[{"bot":false,"description":null,"external":false,"id":"sales","title":"销售"}]}"#
        );
        #[derive(Serialize)]
        struct Hashed<'a> {
            processes: &'a [Process],
            roles: &'a [Role],
        }
        assert_eq!(
            hashed_text(&roles, &[]),
            of(&Hashed {
                processes: &[],
                roles: &roles
            })
        );
        let h = hash(&roles, &[]);
        assert_eq!(
            h,
            format!("sha256:{}", sha256_hex(hashed_text(&roles, &[]).as_bytes()))
        );
        assert_eq!(h.len(), "sha256:".len() + 64);
        assert_ne!(h, hash(&[], &[]));
        // The SHA-256 of the empty string, as a check of the hex encoding.
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
