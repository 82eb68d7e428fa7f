//! `sopctl render`: handbooks from the shipped SOPs and from fixtures, run through the real
//! binary. Snapshots are rendered from a copy of `sops/` outside any repository with
//! `SOPCTL_NO_GIT=1`, so they do not depend on git history; the history itself is tested on a
//! repository made here. The browser checks (the real Mermaid parser, headless Chromium) need
//! the tools of `.ci/install-render-tools.sh`, so they are `#[ignore]`d and `.ci/run` runs them
//! with `--ignored`; there (`CI=true`) a missing tool fails them, elsewhere, run by
//! hand, they say why they did not run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(from).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A temporary project holding a copy of `sops/` (or of a fixture project's `sops/`).
fn project_from(sops: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(sops, &dir.path().join("sops"));
    dir
}

fn shipped() -> tempfile::TempDir {
    project_from(&repo_root().join("sops"))
}

fn english() -> tempfile::TempDir {
    project_from(&fixtures().join("render/english/sops"))
}

/// Runs `sopctl render ARGS` in `dir` without git; returns (exit code, stderr).
fn render(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = sopctl()
        .current_dir(dir)
        .env("SOPCTL_NO_GIT", "1")
        .arg("render")
        .args(args)
        .output()
        .expect("sopctl runs");
    (out.status.code().unwrap_or(-1), stderr(&out))
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(
                    e.path()
                        .strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

/// The Mermaid blocks of a Markdown page.
fn mermaid_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match &mut cur {
            None if line.trim() == "```mermaid" => cur = Some(String::new()),
            Some(block) if line.trim() == "```" => {
                out.push(std::mem::take(block));
                cur = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The handbook of the shipped SOPs

#[test]
fn renders_every_page_of_the_shipped_sops() {
    let dir = shipped();
    let (code, err) = render(dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("rendered 40 pages (markdown) to dist/handbook"),
        "{err}"
    );
    let files = files_under(&dir.path().join("dist/handbook"));
    assert!(files.contains(&"index.md".to_string()));
    assert!(files.contains(&"sales-delivery.md".to_string()));
    assert!(files.contains(&"roles/warehouse.md".to_string()));
    assert_eq!(files.iter().filter(|f| f.starts_with("roles/")).count(), 26);
}

#[test]
fn snapshot_of_the_sales_delivery_handbook() {
    let dir = shipped();
    let (code, err) = render(dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let md = read(dir.path().join("dist/handbook/sales-delivery.md"));
    // What the seed asks of a handbook, in words a clerk reads.
    for words in [
        "当天 18:00 前",
        "实际发货时间后 7 天内",
        "- [ ] 按发货单拣货并复核数量",
        "**完成时填写**：实际发货时间、物流单号、物流凭证",
        "1. [销售主管](roles/sales-manager.md)（任一人审批即可）",
        "「已退款金额」 > 0",
    ] {
        assert!(md.contains(words), "missing {words:?}");
    }
    insta::assert_snapshot!("sales-delivery.md", md);
}

#[test]
fn snapshot_of_the_warehouse_role_page() {
    let dir = shipped();
    let (code, err) = render(dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let md = read(dir.path().join("dist/handbook/roles/warehouse.md"));
    assert!(md.contains("#### 任务：完成发货并反馈发货信息"));
    assert!(md.contains("发货单进入「已审批」时"));
    insta::assert_snapshot!("roles-warehouse.md", md);
}

#[test]
fn role_pages_include_tasks_of_the_person_named_on_the_record() {
    // "Customer acceptance" goes to the delivery's owner; completing it is a sales move.
    let dir = shipped();
    assert_eq!(render(dir.path(), &[]).0, 0);
    let md = read(dir.path().join("dist/handbook/roles/sales.md"));
    assert!(
        md.contains("#### 任务：找客户完成验收并反馈验收信息"),
        "{md}"
    );
    assert!(md.contains("你是该人员时，由你完成"));
}

#[test]
fn one_role_only() {
    let dir = shipped();
    let (code, err) = render(dir.path(), &["--role", "warehouse", "-o", "out"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        files_under(&dir.path().join("out")),
        vec!["roles/warehouse.md"]
    );
    assert!(err.contains("rendered 1 page (markdown) to out"), "{err}");
}

#[test]
fn unknown_role_is_a_usage_error_with_a_suggestion() {
    let dir = shipped();
    let (code, err) = render(dir.path(), &["--role", "warehous"]);
    assert_eq!(code, 2);
    assert!(err.contains("error: unknown role `warehous`"), "{err}");
    assert!(err.contains("did you mean `warehouse`?"), "{err}");
    assert!(!dir.path().join("dist").exists());
}

#[test]
fn paths_limit_the_processes() {
    let dir = shipped();
    let (code, err) = render(dir.path(), &["sops/销售/销售发货.yaml", "-o", "out"]);
    assert_eq!(code, 0, "{err}");
    let files = files_under(&dir.path().join("out"));
    assert!(files.contains(&"sales-delivery.md".to_string()));
    assert!(!files.contains(&"purchasing.md".to_string()));
    let index = read(dir.path().join("out/index.md"));
    assert!(index.contains("[销售发货](sales-delivery.md)"));
    assert!(!index.contains("purchasing.md"));
}

#[test]
fn refuses_sops_that_do_not_validate() {
    let dir = project_from(&fixtures().join("validate/unknown-role/sops"));
    let (code, err) = render(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[unknown-role]"), "{err}");
    assert!(err.contains("no handbook was written"), "{err}");
    assert!(!dir.path().join("dist").exists());
}

#[test]
fn other_formats_are_usage_errors() {
    let dir = shipped();
    let (code, err) = render(dir.path(), &["--format", "sarif"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--format sarif is not a handbook format"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Languages, escaping, diagrams

#[test]
fn english_headings_from_metadata_language() {
    let dir = english();
    let (code, err) = render(dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let md = read(dir.path().join("dist/handbook/customer-returns.md"));
    for words in [
        "## Purpose",
        "## Step by step",
        "#### Task: Check the request",
        "| Due | tomorrow by 12:00 |",
        "| Due | within 1 business day of creation |",
        "still open 1 day after the due time: escalated to Sales manager",
        "“Refund amount” > 1000 and not “Received at” is filled in",
    ] {
        assert!(md.contains(words), "missing {words:?} in\n{md}");
    }
    assert!(!md.contains("目的"));
    // Every process is English, so the index and role pages are too.
    let role = read(dir.path().join("dist/handbook/roles/warehouse.md"));
    assert!(role.contains("### Your tasks"), "{role}");
}

#[test]
fn render_language_and_templates_from_sopctl_yaml() {
    let dir = project_from(&fixtures().join("validate/clean/sops"));
    std::fs::create_dir(dir.path().join("tpl")).unwrap();
    std::fs::write(
        dir.path().join("tpl/index.md.j2"),
        "INDEX {{ t.processes }} {{ index.processes | length }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("sopctl.yaml"),
        "render: { language: en, templates: tpl }\n",
    )
    .unwrap();
    let (code, err) = render(dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        read(dir.path().join("dist/handbook/index.md")),
        "INDEX Processes 1\n"
    );
    let md = read(dir.path().join("dist/handbook/delivery.md"));
    assert!(md.contains("## Step by step"), "{md}");
}

#[test]
fn guides_are_content_never_template_code_and_html_is_escaped() {
    let dir = english();
    let (code, err) = render(dir.path(), &["--format", "html"]);
    assert_eq!(code, 0, "{err}");
    let html = read(dir.path().join("dist/handbook/customer-returns.html"));
    assert!(
        html.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("Check the order &lt;b&gt;number&lt;&#x2f;b&gt;"));
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("<img"));
    // Template code in a guide is shown, not run.
    assert!(html.contains("Never run {{ process.title }} or {% if true %}code{% endif %}."));
    // Self-contained: no scripts, no stylesheets or images to fetch.
    assert!(!html.contains("<link rel=\"stylesheet\""));
    assert!(!html.contains(" src=\""));

    let (code, _) = render(dir.path(), &[]);
    assert_eq!(code, 0);
    let md = read(dir.path().join("dist/handbook/customer-returns.md"));
    assert!(md.contains(
        "Call the customer. &lt;script>alert(\"x\")&lt;/script> Never run {{ process.title }}"
    ));
    assert!(md.contains("- [ ] Check the order &lt;b>number&lt;/b>"));
}

#[test]
fn mermaid_ids_never_contain_dashes_and_labels_never_semicolons() {
    let mut diagrams = Vec::new();
    for dir in [shipped(), english()] {
        assert_eq!(render(dir.path(), &[]).0, 0);
        let out = dir.path().join("dist/handbook");
        for f in files_under(&out)
            .iter()
            .filter(|f| !f.contains('/') && f.as_str() != "index.md")
        {
            diagrams.extend(mermaid_blocks(&read(out.join(f))));
        }
    }
    assert_eq!(diagrams.len(), 14);
    let is_id = |s: &str| s == "[*]" || (s.starts_with('s') && s[1..].parse::<usize>().is_ok());
    for d in &diagrams {
        let mut lines = d.lines();
        assert_eq!(lines.next(), Some("stateDiagram-v2"));
        for line in lines {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("state \"") {
                let (label, id) = rest.split_once("\" as ").expect("state \"…\" as id");
                assert!(!label.contains(['"', ';', '#']), "{line}");
                assert!(is_id(id), "{line}");
            } else {
                let (edge, label) = line.split_once(" : ").unwrap_or((line, ""));
                let (a, b) = edge.split_once(" --> ").expect("an edge");
                assert!(is_id(a) && is_id(b), "{line}");
                assert!(!label.contains([';', '"', '#']), "{line}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Templates

#[test]
fn a_template_in_templates_dir_overrides_the_shipped_one() {
    let dir = shipped();
    let tpl = dir.path().join("my-templates");
    std::fs::create_dir(&tpl).unwrap();
    std::fs::write(
        tpl.join("process.md.j2"),
        "CUSTOM {{ process.title }} / {{ t.purpose }} / {{ process.statuses | length }}\n",
    )
    .unwrap();
    let (code, err) = render(dir.path(), &["--templates", "my-templates"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        read(dir.path().join("dist/handbook/sales-delivery.md")),
        "CUSTOM 销售发货 / 目的 / 7\n"
    );
    // The other templates are still the shipped ones.
    assert!(read(dir.path().join("dist/handbook/roles/warehouse.md")).starts_with("# 库管"));
}

#[test]
fn a_template_syntax_error_names_its_file_and_line() {
    let dir = shipped();
    let tpl = dir.path().join("tpl");
    std::fs::create_dir(&tpl).unwrap();
    std::fs::write(
        tpl.join("process.md.j2"),
        "# {{ process.title }}\n\n{% if %}\n",
    )
    .unwrap();
    let (code, err) = render(dir.path(), &["--templates", "tpl"]);
    assert_eq!(code, 2, "{err}");
    let file = tpl.join("process.md.j2");
    assert!(
        err.contains(&format!(
            "error: template {}:3: syntax error",
            file.display()
        )),
        "{err}"
    );
    assert!(err.contains("help: fix the template"), "{err}");
    assert!(!dir.path().join("dist").exists(), "nothing is written");
}

#[test]
fn a_template_runtime_error_names_its_file_and_line() {
    let dir = shipped();
    let tpl = dir.path().join("tpl");
    std::fs::create_dir(&tpl).unwrap();
    std::fs::write(
        tpl.join("role.md.j2"),
        "# {{ role.title }}\n{{ role.no_such.field }}\n",
    )
    .unwrap();
    let (code, err) = render(dir.path(), &["--templates", "tpl"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("role.md.j2:2: undefined value"), "{err}");
}

#[test]
fn a_missing_templates_folder_is_a_usage_error() {
    let dir = shipped();
    let (code, err) = render(dir.path(), &["--templates", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("templates folder"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Revision history from git

fn commit(repo: &git2::Repository, who: &str, when: i64, subject: &str) {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::new(
        who,
        &format!("{}@example.com", who.to_lowercase()),
        &git2::Time::new(when, 480),
    )
    .unwrap();
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, subject, &tree, &parents)
        .unwrap();
}

#[test]
fn revision_history_comes_from_git_newest_first() {
    let dir = english();
    let repo = git2::Repository::init(dir.path()).unwrap();
    // 2026-01-05 09:00 +08:00
    commit(&repo, "Alice", 1_767_574_800, "Add the returns SOP");
    let file = dir.path().join("sops/returns.yaml");
    let text = read(&file).replace("Check the request", "Check the return request");
    std::fs::write(&file, text).unwrap();
    // 2026-03-02 10:00 +08:00
    commit(&repo, "Bob", 1_772_416_800, "Name the first task better");
    let roles = dir.path().join("sops/roles.yaml");
    let text = read(&roles).replace("Warehouse clerk", "Warehouse");
    std::fs::write(&roles, text).unwrap();
    commit(&repo, "Carol", 1_775_000_000, "Rename a role");

    let out = sopctl()
        .current_dir(dir.path())
        .env_remove("SOPCTL_NO_GIT")
        .args(["render"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = read(dir.path().join("dist/handbook/customer-returns.md"));
    let bob = md
        .find("| 2026-03-02 | Bob | Name the first task better |")
        .expect(&md);
    let alice = md
        .find("| 2026-01-05 | Alice | Add the returns SOP |")
        .expect(&md);
    assert!(bob < alice, "newest first");
    assert!(
        !md.contains("Carol"),
        "a commit that did not touch the file is not listed"
    );
    assert!(md.contains("| Last changed | 2026-03-02 |"), "{md}");
    assert!(
        md.contains("| Next review due | 2026-05-31 |"),
        "90 days later: {md}"
    );

    // SOPCTL_NO_GIT=1: no history, reproducible output.
    let (code, _) = render(dir.path(), &[]);
    assert_eq!(code, 0);
    let md = read(dir.path().join("dist/handbook/customer-returns.md"));
    assert!(!md.contains("Revision history"));
    assert!(!md.contains("Alice"));
}

#[test]
fn outside_a_repository_the_history_says_so() {
    let dir = english();
    let out = sopctl()
        .current_dir(dir.path())
        .env_remove("SOPCTL_NO_GIT")
        .args(["render"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = read(dir.path().join("dist/handbook/customer-returns.md"));
    assert!(md.contains("## Revision history\n\nNo git history"), "{md}");
}

// ---------------------------------------------------------------------------------------------
// The real Mermaid parser and headless Chromium

/// What the browser checks need, or why they cannot run.
struct Browser {
    npm: PathBuf,
}

fn browser(what: &str) -> Option<Browser> {
    let npm = std::env::var_os("SOPCTL_NPM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("../npm"));
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let missing = if !node_ok {
        Some("node is not installed".to_string())
    } else if !npm
        .join("node_modules/mermaid/dist/mermaid.min.js")
        .is_file()
        || !npm.join("node_modules/playwright-core").is_dir()
    {
        Some(format!(
            "mermaid and playwright-core are not in {}",
            npm.display()
        ))
    } else if !chromium.is_file() {
        Some(format!("{} is not installed", chromium.display()))
    } else {
        None
    };
    match missing {
        None => Some(Browser { npm }),
        Some(why) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{what}: {why}; CI must run .ci/install-render-tools.sh first");
            }
            eprintln!("skipped: {what}: {why} (run .ci/install-render-tools.sh)");
            None
        }
    }
}

fn run_check(b: &Browser, mode: &str, files: &[PathBuf]) -> (bool, String) {
    let out = Command::new("node")
        .arg(repo_root().join("tests/browser/check.mjs"))
        .arg(&b.npm)
        .arg(mode)
        .args(files)
        .output()
        .expect("node runs");
    (
        out.status.success(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

#[test]
#[ignore = "needs node + chromium (CI=true runs it)"]
fn every_diagram_parses_with_the_real_mermaid_parser() {
    let Some(b) = browser("Mermaid parser check") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for dir in [shipped(), english()] {
        assert_eq!(render(dir.path(), &[]).0, 0);
        let out = dir.path().join("dist/handbook");
        for f in files_under(&out).iter().filter(|f| !f.contains('/')) {
            for (i, d) in mermaid_blocks(&read(out.join(f))).into_iter().enumerate() {
                let p = work
                    .path()
                    .join(format!("{}-{i}.mmd", f.trim_end_matches(".md")));
                std::fs::write(&p, d).unwrap();
                files.push(p);
            }
        }
    }
    // 13 shipped processes and the English fixture's one.
    assert_eq!(files.len(), 14);
    let (ok, log) = run_check(&b, "mermaid", &files);
    assert!(ok, "{log}");
    assert_eq!(
        log.lines().filter(|l| l.starts_with("ok ")).count(),
        14,
        "{log}"
    );
}

#[test]
#[ignore = "needs node + chromium (CI=true runs it)"]
fn html_pages_open_in_headless_chromium_without_console_errors() {
    let Some(b) = browser("headless Chromium check") else {
        return;
    };
    let mut pages = Vec::new();
    let dirs = [shipped(), english()];
    for dir in &dirs {
        let (code, err) = render(dir.path(), &["--format", "html"]);
        assert_eq!(code, 0, "{err}");
        let out = dir.path().join("dist/handbook");
        pages.extend(files_under(&out).into_iter().map(|f| out.join(f)));
    }
    assert_eq!(pages.len(), 40 + 6);
    let (ok, log) = run_check(&b, "page", &pages);
    assert!(ok, "{log}");
    assert_eq!(
        log.lines().filter(|l| l.starts_with("ok ")).count(),
        46,
        "{log}"
    );
}
