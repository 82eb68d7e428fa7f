//! A scenario file of arbitrary bytes run against the shipped 销售发货 process.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn project() -> &'static (PathBuf, Vec<(String, Vec<u8>)>) {
    static P: OnceLock<(PathBuf, Vec<(String, Vec<u8>)>)> = OnceLock::new();
    P.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let files = ["sops/roles.yaml", "sops/销售/销售发货.yaml"]
            .iter()
            .map(|f| (f.to_string(), std::fs::read(root.join(f)).expect(f)))
            .collect();
        (root, files)
    })
}

fuzz_target!(|data: &[u8]| {
    let (root, others) = project();
    sopctl::harness::scenario(root, others, data);
});
