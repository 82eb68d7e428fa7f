//! The commands an author and CI run, on the 1,000-process corpus written by
//! `shared/bench/gen_corpus.py`, run as users run them: the release binary in a child process.
//! For each command it prints the peak resident memory of one run (the child's `ru_maxrss`,
//! read with `wait4`) beside the corpus size, then criterion times it.
//!
//! The corpus holds no scenarios, so `sopctl test` is not among them.
//!
//! `cargo bench --bench pipeline` (set `SOPCTL_BENCH_PROCESSES` to change the size). The
//! in-process validate figure and its parse floor are in `benches/validate.rs`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use criterion::{criterion_group, criterion_main, Criterion};

/// Each command, as typed after `sopctl`, with `{out}` standing for a fresh output folder.
const COMMANDS: &[(&str, &[&str])] = &[
    ("validate", &["validate", "--format", "json"]),
    ("lint", &["lint", "--format", "json"]),
    (
        "render markdown",
        &["render", "--format", "markdown", "-o", "{out}"],
    ),
    (
        "render html",
        &["render", "--format", "html", "-o", "{out}"],
    ),
    ("build", &["build", "-o", "{out}"]),
];

fn command(root: &Path, out: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sopctl"));
    c.current_dir(root)
        .args(
            args.iter()
                .map(|a| a.replace("{out}", &out.to_string_lossy())),
        )
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn corpus_bytes(root: &Path) -> u64 {
    std::fs::read_dir(root.join("sops"))
        .unwrap()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let root = common::corpus();
    let bytes = corpus_bytes(&root);
    let out = tempfile::tempdir().unwrap();
    eprintln!("corpus: {:.1} MiB of YAML", bytes as f64 / 1048576.0);
    for (name, args) in COMMANDS {
        let (code, kib, _) = common::run_measured(command(&root, out.path(), args));
        // validate, test and build succeed on the corpus; lint may report warnings (exit 1).
        assert!(
            code == 0 || (*name == "lint" && code == 1),
            "{name} exited {code}"
        );
        eprintln!(
            "peak memory: {name:<16} {:>7.1} MiB ({:.1}x the corpus)",
            kib as f64 / 1024.0,
            (kib * 1024) as f64 / bytes as f64
        );
    }
    let mut g = c.benchmark_group("pipeline-1000");
    g.sample_size(10);
    for (name, args) in COMMANDS {
        g.bench_function(*name, |b| {
            b.iter(|| {
                let status = command(&root, out.path(), args).status().unwrap();
                assert!(status.code().is_some());
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
