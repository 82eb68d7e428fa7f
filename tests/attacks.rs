//! What an attacker on loopback tried, each reproduced: the server must stay bounded and keep
//! answering another client within 100 ms while it happens.

mod api_support;
mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use api_support::{bundle, call, probe, ROLES};
use serde_json::json;

/// 100 ms, with room for a machine whose cores are shared by several test binaries.
const QUICK: Duration = Duration::from_millis(100);

/// The best of a few probes: one slow answer on a loaded CI machine is noise, every answer
/// being slow is the bug.
fn answers_quickly(addr: &str, token: &str) -> Duration {
    let mut best = Duration::from_secs(3600);
    for _ in 0..5 {
        let (st, t) = probe(addr, token);
        assert_eq!(st, 200);
        best = best.min(t);
    }
    best
}

const TEMPLATES: [&str; 3] = [
    "{% for a in 'abcdefghij' %}{% for b in 'abcdefghij' %}{% for c in 'abcdefghij' %}{% for d in 'abcdefghij' %}{% for e in 'abcdefghij' %}{% for f in 'abcdefghij' %}{% for g in 'abcdefghij' %}{% for h in 'abcdefghij' %}{% for i in 'abcdefghij' %}{% for j in 'abcdefghij' %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
    "{{ 'x' * 100000000 }}",
];

/// The server's peak resident memory so far (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The most the server may hold at its peak through the hostile uploads and renders: a
/// 100 MB repeated string would be far past it.
const PEAK_RSS_KIB: u64 = 96 * 1024;

fn hostile_process(templates: &[&str]) -> String {
    let mut p = String::from("apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: spam, title: 轰炸, owner: role:boss }\nspec:\n  fields:\n    owner: { type: user, title: 人, required: true }\n  statuses:\n    s0:\n      title: 开始\n      initial: true\n      notify:\n");
    for t in templates {
        p += &format!(
            "        - {{ to: [role:sales], message: {} }}\n",
            serde_json::to_string(t).unwrap()
        );
    }
    p +=
        "    done: { title: 完成, terminal: true }\n  transitions:\n    - { from: s0, to: done }\n";
    p
}

/// The bundle with one more message on status `s0` of `spam`, hashed again: what a hand-made
/// bundle can carry past `sopctl build`.
fn with_message(text: &str, message: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
    let spam = v["processes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["name"] == "spam")
        .unwrap();
    let s0 = spam["statuses"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["id"] == "s0")
        .unwrap();
    let mut n = s0["notify"][0].clone();
    n["message"] = json!(message);
    s0["notify"].as_array_mut().unwrap().push(n);
    let b = sopctl::bundle::Bundle::from_json(&v.to_string()).unwrap();
    v["hash"] = json!(b.content_hash());
    v.to_string()
}

#[test]
fn hostile_message_templates_are_cut_and_do_not_hang_the_server() {
    let dir = tempfile::tempdir().unwrap();
    // 61 holders of the role the messages go to.
    let mut tokens: Vec<String> = (0..61).map(|i| format!("t{i}=u{i}:sales")).collect();
    tokens.push("tb=boss1:boss".into());
    let tokens = tokens.join(";");
    let env = [
        ("SOPCTL_ADMIN_TOKEN", "adm"),
        ("SOPCTL_USER_TOKENS", tokens.as_str()),
    ];
    let db = dir.path().join("db");
    let mut s = common::serve(&db, &env);
    let addr = s.addr.clone();
    // The string repetition is refused at upload, before MiniJinja can build it (`sopctl
    // build` refuses it too, so the bundle is made by hand).
    let text = bundle(&[("spam", &hostile_process(&TEMPLATES[..2]))]);
    let hand_made = with_message(&text, TEMPLATES[2]);
    let put = call(
        &addr,
        "PUT",
        "/v1/bundle",
        Some("adm"),
        serde_json::from_str(&hand_made).ok().as_ref(),
    );
    let refused = put.json();
    assert_eq!(
        (put.status, refused["error"]["code"].as_str()),
        (422, Some("invalid-bundle")),
        "{refused}"
    );
    let why = refused["error"]["message"].as_str().unwrap();
    assert!(why.contains("'x' * 100000000"), "{why}");
    let put = call(
        &addr,
        "PUT",
        "/v1/bundle",
        Some("adm"),
        serde_json::from_str(&text).ok().as_ref(),
    );
    assert_eq!(put.status, 201, "{}", put.json());
    let worker = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            for _ in 0..3 {
                let body = json!({"process": "spam", "fields": {"owner": "u0"}});
                let t = Instant::now();
                let a = call(&addr, "POST", "/v1/records", Some("t0"), Some(&body));
                assert_eq!(a.status, 201, "{}", a.json());
                assert!(
                    t.elapsed() < Duration::from_secs(5),
                    "a create took {:?}",
                    t.elapsed()
                );
            }
        })
    };
    let best = answers_quickly(&addr, "tb");
    worker.join().unwrap();
    assert!(best < QUICK, "another client waited {best:?}");
    let inbox = call(&addr, "GET", "/v1/me/inbox", Some("t7"), None).json();
    let messages = inbox["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 6, "two messages for each of three records");
    for m in messages {
        let text = m["message"].as_str().unwrap();
        assert!(text.len() <= 16 * 1024, "a message of {} bytes", text.len());
    }
    assert!(messages
        .iter()
        .any(|m| m["message"].as_str().unwrap().ends_with("…(cut)")));
    let size: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    assert!(size < 64 * 1024 * 1024, "the database grew to {size} bytes");
    let peak = peak_rss_kib(s.child.id());
    assert!(
        peak < PEAK_RSS_KIB,
        "the server's peak memory was {peak} KiB"
    );
    // SIGTERM stops it promptly.
    let pid = s.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let t = Instant::now();
    while s.child.try_wait().unwrap().is_none() {
        assert!(
            t.elapsed() < Duration::from_secs(15),
            "SIGTERM did not stop the server"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn half_open_connections_do_not_starve_other_clients() {
    let dir = tempfile::tempdir().unwrap();
    // This process holds the 1,100 client ends: lift its own descriptor limit as the server does.
    sopctl::runtime::listen::raise_fd_limit();
    let s = common::serve(&dir.path().join("db"), api_support::ENV);
    let mut idle = vec![];
    for _ in 0..1100 {
        let mut c = std::net::TcpStream::connect(&s.addr).unwrap();
        let _ = c.write_all(b"GET /v1/stats HTTP/1.1\r\nHost: x\r\n");
        idle.push(c);
    }
    let best = answers_quickly(&s.addr, "ts");
    assert!(
        best < QUICK,
        "another client waited {best:?} behind 1,100 half-open connections"
    );
    drop(idle);
}

#[test]
fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let s = common::serve(&dir.path().join("db"), api_support::ENV);
    let mut c = std::net::TcpStream::connect(&s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(b"GET /v1/stats HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let t = Instant::now();
    let mut rest = vec![];
    let _ = c.read_to_end(&mut rest);
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_secs(8) && waited < Duration::from_secs(15),
        "closed after {waited:?}"
    );
}

#[test]
fn big_bodies_are_refused_and_history_stays_small() {
    let dir = tempfile::tempdir().unwrap();
    let s = common::serve(&dir.path().join("db"), api_support::ENV);
    let a = s.addr.as_str();
    let text = bundle(&[("order", api_support::ORDER)]);
    assert_eq!(
        call(
            a,
            "PUT",
            "/v1/bundle",
            Some("adm"),
            serde_json::from_str(&text).ok().as_ref()
        )
        .status,
        201
    );
    let body = json!({"process": "order", "fields": {"owner": "zhang"}});
    let id = call(a, "POST", "/v1/records", Some("ts"), Some(&body)).json()["id"]
        .as_u64()
        .unwrap();
    let path = format!("/v1/records/{id}/actions");
    // Over the JSON bound: 413 with the error envelope.
    let huge = json!({"set": {"note": "长".repeat(700_000)}});
    let r = call(a, "POST", &path, Some("ts"), Some(&huge));
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (413, Some("payload-too-large"))
    );
    // Forty sets of a 900 KB text: the history keeps what changed, cut, a page at a time.
    let big = "字".repeat(300_000);
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let addr = a.to_string();
            std::thread::spawn(move || answers_quickly(&addr, "tb"))
        })
        .collect();
    for i in 0..40 {
        let set = json!({"set": {"note": format!("{i}{big}")}});
        assert_eq!(call(a, "POST", &path, Some("ts"), Some(&set)).status, 200);
    }
    for r in readers {
        assert!(r.join().unwrap() < QUICK);
    }
    let h = call(
        a,
        "GET",
        &format!("/v1/records/{id}/history"),
        Some("ts"),
        None,
    );
    assert_eq!(h.status, 200);
    assert!(
        h.body.len() < 512 * 1024,
        "a history page of {} bytes",
        h.body.len()
    );
    let page = h.json();
    assert_eq!(page["history"].as_array().unwrap().len(), 41);
    let note = page["history"][1]["detail"]["changed"]["note"]
        .as_str()
        .unwrap();
    assert!(
        note.ends_with("(cut, 900001 bytes)"),
        "{}",
        &note[note.len() - 40..]
    );
}

#[test]
fn a_bundle_without_an_initial_status_is_refused_and_nothing_fails_after() {
    let dir = tempfile::tempdir().unwrap();
    let s = common::serve(&dir.path().join("db"), api_support::ENV);
    let a = s.addr.as_str();
    let good = bundle(&[("order", api_support::ORDER)]);
    let mut bad: serde_json::Value = serde_json::from_str(&good).unwrap();
    bad["processes"][0]["statuses"][0]["initial"] = json!(false);
    let r = call(a, "PUT", "/v1/bundle", Some("adm"), Some(&bad));
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (422, Some("invalid-bundle"))
    );
    // No bundle active yet: a create is a 409 that says so, not a 500.
    let body = json!({"process": "order", "fields": {"owner": "zhang"}});
    assert_eq!(
        call(a, "POST", "/v1/records", Some("ts"), Some(&body)).status,
        409
    );
    assert_eq!(
        call(
            a,
            "PUT",
            "/v1/bundle",
            Some("adm"),
            serde_json::from_str(&good).ok().as_ref()
        )
        .status,
        201
    );
    let r = call(a, "PUT", "/v1/bundle", Some("adm"), Some(&bad));
    assert_eq!(r.status, 422);
    assert_eq!(
        call(a, "POST", "/v1/records", Some("ts"), Some(&body)).status,
        201
    );
    let _ = ROLES;
}

/// Reads one HTTP answer from a raw connection: its status and JSON body (Null when the body
/// is not JSON). Bounded by the socket's read timeout and by 64 KiB.
fn read_answer(c: &mut std::net::TcpStream) -> (u16, serde_json::Value) {
    use std::io::Read;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                let status = text[9..12].parse().unwrap();
                let body = serde_json::from_slice(&buf[end + 4..end + 4 + length])
                    .unwrap_or(serde_json::Value::Null);
                return (status, body);
            }
        }
        match c.read(&mut chunk) {
            Ok(0) | Err(_) => panic!("the connection ended without an answer: {text:?}"),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        assert!(buf.len() < 64 * 1024, "an answer over 64 KiB");
    }
}

/// Sends the body a byte every 100 ms from another thread: a 4 KiB body would take seven
/// minutes; it stops after 4 s or when the server closes.
fn trickle(c: &std::net::TcpStream) -> std::thread::JoinHandle<()> {
    let mut w = c.try_clone().unwrap();
    std::thread::spawn(move || {
        for _ in 0..40 {
            if w.write_all(b"x").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    })
}

/// A server with a 1 s request timeout, and a connection to it that has sent `head` (a
/// request head announcing a body) and nothing more yet.
fn slow_request(head: &[u8]) -> (tempfile::TempDir, common::Server, std::net::TcpStream) {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--request-timeout", "1"];
    let s = common::serve_with(&dir.path().join("db"), api_support::ENV, &args);
    let mut c = std::net::TcpStream::connect(&s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(head).unwrap();
    (dir, s, c)
}

#[test]
fn an_upload_trickled_past_the_request_timeout_gets_a_json_408() {
    let (_dir, s, mut c) = slow_request(
        b"POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ts\r\n\
          Content-Type: text/plain\r\nX-Filename: slow.txt\r\nContent-Length: 4096\r\n\r\n",
    );
    let t = Instant::now();
    let trickle = trickle(&c);
    let best = answers_quickly(&s.addr, "tb");
    let (status, body) = read_answer(&mut c);
    let waited = t.elapsed();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (408, Some("timeout")),
        "{body}"
    );
    assert!(
        body["error"]["message"].as_str().unwrap().contains("1s"),
        "{body}"
    );
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "answered after {waited:?}"
    );
    assert!(best < QUICK, "another client waited {best:?}");
    drop(c);
    trickle.join().unwrap();
}

/// The pages read a form before they look at the session, so a form sent too slowly must be
/// bounded by the request timeout too: a page that says so, not a connection held for ever.
#[test]
fn a_page_form_trickled_past_the_request_timeout_gets_a_timeout_page() {
    let (_dir, _server, mut c) = slow_request(
        b"POST /new/order HTTP/1.1\r\nHost: x\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4096\r\n\r\n",
    );
    let t = Instant::now();
    let trickle = trickle(&c);
    let mut text = String::new();
    let mut chunk = [0u8; 4096];
    while !text.contains("</html>") {
        match std::io::Read::read(&mut c, &mut chunk) {
            Ok(0) | Err(_) => panic!("the connection ended without a page: {text:?}"),
            Ok(n) => text.push_str(&String::from_utf8_lossy(&chunk[..n])),
        }
        assert!(text.len() < 256 * 1024, "an answer over 256 KiB");
    }
    let waited = t.elapsed();
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("text/html"), "{text}");
    assert!(
        text.contains("请求超时") && text.contains("1 秒内"),
        "{text}"
    );
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "answered after {waited:?}"
    );
    drop(c);
    trickle.join().unwrap();
}

#[test]
fn past_the_connection_cap_the_next_client_gets_a_json_503_and_then_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--max-connections", "3"];
    let s = common::serve_with(&dir.path().join("db"), api_support::ENV, &args);
    // Three connections that never finish a request hold the three places.
    let held: Vec<_> = (0..3)
        .map(|_| {
            let mut c = std::net::TcpStream::connect(&s.addr).unwrap();
            c.write_all(b"GET /v1/stats HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            c
        })
        .collect();
    // The server accepts in order: give it the moment to take all three.
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = std::net::TcpStream::connect(&s.addr).unwrap();
    extra
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let t = Instant::now();
    extra
        .write_all(b"GET /v1/stats HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ts\r\n\r\n")
        .unwrap();
    let (status, body) = read_answer(&mut extra);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("busy")),
        "{body}"
    );
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    // Once the three close, the next client is served within 100 ms (a busy answer while
    // the server notices the closes is retried inside that time).
    drop(held);
    let t = Instant::now();
    let status = loop {
        let (st, _) = probe(&s.addr, "ts");
        if st != 503 || t.elapsed() > Duration::from_secs(2) {
            break st;
        }
    };
    let waited = t.elapsed();
    assert_eq!(status, 200);
    assert!(waited < QUICK, "served {waited:?} after the others closed");
}
