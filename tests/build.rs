//! `sopctl build`: the bundle of SPEC section 8, run through the real binary on temporary
//! copies of projects.

mod common;

use std::path::Path;

use common::*;
use serde::Deserialize;
use serde_json::Value as J;
use serde_yaml::Value as Y;
use sopctl::bundle::Bundle;

fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("build").join(name), dir.path());
    dir
}

fn code(o: &std::process::Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Builds in `dir` and returns the bundle's bytes.
fn build(dir: &Path) -> String {
    let out = run_in(dir, &["build"]);
    assert_eq!(
        code(&out),
        0,
        "build failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    std::fs::read_to_string(dir.join("dist/bundle.json")).expect("dist/bundle.json written")
}

fn hash_of(bundle: &str) -> String {
    let j: J = serde_json::from_str(bundle).unwrap();
    j["hash"].as_str().unwrap().to_string()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} holds `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn rename(root: &Path, from: &str, to: &str) {
    let to = root.join(to);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::rename(root.join(from), to).unwrap();
}

/// Reverses the key order of every mapping whose order means nothing: everything but the
/// `fields` and `statuses` mappings themselves (their order is the source/display order).
fn reverse_keys(v: &mut Y, key: Option<&str>) {
    match v {
        Y::Mapping(m) => {
            let mut entries: Vec<(Y, Y)> = std::mem::take(m).into_iter().collect();
            if !matches!(key, Some("fields") | Some("statuses")) {
                entries.reverse();
            }
            for (k, mut val) in entries {
                reverse_keys(&mut val, k.as_str());
                m.insert(k, val);
            }
        }
        Y::Sequence(items) => items.iter_mut().for_each(|i| reverse_keys(i, None)),
        _ => {}
    }
}

fn yaml_docs(path: &Path) -> Vec<Y> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::Deserializer::from_str(&text)
        .map(|d| {
            let mut v = Y::deserialize(d).unwrap();
            reverse_keys(&mut v, None);
            v
        })
        .collect()
}

/// Rewrites the copy in every way that must not change the bundle.
fn reformat(root: &Path) {
    let sops = root.join("sops");
    // Block style (flow mappings such as `{ type: user, … }` become blocks), keys reordered,
    // comments dropped.
    let delivery = sops.join("销售/销售发货.yaml");
    let docs = yaml_docs(&delivery);
    std::fs::write(&delivery, serde_yaml::to_string(&docs[0]).unwrap()).unwrap();
    // Flow style all the way: JSON is YAML.
    let daily = sops.join("行政/日常工作.yaml");
    let docs = yaml_docs(&daily);
    std::fs::write(&daily, serde_json::to_string_pretty(&docs[0]).unwrap()).unwrap();
    // Comments everywhere a comment may go, and a different line ending style.
    let orders = sops.join("销售/订单管理.yaml");
    let text = std::fs::read_to_string(&orders).unwrap();
    let mut commented = String::from("# 注释：开头\n\n");
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            commented.push_str("# a comment before a top-level key\n");
        }
        commented.push_str(line);
        if line.trim_end().ends_with('}') && line.contains(": {") {
            commented.push_str("   # 行尾注释");
        }
        commented.push_str("\r\n");
    }
    commented.push_str("# the end\n");
    std::fs::write(&orders, commented).unwrap();
    // Renamed files and folders, a different file order, documents merged into one file in
    // another order.
    rename(
        root,
        "sops/销售/销售发货.yaml",
        "sops/销售/000-delivery.yml",
    );
    rename(root, "sops/财务", "sops/zz-money");
    rename(
        root,
        "sops/projects/order-to-project.yaml",
        "sops/a/b/c/order.yaml",
    );
    let roles = std::fs::read_to_string(sops.join("roles.yaml")).unwrap();
    let purchase = std::fs::read_to_string(sops.join("采购/采购进货.yaml")).unwrap();
    std::fs::remove_file(sops.join("roles.yaml")).unwrap();
    std::fs::remove_file(sops.join("采购/采购进货.yaml")).unwrap();
    std::fs::write(
        sops.join("采购/all.yaml"),
        format!("{purchase}\n---\n{roles}"),
    )
    .unwrap();
}

#[test]
fn same_sops_give_the_same_bytes_whatever_the_formatting_comments_and_file_names() {
    let plain = shipped_project();
    let changed = shipped_project();
    reformat(changed.path());
    // The rewrites took place.
    let sops = changed.path().join("sops");
    let delivery = std::fs::read_to_string(sops.join("销售/000-delivery.yml")).unwrap();
    assert!(
        !delivery.contains("{ type:") && !delivery.contains('#'),
        "{delivery}"
    );
    let daily = std::fs::read_to_string(sops.join("行政/日常工作.yaml")).unwrap();
    assert!(daily.starts_with('{'), "{daily}");
    assert!(!sops.join("roles.yaml").exists() && !sops.join("财务").exists());
    let a = build(plain.path());
    let b = build(changed.path());
    assert!(
        a == b,
        "bundles differ; first difference near: {:?}",
        a.lines()
            .zip(b.lines())
            .enumerate()
            .find(|(_, (x, y))| x != y)
    );
    let j: J = serde_json::from_str(&a).unwrap();
    // A temporary folder is not in a git repository.
    assert_eq!(
        j["source"],
        serde_json::json!({"commit": null, "dirty": false})
    );
    // Building twice gives the same bytes too.
    assert_eq!(build(plain.path()), a);
}

#[test]
fn a_semantic_change_changes_the_hash() {
    let dir = shipped_project();
    let base = hash_of(&build(dir.path()));
    let delivery = dir.path().join("sops/销售/销售发货.yaml");
    edit(&delivery, "完成发货并反馈发货信息", "完成发货");
    let retitled = hash_of(&build(dir.path()));
    assert_ne!(retitled, base, "a task title is in the hash");
    edit(&delivery, "due: today 18:00", "due: today 17:00");
    let redated = hash_of(&build(dir.path()));
    assert_ne!(redated, retitled, "a due date is in the hash");
    edit(
        &delivery,
        "sales, delivery, warehouse",
        "sales, warehouse, delivery",
    );
    assert_ne!(hash_of(&build(dir.path())), redated, "tag order is kept");
}

#[test]
fn a_media_file_is_hashed_by_content() {
    let dir = shipped_project();
    let base = build(dir.path());
    let j: J = serde_json::from_str(&base).unwrap();
    let delivery = j["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "sales-delivery")
        .unwrap();
    let task = &delivery["statuses"][1]["tasks"][0];
    assert_eq!(task["media"][0]["path"], "sops/销售/guides/出库发货规范.md");
    assert_eq!(task["media"][0]["sha256"].as_str().unwrap().len(), 64);
    std::fs::write(
        dir.path().join("sops/销售/guides/出库发货规范.md"),
        "# 新版规范\n",
    )
    .unwrap();
    assert_ne!(hash_of(&build(dir.path())), hash_of(&base));
}

fn schema_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo_root().join("schemas/bundle.schema.json")).unwrap();
    let schema: J = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::new(&schema).expect("the bundle schema compiles")
}

fn schema_errors(v: &jsonschema::Validator, bundle: &J) -> Vec<String> {
    v.iter_errors(bundle)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn bundles_validate_against_the_schema() {
    let v = schema_validator();
    let shipped = shipped_project();
    let full = fixture_copy("full");
    for dir in [shipped.path(), full.path()] {
        let bundle: J = serde_json::from_str(&build(dir)).unwrap();
        let errors = schema_errors(&v, &bundle);
        assert!(errors.is_empty(), "{}: {errors:#?}", dir.display());
    }
}

#[test]
fn the_schema_is_strict() {
    let v = schema_validator();
    let full = fixture_copy("full");
    let bundle: J = serde_json::from_str(&build(full.path())).unwrap();
    let pointers = [
        "",
        "/source",
        "/roles/0",
        "/processes/0",
        "/processes/1/fields/0",
        "/processes/1/statuses/0",
        "/processes/1/statuses/0/tasks/0",
        "/processes/1/statuses/0/tasks/0/due",
        "/processes/1/statuses/0/tasks/0/due/rule",
        "/processes/1/statuses/0/tasks/0/media/0",
        "/processes/1/statuses/0/tasks/0/complete",
        "/processes/1/statuses/0/notify/0",
        "/processes/1/transitions/0",
        "/processes/1/renames",
    ];
    for p in pointers {
        let mut b = bundle.clone();
        let target = b.pointer_mut(p).unwrap_or_else(|| panic!("{p} exists"));
        target
            .as_object_mut()
            .unwrap_or_else(|| panic!("{p} is an object"))
            .insert("unexpected".into(), J::Null);
        assert!(
            !schema_errors(&v, &b).is_empty(),
            "an unknown key at `{p}` is refused"
        );
    }
    let mut b = bundle.clone();
    b["processes"][1]["transitions"][1]["when"]["expr"] =
        serde_json::json!({"op": "xor", "args": []});
    assert!(!schema_errors(&v, &b).is_empty(), "a bad expression tree");
    let mut b = bundle;
    b["hash"] = J::String("sha256:abc".into());
    assert!(!schema_errors(&v, &b).is_empty(), "a bad hash");
}

#[test]
fn the_full_fixture_compiles_every_construct() {
    let full = fixture_copy("full");
    let bundle: J = serde_json::from_str(&build(full.path())).unwrap();
    let case = &bundle["processes"][1];
    assert_eq!(case["name"], "case");
    assert_eq!(
        case["renames"],
        serde_json::json!({"statuses": {"new": "open"}, "fields": {"created_at": "opened_at", "started_at": "opened_at"}})
    );
    assert_eq!(
        case["fields"][3]["default"],
        serde_json::json!(1),
        "1.0 is written 1"
    );
    assert_eq!(
        case["review"]["every"],
        serde_json::json!({"amount": 2, "unit": "w", "minutes": 20160})
    );
    let t = &case["transitions"];
    let ids: Vec<&str> = t
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "open->review",
            "open->dropped",
            "review->closed",
            "review->dropped"
        ]
    );
    assert_eq!(
        t[0]["by"],
        serde_json::json!([]),
        "by: [] is kept apart from no by"
    );
    assert_eq!(
        t[0]["title"], "In review",
        "the title defaults to the target's"
    );
    assert_eq!(t[1]["by"], J::Null);
    assert_eq!(t[1]["from_any"], true);
    assert_eq!(t[1]["when"]["uses_now"], true);
    assert_eq!(
        t[2]["approval"][1],
        serde_json::json!({"role": "auditor", "mode": "all"})
    );
    let task = &case["statuses"][0]["tasks"][0];
    assert_eq!(
        task["guide"], "Write down **what** happened.",
        "no trailing newline"
    );
    assert_eq!(
        task["media"][2],
        serde_json::json!({"url": "https://video.example/how.mp4"})
    );
    assert_eq!(
        task["escalate"]["after"]["minutes"],
        J::Null,
        "business days have no fixed length"
    );
    assert_eq!(
        case["statuses"][1]["start"][0]["with"],
        serde_json::json!({"opened": "opened_at", "subject": "ref_no"})
    );
}

#[test]
fn a_bundle_reads_back_into_the_same_bytes() {
    let shipped = shipped_project();
    let full = fixture_copy("full");
    for dir in [shipped.path(), full.path()] {
        let text = build(dir);
        let bundle = Bundle::from_json(&text).expect("a built bundle reads back");
        assert_eq!(bundle.to_json(), text);
        assert_eq!(bundle.content_hash(), bundle.hash);
    }
    assert!(Bundle::from_json(r#"{"format":"sopctl-bundle/2"}"#).is_err());
}

#[test]
fn the_compiled_bundle_equals_the_one_read_back() {
    let full = fixture_copy("full");
    let config = sopctl::config::find(full.path(), None).unwrap();
    let (files, _) = sopctl::project::discover(&config, full.path(), &[]).unwrap();
    let loaded = sopctl::project::load(&config, &files, &Default::default());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let compiled = sopctl::bundle::compile(&loaded.project, &loaded.root).unwrap();
    let back = Bundle::from_json(&compiled.to_json()).unwrap();
    assert_eq!(
        back, compiled,
        "no offsets or other hidden state in the compiled bundle"
    );
}

/// A small valid project.
fn tiny(dir: &Path) {
    std::fs::create_dir_all(dir.join("sops")).unwrap();
    std::fs::write(
        dir.join("sops/p.yaml"),
        "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: p, title: P }\nspec:\n  statuses:\n    a: { title: A, initial: true }\n    b: { title: B, terminal: true }\n  transitions:\n    - { from: a, to: b }\n",
    )
    .unwrap();
}

#[test]
fn validation_errors_refuse_the_build_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    tiny(dir.path());
    edit(&dir.path().join("sops/p.yaml"), "to: b", "to: c");
    let out = run_in(dir.path(), &["build"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("unknown-status"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing was written"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("dist").exists(), "no dist/ at all");

    let out = run_in(dir.path(), &["build", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let report: J = serde_json::from_slice(&out.stdout).expect("the report is JSON on stdout");
    assert!(report["errors"].as_u64().unwrap() >= 1, "{report}");
    assert!(!dir.path().join("dist").exists());
}

#[test]
fn an_existing_bundle_is_untouched_on_error() {
    let dir = tempfile::tempdir().unwrap();
    tiny(dir.path());
    let before = build(dir.path());
    let path = dir.path().join("dist/bundle.json");
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    edit(&dir.path().join("sops/p.yaml"), "to: b", "to: c");
    let out = run_in(dir.path(), &["build"]);
    assert_eq!(code(&out), 1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        modified
    );
    let entries: Vec<_> = std::fs::read_dir(dir.path().join("dist"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        entries.len(),
        2,
        "bundle.json and handbook/, no temporary file left behind: {entries:?}"
    );
}

#[test]
fn prints_a_one_line_summary_and_honours_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    tiny(dir.path());
    let out = run_in(dir.path(), &["build", "-o", "out/x"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "human output stays off stdout");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("built out/x/bundle.json and 2 handbook pages in out/x/handbook: 1 process, 2 statuses, 0 tasks, sha256:"),
        "{err}"
    );
    assert!(dir.path().join("out/x/bundle.json").is_file());
    assert!(!dir.path().join("dist").exists());

    let out = run_in(dir.path(), &["build", "--format", "json"]);
    assert_eq!(code(&out), 0);
    let report: J = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["errors"], 0);
}

#[test]
fn check_tells_current_from_stale_and_missing() {
    let dir = shipped_project();
    build(dir.path());
    let out = run_in(dir.path(), &["build", "--check", "dist/bundle.json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("up to date"), "{}", stderr(&out));

    // Comments and formatting do not make it stale.
    let delivery = dir.path().join("sops/销售/销售发货.yaml");
    edit(&delivery, "apiVersion:", "# 新注释\napiVersion:");
    let out = run_in(dir.path(), &["build", "--check", "dist/bundle.json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    edit(&delivery, "due: today 18:00", "due: today 17:00");
    let before = std::fs::read(dir.path().join("dist/bundle.json")).unwrap();
    let out = run_in(dir.path(), &["build", "--check", "dist/bundle.json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("stale"), "{err}");
    assert!(err.contains("processes changed: sales-delivery\n"), "{err}");
    assert!(err.contains("`sopctl build`"), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join("dist/bundle.json")).unwrap(),
        before,
        "--check writes nothing"
    );

    let out = run_in(dir.path(), &["build", "--check", "dist/nope.json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("does not exist"));

    std::fs::write(dir.path().join("dist/other.json"), "{\"a\": 1}").unwrap();
    let out = run_in(dir.path(), &["build", "--check", "dist/other.json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a sopctl bundle"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_names_added_and_removed_processes_and_catches_hand_edits() {
    let dir = shipped_project();
    let text = build(dir.path());
    std::fs::remove_file(dir.path().join("sops/行政/日常工作.yaml")).unwrap();
    // Its scenario goes with it (a scenario of an unknown process is a validation error).
    std::fs::remove_file(dir.path().join("sops/scenarios/daily-work.yaml")).unwrap();
    let out = run_in(dir.path(), &["build", "--check", "dist/bundle.json"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("processes removed: daily-work"),
        "{}",
        stderr(&out)
    );

    // A bundle edited by hand no longer matches its own hash.
    let dir = shipped_project();
    build(dir.path());
    let edited = text.replacen("\"title\": \"销售发货\"", "\"title\": \"发货\"", 1);
    assert_ne!(edited, text);
    std::fs::write(dir.path().join("dist/bundle.json"), edited).unwrap();
    let out = run_in(dir.path(), &["build", "--check", "dist/bundle.json"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("does not match its contents"), "{err}");
    assert!(err.contains("processes changed: sales-delivery"), "{err}");

    // The source state is not compared.
    let mut b = Bundle::from_json(&text).unwrap();
    b.source.commit = Some("0".repeat(40));
    b.source.dirty = true;
    std::fs::write(dir.path().join("dist/bundle.json"), b.to_json()).unwrap();
    let out = run_in(dir.path(), &["build", "--check", "dist/bundle.json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

fn commit_all(repo: &git2::Repository) -> String {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, "c", &tree, &parents)
        .unwrap()
        .to_string()
}

fn source_of(bundle: &str) -> (J, String) {
    let j: J = serde_json::from_str(bundle).unwrap();
    (j["source"].clone(), j["hash"].as_str().unwrap().to_string())
}

#[test]
fn source_names_the_commit_and_whether_the_inputs_differ_from_it() {
    let dir = shipped_project();
    let root = dir.path().join("project");
    copy_dir(&dir.path().join("sops"), &root.join("sops"));
    std::fs::write(root.join(".gitignore"), "/dist\n").unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let head = commit_all(&repo);

    let (source, hash) = source_of(&build(&root));
    assert_eq!(source, serde_json::json!({"commit": head, "dirty": false}));

    // Files that are not inputs do not count.
    std::fs::write(root.join("notes.txt"), "x").unwrap();
    std::fs::write(dir.path().join("elsewhere.yaml"), "x: 1").unwrap();
    let (source, _) = source_of(&build(&root));
    assert_eq!(source["dirty"], false);

    // A changed source file does, even when the change does not change the hash.
    let delivery = root.join("sops/销售/销售发货.yaml");
    edit(&delivery, "apiVersion:", "# 注释\napiVersion:");
    let (source, same) = source_of(&build(&root));
    assert_eq!(source, serde_json::json!({"commit": head, "dirty": true}));
    assert_eq!(same, hash);
    let head = commit_all(&repo);
    assert_eq!(source_of(&build(&root)).0["dirty"], false);

    // So do a changed media file, an untracked source file and a deleted one.
    let media = root.join("sops/销售/guides/出库发货规范.md");
    std::fs::write(&media, "# 新版\n").unwrap();
    assert_eq!(source_of(&build(&root)).0["dirty"], true);
    let head2 = commit_all(&repo);
    assert_ne!(head2, head);
    assert_eq!(
        source_of(&build(&root)).0,
        serde_json::json!({"commit": head2, "dirty": false})
    );
    tiny_process(&root.join("sops/new.yaml"));
    assert_eq!(source_of(&build(&root)).0["dirty"], true);
    commit_all(&repo);
    std::fs::remove_file(root.join("sops/new.yaml")).unwrap();
    assert_eq!(source_of(&build(&root)).0["dirty"], true);
}

fn tiny_process(path: &Path) {
    std::fs::write(
        path,
        "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: extra, title: X }\nspec:\n  statuses:\n    a: { title: A, initial: true }\n    b: { title: B, terminal: true }\n  transitions:\n    - { from: a, to: b }\n",
    )
    .unwrap();
}

#[test]
fn build_writes_the_handbook_beside_the_bundle() {
    let dir = shipped_project();
    build(dir.path());
    let handbook = dir.path().join("dist/handbook");
    for page in ["index.md", "sales-delivery.md", "roles/warehouse.md"] {
        assert!(handbook.join(page).is_file(), "{page} written");
    }
    let page = std::fs::read_to_string(handbook.join("sales-delivery.md")).unwrap();
    assert!(page.contains("stateDiagram-v2"), "{page}");
}

#[test]
fn a_template_error_in_build_writes_nothing() {
    let dir = shipped_project();
    let templates = dir.path().join("my-templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("process.md.j2"), "{% if %}broken\n").unwrap();
    std::fs::write(
        dir.path().join("sopctl.yaml"),
        "render: { templates: my-templates }\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["build"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("process.md.j2"), "{}", stderr(&out));
    assert!(!dir.path().join("dist").exists(), "nothing written");
}
