//! Property test: the shipped SOPs, broken at random (lines deleted, doubled or swapped,
//! random bytes put in, the text cut short), never make the pipeline panic, and every error
//! it reports has a place. Runs in-process so that hundreds of cases take seconds;
//! `PROPTEST_CASES=5000 cargo test --test mutations` runs longer.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sopctl::diagnostic::Severity;
use sopctl::report::{self, Format, ReportOptions};

/// (project-relative path, bytes) of every shipped SOP file.
fn shipped() -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|e| e == "yaml") {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let root = common::repo_root();
    let mut out = Vec::new();
    walk(&root.join("sops"), &root, &mut out);
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let bytes = prop::collection::vec(
        prop_oneof![
            any::<u8>(),
            prop::sample::select(b": -[]{}'\"\t\n#&*!|>%@`\\,".to_vec()),
        ],
        1..12,
    );
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<usize>(), bytes).prop_map(|(at, b)| Mutation::Insert(at, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &[u8], m: &Mutation) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let n = lines.len().max(1);
    match m {
        Mutation::Delete(i) => {
            lines.remove(i % n);
        }
        Mutation::Duplicate(i) => {
            let l = lines[i % n].clone();
            lines.insert(i % n, l);
        }
        Mutation::Swap(a, b) => lines.swap(a % n, b % n),
        Mutation::Insert(at, bytes) => {
            let mut t = text.to_vec();
            let at = at % (t.len() + 1);
            t.splice(at..at, bytes.iter().copied());
            return t;
        }
        Mutation::Truncate(at) => return text[..at % (text.len() + 1)].to_vec(),
    }
    lines.join(&b'\n')
}

fn check(files: Vec<(String, Vec<u8>)>) {
    let root = common::repo_root();
    let config = sopctl::config::defaults(&root);
    let loaded = sopctl::project::load_sources(&config, files);
    let mut diags = loaded.diagnostics.clone();
    if let Ok(lint) = sopctl::lint::config::LintConfig::from_config(&config) {
        diags.extend(sopctl::lint::run(&loaded, &lint, 1_767_000_000));
    }
    for d in &diags {
        if d.severity == Severity::Error {
            assert!(d.line() >= 1 && d.column() >= 1, "no place: {d:?}");
        }
        assert!(
            !d.message.is_empty() && d.help.as_deref().is_some_and(|h| !h.is_empty()),
            "{d:?}"
        );
    }
    for format in Format::ALL {
        let out = report::render(format, &diags, &loaded.sources, &ReportOptions::new("test"));
        assert!(out.is_empty() || out.ends_with('\n'));
    }
    if !loaded.has_errors() {
        if let Ok(bundle) = sopctl::bundle::compile::compile(&loaded.project, &root) {
            let _ = sopctl::scenario::runner::run_all(&bundle, &loaded.documents, &|_| true);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96),
        ..ProptestConfig::default()
    })]

    #[test]
    fn broken_sops_never_panic(file in any::<prop::sample::Index>(), ms in prop::collection::vec(mutation(), 1..4)) {
        let mut files = shipped();
        let i = file.index(files.len());
        let mut text = files[i].1.clone();
        for m in &ms {
            text = apply(&text, m);
        }
        files[i].1 = text;
        check(files);
    }
}

#[test]
fn the_shipped_sops_load_clean() {
    let files = shipped();
    let names: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.len() > 10);
    check(files);
}
