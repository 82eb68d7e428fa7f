//! `sopctl init`: a new project passes validate and lint at once, init never overwrites, the
//! generated workflow is valid YAML that actionlint accepts; plus the repository's own
//! pre-commit hook manifest and the SchemaStore entry in the README.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

const CREATED: [&str; 11] = [
    "sopctl.yaml",
    "sops/roles.yaml",
    "sops/expense-claim.yaml",
    "sops/expense-claim.scenario.yaml",
    "schemas/sop.schema.json",
    "schemas/sopctl-config.schema.json",
    ".github/workflows/sopctl.yml",
    ".pre-commit-config.yaml",
    ".vscode/settings.json",
    ".vscode/extensions.json",
    ".gitignore",
];

/// A fresh project in a temporary folder: (the temporary folder, the project folder).
fn init_project() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_in(tmp.path(), &["init", "my-sops"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).is_empty(),
        "human output goes to stderr: {}",
        stdout(&out)
    );
    let dir = tmp.path().join("my-sops");
    (tmp, dir)
}

/// Every file below `dir` (relative path → bytes).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn yaml(path: &Path) -> serde_yaml::Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{} is YAML: {e}", path.display()))
}

#[test]
fn init_then_validate_and_lint_pass() {
    let (_tmp, dir) = init_project();
    let files = snapshot(&dir);
    let mut want: Vec<_> = CREATED.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), want);

    let (code, json) = validate_json(&dir, &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["diagnostics"], serde_json::json!([]), "{json}");

    let (code, json) = lint_json(&dir, &["--deny-warnings"], &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["diagnostics"], serde_json::json!([]), "{json}");

    // The example scenario passes and takes every transition of the example process.
    let out = run_in(&dir, &["test", "--min-coverage", "100"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Committed, with a git history for `stale-review`, it is still clean.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    git_commit_all(&dir, now);
    let (code, json) = lint_json(&dir, &["--deny-warnings"], &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["diagnostics"], serde_json::json!([]), "{json}");
}

#[test]
fn init_prints_the_files_and_the_next_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_in(tmp.path(), &["init", "ops"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    for f in CREATED {
        assert!(err.contains(f), "{f} listed: {err}");
    }
    for cmd in [
        "cd ops",
        "sopctl validate",
        "sopctl lint",
        "sopctl test",
        "pre-commit install",
    ] {
        assert!(err.contains(cmd), "{cmd} suggested: {err}");
    }

    let out = run_in(tmp.path(), &["init", "again", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["root"], "again");
    assert_eq!(json["created"], serde_json::json!(CREATED));
}

#[test]
fn init_defaults_to_the_current_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_in(tmp.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(tmp.path().join("sops/expense-claim.yaml").is_file());
    assert!(!stderr(&out).contains("\n  cd "), "{}", stderr(&out));
    let (code, json) = validate_json(tmp.path(), &[]);
    assert_eq!(code, 0, "{json}");
}

#[test]
fn init_twice_refuses_and_changes_nothing() {
    let (tmp, dir) = init_project();
    std::fs::write(dir.join("sops/roles.yaml"), "# edited by hand\n").unwrap();
    let before = snapshot(&dir);
    let out = run_in(tmp.path(), &["init", "my-sops"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("already"), "{err}");
    assert!(err.contains("sops/roles.yaml"), "{err}");
    assert!(err.contains("help:"), "{err}");
    assert!(stdout(&out).is_empty());
    assert_eq!(snapshot(&dir), before, "nothing changed");
}

#[test]
fn one_existing_file_blocks_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".vscode")).unwrap();
    std::fs::write(tmp.path().join(".vscode/settings.json"), "{}\n").unwrap();
    let out = run_in(tmp.path(), &["init"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(".vscode/settings.json"), "{err}");
    assert!(
        !err.contains("sopctl.yaml"),
        "only the files in the way: {err}"
    );
    let files = snapshot(tmp.path());
    assert_eq!(files.len(), 1, "nothing written: {:?}", files.keys());
    assert_eq!(files[".vscode/settings.json"], b"{}\n");
}

#[test]
fn init_refuses_a_file_as_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("taken"), "x").unwrap();
    let out = run_in(tmp.path(), &["init", "taken"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a folder"), "{}", stderr(&out));
}

#[test]
fn generated_yaml_starts_with_the_modeline_and_parses() {
    let (_tmp, dir) = init_project();
    for f in CREATED
        .iter()
        .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
    {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("# yaml-language-server: $schema="),
            "{f}: {first}"
        );
        // Local schemas are relative to the file and exist.
        let target = first.trim_start_matches("# yaml-language-server: $schema=");
        if !target.starts_with("https://") {
            let base = dir.join(f);
            let schema = base.parent().unwrap().join(target);
            assert!(schema.is_file(), "{f}: {} exists", schema.display());
        }
        yaml(&dir.join(f));
    }
    // The schemas are the ones `sopctl schema` prints.
    for (file, args) in [
        ("schemas/sop.schema.json", vec!["schema"]),
        (
            "schemas/sopctl-config.schema.json",
            vec!["schema", "--config-schema"],
        ),
    ] {
        let printed = run_in(&dir, &args);
        assert_eq!(
            String::from_utf8_lossy(&printed.stdout).trim_end(),
            std::fs::read_to_string(dir.join(file)).unwrap().trim_end(),
            "{file}"
        );
    }
    // VS Code associates them with the SOPs and the config.
    let settings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(".vscode/settings.json")).unwrap()).unwrap();
    let schemas = settings["yaml.schemas"].as_object().unwrap();
    assert_eq!(
        schemas["./schemas/sop.schema.json"],
        serde_json::json!(["sops/**/*.yaml", "sops/**/*.yml"])
    );
    assert_eq!(
        schemas["./schemas/sopctl-config.schema.json"],
        serde_json::json!(["sopctl.yaml"])
    );
    for key in schemas.keys() {
        assert!(dir.join(key).is_file(), "{key}");
    }
    // The generic language client runs `sopctl lsp` for YAML files, and is recommended.
    assert_eq!(settings["glspc.server.command"], "sopctl");
    assert_eq!(
        settings["glspc.server.commandArguments"],
        serde_json::json!(["lsp"])
    );
    assert_eq!(
        settings["glspc.server.languageId"],
        serde_json::json!(["yaml"])
    );
    let ext: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(".vscode/extensions.json")).unwrap())
            .unwrap();
    assert_eq!(
        ext["recommendations"],
        serde_json::json!(["redhat.vscode-yaml", "zsol.vscode-glspc"])
    );
}

/// The `run:` scripts of the workflow's steps, and the steps themselves.
fn workflow_steps(dir: &Path) -> (serde_yaml::Value, Vec<serde_yaml::Value>) {
    let wf = yaml(&dir.join(".github/workflows/sopctl.yml"));
    let steps = wf["jobs"]["sopctl"]["steps"]
        .as_sequence()
        .expect("jobs.sopctl.steps")
        .clone();
    (wf, steps)
}

#[test]
fn workflow_runs_lint_diff_and_test_and_uploads_once() {
    let (_tmp, dir) = init_project();
    let (wf, steps) = workflow_steps(&dir);
    // Nothing granted at the top; each job asks for what it needs.
    assert_eq!(
        wf["permissions"],
        serde_yaml::Value::Mapping(Default::default())
    );
    assert_eq!(wf["jobs"]["sopctl"]["permissions"]["contents"], "read");
    assert!(wf["jobs"]["sopctl"]["permissions"]
        .get("security-events")
        .is_none());
    assert!(wf["concurrency"]["group"]
        .as_str()
        .unwrap()
        .contains("github.ref"));
    assert_eq!(wf["concurrency"]["cancel-in-progress"], true);
    assert!(
        wf["on"].get("pull_request").is_some(),
        "runs on pull requests"
    );

    let uses = |s: &serde_yaml::Value| s["uses"].as_str().unwrap_or_default().to_string();
    let run = |s: &serde_yaml::Value| s["run"].as_str().unwrap_or_default().to_string();

    let checkout = steps
        .iter()
        .find(|s| uses(s).starts_with("actions/checkout@"))
        .expect("checkout");
    assert_eq!(checkout["with"]["fetch-depth"], 0);
    assert_eq!(checkout["with"]["persist-credentials"], false);

    let install = steps
        .iter()
        .find(|s| run(s).contains("cargo install --locked --git"))
        .expect("install step");
    assert!(run(install).contains("--rev \"$SOPCTL_REV\""));
    let rev = wf["env"]["SOPCTL_REV"]
        .as_str()
        .expect("SOPCTL_REV")
        .to_string();
    assert!(!rev.is_empty());

    let pos = |pred: &dyn Fn(&serde_yaml::Value) -> bool, what: &str| {
        steps
            .iter()
            .position(pred)
            .unwrap_or_else(|| panic!("no step {what}"))
    };
    // Lint validates first: its SARIF holds every finding once, so nothing runs validate
    // into a second SARIF file.
    let lint = pos(
        &|s| run(s).contains("sopctl lint --format sarif > sopctl.sarif"),
        "lint",
    );
    assert!(!steps
        .iter()
        .any(|s| run(s).contains("validate --format sarif")));
    let fail = pos(&|s| run(s).contains("exit 1"), "failing on findings");
    let diff = pos(&|s| run(s).contains("sopctl diff"), "diff");
    let diff_run = run(&steps[diff]);
    for part in [
        "--base \"origin/$BASE_REF\"",
        "--format markdown",
        "--fail-on breaking",
        ">> \"$GITHUB_STEP_SUMMARY\"",
    ] {
        assert!(diff_run.contains(part), "{part} in {diff_run}");
    }
    assert_eq!(steps[diff]["if"], "github.event_name == 'pull_request'");
    assert_eq!(steps[diff]["env"]["BASE_REF"], "${{ github.base_ref }}");
    let test = pos(&|s| run(s).trim() == "sopctl test", "test");
    assert!(lint < fail && fail < diff && diff < test);

    // One upload, from a job of its own: the only one that may write alerts.
    let scan = &wf["jobs"]["code-scanning"];
    assert_eq!(scan["permissions"]["security-events"], "write");
    assert_eq!(scan["needs"], "sopctl");
    let uploads: Vec<&serde_yaml::Value> = wf["jobs"]
        .as_mapping()
        .unwrap()
        .values()
        .flat_map(|j| j["steps"].as_sequence().unwrap().iter())
        .filter(|s| uses(s).starts_with("github/codeql-action/upload-sarif@"))
        .collect();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0]["with"]["sarif_file"], "sopctl.sarif");

    // Every job is bounded in time and every action pinned to a commit, release in a comment.
    let text = std::fs::read_to_string(dir.join(".github/workflows/sopctl.yml")).unwrap();
    for (name, job) in wf["jobs"].as_mapping().unwrap() {
        assert!(job["timeout-minutes"].as_u64().is_some(), "{name:?}");
    }
    for line in text.lines().filter(|l| l.contains("uses: ")) {
        let reference = line.split("uses: ").nth(1).unwrap();
        let (action, rest) = reference.split_once('@').unwrap();
        let (sha, comment) = rest.split_once(" # v").unwrap_or_else(|| panic!("{line}"));
        assert!(
            sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{action} pinned by commit: {line}"
        );
        assert!(comment.starts_with(|c: char| c.is_ascii_digit()), "{line}");
    }
}

/// actionlint on PATH (or `$ACTIONLINT`), as `.ci/install-eco-tools.sh` installs it.
fn actionlint() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ACTIONLINT") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("actionlint"))
        .find(|p| p.is_file())
}

#[test]
fn workflow_passes_actionlint() {
    let Some(actionlint) = actionlint() else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "actionlint is not installed: .ci/run installs it with .ci/install-eco-tools.sh"
        );
        eprintln!("skipped: actionlint not installed");
        return;
    };
    let (_tmp, dir) = init_project();
    let out = std::process::Command::new(&actionlint)
        .current_dir(&dir)
        .arg("-no-color")
        .arg(".github/workflows/sopctl.yml")
        .output()
        .expect("actionlint runs");
    assert!(
        out.status.success(),
        "actionlint: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn pre_commit_config_runs_validate_and_lint() {
    let (_tmp, dir) = init_project();
    let cfg = yaml(&dir.join(".pre-commit-config.yaml"));
    let hooks = cfg["repos"][0]["hooks"].as_sequence().unwrap();
    let entries: Vec<_> = hooks
        .iter()
        .map(|h| h["entry"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(entries, ["sopctl validate", "sopctl lint"]);
    for h in hooks {
        assert_eq!(h["language"], "system");
        assert_eq!(h["files"], "(^|/)sops/.*\\.ya?ml$");
    }
}

#[test]
fn repository_pre_commit_hooks_build_sopctl_with_rust() {
    let text = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema="));
    let hooks: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let hooks = hooks.as_sequence().unwrap();
    let ids: Vec<_> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["sopctl-validate", "sopctl-lint"]);
    for h in hooks {
        assert_eq!(h["language"], "rust");
        assert!(h["entry"].as_str().unwrap().starts_with("sopctl "));
        assert!(h["name"].is_string() && h["files"].is_string());
    }
}

#[test]
fn readme_schemastore_entry_is_json_with_file_match() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- schemastore:start -->")
        .expect("schemastore marker");
    let block = &readme[start..];
    let json_start = block.find("```json\n").unwrap() + "```json\n".len();
    let json_end = json_start + block[json_start..].find("```").unwrap();
    let entries: serde_json::Value = serde_json::from_str(&block[json_start..json_end]).unwrap();
    let entries = entries.as_array().expect("a list of catalog entries");
    assert!(entries.iter().any(|e| {
        e["fileMatch"] == serde_json::json!(["**/sops/**/*.yaml", "**/sops/**/*.yml"])
            && e["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/schemas/sop.schema.json"))
    }));
    for e in entries {
        assert!(e["name"].is_string() && e["description"].is_string());
    }
}

#[test]
fn gitignore_leaves_out_what_sopctl_builds_and_the_database() {
    let (_tmp, dir) = init_project();
    let text = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    let patterns: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    for p in ["dist/", "*.db", "*.db-wal", "*.db.files/"] {
        assert!(patterns.contains(&p), "{p} in {patterns:?}");
    }
    // The SOPs and the schemas stay tracked.
    assert!(!patterns
        .iter()
        .any(|p| p.contains("sops") || p.contains("schemas")));
}
