//! Shell completions, man pages and `--version`.

mod common;

use common::*;

/// Every subcommand, as the CLI declares it, so these tests follow new commands.
fn subcommands() -> Vec<String> {
    use clap::CommandFactory;
    sopctl::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

/// `token-create` and the like: one man page each, too.
fn nested_subcommands() -> Vec<String> {
    use clap::CommandFactory;
    let cli = sopctl::cli::Cli::command();
    let mut out = vec![];
    for c in cli.get_subcommands() {
        for sub in c.get_subcommands() {
            out.push(format!("{}-{}", c.get_name(), sub.get_name()));
        }
    }
    out
}

#[test]
fn completions_for_bash_zsh_and_fish_name_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run_in(&repo_root(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(!script.trim().is_empty(), "{shell}");
        for cmd in subcommands() {
            assert!(script.contains(&cmd), "{shell} completes {cmd}");
        }
        assert!(script.contains("format"), "{shell} completes --format");
    }
}

#[test]
fn completions_for_elvish_and_powershell() {
    for shell in ["elvish", "powershell"] {
        let out = run_in(&repo_root(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(stdout(&out).contains("validate"), "{shell}");
    }
}

#[test]
fn bash_completion_script_is_valid_bash() {
    let out = run_in(&repo_root(), &["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sopctl.bash");
    std::fs::write(&file, &out.stdout).unwrap();
    match std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
    {
        Ok(check) => assert!(check.status.success(), "{}", stderr(&check)),
        Err(_) => eprintln!("skipped: bash not installed"),
    }
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = run_in(&repo_root(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
}

#[test]
fn man_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        &repo_root(),
        &["man", "-o", dir.path().join("man1").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let mut pages: Vec<String> = std::fs::read_dir(dir.path().join("man1"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    let mut want: Vec<String> = subcommands()
        .into_iter()
        .chain(nested_subcommands())
        .map(|c| format!("sopctl-{c}.1"))
        .chain(["sopctl.1".to_string()])
        .collect();
    want.sort();
    assert_eq!(pages, want);
    let validate = std::fs::read_to_string(dir.path().join("man1/sopctl-validate.1")).unwrap();
    assert!(validate.contains(".TH sopctl-validate 1"), "{validate}");
    assert!(
        validate.contains("deny") || validate.contains("PATHS"),
        "{validate}"
    );
    let top = std::fs::read_to_string(dir.path().join("man1/sopctl.1")).unwrap();
    for cmd in subcommands() {
        assert!(
            // roff writes every dash as `\-`, also inside a name like login-link.
            top.contains(&format!("sopctl\\-{}(1)", cmd.replace('-', "\\-"))),
            "{cmd} in sopctl.1"
        );
    }
}

#[test]
fn man_without_a_folder_prints_the_main_page() {
    let out = run_in(&repo_root(), &["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.contains(".TH sopctl 1"), "{page}");
    assert!(page.contains("validate"));
}

#[test]
fn version_names_the_commit() {
    let out = run_in(&repo_root(), &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let line = stdout(&out);
    let line = line.trim_end();
    let prefix = format!("sopctl {} (", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&prefix) && line.ends_with(')'), "{line}");
    let commit = &line[prefix.len()..line.len() - 1];
    let built_in_git = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(repo_root())
        .output()
        .is_ok_and(|o| o.status.success());
    if built_in_git {
        assert!(
            commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit()),
            "{line}"
        );
    } else {
        assert_eq!(commit, "unknown");
    }
    // Every subcommand answers too.
    let out = run_in(&repo_root(), &["validate", "--version"]);
    assert_eq!(
        stdout(&out).trim_end(),
        format!("sopctl-validate {}", &line["sopctl ".len()..])
    );
}
