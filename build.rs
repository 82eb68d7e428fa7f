//! Records the git commit sopctl is built from, for `sopctl --version` and the files `sopctl
//! init` writes. `SOPCTL_BUILD_COMMIT` overrides it (for packagers building from a tarball);
//! outside a git work tree it is `unknown`.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-env-changed=SOPCTL_BUILD_COMMIT");
    let (short, full) = match std::env::var("SOPCTL_BUILD_COMMIT") {
        Ok(c) if !c.trim().is_empty() => {
            let c = c.trim().to_string();
            (c.chars().take(7).collect(), c)
        }
        _ => from_git().unwrap_or_else(|| ("unknown".into(), "unknown".into())),
    };
    println!("cargo:rustc-env=SOPCTL_GIT_COMMIT={short}");
    println!("cargo:rustc-env=SOPCTL_GIT_COMMIT_FULL={full}");
}

/// The commit of the work tree this crate is the top of (not of some repository that merely
/// contains an unpacked copy of it), and the files that change when it moves.
fn from_git() -> Option<(String, String)> {
    // An unpacked crate inside another repository is not that repository's commit.
    if git(&["rev-parse", "--show-prefix"]).is_some() {
        return None;
    }
    let full = git(&["rev-parse", "HEAD"])?;
    let short = git(&["rev-parse", "--short", "HEAD"])?;
    // HEAD, the branch it points to (a loose ref, else packed-refs). Only existing files: a
    // missing one would make cargo rerun this script, and rebuild sopctl, every time.
    let mut watch = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch.push(git(&["rev-parse", "--git-path", &r]));
    }
    watch.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    for p in watch.into_iter().flatten() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(p);
        if p.is_file() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    }
    Some((short, full))
}
