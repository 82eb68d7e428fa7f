//! Every validation code fires at the exact file, line and column its fixture names with
//! `# expect: CODE@WHERE`, and nothing else fires. Fixtures without annotations are clean.

mod common;

use common::*;

#[test]
fn every_fixture_reports_exactly_what_it_expects() {
    let root = fixtures().join("validate");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    assert!(cases.len() > 30, "fixtures are present");
    let mut failures = Vec::new();
    for case in &cases {
        let expected = expectations(case);
        let (code, json) = validate_json(case, &[]);
        let actual = findings(&json);
        let want_exit = if expected.is_empty() { 0 } else { 1 };
        if actual != expected || code != want_exit {
            failures.push(format!(
                "{}: exit {code} (want {want_exit})\n  expected: {expected:?}\n  actual:   {actual:?}\n  report: {json}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_validation_code_has_a_fixture() {
    let root = fixtures().join("validate");
    let mut seen = std::collections::BTreeSet::new();
    for case in std::fs::read_dir(&root).unwrap().flatten() {
        for (code, ..) in expectations(&case.path()) {
            seen.insert(code);
        }
    }
    let missing: Vec<_> = sopctl::codes::validation()
        .map(|c| c.code)
        .filter(|c| !seen.contains(*c))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}
