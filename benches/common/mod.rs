//! What the benches share: the synthetic project written by `shared/bench/gen_corpus.py`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The corpus of `SOPCTL_BENCH_PROCESSES` processes (default 1,000) in the temporary folder,
/// written once and reused by later runs. It lies outside any git repository, as a new
/// project does: under `target/` it would be an ignored folder of this repository, whose
/// git status `stale-review` would look up file by file.
#[allow(dead_code)]
pub fn corpus() -> PathBuf {
    corpus_of(processes(1000))
}

/// `SOPCTL_BENCH_PROCESSES`, else `default`.
#[allow(dead_code)]
pub fn processes(default: usize) -> usize {
    std::env::var("SOPCTL_BENCH_PROCESSES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The corpus of `n` processes (see [`corpus`]).
#[allow(dead_code)] // each bench compiles this module on its own; not all call every function
pub fn corpus_of(n: usize) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("sopctl-bench-corpus-{n}"));
    if !out.join("sops").join("roles.yaml").exists() {
        let script = manifest.join("../shared/bench/gen_corpus.py");
        let status = Command::new("python3")
            .arg(&script)
            .arg(&out)
            .args(["--processes", &n.to_string()])
            .status()
            .expect("python3 runs gen_corpus.py");
        assert!(status.success(), "gen_corpus.py failed");
    }
    out
}

/// Runs the command once; returns its exit code, peak resident memory in KiB (the child's
/// `ru_maxrss`, read with `wait4`) and wall time.
#[allow(dead_code)]
pub fn run_measured(mut c: Command) -> (i32, i64, std::time::Duration) {
    let start = std::time::Instant::now();
    let child = c.spawn().expect("the sopctl binary starts");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data that wait4 fills; the child is ours and not waited
    // for elsewhere (`child` is dropped without `wait`).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(got, pid, "wait4 on the sopctl child");
    drop(child);
    (libc::WEXITSTATUS(status), usage.ru_maxrss, start.elapsed())
}
