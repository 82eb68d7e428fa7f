//! No input stops the compiler: findings far right on a long line, many findings, FIFOs,
//! sources outside the project, and Ctrl-C during a build. Each case runs the real binary.

mod common;

use common::*;
use std::path::Path;
use std::time::Duration;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const ROLES_HEAD: &str = "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: company }\n";

/// The first finding's (code, line, column) from `validate --format json`.
fn first_json(dir: &Path) -> (String, u64, u64) {
    let out = run_in(dir, &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    (
        d["code"].as_str().unwrap().to_string(),
        d["line"].as_u64().unwrap(),
        d["column"].as_u64().unwrap(),
    )
}

/// Every command that prints findings, in the human format: exit 1 (never a panic's 101),
/// the exact place named, and a bounded amount of text whatever the line's length.
fn human_never_panics(dir: &Path, line: u64, column: u64) {
    for cmd in [
        vec!["validate"],
        vec!["lint"],
        vec!["build"],
        vec!["render"],
        vec!["test"],
    ] {
        let mut args = cmd.clone();
        args.extend(["--color", "never"]);
        let out = run_in(dir, &args);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{cmd:?}: {}",
            &err[..err.len().min(2000)]
        );
        assert!(!err.contains("panicked"), "{cmd:?}: {err}");
        assert!(
            err.contains(&format!(":{line}:{column}]")),
            "{cmd:?}: {err}"
        );
        assert!(err.len() < 8_000, "{cmd:?}: {} bytes of stderr", err.len());
    }
}

#[test]
fn a_70000_character_key() {
    let key = "k".repeat(70_000);
    let text = format!("{ROLES_HEAD}spec:\n  roles:\n    {key}: {{ title: x }}\n");
    let dir = project(&[("sops/roles.yaml", &text)]);
    let (code, line, column) = first_json(dir.path());
    assert_eq!((code.as_str(), line), ("yaml-syntax", 6));
    assert!(column > 65_535, "{column}");
    human_never_panics(dir.path(), line, column);
}

#[test]
fn a_one_mebibyte_quoted_key() {
    // A valid YAML key, but not a valid role id.
    let key = format!("\"{}!\"", "q".repeat(1 << 20));
    let text = format!("{ROLES_HEAD}spec:\n  roles: {{ {key}: {{ title: x }} }}\n");
    let dir = project(&[("sops/roles.yaml", &text)]);
    let (_, line, column) = first_json(dir.path());
    assert_eq!(line, 5);
    human_never_panics(dir.path(), line, column);
}

#[test]
fn a_schema_error_at_column_70020() {
    let title = "x".repeat(70_000);
    let text =
        format!("{ROLES_HEAD}spec: {{ roles: {{ sales: {{ title: {title}, bogus: 1 }} }} }}\n");
    let dir = project(&[("sops/roles.yaml", &text)]);
    let (code, line, column) = first_json(dir.path());
    assert_eq!((code.as_str(), line), ("schema", 4));
    assert_eq!(
        column as usize,
        text.lines().nth(3).unwrap().find("bogus").unwrap() + 1
    );
    assert!(column > 70_000);
    human_never_panics(dir.path(), line, column);
}

#[test]
fn a_syntax_error_after_a_one_mebibyte_string_in_when() {
    let big = "a".repeat(1 << 20);
    let text = format!(
        "apiVersion: sopctl/v1\nkind: Process\nmetadata: {{ name: p, title: P }}\nspec:\n  \
         fields: {{ note: {{ type: text, title: 备注 }} }}\n  statuses:\n    \
         open: {{ title: 开, initial: true }}\n    done: {{ title: 完, terminal: true }}\n  \
         transitions:\n    - {{ from: open, to: done, when: \"note == '{big}' and\" }}\n"
    );
    let dir = project(&[("sops/p.yaml", &text)]);
    let (code, line, column) = first_json(dir.path());
    assert_eq!((code.as_str(), line), ("bad-expression", 10));
    assert!(column > 1 << 20, "{column}");
    human_never_panics(dir.path(), line, column);
}

#[test]
fn a_nesting_refusal_does_not_echo_the_whole_line() {
    let text = format!("{ROLES_HEAD}spec: {}\n", "[".repeat(200_000));
    let dir = project(&[("sops/deep.yaml", &text)]);
    let out = run_in(dir.path(), &["validate", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).len() < 4_000, "{} bytes", stderr(&out).len());
}

#[test]
fn thousands_of_findings_are_capped_and_counted() {
    let mut text = format!("{ROLES_HEAD}spec:\n  roles:\n");
    for i in 0..5_000 {
        text.push_str(&format!("    r{i}: {{ titel: x }}\n"));
    }
    let dir = project(&[("sops/roles.yaml", &text)]);
    let out = run_in(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = json["diagnostics"].as_array().unwrap().len();
    // Each role has an unknown key and misses `title`: two findings each.
    assert_eq!(json["errors"], 10_000, "{}", &json.to_string()[..300]);
    assert_eq!(listed, 200);
    assert_eq!(json["omitted"], 9_800);
    let human = run_in(dir.path(), &["validate", "--color", "never"]);
    let err = stderr(&human);
    assert!(
        err.contains("… and 9800 more findings in sops/roles.yaml"),
        "{}",
        &err[err.len() - 500..]
    );
    assert!(
        err.trim_end().ends_with("10000 errors"),
        "{}",
        &err[err.len() - 300..]
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_among_the_sources_is_skipped_with_a_warning() {
    let dir = project(&[(
        "sops/roles.yaml",
        &format!("{ROLES_HEAD}spec:\n  roles:\n    sales: {{ title: 销售 }}\n"),
    )]);
    let fifo = dir.path().join("sops/pipe.yaml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let out = sopctl()
        .current_dir(dir.path())
        .args(["validate", "--format", "json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["severity"].as_str()),
        (Some("yaml-syntax"), Some("warning"))
    );
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("sops/pipe.yaml"), Some(1))
    );
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains("not a regular file"));
    // Named on the command line, it is a usage error, not a hang.
    let out = sopctl()
        .current_dir(dir.path())
        .args(["validate", "sops/pipe.yaml"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn sources_outside_the_project_are_a_config_error() {
    for glob in ["../**/*.yaml", "/etc/**", "sops/../../x/*.yaml"] {
        let dir = project(&[
            (
                "sopctl.yaml",
                &format!("sources: [\"sops/*.yaml\", \"{glob}\"]\n"),
            ),
            (
                "sops/roles.yaml",
                &format!("{ROLES_HEAD}spec:\n  roles:\n    sales: {{ title: 销售 }}\n"),
            ),
        ]);
        let out = run_in(dir.path(), &["validate", "--format", "json"]);
        assert_eq!(out.status.code(), Some(2), "{glob}: {}", stderr(&out));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            all.contains("reaches outside the project folder"),
            "{glob}: {all}"
        );
        assert!(all.contains("\"line\":1,\"column\":26"), "{glob}: {all}");
    }
}

/// A project of `n` small processes whose titles carry `mark`.
fn many_processes(dir: &Path, n: usize, mark: &str) {
    let sops = dir.join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    std::fs::write(
        sops.join("roles.yaml"),
        format!("{ROLES_HEAD}spec:\n  roles:\n    clerk: {{ title: 文员 }}\n"),
    )
    .unwrap();
    for i in 0..n {
        std::fs::write(
            sops.join(format!("p{i}.yaml")),
            format!(
                "apiVersion: sopctl/v1\nkind: Process\nmetadata: {{ name: p{i}, title: 流程{i}-{mark} }}\n\
                 spec:\n  statuses:\n    open:\n      title: 开\n      initial: true\n      tasks:\n        \
                 - {{ id: do, title: 办理-{mark}, assignee: role:clerk, due: +1d, guide: 办理。, complete: {{ then: done }} }}\n    \
                 done: {{ title: 完, terminal: true }}\n  transitions:\n    - {{ from: open, to: done, by: [role:clerk] }}\n"
            ),
        )
        .unwrap();
    }
}

/// Which version the outputs hold: the bundle's and every page's mark must agree.
fn version_of(dist: &Path) -> &'static str {
    let bundle = std::fs::read_to_string(dist.join("bundle.json")).unwrap();
    let bundle_mark = if bundle.contains("-new") {
        "new"
    } else {
        "old"
    };
    let mut pages = 0;
    for e in std::fs::read_dir(dist.join("handbook")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "stray {name}");
        if name.starts_with('p') && name.ends_with(".md") {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let mark = if text.contains("-new") { "new" } else { "old" };
            assert_eq!(
                mark, bundle_mark,
                "{name} is {mark}, the bundle {bundle_mark}"
            );
            pages += 1;
        }
    }
    assert_eq!(pages, 600);
    for e in std::fs::read_dir(dist).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "stray {name} in dist");
    }
    bundle_mark
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_build_leaves_old_or_new_outputs_never_a_mix() {
    let dir = tempfile::tempdir().unwrap();
    many_processes(dir.path(), 600, "old");
    let out = run_in(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dist = dir.path().join("dist");
    assert_eq!(version_of(&dist), "old");
    many_processes(dir.path(), 600, "new");
    let bin = assert_cmd::cargo::cargo_bin("sopctl");
    let mut seen = std::collections::BTreeSet::new();
    // Interrupt at growing delays: early ones land while rendering, later ones while writing.
    for delay_ms in [50u64, 300, 600, 900, 1200, 1600, 2200, 3000] {
        let mut child = std::process::Command::new(&bin)
            .arg("build")
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        // SAFETY: sending a signal to our own child process.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        let _ = child.wait().unwrap();
        let v = version_of(&dist);
        seen.insert(v);
        if v == "new" {
            break;
        }
    }
    // However it went, a build that is not interrupted finishes the job.
    let out = run_in(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(version_of(&dist), "new");
    assert!(!seen.is_empty());
}

#[test]
fn a_template_that_loops_for_ever_runs_out_of_fuel() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("sops"), &dir.path().join("sops"));
    let tpl = dir.path().join("tpl");
    std::fs::create_dir(&tpl).unwrap();
    // 10^15 iterations: without fuel this render would never end.
    std::fs::write(
        tpl.join("role.md.j2"),
        "# {{ role.title }}\n{% for a in range(100000) %}{% for b in range(100000) %}\
         {% for c in range(100000) %}{% endfor %}{% endfor %}{% endfor %}\n",
    )
    .unwrap();
    let out = sopctl()
        .current_dir(dir.path())
        .args(["render", "--templates", "tpl"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("role.md.j2:2: engine ran out of fuel"),
        "{err}"
    );
    assert!(err.contains("more than 50000000 steps"), "{err}");
    assert!(!dir.path().join("dist").exists(), "nothing is written");
}
