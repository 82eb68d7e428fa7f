//! Growth of validate and lint with the size of one file: many roles, many keys in one
//! mapping, many statuses in one process. Each group runs at 10k, 20k, 40k and 80k; a linear pipeline
//! takes about twice as long for twice the input (before issue 18 several lookups were
//! quadratic: 20k statuses took 17.5 s to validate and 107 s to lint).
//!
//! `cargo bench --bench scaling`; `SOPCTL_SCALE=10000,20000` sets the sizes. The last case is
//! the largest roles file the loader accepts (8 MiB, about 253k roles).

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

const ROLES_HEAD: &str =
    "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: company }\nspec:\n  roles:\n";

fn roles(n: usize) -> String {
    let mut s = String::from(ROLES_HEAD);
    s.push_str("    clerk: { title: 文员 }\n");
    for i in 0..n {
        s.push_str(&format!("    role-{i}: {{ title: 角色{i} }}\n"));
    }
    s
}

/// A process with `statuses` statuses in a chain and `fields` fields (one mapping of that many keys).
fn process(statuses: usize, fields: usize) -> String {
    let mut s = String::from(
        "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: big, title: 大流程, owner: role:clerk }\nspec:\n  fields:\n",
    );
    for i in 0..fields.max(1) {
        s.push_str(&format!("    f{i}: {{ title: 字段{i}, type: text }}\n"));
    }
    s.push_str("  statuses:\n");
    for i in 0..statuses {
        let extra = match i {
            0 => ", initial: true",
            _ if i + 1 == statuses => ", terminal: true",
            _ => "",
        };
        s.push_str(&format!("    s{i}: {{ title: 状态{i}{extra} }}\n"));
    }
    s.push_str("  transitions:\n");
    for i in 0..statuses.saturating_sub(1) {
        s.push_str(&format!(
            "    - {{ from: s{i}, to: s{}, title: 下一步{i}, by: [role:clerk] }}\n",
            i + 1
        ));
    }
    s
}

fn load(root: &Path, files: Vec<(String, Vec<u8>)>, lint: bool) -> usize {
    let config = sopctl::config::defaults(root);
    let loaded = sopctl::project::load_sources(&config, files);
    let mut n = loaded.diagnostics.len();
    if lint {
        let rules = sopctl::lint::config::LintConfig::from_config(&config).unwrap();
        n += sopctl::lint::run(&loaded, &rules, 1_767_000_000).len();
    }
    n
}

/// The roles that fit in one file under the 8 MiB limit.
fn roles_8mib() -> (usize, String) {
    let limit = 8 << 20;
    let mut n = 0;
    let mut s = roles(0);
    loop {
        let line = format!("    role-{n}: {{ title: 角色{n} }}\n");
        if s.len() + line.len() >= limit {
            return (n, s);
        }
        s.push_str(&line);
        n += 1;
    }
}

fn sizes() -> Vec<usize> {
    std::env::var("SOPCTL_SCALE")
        .unwrap_or_else(|_| "10000,20000,40000,80000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// (project-relative path, bytes) of each file of a project.
type Files = Vec<(String, Vec<u8>)>;

/// (name, files, also lint) of each case at size `n`.
fn cases(n: usize) -> Vec<(&'static str, Files, bool)> {
    let with_roles = |f: String| {
        vec![
            ("sops/roles.yaml".to_string(), roles(0).into_bytes()),
            ("sops/big.yaml".to_string(), f.into_bytes()),
        ]
    };
    vec![
        (
            "validate roles",
            vec![("sops/roles.yaml".into(), roles(n).into_bytes())],
            false,
        ),
        ("validate keys", with_roles(process(3, n)), false),
        ("validate statuses", with_roles(process(n, 1)), false),
        ("lint statuses", with_roles(process(n, 1)), true),
    ]
}

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The inputs are clean, so the figures are of the whole pipeline, not of an early stop.
    for (name, files, lint) in cases(50) {
        assert_eq!(errors(root, files, lint), 0, "{name}");
    }
    let mut g = c.benchmark_group("scaling");
    g.sample_size(10);
    for n in sizes() {
        for (name, files, lint) in cases(n) {
            g.bench_with_input(BenchmarkId::new(name, n), &files, |b, files| {
                b.iter(|| load(root, files.clone(), lint))
            });
        }
    }
    let (n, text) = roles_8mib();
    eprintln!("8 MiB roles file: {n} roles, {} bytes", text.len());
    let files = vec![("sops/roles.yaml".to_string(), text.into_bytes())];
    assert_eq!(errors(root, files.clone(), false), 0);
    g.bench_with_input(
        BenchmarkId::new("validate roles 8 MiB", n),
        &files,
        |b, files| b.iter(|| load(root, files.clone(), false)),
    );
    g.finish();
}

fn errors(root: &Path, files: Vec<(String, Vec<u8>)>, lint: bool) -> usize {
    use sopctl::diagnostic::Severity;
    let config = sopctl::config::defaults(root);
    let loaded = sopctl::project::load_sources(&config, files);
    let mut d = loaded.diagnostics.clone();
    if lint {
        let rules = sopctl::lint::config::LintConfig::from_config(&config).unwrap();
        d.extend(sopctl::lint::run(&loaded, &rules, 1_767_000_000));
    }
    d.iter().filter(|d| d.severity == Severity::Error).count()
}

criterion_group!(benches, bench);
criterion_main!(benches);
