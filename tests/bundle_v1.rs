//! The keys added in v1.1 (rights, `each`, `for_each`, approval steps as work) are left out of
//! a bundle when unused: a v1 project keeps the bundle hash it had before them, and a bundle
//! written before them reads back and hashes the same.

mod common;

use common::*;

/// `tests/fixtures/build/full` built by sopctl before v1.1 (commit ad9a5df).
const V1_HASH: &str = "sha256:cf3f403d69c040a647d6580fefbab091d36a309f03f1d916da64b1e3d113ea2f";

#[test]
fn a_v1_project_keeps_its_bundle_hash() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("build/full"), tmp.path());
    let out = run_in(tmp.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(tmp.path().join("dist/bundle.json")).unwrap();
    let j: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(j["hash"], V1_HASH);
    let before = std::fs::read_to_string(fixtures().join("bundles/v1-full.json")).unwrap();
    let roles_and_processes = |t: &str| {
        let v: serde_json::Value = serde_json::from_str(t).unwrap();
        (v["roles"].clone(), v["processes"].clone())
    };
    assert_eq!(roles_and_processes(&text), roles_and_processes(&before));
}

#[test]
fn a_bundle_written_before_v1_1_reads_back_with_the_same_hash() {
    let text = std::fs::read_to_string(fixtures().join("bundles/v1-full.json")).unwrap();
    let b = sopctl::bundle::Bundle::from_json(&text).unwrap();
    assert_eq!(b.hash, V1_HASH);
    assert_eq!(b.content_hash(), V1_HASH);
    assert_eq!(
        b.to_json(),
        text,
        "the same bytes once read and written again"
    );
}
