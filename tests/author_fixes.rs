//! What a new admin hit writing SOPs (issue 17): help texts that said the wrong thing, false
//! findings after a broken file, a project not found from the files pre-commit passes.

mod common;

use std::path::Path;

use common::*;

const ROLES: &str = "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: company }\nspec:\n  roles:\n    sales: { title: 销售 }\n    finance-manager: { title: 财务经理 }\n";

/// A process with two statuses and a way between them; `extra` goes under `spec`.
fn process(name: &str, body: &str) -> String {
    format!(
        "apiVersion: sopctl/v1\nkind: Process\nmetadata: {{ name: {name}, title: 报销, owner: role:sales }}\nspec:\n{body}"
    )
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// (code, line, column, message, help) of every finding.
fn found(dir: &Path, args: &[&str]) -> Vec<(String, u64, u64, String, String)> {
    let (_, json) = validate_json(dir, args);
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
                d["help"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

const TWO_STATUSES: &str = "  fields:\n    amount: { type: money, title: 金额, was: [total] }\n  statuses:\n    draft: { title: 草稿, initial: true, was: [new] }\n    approved: { title: 已批准, terminal: true }\n";

#[test]
fn a_role_prefix_in_an_approval_says_drop_the_prefix() {
    let body = format!("{TWO_STATUSES}  transitions:\n    - {{ from: draft, to: approved, approval: [{{ role: role:finance-manager }}] }}\n");
    let dir = project(&[
        ("sops/roles.yaml", ROLES),
        ("sops/p.yaml", &process("claim", &body)),
    ]);
    let f = found(dir.path(), &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!((f[0].0.as_str(), f[0].1, f[0].2), ("schema", 11, 55));
    assert_eq!(f[0].4, "drop the `role:` prefix: write `finance-manager`");
    assert!(!f[0].4.contains("rolefinance"), "{}", f[0].4);
}

#[test]
fn an_old_id_listed_in_was_suggests_its_new_id() {
    let body = format!(
        "{TWO_STATUSES}  transitions:\n    - {{ from: new, to: approved, requires: [total] }}\n"
    );
    let dir = project(&[
        ("sops/roles.yaml", ROLES),
        ("sops/p.yaml", &process("claim", &body)),
    ]);
    let f = found(dir.path(), &[]);
    let status = f
        .iter()
        .find(|d| d.0 == "unknown-status")
        .expect("unknown-status");
    assert_eq!(
        status.4,
        "`new` was renamed to `draft` (its `was:` lists `new`): write `draft`"
    );
    let field = f
        .iter()
        .find(|d| d.0 == "unknown-field")
        .expect("unknown-field");
    assert!(
        field.4.ends_with(
            "`total` was renamed to `amount` (its `was:` lists `total`): write `amount`"
        ),
        "{}",
        field.4
    );
}

#[test]
fn a_broken_process_file_adds_no_unknown_process_on_its_scenario() {
    let broken = process("claim", "  statuses:\n    draft: { title: 草稿, initial: true\n    done: { title: 完成, terminal: true }\n");
    let scenario = "apiVersion: sopctl/v1\nkind: Scenario\nmetadata: { name: claim-path }\nspec:\n  process: claim\n  users: { alice: [sales] }\n  steps:\n    - { as: alice, create: {} }\n";
    let dir = project(&[
        ("sops/roles.yaml", ROLES),
        ("sops/claim.yaml", &broken),
        ("sops/claim.scenario.yaml", scenario),
    ]);
    let f = found(dir.path(), &[]);
    let codes: Vec<&str> = f.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(codes, ["yaml-syntax"], "{f:?}");
    // A scenario of a process that exists nowhere is still reported.
    let elsewhere = scenario.replace("process: claim", "process: claims");
    std::fs::write(dir.path().join("sops/claim.scenario.yaml"), elsewhere).unwrap();
    let codes: Vec<String> = found(dir.path(), &[]).into_iter().map(|d| d.0).collect();
    assert!(codes.contains(&"unknown-process".to_string()), "{codes:?}");
}

#[test]
fn then_to_the_tasks_own_status_does_not_suggest_a_self_loop() {
    let body = "  statuses:\n    draft:\n      title: 草稿\n      initial: true\n      tasks:\n        - { id: fill, title: 填写, assignee: role:sales, complete: { then: draft } }\n    approved: { title: 已批准, terminal: true }\n  transitions:\n    - { from: draft, to: approved }\n";
    let dir = project(&[
        ("sops/roles.yaml", ROLES),
        ("sops/p.yaml", &process("claim", body)),
    ]);
    let f = found(dir.path(), &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "task-then-without-transition");
    assert_eq!(
        f[0].3,
        "`then` of task `fill` names `draft`, the status the task is in: completing it would not move the record"
    );
    assert_eq!(
        f[0].4,
        "set `then` to where the record goes next (`approved`), or remove `then`"
    );
    assert!(!f[0].4.contains("from: draft, to: draft"));
}

#[test]
fn human_help_never_breaks_an_id_at_its_hyphen() {
    let roles: String = (0..12)
        .map(|i| format!("    regional-finance-manager-{i}: {{ title: 财务{i} }}\n"))
        .collect();
    let roles = format!("apiVersion: sopctl/v1\nkind: Roles\nmetadata: {{ name: company }}\nspec:\n  roles:\n    sales: {{ title: 销售 }}\n{roles}");
    let body = format!("{TWO_STATUSES}  transitions:\n    - {{ from: draft, to: approved, by: [role:regional-finance-manager-x] }}\n");
    let dir = project(&[
        ("sops/roles.yaml", &roles),
        ("sops/p.yaml", &process("claim", &body)),
    ]);
    let out = run_in(dir.path(), &["validate", "--color", "never"]);
    let err = stderr(&out);
    assert!(err.contains("help:"), "{err}");
    for line in err.lines() {
        let t = line.trim_end();
        assert!(
            !t.ends_with("regional-") && !t.ends_with("finance-") && !t.ends_with("manager-"),
            "id broken at a hyphen: {line:?}\n{err}"
        );
    }
}

#[test]
fn pre_commit_from_the_repository_root_finds_a_project_in_a_subfolder() {
    let clean = fixtures().join("validate").join("clean");
    let repo = tempfile::tempdir().unwrap();
    // One project with sopctl.yaml, one with only a sops/ folder.
    copy_dir(&clean, &repo.path().join("ops/sops-project"));
    std::fs::write(
        repo.path().join("ops/sops-project/sopctl.yaml"),
        "render: { language: zh }\n",
    )
    .unwrap();
    copy_dir(&clean, &repo.path().join("team/b"));
    for (cmd, file) in [
        ("validate", "ops/sops-project/sops/delivery.yaml"),
        ("lint", "ops/sops-project/sops/roles.yaml"),
        ("validate", "team/b/sops/delivery.yaml"),
    ] {
        let out = run_in(repo.path(), &[cmd, "--format", "json", file]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<_> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .collect();
        assert!(errors.is_empty(), "{cmd} {file}: {json}");
        assert_eq!(out.status.code(), Some(0), "{cmd} {file}: {json}");
    }
}

#[test]
fn removing_a_terminal_status_is_not_breaking() {
    let dir = fixtures().join("diff").join("status-removed-terminal");
    let out = run_in(
        &dir,
        &[
            "diff", "--base", "previous", "--head", "current", "--format", "json",
        ],
    );
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    let removed = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "status-removed")
        .expect("status-removed");
    assert_eq!(removed["severity"], "behavioral");
    let message = removed["message"].as_str().unwrap();
    assert!(
        message.starts_with("terminal status 已取消 (`cancelled`) removed"),
        "{message}"
    );
    assert!(!message.contains("stranded"), "{message}");
}

#[test]
fn man_pages_have_exit_status_environment_and_examples_and_cite_no_spec() {
    let out = sopctl().args(["man"]).output().unwrap();
    let page = stdout(&out);
    for section in [
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
        ".SH EXAMPLES",
        ".SH \"SEE ALSO\"",
    ] {
        assert!(page.contains(section), "{section}");
    }
    assert!(page.find(".SH \"EXIT STATUS\"") < page.find(".SH VERSION"));
    assert!(page.contains("docs/reference/"));
    assert!(!page.contains("SPEC section"), "{page}");
    let help = stdout(&sopctl().args(["serve", "--help"]).output().unwrap());
    assert!(!help.contains("SPEC"), "{help}");
}
