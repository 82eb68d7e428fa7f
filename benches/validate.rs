//! Validation speed on the 1,000-process project written by `shared/bench/gen_corpus.py`,
//! against a bare YAML event parse of the same files (the goal: within 2× of it).
//!
//! `cargo bench --bench validate` (set `SOPCTL_BENCH_PROCESSES` to change the size).

mod common;

/// The allocator the `sopctl` binary uses, so the figure is the one users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use rayon::prelude::*;

fn files(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root.join("sops"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

fn bench(c: &mut Criterion) {
    let root = common::corpus();
    let paths = files(&root);
    let texts: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    eprintln!(
        "corpus: {} files, {:.1} MiB",
        paths.len(),
        bytes as f64 / 1048576.0
    );

    let mut g = c.benchmark_group("validate-1000");
    g.sample_size(10);
    g.bench_function("bare-event-parse (parallel)", |b| {
        b.iter(|| {
            let n: usize = texts
                .par_iter()
                .map(|t| saphyr_parser::Parser::new_from_str(t).count())
                .sum();
            assert!(n > 0);
        })
    });
    g.bench_function("validate (read+parse+schema+model+check)", |b| {
        b.iter(|| {
            let config = sopctl::config::find(&root, None).unwrap();
            let (found, focus) = sopctl::project::discover(&config, &root, &[]).unwrap();
            let loaded = sopctl::project::load(&config, &found, &focus);
            assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics.first());
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
