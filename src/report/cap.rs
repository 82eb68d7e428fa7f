//! How many findings are printed: a file with thousands of problems (a generated file, a
//! wrong paste) would bury the useful ones and take long to print, so at most
//! [`PER_FILE`] per file and [`PER_RUN`] in all are shown, and the rest are counted.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{Diagnostic, Severity};

pub const PER_FILE: usize = 200;
pub const PER_RUN: usize = 1000;

/// The findings left out, by severity and by file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Omitted {
    pub errors: usize,
    pub warnings: usize,
    pub by_file: BTreeMap<String, usize>,
}

impl Omitted {
    pub fn total(&self) -> usize {
        self.errors + self.warnings
    }
}

/// The findings to print, in their order, and what was left out.
pub fn cap(diags: &[Diagnostic]) -> (Cow<'_, [Diagnostic]>, Omitted) {
    if diags.len() <= PER_FILE {
        return (Cow::Borrowed(diags), Omitted::default());
    }
    let mut per_file: HashMap<&str, usize> = HashMap::new();
    let mut shown = Vec::new();
    let mut omitted = Omitted::default();
    for d in diags {
        let n = per_file.entry(&d.file).or_default();
        *n += 1;
        if *n <= PER_FILE && shown.len() < PER_RUN {
            shown.push(d.clone());
            continue;
        }
        match d.severity {
            Severity::Error => omitted.errors += 1,
            Severity::Warning => omitted.warnings += 1,
        }
        *omitted.by_file.entry(d.file.clone()).or_default() += 1;
    }
    if omitted.total() == 0 {
        return (Cow::Borrowed(diags), omitted);
    }
    (Cow::Owned(shown), omitted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Span;

    fn many(file: &str, n: usize) -> Vec<Diagnostic> {
        (0..n)
            .map(|i| Diagnostic::error("schema", file, Span::default(), format!("m{i}")))
            .collect()
    }

    #[test]
    fn caps_per_file_and_per_run() {
        let few = many("a.yaml", 150);
        let (shown, omitted) = cap(&few);
        assert_eq!((shown.len(), omitted.total()), (150, 0));
        let mut all = many("a.yaml", 250);
        all.extend(many("b.yaml", 10));
        let (shown, omitted) = cap(&all);
        assert_eq!(shown.len(), 210);
        assert_eq!(omitted.errors, 50);
        assert_eq!(omitted.by_file["a.yaml"], 50);
        let all: Vec<Diagnostic> = (0..8)
            .flat_map(|i| many(&format!("{i}.yaml"), 150))
            .collect();
        let (shown, omitted) = cap(&all);
        assert_eq!((shown.len(), omitted.total()), (PER_RUN, 200));
    }
}
