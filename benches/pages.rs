//! Server-side render time of the pages people use most: the task page and the record page
//! of a 销售发货 record with 50 history rows, each from the store to HTML (read the record,
//! ask the engine which buttons to show, render the templates). The bound: < 5 ms.
//!
//! `cargo bench --bench pages`.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use sopctl::engine::Action;
use sopctl::runtime::auth::{Tokens, User};
use sopctl::runtime::clock::Clock;
use sopctl::runtime::pages::{data, record, task, view, Pages, Signed};
use sopctl::runtime::service::AppState;
use sopctl::runtime::storage::{SessionRow, Store};

const BIN: &str = env!("CARGO_BIN_EXE_sopctl");

fn setup(dir: &std::path::Path) -> (Pages, Signed, u64) {
    let out = dir.join("dist");
    let o = std::process::Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    let bundle = std::fs::read_to_string(out.join("bundle.json")).unwrap();
    let tokens = Tokens::parse(None, "t=zhangsan:sales").unwrap();
    let store = Store::open(&dir.join("s.db")).unwrap();
    let files = sopctl::runtime::files::FileStore::open(&dir.join("files"), 1 << 20).unwrap();
    let app = Arc::new(AppState::new(
        store,
        tokens,
        Clock::from_env(8 * 3600).unwrap(),
        files,
    ));
    app.put_bundle(&bundle, false).unwrap();
    let u = User {
        id: "zhangsan".into(),
        roles: vec!["sales".into()],
    };
    let fields = json!({"owner": "zhangsan", "order_no": "SO-1", "customer": "华东电子", "ship_address": "上海", "amount": 12800});
    let create = Action::Create {
        process: "sales-delivery".into(),
        fields: serde_json::from_value(fields).unwrap(),
    };
    let (id, _) = app
        .act(&u, None, create, json!({}), "create", None, None)
        .unwrap();
    for i in 0..49 {
        let set = Action::Set {
            record: id,
            fields: [("customer".to_string(), json!(format!("华东电子 {i}")))].into(),
        };
        app.act(&u, Some(id), set, json!({"set": i}), "set", None, None)
            .unwrap();
    }
    assert_eq!(app.store().history(id).unwrap().len(), 50);
    let person = data::person(&app, "zhangsan").unwrap();
    let pages = Pages {
        app,
        env: view::environment(None).unwrap(),
        public_url: "http://127.0.0.1".into(),
        files_dir: dir.join("files"),
        max_upload: 1 << 20,
    };
    let s = Signed {
        token: String::new(),
        session: SessionRow {
            user: "zhangsan".into(),
            csrf: "c".into(),
        },
        person,
    };
    (pages, s, id)
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (p, s, id) = setup(dir.path());
    let mut g = c.benchmark_group("pages");
    g.bench_function("task page, record with 50 history rows", |b| {
        b.iter(|| {
            let r = task::show(&p, &s, id, "submit-delivery", None);
            assert_eq!(r.status(), 200);
        })
    });
    g.bench_function("record page with 50 history rows", |b| {
        b.iter(|| {
            let r = record::show(&p, &s, id, None, None, None);
            assert_eq!(r.status(), 200);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
