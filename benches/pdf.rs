//! Printing speed: `sopctl render --format pdf` of the bench corpus written by
//! `shared/bench/gen_corpus.py`, through the release binary as a user runs it — load,
//! validate, lay out with typst, write.
//!
//! First one run of the whole corpus (1,000 processes: 1,000 process PDFs, a booklet per role
//! and the index; `SOPCTL_BENCH_PROCESSES` changes it) is measured: wall time, peak resident
//! memory (`wait4`), files and bytes written. That run takes minutes, so criterion then
//! times a 100-process corpus (`SOPCTL_BENCH_SAMPLE_PROCESSES`), sample size 10.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_sopctl");

fn command(root: &Path, out: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(root)
        .env("SOPCTL_NO_GIT", "1")
        .args(["render", "--format", "pdf", "-o"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn render(root: &Path, out: &Path) {
    let o = command(root, out)
        .stderr(Stdio::piped())
        .output()
        .expect("sopctl runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// (files, bytes) in the output folder, its subfolders included.
fn written(dir: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let m = e.metadata().unwrap();
        if m.is_dir() {
            let (f, b) = written(&e.path());
            files += f;
            bytes += b;
        } else {
            files += 1;
            bytes += m.len();
        }
    }
    (files, bytes)
}

/// One measured run of the whole corpus, printed.
fn whole_corpus() {
    let n = common::processes(1000);
    let root = common::corpus_of(n);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("pdf");
    let (code, kib, wall) = common::run_measured(command(&root, &out));
    assert_eq!(
        code, 0,
        "render --format pdf of {n} processes exited {code}"
    );
    let (files, bytes) = written(&out);
    eprintln!(
        "pdf-{n}: {:.1} s wall, {:.0} MiB peak resident, {files} PDFs, {:.1} MiB",
        wall.as_secs_f64(),
        kib as f64 / 1024.0,
        bytes as f64 / 1048576.0
    );
}

fn bench(c: &mut Criterion) {
    whole_corpus();
    let n = std::env::var("SOPCTL_BENCH_SAMPLE_PROCESSES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let root = common::corpus_of(n);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("pdf");
    let mut g = c.benchmark_group(format!("pdf-{n}"));
    g.sample_size(10);
    // One run per sample: linear sampling would make 55 runs of a long one.
    g.sampling_mode(SamplingMode::Flat);
    g.warm_up_time(Duration::from_millis(1));
    g.measurement_time(Duration::from_secs(1));
    g.bench_function("render --format pdf", |b| b.iter(|| render(&root, &out)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
