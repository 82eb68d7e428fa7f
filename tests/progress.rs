//! Progress bars show on a terminal and nowhere else.

mod common;

use common::*;

#[test]
fn render_shows_a_progress_bar_only_on_a_terminal() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().to_str().unwrap();
    // Not a terminal: the one-line summary only.
    let plain = run_in(&repo_root(), &["render", "-o", out]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert!(
        !stderr(&plain).contains("rendering ["),
        "{}",
        stderr(&plain)
    );
    // A terminal, through `script` (util-linux), which gives the command a pty.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").is_err(),
            "`script` is needed for this test in CI"
        );
        eprintln!("skipped: `script` is not installed");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("sopctl");
    let cmd = format!("{} render -o {out}", bin.display());
    let tty = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(repo_root())
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert_eq!(tty.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&tty.stdout).contains("rendering ["),
        "{}",
        String::from_utf8_lossy(&tty.stdout)
    );
}

#[test]
fn apply_shows_an_upload_bar_only_on_a_terminal() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").is_err(),
            "`script` is needed for this test in CI"
        );
        eprintln!("skipped: `script` is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("SOPCTL_ADMIN_TOKEN", "adm"),
        ("SOPCTL_USER_TOKENS", "t=u:r"),
    ];
    let bin = assert_cmd::cargo::cargo_bin("sopctl");
    let apply = |db: &str| {
        let s = serve(&dir.path().join(db), &env);
        let cmd = format!("{} apply --server http://{}", bin.display(), s.addr);
        std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(repo_root())
            .env("SOPCTL_TOKEN", "adm")
            .output()
            .unwrap()
    };
    let tty = apply("a.db");
    let shown = String::from_utf8_lossy(&tty.stdout);
    assert_eq!(tty.status.code(), Some(0), "{shown}");
    assert!(shown.contains("uploading"), "{shown}");
    // Not a terminal: no bar.
    let s = serve(&dir.path().join("b.db"), &env);
    let plain = sopctl()
        .args(["apply", "--server", &format!("http://{}", s.addr)])
        .current_dir(repo_root())
        .env("SOPCTL_TOKEN", "adm")
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert!(!stderr(&plain).contains("uploading"), "{}", stderr(&plain));
}
