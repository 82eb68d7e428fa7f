//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the same entry points
//! the cargo-fuzz targets call, so every input the fuzzers found interesting stays a regression
//! test in every `cargo test`, without a nightly toolchain.

mod common;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = common::repo_root().join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

fn shipped(root: &Path, names: &[&str]) -> Vec<(String, Vec<u8>)> {
    names
        .iter()
        .map(|n| (n.to_string(), std::fs::read(root.join(n)).unwrap()))
        .collect()
}

#[test]
fn load_check_corpus() {
    let root = common::repo_root();
    let others = shipped(&root, &["sops/roles.yaml"]);
    let mut clean = 0;
    for f in corpus("load_check") {
        let bytes = std::fs::read(&f).unwrap();
        sopctl::harness::load_check(&root, &others, &bytes);
        clean += usize::from(sopctl::harness::compiles(&root, &others, &bytes));
    }
    // The seeds are the shipped processes: most must get through to the compiler, or the
    // fuzzer would only ever exercise the loader.
    assert!(clean >= 5, "only {clean} seeds compile");
}

#[test]
fn scenario_corpus() {
    let root = common::repo_root();
    let others = shipped(&root, &["sops/roles.yaml", "sops/销售/销售发货.yaml"]);
    let mut ran = 0;
    for f in corpus("scenario") {
        ran += usize::from(sopctl::harness::scenario(
            &root,
            &others,
            &std::fs::read(&f).unwrap(),
        ));
    }
    // The 销售发货 scenarios at least reach the engine.
    assert!(ran >= 1, "no seed scenario ran");
}

#[test]
fn expr_corpus() {
    for f in corpus("expr") {
        sopctl::harness::expr(&std::fs::read(&f).unwrap());
    }
}

#[test]
fn due_duration_corpus() {
    for f in corpus("due_duration") {
        sopctl::harness::due_duration(&std::fs::read(&f).unwrap());
    }
}

/// The fuzz targets' files name only entry points that exist (a renamed harness function
/// would otherwise break the fuzz build silently, as it is outside `cargo test`).
#[test]
fn fuzz_targets_call_the_harness() {
    let root = common::repo_root();
    for t in ["load_check", "scenario", "expr", "due_duration"] {
        let src = std::fs::read_to_string(root.join(format!("fuzz/fuzz_targets/{t}.rs"))).unwrap();
        assert!(src.contains(&format!("sopctl::harness::{t}(")), "{t}");
        let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap();
        assert!(
            manifest.contains(&format!("path = \"fuzz_targets/{t}.rs\"")),
            "{t}"
        );
    }
}
