//! `sopctl lint` as users meet it: configuration in sopctl.yaml, `metadata.lint.allow`,
//! `--deny-warnings`, output formats, `explain`, the README's rules table, the shipped SOPs,
//! and `stale-review` against real git history.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const NOW: &str = "2026-01-05T09:00:00+08:00";
/// 2026-01-05T09:00:00+08:00 in seconds since the epoch.
const NOW_SECS: i64 = 1_767_574_800;

/// A temporary copy of a lint fixture (no git), with `sopctl.yaml` when given.
fn project(fixture: &str, config: Option<&str>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("lint").join(fixture), tmp.path());
    if let Some(c) = config {
        std::fs::write(tmp.path().join("sopctl.yaml"), c).unwrap();
    }
    tmp
}

fn lint(dir: &Path, extra: &[&str]) -> (i32, Value) {
    lint_json(dir, extra, &[("SOPCTL_NOW", NOW)])
}

fn codes(json: &Value) -> Vec<(String, String, u64, u64)> {
    findings(json)
}

fn severities(json: &Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["severity"].as_str().unwrap().to_string())
        .collect()
}

// ---- levels ----------------------------------------------------------------------------

#[test]
fn level_error_fails_the_command() {
    let p = project(
        "task-without-due",
        Some("lint:\n  rules:\n    task-without-due: error\n"),
    );
    let (code, json) = lint(p.path(), &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(severities(&json), ["error"]);
    assert_eq!(
        (json["errors"].as_u64(), json["warnings"].as_u64()),
        (Some(1), Some(0))
    );
}

#[test]
fn level_off_silences_and_settings_form_works() {
    for config in [
        "lint:\n  rules:\n    task-without-due: off\n",
        "lint:\n  rules:\n    task-without-due: { level: off }\n",
    ] {
        let p = project("task-without-due", Some(config));
        let (code, json) = lint(p.path(), &["--deny-warnings"]);
        assert_eq!(code, 0, "{config}: {json}");
        assert!(codes(&json).is_empty(), "{json}");
    }
}

#[test]
fn default_level_is_warn_and_exit_0() {
    let p = project("task-without-due", None);
    let (code, json) = lint(p.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(severities(&json), ["warning"]);
}

// ---- options ---------------------------------------------------------------------------

#[test]
fn max_changes_the_checklist_threshold() {
    // Three items: fine by default, too many with `max: 2`, reported at the third item.
    let p = project(
        "long-checklist-fixed",
        Some("lint:\n  rules:\n    long-checklist: { max: 2 }\n"),
    );
    let (_, json) = lint(p.path(), &[]);
    let f = codes(&json);
    assert_eq!(f.len(), 1, "{json}");
    assert_eq!(f[0].0, "long-checklist");
    let line = std::fs::read_to_string(p.path().join("sops/repair.yaml"))
        .unwrap()
        .lines()
        .nth(f[0].2 as usize - 1)
        .unwrap()
        .to_string();
    let col = line.split("指派维修工程师").next().unwrap().chars().count() as u64 + 1;
    assert_eq!(f[0].3, col, "{line}");
    // Raising `max` silences the eight-item fixture.
    let p = project(
        "long-checklist",
        Some("lint:\n  rules:\n    long-checklist: { max: 8 }\n"),
    );
    assert!(codes(&lint(p.path(), &[]).1).is_empty());
}

#[test]
fn max_chars_changes_the_guide_threshold() {
    let p = project(
        "long-guide-fixed",
        Some("lint:\n  rules:\n    long-guide: { level: error, max_chars: 30 }\n"),
    );
    let (code, json) = lint(p.path(), &[]);
    assert_eq!(code, 1);
    let f = codes(&json);
    // Both guides for people are over 30 characters; the bot task is exempt.
    assert_eq!(f.len(), 2, "{json}");
    assert!(f.iter().all(|x| x.0 == "long-guide"));
    assert!(json["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("more than 30"));
    let p = project(
        "long-guide",
        Some("lint:\n  rules:\n    long-guide: { max_chars: 2000 }\n"),
    );
    assert!(codes(&lint(p.path(), &[]).1).is_empty());
}

// ---- ignore ----------------------------------------------------------------------------

#[test]
fn ignore_by_glob() {
    let p = project(
        "task-without-due",
        Some("lint:\n  ignore:\n    \"sops/*.yaml\": [task-without-due]\n"),
    );
    assert!(codes(&lint(p.path(), &[]).1).is_empty());
    // A glob for other files leaves the finding; separators are literal (`*` stays in a folder).
    for glob in ["sops/legacy/**", "*.yaml"] {
        let p = project(
            "task-without-due",
            Some(&format!(
                "lint:\n  ignore:\n    \"{glob}\": [task-without-due]\n"
            )),
        );
        assert_eq!(codes(&lint(p.path(), &[]).1).len(), 1, "{glob}");
    }
    // Ignoring one rule keeps the others.
    let p = project(
        "unused-role",
        Some("lint:\n  ignore:\n    \"sops/**\": [task-without-due]\n"),
    );
    assert_eq!(codes(&lint(p.path(), &[]).1)[0].0, "unused-role");
}

// ---- configuration errors ----------------------------------------------------------------

#[test]
fn unknown_rule_in_config_is_exit_2_with_the_key_position() {
    let p = project(
        "task-without-due-fixed",
        Some("sources: [\"sops/**/*.yaml\"]\nlint:\n  rules:\n    task-without-dua: error\n"),
    );
    let (code, json) = lint(p.path(), &[]);
    assert_eq!(code, 2, "{json}");
    assert_eq!(
        codes(&json),
        [("config".to_string(), "sopctl.yaml".to_string(), 4, 5)]
    );
    let help = json["diagnostics"][0]["help"].as_str().unwrap();
    assert!(
        help.starts_with("did you mean `task-without-due`?"),
        "{help}"
    );
    // Human output says the same on stderr.
    let out = run_in(p.path(), &["lint", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sopctl.yaml:4:5"), "{}", stderr(&out));
    assert!(stderr(&out).contains("did you mean `task-without-due`"));
}

#[test]
fn unknown_rule_in_ignore_and_foreign_options_are_config_errors() {
    let p = project(
        "task-without-due-fixed",
        Some("lint:\n  rules:\n    missing-owner: { max_chars: 10 }\n  ignore:\n    \"sops/**\": [idle-stat]\n"),
    );
    let (code, json) = lint(p.path(), &[]);
    assert_eq!(code, 2, "{json}");
    let f = codes(&json);
    assert_eq!(
        f.iter().map(|x| (x.2, x.3)).collect::<Vec<_>>(),
        [(3, 22), (5, 17)],
        "{json}"
    );
    assert!(f.iter().all(|x| x.0 == "config"));
}

#[test]
fn a_bad_level_is_a_schema_error_of_the_config() {
    let p = project(
        "task-without-due-fixed",
        Some("lint:\n  rules:\n    task-without-due: loud\n"),
    );
    let (code, json) = lint(p.path(), &[]);
    assert_eq!(code, 2, "{json}");
    assert_eq!(json["diagnostics"][0]["code"], "config");
    assert_eq!(json["diagnostics"][0]["line"], 3);
}

#[test]
fn bad_sopctl_now_is_a_usage_error() {
    let p = project("task-without-due-fixed", None);
    let (code, _) = lint_json_raw(p.path(), &[("SOPCTL_NOW", "yesterday")]);
    assert_eq!(code, 2);
}

fn lint_json_raw(dir: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = sopctl();
    cmd.current_dir(dir).args(["lint", "--format", "json"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), stderr(&out))
}

// ---- allow -----------------------------------------------------------------------------

#[test]
fn allow_with_a_reason_silences_and_without_one_does_not() {
    let (_, json) = lint(&fixtures().join("lint/lint-allow-without-reason"), &[]);
    let got: Vec<String> = codes(&json).into_iter().map(|x| x.0).collect();
    assert_eq!(
        got,
        ["lint-allow-without-reason", "task-without-due"],
        "{json}"
    );
    let msg = json["diagnostics"][0]["message"].as_str().unwrap();
    assert!(msg.contains("gives no reason"), "{msg}");
    let (code, json) = lint(
        &fixtures().join("lint/lint-allow-without-reason-fixed"),
        &["--deny-warnings"],
    );
    assert_eq!(code, 0, "{json}");
}

#[test]
fn allow_findings_cannot_be_switched_off() {
    let p = project(
        "lint-allow-without-reason",
        Some("lint:\n  rules:\n    lint-allow-without-reason: off\n"),
    );
    let (code, json) = lint(p.path(), &[]);
    assert_eq!(code, 2, "{json}");
    assert!(json["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("cannot be configured"));
}

// ---- bots ------------------------------------------------------------------------------

#[test]
fn bot_tasks_are_exempt_from_guidance_rules() {
    // The delivery fixture's `track` task has no guide: fine while its assignee is a bot.
    let p = project("task-without-guide-fixed", None);
    assert!(codes(&lint(p.path(), &[]).1).is_empty());
    let roles = p.path().join("sops/roles.yaml");
    let text = std::fs::read_to_string(&roles).unwrap();
    std::fs::write(&roles, text.replace(", bot: true", "")).unwrap();
    let (_, json) = lint(p.path(), &[]);
    let f = codes(&json);
    assert_eq!(f.len(), 1, "{json}");
    assert_eq!(f[0].0, "task-without-guide");
    let line = std::fs::read_to_string(p.path().join("sops/sales-delivery.yaml"))
        .unwrap()
        .lines()
        .nth(f[0].2 as usize - 1)
        .unwrap()
        .to_string();
    assert!(line.contains("- id: track"), "{line}");
}

// ---- paths, validation, formats -------------------------------------------------------

#[test]
fn paths_limit_lint_findings_too() {
    let p = project("unused-role", None);
    let (_, json) = lint(p.path(), &["sops/repair.yaml"]);
    assert!(codes(&json).is_empty(), "{json}");
    let (_, json) = lint(p.path(), &["sops/roles.yaml"]);
    assert_eq!(codes(&json).len(), 1, "{json}");
}

#[test]
fn validation_errors_are_reported_and_fail() {
    let (code, json) = lint(&fixtures().join("validate/bad-due"), &[]);
    assert_eq!(code, 1, "{json}");
    assert!(codes(&json).iter().any(|x| x.0 == "bad-due"), "{json}");
}

#[test]
fn sarif_carries_lint_rule_descriptions() {
    let out = sopctl()
        .current_dir(fixtures().join("lint/idle-status"))
        .env("SOPCTL_NOW", NOW)
        .args(["lint", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules.iter().find(|r| r["id"] == "idle-status").unwrap();
    let doc = sopctl::lint::lookup("idle-status").unwrap();
    assert_eq!(rule["shortDescription"]["text"], doc.doc.summary);
    assert!(rule["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Flags a non-terminal status"));
    assert_eq!(rule["help"]["text"], doc.doc.help);
    assert_eq!(rule["defaultConfiguration"]["level"], "warning");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "idle-status");
    assert_eq!(result["level"], "warning");
}

#[test]
fn github_and_human_formats() {
    let dir = fixtures().join("lint/unfilled-requirement");
    let out = sopctl()
        .current_dir(&dir)
        .args(["lint", "--format", "github"])
        .output()
        .unwrap();
    let text = stdout(&out);
    // Paths are repository-relative in workflow commands.
    assert!(text.starts_with("::warning file="), "{text}");
    assert!(
        text.contains("lint/unfilled-requirement/sops/sales-delivery.yaml,line=40,col=30,"),
        "{text}"
    );
    let out = sopctl()
        .current_dir(&dir)
        .args(["lint", "--color", "never"])
        .output()
        .unwrap();
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(err.contains("warning[unfilled-requirement]"), "{err}");
    assert!(err.contains("物流单号"), "{err}");
}

// ---- explain, README --------------------------------------------------------------------

#[test]
fn explain_every_rule() {
    for rule in sopctl::lint::registry() {
        let out = sopctl().args(["explain", rule.name()]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", rule.name());
        let text = stdout(&out);
        for part in [
            "What it does",
            "Why it matters",
            "Example",
            "Use instead",
            "Default level: warn",
            rule.doc.summary,
        ] {
            assert!(
                text.contains(part),
                "explain {} lacks {part:?}:\n{text}",
                rule.name()
            );
        }
    }
    let out = sopctl().args(["explain", "long-guide"]).output().unwrap();
    assert!(stdout(&out).contains("Option `max_chars` (default 600)"));
    let out = sopctl()
        .args(["explain", "lint-allow-without-reason"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = sopctl().args(["explain", "idle-stat"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `idle-status`"));
}

#[test]
fn readme_rules_table_matches_the_registry() {
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- lint-rules:start -->\n", "<!-- lint-rules:end -->");
    let a = readme.find(start).expect("start marker") + start.len();
    let b = readme.find(end).expect("end marker");
    let expected = sopctl::lint::readme_table();
    if readme[a..b] != expected {
        if std::env::var_os("SOPCTL_UPDATE_README").is_some() {
            let updated = format!("{}{}{}", &readme[..a], expected, &readme[b..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!(
                "the README rules table is out of date (run with SOPCTL_UPDATE_README=1 to rewrite it); expected between the markers:\n{expected}"
            );
        }
    }
}

// ---- the shipped SOPs ------------------------------------------------------------------

#[test]
fn shipped_sops_lint_clean() {
    // "Now" is pinned to when the SOPs were last reviewed, so that `stale-review` reports on
    // the repository's history, not on the day the tests happen to run.
    let (code, json) = lint_json(
        &repo_root(),
        &["--deny-warnings"],
        &[("SOPCTL_NOW", "2026-11-22T12:00:00+08:00")],
    );
    assert_eq!(code, 0, "{json}");
    assert!(codes(&json).is_empty(), "{json}");
}

// ---- stale-review against git history ---------------------------------------------------

#[test]
fn stale_review_reads_git_history() {
    let repo = tempfile::tempdir().unwrap();
    // The project sits in a folder of the repository, as in a monorepo.
    let root = repo.path().join("ops");
    copy_dir(&fixtures().join("lint/missing-purpose-fixed"), &root);
    // Committed two years before "now" (730 days), in UTC+8.
    git_commit_all(repo.path(), NOW_SECS - 730 * 86_400);

    let (code, json) = lint(&root, &[]);
    assert_eq!(code, 0, "{json}");
    let f = codes(&json);
    assert_eq!(
        f,
        [(
            "stale-review".to_string(),
            "sops/repair.yaml".to_string(),
            7,
            20
        )],
        "{json}"
    );
    let msg = json["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("last changed on 2024-01-06") && msg.contains("730 days"),
        "{msg}"
    );

    // A later commit to another file does not refresh this one.
    std::fs::write(root.join("notes.md"), "复盘记录\n").unwrap();
    git_commit_all(repo.path(), NOW_SECS - 86_400);
    assert_eq!(codes(&lint(&root, &[]).1).len(), 1);

    // Editing the SOP without committing: it is being reviewed, nothing to say.
    let sop = root.join("sops/repair.yaml");
    let text = std::fs::read_to_string(&sop).unwrap();
    std::fs::write(&sop, format!("{text}# 2026 年复盘中\n")).unwrap();
    assert!(codes(&lint(&root, &[]).1).is_empty());

    // Committing the review restarts the clock.
    git_commit_all(repo.path(), NOW_SECS - 3600);
    assert!(codes(&lint(&root, &[]).1).is_empty());

    // An untracked SOP has no history either.
    let extra = root.join("sops/repair-copy.yaml");
    std::fs::write(&extra, text.replace("name: repair", "name: repair-copy")).unwrap();
    let (_, json) = lint(&root, &[]);
    assert!(
        !codes(&json).iter().any(|x| x.0 == "stale-review"),
        "{json}"
    );
}

#[test]
fn stale_review_is_quiet_outside_a_repository() {
    let p = project("stale-review", None);
    let (code, json) = lint(p.path(), &["--deny-warnings"]);
    assert_eq!(code, 0, "{json}");
    assert!(codes(&json).is_empty(), "{json}");
}
