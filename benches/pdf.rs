//! Printing speed: `sopctl render --format pdf` of a subset of the bench corpus written by
//! `shared/bench/gen_corpus.py` (100 of its processes by default: 100 process PDFs, a booklet
//! per role and the index), through the release binary as a user runs it — load, validate,
//! lay out with typst, write. The whole corpus (1,000 processes) takes minutes a run, so it
//! is opt-in: `SOPCTL_BENCH_PROCESSES=1000 cargo bench --bench pdf`.
//!
//! A run takes tens of seconds, so the sample is criterion's smallest (10).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_sopctl");

fn render(root: &Path, out: &Path) {
    let o = Command::new(BIN)
        .current_dir(root)
        .env("SOPCTL_NO_GIT", "1")
        .args(["render", "--format", "pdf", "-o"])
        .arg(out)
        .output()
        .expect("sopctl runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn bench(c: &mut Criterion) {
    let n = common::processes(100);
    let root = common::corpus_of(n);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("pdf");
    render(&root, &out);
    let files = std::fs::read_dir(&out).unwrap().count();
    let bytes: u64 = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    eprintln!(
        "corpus: {n} processes → {files} files in the output folder, {:.1} MiB of PDF",
        bytes as f64 / 1048576.0
    );
    let mut g = c.benchmark_group(format!("pdf-{n}"));
    g.sample_size(10);
    // One run per sample: linear sampling would make 55 runs of a long one.
    g.sampling_mode(SamplingMode::Flat);
    g.warm_up_time(Duration::from_millis(1));
    g.measurement_time(Duration::from_secs(1));
    g.bench_function("render --format pdf (whole corpus)", |b| {
        b.iter(|| render(&root, &out))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
