//! Notification delivery by the real `sopctl serve`: a local Feishu bot and a local webhook
//! receiver check the signatures; a failed delivery is retried; messages land in inboxes.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use base64::Engine as _;
use common::{http, serve_with};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

struct Request {
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A loopback HTTP receiver: answers each request with the next scripted (status, body) (the
/// last one repeats) and hands every request to the test.
fn receiver(script: Vec<(u16, &'static str)>) -> (String, mpsc::Receiver<Request>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (n, stream) in l.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut r = BufReader::new(stream.try_clone().unwrap());
            let mut headers = vec![];
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            loop {
                line.clear();
                r.read_line(&mut line).unwrap();
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                let (k, v) = l.split_once(':').unwrap();
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
            let len: usize = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .map(|(_, v)| v.parse().unwrap())
                .unwrap_or(0);
            let mut body = vec![0; len];
            r.read_exact(&mut body).unwrap();
            let (status, answer) = script[n.min(script.len() - 1)];
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = tx.send(Request {
                headers,
                body: String::from_utf8(body).unwrap(),
            });
        }
    });
    (addr, rx)
}

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn wait<T>(rx: &mpsc::Receiver<T>, secs: u64) -> T {
    rx.recv_timeout(std::time::Duration::from_secs(secs))
        .expect("a delivery within the time")
}

fn poll_outbox(addr: &str, record: u64, until: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        last = http(
            addr,
            "GET",
            &format!("/v1/outbox?record={record}"),
            Some("adm"),
            None,
        )
        .1;
        if until(&last) {
            return last;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the outbox never got there: {last}");
}

const ENV: &[(&str, &str)] = &[
    ("SOPCTL_ADMIN_TOKEN", "adm"),
    (
        "SOPCTL_USER_TOKENS",
        "tz=zhang:sales;tw=wang:sales-manager;tl=li:finance;tzh=zhao:warehouse;tq=qian:warehouse",
    ),
    ("FEISHU_SECRET", "fs-secret"),
    // Early in the day, so no reminder of `today 18:00` fires during the test.
    ("SOPCTL_NOW", "2026-01-05T09:00:00+08:00"),
];

#[test]
fn feishu_signed_retried_and_inboxed() {
    let dir = tempfile::tempdir().unwrap();
    // Feishu answers 200 with an error code first (must be checked, then retried), then 0.
    let (bot, rx) = receiver(vec![
        (200, r#"{"code":9499,"msg":"too many requests"}"#),
        (200, r#"{"code":0,"msg":"success"}"#),
    ]);
    let channels = dir.path().join("channels.yaml");
    std::fs::write(
        &channels,
        format!("feishu: {{ url: \"http://{bot}/open-apis/bot/v2/hook/x\", secret: \"env:FEISHU_SECRET\" }}\n"),
    )
    .unwrap();
    let out = dir.path().join("dist");
    let o = common::run_in(
        &common::repo_root(),
        &["build", "-o", out.to_str().unwrap()],
    );
    assert!(o.status.success());
    let text = std::fs::read_to_string(out.join("bundle.json")).unwrap();
    let s = serve_with(
        &dir.path().join("db"),
        ENV,
        &["--channels", channels.to_str().unwrap()],
    );
    let a = s.addr.as_str();
    assert_eq!(
        http(a, "PUT", "/v1/bundle", Some("adm"), Some(&text)).0,
        201
    );
    let create = json!({"process": "sales-delivery", "fields": {
        "owner": "zhang", "order_no": "SO-9", "customer": "华东商贸", "ship_address": "上海", "amount": 5}});
    let (_, body) = http(
        a,
        "POST",
        "/v1/records",
        Some("tz"),
        Some(&create.to_string()),
    );
    let id = body["id"].as_u64().unwrap();
    let act = |tok: &str, b: Value| {
        http(
            a,
            "POST",
            &format!("/v1/records/{id}/actions"),
            Some(tok),
            Some(&b.to_string()),
        )
        .0
    };
    assert_eq!(act("tz", json!({"move": "approved"})), 200);
    assert_eq!(act("tw", json!({"approve": true})), 200);
    assert_eq!(act("tl", json!({"approve": true})), 200);

    // Entering `approved` notifies the warehouse on Feishu, rendered from the template.
    for attempt in 0..2 {
        let req = wait(&rx, 10);
        let v: Value = serde_json::from_str(&req.body).unwrap();
        let ts = v["timestamp"].as_str().unwrap();
        let key = format!("{ts}\nfs-secret");
        let sign = base64::engine::general_purpose::STANDARD.encode(hmac(key.as_bytes(), b""));
        assert_eq!(v["sign"], sign, "attempt {attempt}: Feishu's signature");
        // A card: the header names the record, the text is the message, and 去处理 opens
        // the record's page on this server (a group gets the page, never a sign-in link).
        assert_eq!(v["msg_type"], "interactive", "{v}");
        let card = &v["card"];
        assert_eq!(
            card["header"]["title"]["content"],
            format!("销售发货 #{id}")
        );
        let text = card["elements"][0]["text"]["content"].as_str().unwrap();
        assert!(
            text.contains(&format!("发货单 {id} 已审批通过：华东商贸（订单 SO-9）")),
            "{text}"
        );
        let button = &card["elements"][1]["actions"][0];
        assert_eq!(button["text"]["content"], "去处理");
        assert_eq!(button["url"], format!("http://{a}/r/{id}"));
    }
    let out = poll_outbox(a, id, |o| o["messages"][0]["state"] == "sent");
    assert_eq!(out["messages"][0]["attempts"], 2);
    assert_eq!(out["messages"][0]["channel"], "feishu");
    // Both warehouse holders have it in their inbox too.
    for tok in ["tzh", "tq"] {
        let (_, inbox) = http(a, "GET", "/v1/me/inbox", Some(tok), None);
        assert_eq!(inbox["messages"][0]["reason"], "status:approved", "{inbox}");
    }
    let (_, inbox) = http(a, "GET", "/v1/me/inbox", Some("tl"), None);
    assert!(inbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["reason"] != "status:approved"));
    // Users cannot read the outbox.
    assert_eq!(http(a, "GET", "/v1/outbox", Some("tz"), None).0, 403);
}

const ROLES: &str = "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: r }\nspec:\n  roles:\n    clerk: { title: 文员 }\n";
const LEAVE: &str = "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: leave, title: 请假, owner: role:clerk }\nspec:\n  fields:\n    owner: { type: user, title: 申请人, required: true }\n    days: { type: number, title: 天数 }\n  statuses:\n    draft: { title: 草稿, initial: true }\n    review:\n      title: 审核中\n      notify:\n        - { to: [role:clerk], channel: webhook, message: \"{{ record.owner }} 请假 {{ record.days }} 天\" }\n        - { to: [field:owner], channel: dingtalk, message: 已提交 }\n    done: { title: 完成, terminal: true }\n  transitions:\n    - { from: draft, to: review }\n    - { from: review, to: done }\n";

#[test]
fn webhook_is_signed_and_an_unconfigured_channel_fails_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let sops = dir.path().join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    std::fs::write(sops.join("roles.yaml"), ROLES).unwrap();
    std::fs::write(sops.join("leave.yaml"), LEAVE).unwrap();
    let o = common::run_in(dir.path(), &["build", "-o", "dist"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("dist/bundle.json")).unwrap();
    // The receiver fails once with a 503 (retried), then accepts.
    let (hook, rx) = receiver(vec![(503, "{}"), (204, "")]);
    let channels = dir.path().join("channels.yaml");
    std::fs::write(
        &channels,
        format!("webhook: {{ url: \"http://{hook}/hook\", secret: whsec }}\n"),
    )
    .unwrap();
    let env = [
        ("SOPCTL_ADMIN_TOKEN", "adm"),
        ("SOPCTL_USER_TOKENS", "tc=chen:clerk"),
    ];
    let s = serve_with(
        &dir.path().join("db"),
        &env,
        &["--channels", channels.to_str().unwrap()],
    );
    let a = s.addr.as_str();
    assert_eq!(
        http(a, "PUT", "/v1/bundle", Some("adm"), Some(&text)).0,
        201
    );
    let (_, body) = http(
        a,
        "POST",
        "/v1/records",
        Some("tc"),
        Some(r#"{"process":"leave","fields":{"owner":"chen","days":3}}"#),
    );
    let id = body["id"].as_u64().unwrap();
    let (st, _) = http(
        a,
        "POST",
        &format!("/v1/records/{id}/actions"),
        Some("tc"),
        Some(r#"{"move":"review"}"#),
    );
    assert_eq!(st, 200);
    let mut ids = vec![];
    for _ in 0..2 {
        let req = wait(&rx, 10);
        let ts = req.header("X-Sopctl-Timestamp").unwrap();
        let expect = hmac(b"whsec", format!("{ts}.{}", req.body).as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        assert_eq!(
            req.header("X-Sopctl-Signature"),
            Some(format!("sha256={expect}").as_str())
        );
        let v: Value = serde_json::from_str(&req.body).unwrap();
        assert_eq!(
            (v["message"].as_str(), v["to"].clone()),
            (Some("chen 请假 3 天"), json!(["chen"]))
        );
        ids.push(req.header("X-Sopctl-Id").unwrap().to_string());
    }
    assert_eq!(ids[0], ids[1], "a retry carries the same id");
    let out = poll_outbox(a, id, |o| {
        o["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] != "pending")
    });
    let by_channel = |c: &str| {
        out["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["channel"] == c)
            .unwrap()
            .clone()
    };
    assert_eq!(by_channel("webhook")["state"], "sent");
    let ding = by_channel("dingtalk");
    assert_eq!(ding["state"], "failed");
    assert!(
        ding["last_error"]
            .as_str()
            .unwrap()
            .contains("not configured"),
        "{ding}"
    );
}

#[test]
fn a_bad_channels_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("channels.yaml");
    std::fs::write(&f, "webhok: { url: \"http://x\" }\n").unwrap();
    let o = common::sopctl()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--channels",
            f.to_str().unwrap(),
        ])
        .env("SOPCTL_ADMIN_TOKEN", "adm")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(
        err.contains("bad channels file") && err.contains("webhok"),
        "{err}"
    );
}
