//! The pages for people, through the real `sopctl serve`: sign-in links (GET shows, POST
//! spends, once), sessions and CSRF, that no GET changes the database, refusals shown next to
//! the fields with what was typed kept, external people limited to their work, page weight.

mod common;

use common::{http, serve_with, shipped_bundle, sopctl, Server};
use serde_json::json;
use std::io::{Read, Write};

const TOKENS: &str = "admin=adm\nt-zhang=zhangsan:sales\nt-wang=wangwu:warehouse\n\
t-li=lisi:sales-manager\nt-zhao=zhaoliu:finance\nt-pm=pmuser:pm\nt-lisa=lisa:translator-ext\n";

/// One HTTP request: (status, head, body).
fn req(
    addr: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> (u16, String, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let body = form.unwrap_or("");
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if form.is_some() {
        r.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    if let Some(c) = cookie {
        r.push_str(&format!("Cookie: sopctl_session={c}\r\n"));
    }
    r.push_str("\r\n");
    r.push_str(body);
    s.write_all(r.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

struct World {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    tokens: std::path::PathBuf,
    server: Server,
}

fn start() -> World {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, TOKENS).unwrap();
    let db = dir.path().join("s.db");
    let server = serve_with(
        &db,
        &[],
        &[
            "--tokens",
            tokens.to_str().unwrap(),
            "--utc-offset",
            "+08:00",
        ],
    );
    let bundle = shipped_bundle(dir.path());
    let (code, _) = http(
        &server.addr,
        "PUT",
        "/v1/bundle",
        Some("adm"),
        Some(&bundle),
    );
    assert_eq!(code, 201);
    World {
        _dir: dir,
        db,
        tokens,
        server,
    }
}

impl World {
    fn link(&self, user: &str, next: &str) -> String {
        let out = sopctl()
            .args([
                "login-link",
                user,
                "--server",
                &format!("http://{}", self.server.addr),
                "--next",
                next,
            ])
            .arg("--db")
            .arg(format!("sqlite://{}", self.db.display()))
            .arg("--tokens")
            .arg(&self.tokens)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout).unwrap().trim().to_string();
        url.split_once(&self.server.addr).unwrap().1.to_string()
    }

    /// Signs in with a fresh link: the session cookie.
    fn sign_in(&self, user: &str) -> String {
        let path = self.link(user, "/");
        let (code, head, _) = req(&self.server.addr, "POST", &path, None, Some(""));
        assert_eq!(code, 303, "{head}");
        cookie_of(&head).expect("a session cookie")
    }

    fn dump(&self) -> String {
        sopctl::runtime::storage::Store::open(&self.db)
            .unwrap()
            .dump()
            .unwrap()
    }

    fn create_delivery(&self) -> u64 {
        let body = json!({"process": "sales-delivery", "fields": {"owner": "zhangsan", "order_no": "SO-1",
            "customer": "华东电子", "ship_address": "上海", "amount": 12800}});
        let (code, v) = http(
            &self.server.addr,
            "POST",
            "/v1/records",
            Some("t-zhang"),
            Some(&body.to_string()),
        );
        assert_eq!(code, 201, "{v}");
        v["id"].as_u64().unwrap()
    }
}

fn cookie_of(head: &str) -> Option<String> {
    head.lines()
        .find_map(|l| l.strip_prefix("set-cookie: sopctl_session="))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .filter(|v| !v.is_empty())
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

#[test]
fn a_link_shows_a_button_on_get_and_signs_in_once_on_post() {
    let w = start();
    let path = w.link("zhangsan", "/r/1");
    let before = w.dump();
    for _ in 0..3 {
        let (code, _, body) = req(&w.server.addr, "GET", &path, None, None);
        assert_eq!(code, 200);
        assert!(
            body.contains("<button type=\"submit\" class=\"primary\">登录</button>"),
            "{body}"
        );
    }
    assert_eq!(
        before,
        w.dump(),
        "a GET of the link (a chat preview) spent nothing"
    );
    let (code, head, _) = req(&w.server.addr, "POST", &path, None, Some(""));
    assert_eq!(code, 303);
    assert!(head.contains("location: /r/1"), "{head}");
    assert!(
        head.contains("HttpOnly") && head.contains("SameSite=Lax"),
        "{head}"
    );
    let (code, head, body) = req(&w.server.addr, "POST", &path, None, Some(""));
    assert_eq!(code, 410, "a link works once");
    assert!(cookie_of(&head).is_none());
    assert!(body.contains("此登录链接已使用或已过期"), "{body}");
    let (code, ..) = req(&w.server.addr, "GET", "/login/made-up", None, None);
    assert_eq!(code, 410);
}

#[test]
fn pages_need_a_session_and_forms_need_its_csrf_token() {
    let w = start();
    let id = w.create_delivery();
    let (code, _, body) = req(&w.server.addr, "GET", "/", None, None);
    assert_eq!(code, 401);
    assert!(body.contains("请先登录"), "{body}");
    let c = w.sign_in("zhangsan");
    let (code, _, page) = req(
        &w.server.addr,
        "GET",
        &format!("/t/{id}/submit-delivery"),
        Some(&c),
        None,
    );
    assert_eq!(code, 200, "{page}");
    let form = "f.ship_address=x&f.amount=1";
    let (code, _, body) = req(
        &w.server.addr,
        "POST",
        &format!("/t/{id}/submit-delivery"),
        Some(&c),
        Some(form),
    );
    assert_eq!(code, 403, "no CSRF token: {body}");
    let forged = format!("csrf=forged&{form}");
    let (code, ..) = req(
        &w.server.addr,
        "POST",
        &format!("/t/{id}/submit-delivery"),
        Some(&c),
        Some(&forged),
    );
    assert_eq!(code, 403);
    let (_, v) = http(
        &w.server.addr,
        "GET",
        &format!("/v1/records/{id}"),
        Some("adm"),
        None,
    );
    assert_eq!(v["state"]["status"], "pending", "nothing happened");
    assert!(v["state"]["approval"].is_null());
    // Sign-out ends the session.
    let out = format!("csrf={}", csrf_of(&page));
    let (code, head, _) = req(&w.server.addr, "POST", "/logout", Some(&c), Some(&out));
    assert_eq!(code, 200);
    assert!(head.contains("Max-Age=0"));
    let (code, ..) = req(&w.server.addr, "GET", "/", Some(&c), None);
    assert_eq!(code, 401);
}

#[test]
fn no_get_route_changes_the_database() {
    let w = start();
    let id = w.create_delivery();
    let c = w.sign_in("lisi");
    let link = w.link("wangwu", "/");
    let token = link.trim_start_matches("/login/");
    let before = w.dump();
    for route in sopctl::runtime::pages::GET_ROUTES {
        let path = route
            .replace("{record}", &id.to_string())
            .replace("{task}", "submit-delivery")
            .replace("{process}", "sales-delivery")
            .replace("{token}", token)
            .replace("{file}", "sha256:00");
        for cookie in [None, Some(c.as_str())] {
            let (code, _, body) = req(&w.server.addr, "GET", &path, cookie, None);
            assert!(code < 500, "GET {path}: {code} {body}");
        }
    }
    assert_eq!(before, w.dump(), "a GET changed the database");
}

#[test]
fn a_refusal_is_shown_next_to_the_field_and_keeps_what_was_typed() {
    let w = start();
    let id = w.create_delivery();
    // Through approval to the warehouse task, by the API.
    let complete = json!({"complete": {"task": "submit-delivery", "fill": {}}});
    assert_eq!(common::act(&w.server.addr, "t-zhang", id, complete).0, 200);
    assert_eq!(
        common::act(&w.server.addr, "t-li", id, json!({"approve": true})).0,
        200
    );
    assert_eq!(
        common::act(&w.server.addr, "t-zhao", id, json!({"approve": true})).0,
        200
    );
    let c = w.sign_in("wangwu");
    let (code, _, work) = req(&w.server.addr, "GET", "/", Some(&c), None);
    assert_eq!(code, 200);
    assert!(
        work.contains("完成发货并反馈发货信息") && work.contains("华东电子"),
        "{work}"
    );
    let path = format!("/t/{id}/ship-and-report");
    let (_, _, page) = req(&w.server.addr, "GET", &path, Some(&c), None);
    for label in [
        "实际发货时间",
        "物流单号",
        "物流凭证",
        "按发货单拣货并复核数量",
        "完成任务",
        "已发货",
    ] {
        assert!(page.contains(label), "the task page shows {label}");
    }
    assert!(page.contains("type=\"datetime-local\"") && page.contains("type=\"file\""));
    let form = format!(
        "csrf={}&f.shipped_at=2026-01-05T14:30&f.tracking_no={}",
        csrf_of(&page),
        enc("SF-123")
    );
    let (code, _, body) = req(&w.server.addr, "POST", &path, Some(&c), Some(&form));
    assert_eq!(code, 422, "{body}");
    assert!(body.contains("role=\"alert\""), "{body}");
    assert!(
        body.contains("value=\"SF-123\""),
        "what was typed is kept: {body}"
    );
    assert!(body.contains("value=\"2026-01-05T14:30\""));
    assert!(
        body.contains("id=\"f.shipping_proof-err\""),
        "the error sits at the photo input"
    );
    let (_, v) = http(
        &w.server.addr,
        "GET",
        &format!("/v1/records/{id}"),
        Some("adm"),
        None,
    );
    assert_eq!(v["state"]["status"], "approved");
}

#[test]
fn the_approver_rejects_with_a_reason_and_the_requester_sees_it() {
    let w = start();
    let id = w.create_delivery();
    let complete = json!({"complete": {"task": "submit-delivery", "fill": {}}});
    assert_eq!(common::act(&w.server.addr, "t-zhang", id, complete).0, 200);
    let c = w.sign_in("lisi");
    let (_, _, work) = req(&w.server.addr, "GET", "/", Some(&c), None);
    assert!(
        work.contains(&format!("/a/{id}")),
        "the approval is on lisi's work: {work}"
    );
    let (code, _, page) = req(&w.server.addr, "GET", &format!("/a/{id}"), Some(&c), None);
    assert_eq!(code, 200);
    assert!(page.contains("同意") && page.contains("驳回") && page.contains("12800"));
    let csrf = csrf_of(&page);
    let (code, _, body) = req(
        &w.server.addr,
        "POST",
        &format!("/a/{id}"),
        Some(&c),
        Some(&format!("csrf={csrf}&decision=reject&reason=")),
    );
    assert_eq!(code, 422, "a rejection needs a reason");
    assert!(body.contains("驳回时必须写明原因"));
    let form = format!("csrf={csrf}&decision=reject&reason={}", enc("金额不对"));
    let (code, head, _) = req(
        &w.server.addr,
        "POST",
        &format!("/a/{id}"),
        Some(&c),
        Some(&form),
    );
    assert_eq!(code, 303, "{head}");
    let z = w.sign_in("zhangsan");
    let (_, _, record) = req(&w.server.addr, "GET", &format!("/r/{id}"), Some(&z), None);
    assert!(
        record.contains("金额不对"),
        "the requester sees the reason: {record}"
    );
    assert!(
        record.contains("提交发货审批"),
        "and may ask again: {record}"
    );
}

#[test]
fn external_people_see_only_their_own_work() {
    let w = start();
    let id = w.create_delivery();
    let c = w.sign_in("lisa");
    let (code, _, body) = req(&w.server.addr, "GET", &format!("/r/{id}"), Some(&c), None);
    assert_eq!(code, 403, "{body}");
    assert!(!body.contains("华东电子"));
    let (code, _, work) = req(&w.server.addr, "GET", "/", Some(&c), None);
    assert_eq!(code, 200);
    assert!(!work.contains("华东电子"), "{work}");
}

#[test]
fn my_work_and_task_pages_stay_light() {
    let w = start();
    let id = w.create_delivery();
    let c = w.sign_in("zhangsan");
    let (_, _, css) = req(&w.server.addr, "GET", "/app.css", None, None);
    let (_, _, js) = req(&w.server.addr, "GET", "/app.js", None, None);
    for path in ["/".to_string(), format!("/t/{id}/submit-delivery")] {
        let (code, _, html) = req(&w.server.addr, "GET", &path, Some(&c), None);
        assert_eq!(code, 200);
        let total = html.len() + css.len() + js.len();
        assert!(
            total < 60 * 1024,
            "{path} weighs {total} bytes with CSS and JS"
        );
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{path} loads nothing from outside"
        );
    }
}

#[test]
fn login_link_refuses_unknown_users_and_bad_durations() {
    let w = start();
    let run = |args: &[&str]| {
        sopctl()
            .arg("login-link")
            .args(args)
            .arg("--db")
            .arg(format!("sqlite://{}", w.db.display()))
            .arg("--tokens")
            .arg(&w.tokens)
            .output()
            .unwrap()
    };
    let o = run(&["nobody"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("help:"));
    let o = run(&["zhangsan", "--expires", "soon"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["zhangsan", "--expires", "30m"]);
    assert!(o.status.success());
}

#[test]
fn templates_dir_overrides_a_page_and_a_broken_one_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("tpl");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::write(
        tpl.join("message.html.j2"),
        "<p>本公司自定义：{{ heading }}</p>\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("tokens"), TOKENS).unwrap();
    let tokens = dir.path().join("tokens");
    let args = [
        "--tokens",
        tokens.to_str().unwrap(),
        "--templates",
        tpl.to_str().unwrap(),
    ];
    let server = serve_with(&dir.path().join("s.db"), &[], &args);
    let (code, _, body) = req(&server.addr, "GET", "/", None, None);
    assert_eq!(code, 401);
    assert!(body.contains("本公司自定义：请先登录"), "{body}");
    drop(server);
    std::fs::write(tpl.join("task.html.j2"), "{% if %}\n").unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("sopctl"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(format!("sqlite://{}", dir.path().join("s.db").display()))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("task.html.j2") && err.contains("help:"),
        "{err}"
    );
}
