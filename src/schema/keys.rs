//! Finding the nodes that schema errors point at. A document may hold one mapping with tens
//! of thousands of keys (roles, statuses); looking each error's key up by a scan would make
//! many errors in one mapping quadratic, so large mappings are indexed once, on first use.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use crate::load::{Node, Value};

/// Mappings up to this size are scanned: cheaper than hashing.
const SCAN_LIMIT: usize = 32;

#[derive(Default)]
pub(super) struct KeyIndex<'a> {
    /// For each large mapping (by address): key → index of its first pair.
    maps: RefCell<HashMap<usize, HashMap<Cow<'a, str>, usize>>>,
}

impl<'a> KeyIndex<'a> {
    /// The key node and value node under `key` in `map` (the first, if repeated).
    pub(super) fn entry(&self, map: &'a Node, key: &str) -> Option<(&'a Node, &'a Node)> {
        let Value::Map(pairs) = &map.value else {
            return None;
        };
        if pairs.len() <= SCAN_LIMIT {
            return map.entry(key);
        }
        let mut maps = self.maps.borrow_mut();
        let index = maps
            .entry(std::ptr::from_ref(map) as usize)
            .or_insert_with(|| {
                let mut index = HashMap::with_capacity(pairs.len());
                for (i, (k, _)) in pairs.iter().enumerate() {
                    index.entry(key_text(k)).or_insert(i);
                }
                index
            });
        let (k, v) = pairs.get(*index.get(key)?)?;
        Some((k, v))
    }

    /// The node at a JSON pointer's segments, with the key node it sits under (if any).
    pub(super) fn at_pointer(
        &self,
        root: &'a Node,
        segments: &[String],
    ) -> Option<(Option<&'a Node>, &'a Node)> {
        let mut node = root;
        let mut key = None;
        for seg in segments {
            match &node.value {
                Value::Map(_) => {
                    let (k, v) = self.entry(node, seg)?;
                    key = Some(k);
                    node = v;
                }
                Value::Seq(items) => {
                    key = None;
                    node = items.get(seg.parse::<usize>().ok()?)?;
                }
                _ => return None,
            }
        }
        Some((key, node))
    }
}

fn key_text(k: &Node) -> Cow<'_, str> {
    match k.as_str() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(k.key_text().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_and_small_mappings_agree_with_a_scan() {
        for n in [3, 100] {
            let text: String = (0..n).map(|i| format!("k{i}: {i}\n")).collect();
            let docs = crate::load::yaml::parse_documents(&format!("{text}k1: dup\n")).unwrap();
            let root = &docs[0].root;
            let keys = KeyIndex::default();
            for i in 0..n {
                let name = format!("k{i}");
                assert_eq!(
                    keys.entry(root, &name).map(|(k, _)| k.span),
                    root.entry(&name).map(|(k, _)| k.span)
                );
            }
            assert!(keys.entry(root, "nope").is_none());
            let (k, v) = keys.at_pointer(root, &["k1".into()]).unwrap();
            assert_eq!(k.unwrap().span.start.line, 2);
            assert!(matches!(v.value, Value::Int(1)));
        }
    }
}
