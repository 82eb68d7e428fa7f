//! Helpers for the API contract tests: a small project that uses every kind of API answer,
//! and a raw HTTP/1.1 client that returns status, headers and bytes.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::time::Duration;

pub const ROLES: &str = "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: r }\nspec:\n  roles:\n    sales: { title: 销售 }\n    boss: { title: 主管 }\n    warehouse: { title: 库管 }\n    guest: { title: 外部, external: true }\n";

pub const ORDER: &str = r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: order, title: 订单, owner: role:boss }
spec:
  fields:
    owner: { type: user, title: 负责人, required: true }
    customer: { type: text, title: 客户, edit: [role:sales] }
    kind: { type: choice, title: 类型, options: [零售, 批发] }
    proof: { type: file, title: 发货凭证 }
    photos: { type: files, title: 照片 }
    note: { type: longtext, title: 备注, edit: [role:sales] }
  statuses:
    draft:
      title: 草稿
      initial: true
      notify: [{ to: [role:boss], message: "新订单 {{ record.customer }}" }]
    packing:
      title: 打包中
      tasks:
        - id: pack
          title: 打包并上传凭证
          assignee: role:warehouse
          due: +1d
          guide: 打包后拍照上传。
          checklist: [核对数量, 拍照]
          complete: { fill: [proof], then: review }
    review: { title: 审核中 }
    done: { title: 完成, terminal: true }
  transitions:
    - { from: draft, to: packing, requires: [customer] }
    - { from: packing, to: review }
    - { from: review, to: done, approval: [{ role: boss }] }
"#;

pub const ENV: &[(&str, &str)] = &[
    ("SOPCTL_ADMIN_TOKEN", "adm"),
    (
        "SOPCTL_USER_TOKENS",
        "ts=zhang:sales;tb=wang:boss;tw=zhao:warehouse;tg=lisa:guest",
    ),
];

/// Builds the roles and the given process documents; returns the bundle's JSON.
pub fn bundle(processes: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let sops = dir.path().join("sops");
    std::fs::create_dir_all(&sops).unwrap();
    std::fs::write(sops.join("roles.yaml"), ROLES).unwrap();
    for (name, text) in processes {
        std::fs::write(sops.join(format!("{name}.yaml")), text).unwrap();
    }
    let o = super::common::run_in(dir.path(), &["build", "-o", "dist"]);
    assert!(o.status.success(), "{}", super::common::stderr(&o));
    std::fs::read_to_string(dir.path().join("dist/bundle.json")).unwrap()
}

/// One raw answer.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request on its own connection; `headers` are added as given.
pub fn raw(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    let _ = s.write_all(&bytes);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&resp[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: resp[split + 4..].to_vec(),
    }
}

/// A JSON request with a bearer token.
pub fn call(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> Answer {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut h = vec![("Content-Type", "application/json")];
    if let Some(a) = &auth {
        h.push(("Authorization", a.as_str()));
    }
    let text = body.map(|b| b.to_string()).unwrap_or_default();
    raw(addr, method, path, &h, text.as_bytes())
}

/// The time one small authenticated GET takes.
pub fn probe(addr: &str, token: &str) -> (u16, Duration) {
    let t = std::time::Instant::now();
    let a = call(addr, "GET", "/v1/stats", Some(token), None);
    (a.status, t.elapsed())
}
