//! `sopctl init [DIR]`: a new project that passes `validate`, `lint` and `test` at once, wired
//! into the editor (schemas and `.vscode/settings.json`), pre-commit and GitHub Actions.
//!
//! It never overwrites: when any file it would write is already there, it writes nothing and
//! exits 2 naming them. Each file is written atomically; if one cannot be written, the ones
//! already written are removed again.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{fail, Exit, Global, Step};
use crate::cli::InitArgs;
use crate::fsutil::write_atomic;

/// Where `cargo install --git` and pre-commit fetch sopctl from, when `Cargo.toml` names no
/// `repository`.
pub const REPOSITORY_PLACEHOLDER: &str = "https://github.com/OWNER/sopctl";

/// One file `init` writes.
pub struct InitFile {
    /// Path relative to the project folder, with `/`.
    pub path: &'static str,
    /// What it is for, shown after it is created.
    pub purpose: &'static str,
    pub text: String,
}

/// The repository sopctl is installed from, and whether it is only a placeholder.
fn repository() -> (&'static str, bool) {
    let repo = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    if repo.is_empty() {
        (REPOSITORY_PLACEHOLDER, true)
    } else {
        (repo, false)
    }
}

/// The git revision of this sopctl: the commit it was built from, else its version tag.
fn revision() -> String {
    if crate::GIT_COMMIT_FULL == "unknown" {
        format!("v{}", crate::PKG_VERSION)
    } else {
        crate::GIT_COMMIT_FULL.to_string()
    }
}

fn fill(template: &str) -> String {
    let (repo, placeholder) = repository();
    let repo_value = if placeholder {
        format!("{repo}   # TODO: the repository sopctl is published in")
    } else {
        repo.to_string()
    };
    template
        .replace("{{SOPCTL_GIT}}", &repo_value)
        .replace("{{SOPCTL_REV}}", &revision())
}

/// Every file of a new project, in the order they are written and listed.
pub fn files() -> Vec<InitFile> {
    let f = |path, purpose, text: &str| InitFile {
        path,
        purpose,
        text: fill(text),
    };
    vec![
        f(
            "sopctl.yaml",
            "project settings: sources, lint levels, handbook language",
            include_str!("init/sopctl.yaml"),
        ),
        f(
            "sops/roles.yaml",
            "the company's roles",
            include_str!("init/sops/roles.yaml"),
        ),
        f(
            "sops/expense-claim.yaml",
            "an example process: 费用报销",
            include_str!("init/sops/expense-claim.yaml"),
        ),
        f(
            "sops/expense-claim.scenario.yaml",
            "its scenario, run by `sopctl test`",
            include_str!("init/sops/expense-claim.scenario.yaml"),
        ),
        f(
            "schemas/sop.schema.json",
            "the SOP schema editors complete from (refresh: `sopctl schema`)",
            crate::schema::SOP_SCHEMA,
        ),
        f(
            "schemas/sopctl-config.schema.json",
            "the sopctl.yaml schema (refresh: `sopctl schema --config-schema`)",
            crate::schema::CONFIG_SCHEMA,
        ),
        f(
            ".github/workflows/sopctl.yml",
            "CI: validate and lint to code scanning, diff on pull requests, test",
            include_str!("init/github-workflow.yml"),
        ),
        f(
            ".pre-commit-config.yaml",
            "pre-commit hooks: validate and lint the SOPs a commit changes",
            include_str!("init/pre-commit-config.yaml"),
        ),
        f(
            ".vscode/settings.json",
            "VS Code: the schemas for sops/ and sopctl.yaml, and `sopctl lsp` as the language server",
            include_str!("init/vscode-settings.json"),
        ),
        f(
            ".vscode/extensions.json",
            "VS Code: recommends the YAML extension and a generic language client",
            include_str!("init/vscode-extensions.json"),
        ),
        f(
            ".gitignore",
            "git: leaves out dist/ and the runtime's database",
            include_str!("init/gitignore"),
        ),
    ]
}

/// The target paths that are in the way: existing files (of any kind), or a file where a
/// folder is needed.
fn in_the_way(root: &Path, files: &[InitFile]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let target = root.join(f.path);
        if target.symlink_metadata().is_ok() {
            out.push(f.path.to_string());
            continue;
        }
        // A parent path that exists but is not a folder: the first one from the top.
        let mut parents: Vec<&str> = f
            .path
            .match_indices('/')
            .map(|(i, _)| &f.path[..i])
            .collect();
        parents.retain(|p| {
            let p = root.join(p);
            p.symlink_metadata().is_ok() && !p.is_dir()
        });
        if let Some(p) = parents.first() {
            if !out.iter().any(|o| o == p) {
                out.push(p.to_string());
            }
        }
    }
    out
}

fn shown(dir: &Path) -> String {
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        "the current folder".to_string()
    } else {
        format!("`{}`", dir.display())
    }
}

pub fn run(g: &Global, a: &InitArgs) -> Step<Exit> {
    let given = a.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let root = if given.is_absolute() {
        given.clone()
    } else {
        g.cwd.join(&given)
    };
    if root.exists() && !root.is_dir() {
        fail(
            &format!("{} is a file, not a folder", shown(&given)),
            "pass a folder to create the project in, e.g. `sopctl init my-sops`",
        );
        return Err(Exit::Error);
    }
    let files = files();
    let blocked = in_the_way(&root, &files);
    if !blocked.is_empty() {
        fail(
            &format!(
                "{} already in {}: {}; nothing was written",
                if blocked.len() == 1 {
                    "1 file is".to_string()
                } else {
                    format!("{} files are", blocked.len())
                },
                shown(&given),
                blocked.join(", ")
            ),
            "run `sopctl init` in a new folder (e.g. `sopctl init my-sops`), or move these files aside",
        );
        return Err(Exit::Error);
    }
    write_all(&root, &files)?;
    if a.format.unwrap_or_default().is_json() {
        let report = json!({
            "root": given.display().to_string(),
            "created": files.iter().map(|f| f.path).collect::<Vec<_>>(),
        });
        println!("{report}");
    } else {
        eprint!("{}", next_steps(&given, &root, &files));
    }
    Ok(Exit::Ok)
}

/// Writes every file, or (on the first failure) removes those already written.
fn write_all(root: &Path, files: &[InitFile]) -> Step<()> {
    let mut written: Vec<PathBuf> = Vec::new();
    for f in files {
        let target = root.join(f.path);
        if let Err(e) = write_atomic(&target, f.text.as_bytes()) {
            for p in written.iter().rev() {
                let _ = std::fs::remove_file(p);
            }
            fail(
                &format!("cannot write {}: {e}; nothing was left behind", f.path),
                "check that the folder is writable and the disk is not full",
            );
            return Err(Exit::Error);
        }
        written.push(target);
    }
    Ok(())
}

/// What was created and the commands to run next, for people.
fn next_steps(given: &Path, root: &Path, files: &[InitFile]) -> String {
    let width = files.iter().map(|f| f.path.len()).max().unwrap_or(0);
    let mut msg = format!("created a sopctl project in {}:\n", shown(given));
    for f in files {
        msg.push_str(&format!("  {:width$}  {}\n", f.path, f.purpose));
    }
    msg.push_str("\nnext:\n");
    if !(given.as_os_str().is_empty() || given == Path::new(".")) {
        msg.push_str(&format!("  cd {}\n", given.display()));
    }
    msg.push_str("  sopctl validate && sopctl lint && sopctl test\n");
    if git2::Repository::discover(root).is_err() {
        msg.push_str("  git init && git add . && git commit -m \"sopctl init\"\n");
    }
    msg.push_str("  pre-commit install            # check SOPs on every commit\n");
    let (_, placeholder) = repository();
    if placeholder {
        msg.push_str(
            "  edit SOPCTL_GIT in .github/workflows/sopctl.yml: where your CI installs sopctl from\n",
        );
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_files_start_with_the_modeline() {
        for f in files() {
            if f.path.ends_with(".yaml") || f.path.ends_with(".yml") {
                assert!(
                    f.text.starts_with("# yaml-language-server: $schema="),
                    "{}",
                    f.path
                );
            }
        }
    }

    #[test]
    fn placeholders_are_filled() {
        for f in files() {
            assert!(!f.text.contains("{{SOPCTL_"), "{}", f.path);
        }
    }

    #[test]
    fn finds_what_is_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let files = files();
        assert!(in_the_way(dir.path(), &files).is_empty());
        std::fs::write(dir.path().join("sopctl.yaml"), "x").unwrap();
        std::fs::write(dir.path().join(".vscode"), "a file, not a folder").unwrap();
        assert_eq!(in_the_way(dir.path(), &files), ["sopctl.yaml", ".vscode"]);
    }
}
