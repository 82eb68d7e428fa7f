//! Helpers shared by the integration tests: they run the real `sopctl` binary as users do.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

pub fn sopctl() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("sopctl").expect("binary is built");
    cmd.env_remove("NO_COLOR").env("SOPCTL_TEST", "1");
    cmd
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo_root().join("tests").join("fixtures")
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    sopctl()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("sopctl runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `validate --format json` and returns the parsed report.
pub fn validate_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["validate", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run_in(dir, &args);
    let code = out.status.code().unwrap_or(-1);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\nstderr: {}",
            stdout(&out),
            stderr(&out)
        )
    });
    (code, json)
}

/// (code, file, line, column) of every diagnostic of a JSON report, sorted.
pub fn findings(json: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    let mut v: Vec<_> = json["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Reads `# expect: CODE@WHERE` annotations from every file of a fixture project. WHERE is a
/// column number, or a token whose first occurrence on that line gives the column.
pub fn expectations(dir: &Path) -> Vec<(String, String, u64, u64)> {
    let mut out = Vec::new();
    let mut files = Vec::new();
    collect(dir, &mut files);
    for f in files {
        let rel = f
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            let Some(at) = line.find("# expect: ") else {
                continue;
            };
            let spec = line[at + "# expect: ".len()..].trim();
            let (code, place) = spec.split_once('@').expect("CODE@WHERE");
            let column = match place.parse::<u64>() {
                Ok(c) => c,
                Err(_) => {
                    let byte = line[..at].find(place).unwrap_or_else(|| {
                        panic!("{rel}:{}: token `{place}` not on the line", i + 1)
                    });
                    line[..byte].chars().count() as u64 + 1
                }
            };
            out.push((code.to_string(), rel.clone(), i as u64 + 1, column));
        }
    }
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}
