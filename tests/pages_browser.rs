//! The pages in a real browser: `node tests/browser/pages.mjs` drives headless Chromium at
//! phone width through the 销售发货 SOP with four people (one signs in from the card a local
//! fake Feishu received) and an external implementer of the translation project, running
//! axe-core on every page. Screenshots land in `target/screenshots/`, and the README's in
//! `docs/screenshots/`. Needs `.ci/install-render-tools.sh`, so the test is `#[ignore]`d and
//! `.ci/run` runs it with `--ignored`; there (`CI=true`) a missing tool fails it,
//! elsewhere, run by hand, it says why it did not run.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::{http, repo_root, serve_with, shipped_bundle, sopctl};
use serde_json::{json, Value};

/// What the walk needs, or why it cannot run.
fn tools() -> Option<PathBuf> {
    let npm = std::env::var_os("SOPCTL_NPM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("../npm"));
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromium".into());
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let why = if !node {
        Some("node is not installed".to_string())
    } else if !npm.join("node_modules/playwright-core").is_dir()
        || !npm.join("node_modules/axe-core/axe.min.js").is_file()
    {
        Some(format!(
            "playwright-core and axe-core are not in {}",
            npm.display()
        ))
    } else if !chromium.is_file() {
        Some(format!("{} is not installed", chromium.display()))
    } else {
        None
    };
    match why {
        None => Some(npm),
        Some(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("the page walk needs {why}; CI must run .ci/install-render-tools.sh first")
        }
        Some(why) => {
            eprintln!("skipped: the page walk: {why} (run .ci/install-render-tools.sh)");
            None
        }
    }
}

/// A fake Feishu open platform: hands out a tenant token, keeps every app message, and lists
/// them at `GET /_messages` for the walk.
fn fake_feishu() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let got = got.clone();
            std::thread::spawn(move || answer(conn, &got));
        }
    });
    format!("http://{addr}")
}

fn answer(mut conn: std::net::TcpStream, got: &Mutex<Vec<Value>>) {
    let mut r = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap_or(0);
    let mut len = 0;
    let mut auth = String::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("authorization:") {
            auth = h.trim().to_string();
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap_or(());
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    let out = if line.contains("tenant_access_token") {
        assert_eq!(body["app_secret"], "s3cret");
        json!({"code": 0, "msg": "ok", "tenant_access_token": "t-fake", "expire": 7200})
    } else if line.contains("/im/v1/messages?receive_id_type=open_id")
        && auth.ends_with("Bearer t-fake")
    {
        got.lock().unwrap().push(body);
        json!({"code": 0, "msg": "success"})
    } else if line.starts_with("GET /_messages") {
        json!(got.lock().unwrap().clone())
    } else {
        json!({"code": 99991663, "msg": "bad token or path"})
    };
    let text = out.to_string();
    let _ = write!(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}", text.len());
}

fn link(addr: &str, db: &Path, tokens: &Path, user: &str, next: &str) -> String {
    let out = sopctl()
        .args([
            "login-link",
            user,
            "--server",
            &format!("http://{addr}"),
            "--next",
            next,
        ])
        .arg("--db")
        .arg(format!("sqlite://{}", db.display()))
        .arg("--tokens")
        .arg(tokens)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A translation project split into one translation task per implementer (the 明道云 hand-off:
/// an internal one for `chen`, an external one for lisa), by the API as the PM would.
fn translation_in_progress(addr: &str) {
    let (code, file) = common::http_with(
        addr,
        "POST",
        "/v1/files",
        Some("t-pm"),
        Some("原文：第一章"),
        &[("Content-Type", "text/plain"), ("X-Filename", "source.txt")],
    );
    assert_eq!(code, 201, "{file}");
    let body = json!({"process": "translation-project", "fields": {"order_no": "SO-9", "customer": "东京商事",
        "sales": "zhangsan", "pm": "pmuser", "deadline": "2026-02-01", "source_files": [file["id"]]}});
    let (code, v) = http(
        addr,
        "POST",
        "/v1/records",
        Some("t-pm"),
        Some(&body.to_string()),
    );
    assert_eq!(code, 201, "{v}");
    let id = v["id"].as_u64().unwrap();
    let steps = [
        json!({"complete": {"task": "confirm-requirements", "fill": {"language_pair": "中译日", "word_count": 12000}}}),
        json!({"set": {"external_implementers": ["lisa"]}}),
        json!({"complete": {"task": "split-tasks", "fill": {"task_plan": "chen 第一章，lisa 第二章",
            "draft_due": "2026-01-20", "internal_implementers": ["chen"]}}}),
    ];
    for s in steps {
        let (code, v) = common::act(addr, "t-pm", id, s.clone());
        assert_eq!(code, 200, "{s}: {v}");
    }
}

#[test]
#[ignore = "needs node + chromium (CI=true runs it)"]
fn four_people_and_an_external_implementer_walk_the_pages_on_a_phone() {
    let Some(npm) = tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let feishu = fake_feishu();
    let channels = dir.path().join("channels.yaml");
    std::fs::write(&channels, format!("feishu:\n  app_id: cli_test\n  app_secret: s3cret\n  api: {feishu}\n  open_ids: {{ wangwu: ou_wang, zhangsan: ou_zhang }}\n")).unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, "admin=adm\nt-zhang=zhangsan:sales\nt-wang=wangwu:warehouse\nt-li=lisi:sales-manager\nt-zhao=zhaoliu:finance\nt-pm=pmuser:pm\nt-chen=chen:implementer\nt-lisa=lisa:translator-ext\n").unwrap();
    let db = dir.path().join("s.db");
    let args = [
        "--tokens",
        tokens.to_str().unwrap(),
        "--channels",
        channels.to_str().unwrap(),
        "--utc-offset",
        "+08:00",
    ];
    let server = serve_with(&db, &[("SOPCTL_NOW", "2026-01-05T09:00:00+08:00")], &args);
    let addr = server.addr.clone();
    let (code, _) = http(
        &addr,
        "PUT",
        "/v1/bundle",
        Some("adm"),
        Some(&shipped_bundle(dir.path())),
    );
    assert_eq!(code, 201);
    translation_in_progress(&addr);
    let l = |u: &str, next: &str| link(&addr, &db, &tokens, u, next);
    let links = json!({
        "zhangsan": [l("zhangsan", "/")], "lisi": [l("lisi", "/")],
        "zhaoliu": [l("zhaoliu", "/")], "lisa": [l("lisa", "/")],
    });
    let shots = repo_root().join("target/screenshots");
    let out = Command::new("node")
        .arg(repo_root().join("tests/browser/pages.mjs"))
        .args([
            npm.to_str().unwrap(),
            &format!("http://{addr}"),
            &feishu,
            &links.to_string(),
            shots.to_str().unwrap(),
        ])
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && text.contains("walk: ok"), "{text}");
    let docs = repo_root().join("docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    for name in [
        "my-work",
        "task",
        "task-refused",
        "approval",
        "record",
        "board",
    ] {
        std::fs::copy(
            shots.join(format!("{name}.png")),
            docs.join(format!("{name}.png")),
        )
        .unwrap();
    }
}
