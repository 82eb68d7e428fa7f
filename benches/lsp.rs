//! `sopctl lsp`: how long after a one-character change in one file of the 1,000-process project
//! (`shared/bench/gen_corpus.py`) its diagnostics are published. The server runs in process
//! on an in-memory connection with no debounce, so this is the work the editor waits for
//! after it stops typing (plus the debounce, 100 ms by default).
//!
//! `cargo bench --bench lsp` (set `SOPCTL_BENCH_PROCESSES` to change the size).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;

fn corpus() -> PathBuf {
    let n: usize = std::env::var("SOPCTL_BENCH_PROCESSES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = manifest.join("target").join(format!("bench-corpus-{n}"));
    if !out.join("sops").join("roles.yaml").exists() {
        let script = manifest.join("../shared/bench/gen_corpus.py");
        let status = Command::new("python3")
            .arg(&script)
            .arg(&out)
            .args(["--processes", &n.to_string()])
            .status()
            .expect("python3 runs gen_corpus.py");
        assert!(status.success(), "gen_corpus.py failed");
    }
    out
}

fn send(conn: &Connection, method: &str, params: serde_json::Value) {
    let n = Notification::new(method.to_string(), params);
    conn.sender.send(Message::Notification(n)).unwrap();
}

fn bench(c: &mut Criterion) {
    let root = corpus();
    let file = root.join("sops").join("process-00500.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let uri = lsp_types::Url::from_file_path(&file).unwrap().to_string();
    let root_uri = lsp_types::Url::from_file_path(&root).unwrap().to_string();
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || sopctl::lsp::serve(&server).map_err(|e| e.to_string()));
    let init = Request::new(
        RequestId::from(1),
        "initialize".into(),
        json!({ "rootUri": root_uri, "capabilities": {}, "initializationOptions": { "debounceMs": 0 } }),
    );
    client.sender.send(Message::Request(init)).unwrap();
    let _ = client
        .receiver
        .recv_timeout(Duration::from_secs(60))
        .unwrap();
    send(&client, "initialized", json!({}));
    send(
        &client,
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
    );
    // The first analysis reads every file; only the changes after it are measured.
    let mut version = 2;
    let title = "  title: 标准作业流程 500";
    assert!(text.contains(title));
    send(
        &client,
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": text.replace(title, "  title: 标准作业流程 5001") }] }),
    );
    published_or_same(&client, &uri);
    let mut g = c.benchmark_group("lsp-1000");
    g.sample_size(10);
    g.bench_function("diagnostics after a one-character change", |b| {
        b.iter(|| {
            version += 1;
            // Alternate between two texts one character apart, so that every change is new.
            let changed = if version % 2 == 0 {
                text.replace(title, "  title: 标准作业流程 5001")
            } else {
                text.replace(title, "  title: 标准作业流程 5002")
            };
            let change = json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": changed }] });
            send(&client, "textDocument/didChange", change);
            published_or_same(&client, &uri);
        })
    });
    g.finish();
    let shutdown = Request::new(RequestId::from(2), "shutdown".into(), json!(null));
    client.sender.send(Message::Request(shutdown)).unwrap();
    send(&client, "exit", json!(null));
    drop(client);
    let _ = thread.join();
}

/// The server publishes only when a file's diagnostics change; a change that leaves them as
/// they were publishes nothing. So the bench waits on a request answered after the analysis.
fn published_or_same(conn: &Connection, uri: &str) {
    let req = Request::new(
        RequestId::from(99),
        "textDocument/hover".into(),
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
    );
    conn.sender.send(Message::Request(req)).unwrap();
    loop {
        let m = conn
            .receiver
            .recv_timeout(Duration::from_secs(120))
            .expect("an answer within 120 s");
        if let Message::Response(r) = m {
            if r.id == RequestId::from(99) {
                return;
            }
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
