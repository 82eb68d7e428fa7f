//! Looking items up by id. Most lists are short and a scan is cheapest; a project may hold
//! tens of thousands of roles or statuses, where a scan per reference made checking
//! quadratic, so long lists get a hash index, built on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Lists up to this long are scanned.
const SCAN_LIMIT: usize = 16;

/// An index from id to position, built once for the list it was first used with.
#[derive(Debug, Clone, Default)]
pub struct IdIndex(OnceLock<(usize, HashMap<String, usize>)>);

/// An index is a cache, not part of the value.
impl PartialEq for IdIndex {
    fn eq(&self, _: &IdIndex) -> bool {
        true
    }
}

impl IdIndex {
    /// The first item of `items` whose `id` is `wanted`.
    pub fn find<'a, T>(&self, items: &'a [T], wanted: &str, id: fn(&T) -> &str) -> Option<&'a T> {
        if items.len() <= SCAN_LIMIT {
            return items.iter().find(|x| id(x) == wanted);
        }
        let (len, index) = self.0.get_or_init(|| {
            let mut index = HashMap::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                index.entry(id(x).to_string()).or_insert(i);
            }
            (items.len(), index)
        });
        if *len != items.len() {
            // The list grew after the index was built: the scan is still right.
            return items.iter().find(|x| id(x) == wanted);
        }
        items.get(*index.get(wanted)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_as_a_scan_does() {
        let items: Vec<(String, usize)> = (0..100).map(|i| (format!("s{}", i % 60), i)).collect();
        let index = IdIndex::default();
        for i in 0..70 {
            let wanted = format!("s{i}");
            assert_eq!(
                index.find(&items, &wanted, |x| &x.0),
                items.iter().find(|x| x.0 == wanted)
            );
        }
        let mut grown = items.clone();
        grown.push(("new".into(), 0));
        assert_eq!(index.find(&grown, "new", |x| &x.0).map(|x| x.1), Some(0));
    }
}
