//! `sopctl lsp`: how long after a one-character change in one file of the 1,000-process project
//! (`shared/bench/gen_corpus.py`) its diagnostics are published. The server runs in process
//! on an in-memory connection with no debounce, so this is the work the editor waits for
//! after it stops typing (plus the debounce, 100 ms by default).
//!
//! Each change turns `then: s1` into `then: s2` (a task whose `then:` has no transition, an
//! error) or back, so every change publishes the file's diagnostics and the bench waits for
//! exactly that notification. After the criterion figure, the CPU time the process spends per
//! change (getrusage, every thread) is printed with the load average, as the machine is shared.
//!
//! `cargo bench --bench lsp` (set `SOPCTL_BENCH_PROCESSES` to change the size).

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;

/// The line changed, and its two versions one character apart.
const LINE: &str = "            then: s1\n";
const OTHER: &str = "            then: s2\n";

fn send(conn: &Connection, method: &str, params: serde_json::Value) {
    let n = Notification::new(method.to_string(), params);
    conn.sender.send(Message::Notification(n)).unwrap();
}

/// An open document the bench edits.
struct Doc<'a> {
    conn: &'a Connection,
    uri: String,
    text: String,
    version: i32,
}

impl Doc<'_> {
    /// Sends the next version of the text (even: broken, odd: as written, as opened) and
    /// waits until its diagnostics are published; returns how many there are.
    fn change(&mut self) -> usize {
        self.version += 1;
        let text = if self.version % 2 == 0 {
            self.text.replacen(LINE, OTHER, 1)
        } else {
            self.text.clone()
        };
        let change = json!({ "textDocument": { "uri": self.uri, "version": self.version }, "contentChanges": [{ "text": text }] });
        send(self.conn, "textDocument/didChange", change);
        self.published()
    }

    fn published(&self) -> usize {
        loop {
            let m = self
                .conn
                .receiver
                .recv_timeout(Duration::from_secs(120))
                .expect("diagnostics within 120 s");
            if let Message::Notification(n) = m {
                if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == self.uri {
                    return n.params["diagnostics"].as_array().map_or(0, Vec::len);
                }
            }
        }
    }
}

/// CPU seconds (user + system) of the whole process so far.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage");
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn bench(c: &mut Criterion) {
    let root = common::corpus();
    let file = root.join("sops").join("process-00500.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(LINE), "the corpus has `{}`", LINE.trim());
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
    let mut doc = Doc {
        conn: &client,
        uri,
        text,
        version: 1,
    };
    // The first analysis reads every file; only the changes after it are measured.
    let broken = doc.change();
    let clean = doc.change();
    assert!(broken > clean, "the broken version has one more finding");

    let mut g = c.benchmark_group("lsp-1000");
    g.sample_size(10);
    g.bench_function("diagnostics published after a one-character change", |b| {
        b.iter(|| doc.change())
    });
    g.finish();

    let changes = 40;
    let before = cpu_seconds();
    for _ in 0..changes {
        doc.change();
    }
    let per_change = (cpu_seconds() - before) / changes as f64;
    eprintln!(
        "lsp-1000: {:.1} ms of CPU per change (getrusage over {changes} changes, all threads); load average {}",
        per_change * 1000.0,
        load_average()
    );

    let shutdown = Request::new(RequestId::from(2), "shutdown".into(), json!(null));
    client.sender.send(Message::Request(shutdown)).unwrap();
    send(&client, "exit", json!(null));
    drop(doc);
    drop(client);
    let _ = thread.join();
}

criterion_group!(benches, bench);
criterion_main!(benches);
