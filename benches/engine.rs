//! Engine speed: one million task completions across 100,000 records in memory (a generated
//! process of 10 statuses in a chain, each with one task whose `complete` fills a field and
//! fires `then`). Each completion closes the task, moves the record, opens the next task and
//! checks the automatic transitions.
//!
//! `cargo bench --bench engine` prints the figure (completions per second) of one full run,
//! then lets criterion time a 10,000-record slice.

use std::collections::BTreeMap;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};
use sopctl::bundle::Bundle;
use sopctl::engine::{Action, Actor, DateTime, Engine, World};

const STEPS: usize = 10;

fn bundle() -> Bundle {
    let dir = tempfile::tempdir().unwrap();
    let sops = dir.path().join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    std::fs::write(
        sops.join("roles.yaml"),
        "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: r }\nspec:\n  roles:\n    worker: { title: 工人 }\n    boss: { title: 主管 }\n",
    )
    .unwrap();
    let mut p = String::from(
        "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: chain, title: 流水, owner: role:boss }\nspec:\n  fields:\n    owner: { type: user, title: 归属人, required: true }\n    amount: { type: money, title: 金额, default: 0 }\n",
    );
    for i in 0..STEPS {
        p += &format!("    note{i}: {{ type: text, title: 记录{i} }}\n");
    }
    p += "  statuses:\n";
    for i in 0..STEPS {
        p += &format!(
            "    s{i}:\n      title: 第{i}步\n      initial: {}\n      tasks:\n        - {{ id: t{i}, title: 任务{i}, assignee: role:worker, due: +1d, remind_before: [1h], complete: {{ fill: [note{i}], then: s{} }} }}\n",
            i == 0,
            i + 1
        );
    }
    p += &format!("    s{STEPS}: {{ title: 完成, terminal: true }}\n    cancelled: {{ title: 取消, terminal: true }}\n  transitions:\n");
    for i in 0..STEPS {
        p += &format!("    - {{ from: s{i}, to: s{} }}\n", i + 1);
    }
    p += "    - { from: \"*\", to: cancelled, when: \"amount > 100\" }\n";
    std::fs::write(sops.join("chain.yaml"), p).unwrap();
    let config = sopctl::config::find(dir.path(), None).unwrap();
    let (files, _) = sopctl::project::discover(&config, dir.path(), &[]).unwrap();
    let loaded = sopctl::project::load(&config, &files, &Default::default());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    sopctl::bundle::compile(&loaded.project, &loaded.root).unwrap()
}

/// Creates `records` records, then completes every task of each; returns the completions.
fn run(engine: &Engine, records: u64) -> usize {
    let users = [
        ("ann".to_string(), ["worker".to_string()].into()),
        ("bob".to_string(), ["boss".to_string()].into()),
    ];
    let mut world = World::new(users.into_iter().collect(), 8 * 3600);
    let now = DateTime::parse("2026-01-05T09:00:00+08:00").unwrap();
    let ann = Actor::of(&world, "ann");
    let fields: BTreeMap<String, Value> = [("owner".to_string(), json!("bob"))].into();
    for _ in 0..records {
        engine
            .apply(
                &mut world,
                &ann,
                Action::Create {
                    process: "chain".into(),
                    fields: fields.clone(),
                },
                now,
            )
            .unwrap();
    }
    let mut done = 0;
    for i in 0..STEPS {
        let task = format!("t{i}");
        let fill: BTreeMap<String, Value> = [(format!("note{i}"), json!("ok"))].into();
        for record in 1..=records {
            engine
                .apply(
                    &mut world,
                    &ann,
                    Action::Complete {
                        record,
                        task: task.clone(),
                        fill: fill.clone(),
                    },
                    now,
                )
                .unwrap();
            done += 1;
        }
    }
    assert!(world
        .records
        .values()
        .all(|r| r.status == format!("s{STEPS}")));
    done
}

fn bench(c: &mut Criterion) {
    let b = bundle();
    let engine = Engine::new(&b);
    let start = Instant::now();
    let n = run(&engine, 100_000);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "engine: {n} task completions across 100000 records in {secs:.2}s (with the 100000 creates): {:.0} completions/s",
        n as f64 / secs
    );
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.throughput(Throughput::Elements((10_000 * STEPS) as u64));
    g.bench_function("complete 100k tasks across 10k records", |bch| {
        bch.iter(|| run(&engine, 10_000))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
