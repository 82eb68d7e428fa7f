//! One SOP file of arbitrary bytes beside the shipped roles: validate, lint, report, compile.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn project() -> &'static (PathBuf, Vec<(String, Vec<u8>)>) {
    static P: OnceLock<(PathBuf, Vec<(String, Vec<u8>)>)> = OnceLock::new();
    P.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let roles = std::fs::read(root.join("sops/roles.yaml")).expect("sops/roles.yaml");
        (root, vec![("sops/roles.yaml".to_string(), roles)])
    })
}

fuzz_target!(|data: &[u8]| {
    let (root, others) = project();
    sopctl::harness::load_check(root, others, data);
});
