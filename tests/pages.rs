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

// ---- refusals, history paging, my work, names, the owner's charts ---------------------------

const USERS: &str = "users:\n  zhangsan: { name: 张三, roles: [sales] }\n  lisi: { name: 李四, roles: [sales-manager] }\n  pmuser: { name: 王经理, roles: [pm] }\n  pmen: { name: Pat Lee, roles: [pm], language: en }\n";

/// A server with the directory file above beside the tokens.
fn start_named() -> World {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, format!("{TOKENS}t-pmen=pmen:pm\n")).unwrap();
    let users = dir.path().join("users.yaml");
    std::fs::write(&users, USERS).unwrap();
    let db = dir.path().join("s.db");
    let args = [
        "--tokens",
        tokens.to_str().unwrap(),
        "--users",
        users.to_str().unwrap(),
        "--utc-offset",
        "+08:00",
    ];
    let server = serve_with(&db, &[], &args);
    let bundle = shipped_bundle(dir.path());
    let (code, v) = http(
        &server.addr,
        "PUT",
        "/v1/bundle",
        Some("adm"),
        Some(&bundle),
    );
    assert_eq!(code, 201, "{v}");
    World {
        _dir: dir,
        db,
        tokens,
        server,
    }
}

/// A translation project waiting for its PM to confirm the requirements (the API's way).
fn translation_project(w: &World, pm: &str, token: &str) -> u64 {
    let (code, file) = common::http_with(
        &w.server.addr,
        "POST",
        "/v1/files",
        Some(token),
        Some("原文：第一章"),
        &[("Content-Type", "text/plain"), ("X-Filename", "source.txt")],
    );
    assert_eq!(code, 201, "{file}");
    let body = json!({"process": "translation-project", "fields": {"order_no": "SO-9", "customer": "东京商事",
        "sales": "zhangsan", "pm": pm, "deadline": "2026-02-01", "source_files": [file["id"]]}});
    let (code, v) = http(
        &w.server.addr,
        "POST",
        "/v1/records",
        Some(token),
        Some(&body.to_string()),
    );
    assert_eq!(code, 201, "{v}");
    v["id"].as_u64().unwrap()
}

/// The text of the element with `id="…"` up to its closing tag.
fn at_id<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</").unwrap_or(rest.len())]
}

#[test]
fn every_refusal_is_worded_in_the_persons_language_at_the_field() {
    let w = start_named();
    let id = translation_project(&w, "pmuser", "t-pm");
    let path = format!("/t/{id}/confirm-requirements");
    // The API keeps the engine's English for the same refusal.
    let bad = json!({"complete": {"task": "confirm-requirements", "fill": {"language_pair": "法译中", "word_count": 10}}});
    let (code, v) = common::act(&w.server.addr, "t-pm", id, bad);
    assert_eq!(code, 422);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a valid"),
        "{v}"
    );
    assert_eq!(v["error"]["allowed"][0], "中译英");
    let c = w.sign_in("pmuser");
    let (_, _, page) = req(&w.server.addr, "GET", &path, Some(&c), None);
    let form = format!(
        "csrf={}&f.language_pair={}&f.word_count=12",
        csrf_of(&page),
        enc("法译中")
    );
    let (code, _, body) = req(&w.server.addr, "POST", &path, Some(&c), Some(&form));
    assert_eq!(code, 422, "{body}");
    assert!(
        at_id(&body, "f.language_pair-err")
            .contains("请从以下选项中选择：中译英、英译中、中译日、日译中、其他"),
        "{body}"
    );
    assert!(body.contains("以下信息不正确: 语种方向"), "{body}");
    assert!(
        !body.contains("not a valid"),
        "no API English on the page: {body}"
    );
    assert!(
        body.contains("发起人 王经理"),
        "the record's creator asked, by name: {body}"
    );
    let form = format!(
        "csrf={}&f.language_pair={}&f.word_count=abc",
        csrf_of(&page),
        enc("中译日")
    );
    let (code, _, body) = req(&w.server.addr, "POST", &path, Some(&c), Some(&form));
    assert_eq!(code, 422, "{body}");
    assert!(
        at_id(&body, "f.word_count-err").contains("请填写数字"),
        "{body}"
    );
    assert!(body.contains("value=\"abc\""), "what was typed is kept");
    // Someone the task is not for: the page words the engine's refusal.
    let z = w.sign_in("zhangsan");
    let (_, _, mine) = req(&w.server.addr, "GET", "/", Some(&z), None);
    let form = format!("csrf={}&f.word_count=1", csrf_of(&mine));
    let (code, _, body) = req(&w.server.addr, "POST", &path, Some(&z), Some(&form));
    assert!((400..500).contains(&code), "{code} {body}");
    assert!(
        body.contains("你没有权限执行此操作") || body.contains("此任务已不在进行中"),
        "{body}"
    );
    assert!(
        !body.contains("not allowed") && !body.contains("no open task"),
        "{body}"
    );
    // An English reader gets English words for the same refusal.
    let en = translation_project(&w, "pmen", "t-pmen");
    let c = w.sign_in("pmen");
    let path = format!("/t/{en}/confirm-requirements");
    let (_, _, page) = req(&w.server.addr, "GET", &path, Some(&c), None);
    let form = format!(
        "csrf={}&f.language_pair={}&f.word_count=5",
        csrf_of(&page),
        enc("法译中")
    );
    let (code, _, body) = req(&w.server.addr, "POST", &path, Some(&c), Some(&form));
    assert_eq!(code, 422);
    assert!(
        at_id(&body, "f.language_pair-err").contains("Choose one of: 中译英, 英译中"),
        "{body}"
    );
    assert!(body.contains("Please correct"), "{body}");
}

#[test]
fn the_record_page_shows_the_newest_history_and_links_to_older_rows() {
    let w = start();
    let id = w.create_delivery();
    for i in 0..55 {
        let set = json!({"set": {"ship_address": format!("上海 {i} 号")}});
        assert_eq!(common::act(&w.server.addr, "t-zhang", id, set).0, 200);
    }
    let c = w.sign_in("zhangsan");
    let rows = |html: &str| {
        let table = &html[html.find("id=\"history\"").unwrap()..];
        let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
        body.matches("<tr>").count()
    };
    let (code, _, page) = req(&w.server.addr, "GET", &format!("/r/{id}"), Some(&c), None);
    assert_eq!(code, 200);
    assert_eq!(rows(&page), 50, "the newest 50 of 56 rows");
    assert!(!page.contains("<td>创建"), "the creation is older");
    let at = page
        .find(&format!("/r/{id}?before="))
        .expect("a link to older rows");
    let older = page[at..].split('"').next().unwrap().to_string();
    let before = w.dump();
    let (code, _, page2) = req(&w.server.addr, "GET", &older, Some(&c), None);
    assert_eq!(code, 200);
    assert_eq!(rows(&page2), 6, "the 6 oldest rows");
    assert!(page2.contains("<td>创建"), "{page2}");
    assert!(!page2.contains("?before="), "no page older than the first");
    assert!(
        page2.contains(&format!("href=\"/r/{id}\"")),
        "a way back to the newest"
    );
    assert_eq!(before, w.dump(), "paging is a GET that changes nothing");
}

#[test]
fn my_work_is_the_list_the_api_gives_with_people_by_name() {
    let w = start_named();
    let id = w.create_delivery();
    let complete = json!({"complete": {"task": "submit-delivery", "fill": {}}});
    assert_eq!(common::act(&w.server.addr, "t-zhang", id, complete).0, 200);
    for (user, token) in [("lisi", "t-li"), ("zhangsan", "t-zhang")] {
        let (_, api) = http(&w.server.addr, "GET", "/v1/me/work", Some(token), None);
        let mut want: Vec<String> = api["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| format!("/t/{}/{}", t["record"]["id"], t["task"].as_str().unwrap()))
            .chain(
                api["approvals"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| format!("/a/{}", a["record"]["id"])),
            )
            .collect();
        let c = w.sign_in(user);
        let (_, _, page) = req(&w.server.addr, "GET", "/", Some(&c), None);
        let list = &page[..page.find("</ul>").unwrap_or(page.len())];
        let mut got: Vec<String> = list
            .split("<a href=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .filter(|u| u.starts_with("/t/") || u.starts_with("/a/"))
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{user}: {page}");
    }
    let c = w.sign_in("lisi");
    let (_, _, page) = req(&w.server.addr, "GET", "/", Some(&c), None);
    assert!(page.contains("发起人 张三"), "who asked, by name: {page}");
    assert!(!page.contains("发起人 zhangsan"), "{page}");
    let (_, _, approval) = req(&w.server.addr, "GET", &format!("/a/{id}"), Some(&c), None);
    assert!(
        approval.contains("张三") && !approval.contains(">zhangsan<"),
        "{approval}"
    );
    let (_, _, record) = req(&w.server.addr, "GET", &format!("/r/{id}"), Some(&c), None);
    assert!(
        record.contains("<dd>张三</dd>"),
        "the owner field by name: {record}"
    );
    assert!(
        record.contains("<td>张三</td>"),
        "history actors by name: {record}"
    );
    assert!(!record.contains("<td>zhangsan</td>"), "{record}");
}

#[test]
fn the_owners_board_draws_each_kpi_and_others_get_no_chart() {
    let w = start_named();
    w.create_delivery();
    let (code, api) = http(
        &w.server.addr,
        "GET",
        "/v1/kpis?process=sales-delivery",
        Some("t-li"),
        None,
    );
    assert_eq!(code, 200, "{api}");
    let kpis = api["kpis"].as_array().unwrap();
    assert!(kpis.len() >= 3);
    let c = w.sign_in("lisi");
    let (code, _, board) = req(
        &w.server.addr,
        "GET",
        "/board/sales-delivery",
        Some(&c),
        None,
    );
    assert_eq!(code, 200, "{board}");
    assert_eq!(
        board.matches("<svg").count(),
        kpis.len(),
        "one chart per KPI: {board}"
    );
    for k in kpis {
        let id = k["id"].as_str().unwrap();
        let figure = &board[board.find(&format!("id=\"kpi-{id}\"")).expect(id)..];
        let figure = &figure[..figure.find("</figure>").unwrap()];
        assert!(
            figure.contains("<svg") && figure.contains(k["title"].as_str().unwrap()),
            "{figure}"
        );
        assert_eq!(
            figure.matches("<tr").count() - 1,
            k["periods"].as_array().unwrap().len()
        );
    }
    let charts = &board[board.find("class=\"kpis\"").unwrap()..];
    assert!(
        !charts[..charts.find("</section>").unwrap()].contains("<script"),
        "charts need no script"
    );
    let z = w.sign_in("zhangsan");
    let (code, _, other) = req(
        &w.server.addr,
        "GET",
        "/board/sales-delivery",
        Some(&z),
        None,
    );
    assert_eq!(code, 403);
    assert!(!other.contains("<svg"), "{other}");
    let (_, _, work) = req(&w.server.addr, "GET", "/", Some(&z), None);
    assert!(!work.contains("<svg") && !work.contains("/board/sales-delivery"));
}

// ---- invitations ----------------------------------------------------------------------------

/// Every message a fake SMTP server got: its recipients and data.
type Mails = std::sync::Arc<std::sync::Mutex<Vec<(Vec<String>, String)>>>;

/// A fake SMTP server: every message's recipients and data, kept for the test.
fn fake_smtp() -> (u16, Mails) {
    use std::io::BufRead;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Mails = Default::default();
    let keep = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut w = stream.try_clone().unwrap();
            let mut r = std::io::BufReader::new(stream);
            let mut say = |s: &str| {
                let _ = w.write_all(format!("{s}\r\n").as_bytes());
            };
            say("220 fake ESMTP");
            let (mut to, mut data) = (vec![], String::new());
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let up = line.trim_end().to_ascii_uppercase();
                if up.starts_with("RCPT TO:") {
                    to.push(line.trim_end()[8..].trim().to_string());
                    say("250 OK");
                } else if up == "DATA" {
                    say("354 go ahead");
                    loop {
                        let mut l = String::new();
                        if r.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                            break;
                        }
                        data.push_str(&l);
                    }
                    keep.lock()
                        .unwrap()
                        .push((std::mem::take(&mut to), std::mem::take(&mut data)));
                    say("250 queued");
                } else if up == "QUIT" {
                    say("221 bye");
                    break;
                } else {
                    say("250 OK");
                }
            }
        }
    });
    (port, got)
}

/// The sign-in path in an email, whatever transfer encoding its parts use.
fn login_path_in(mail: &str) -> Option<String> {
    use base64::Engine as _;
    let mut texts = vec![mail.replace("=\r\n", "").replace("=3D", "=")];
    for block in mail.split("\r\n\r\n") {
        let b64: String = block.lines().take_while(|l| !l.starts_with("--")).collect();
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) {
            texts.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    texts.iter().find_map(|t| {
        let at = t.find("/login/")?;
        let token: String = t[at + 7..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "-_".contains(*c))
            .collect();
        Some(format!("/login/{token}"))
    })
}

#[test]
fn an_invited_person_gets_a_link_and_sees_only_what_the_sop_gives_her() {
    let (port, mails) = fake_smtp();
    let w = {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::write(&tokens, TOKENS).unwrap();
        let users = dir.path().join("users.yaml");
        std::fs::write(&users, USERS).unwrap();
        let channels = dir.path().join("channels.yaml");
        std::fs::write(
            &channels,
            format!("email:\n  smtp: smtp://127.0.0.1:{port}\n  from: \"SOP <sop@example.com>\"\n"),
        )
        .unwrap();
        let db = dir.path().join("s.db");
        let args = [
            "--tokens",
            tokens.to_str().unwrap(),
            "--users",
            users.to_str().unwrap(),
            "--channels",
            channels.to_str().unwrap(),
            "--utc-offset",
            "+08:00",
        ];
        let server = serve_with(&db, &[], &args);
        let (code, _) = http(
            &server.addr,
            "PUT",
            "/v1/bundle",
            Some("adm"),
            Some(&shipped_bundle(dir.path())),
        );
        assert_eq!(code, 201);
        World {
            _dir: dir,
            db,
            tokens,
            server,
        }
    };
    let invited = || {
        sopctl::runtime::storage::Store::open(&w.db)
            .unwrap()
            .invited_users()
            .unwrap()
    };
    let other = w.create_delivery();
    let id = translation_project(&w, "pmuser", "t-pm");
    let confirm = json!({"complete": {"task": "confirm-requirements", "fill": {"language_pair": "中译日", "word_count": 12000}}});
    assert_eq!(common::act(&w.server.addr, "t-pm", id, confirm).0, 200);
    // Only someone who may write the field may invite: the sales person may not.
    let invite = json!({"set": {"external_implementers": [{"invite": {"name": "Lisa Chen", "email": "Lisa.Chen@example.org"}}]}});
    let (code, v) = common::act(&w.server.addr, "t-zhang", id, invite.clone());
    assert_eq!(code, 403, "{v}");
    assert!(invited().is_empty(), "a refused action invites nobody");
    let bad = json!({"set": {"external_implementers": [{"invite": {"name": "Lisa Chen"}}]}});
    let (code, v) = common::act(&w.server.addr, "t-pm", id, bad);
    assert_eq!(
        (code, v["error"]["code"].as_str()),
        (422, Some("invalid-value")),
        "{v}"
    );
    assert_eq!(v["error"]["fields"][0]["id"], "external_implementers");
    // The API: the PM invites an external translator.
    let (code, v) = common::act(&w.server.addr, "t-pm", id, invite);
    assert_eq!(code, 200, "{v}");
    assert_eq!(
        v["record"]["state"]["fields"]["external_implementers"],
        json!(["lisa-chen"]),
        "{v}"
    );
    let people = invited();
    assert_eq!(people.len(), 1);
    assert_eq!(
        (people[0].0.as_str(), people[0].1.roles.as_slice()),
        ("lisa-chen", &["translator-ext".to_string()][..])
    );
    // The page: the PM invites an internal one from the task form.
    let c = w.sign_in("pmuser");
    let path = format!("/t/{id}/split-tasks");
    let (_, _, page) = req(&w.server.addr, "GET", &path, Some(&c), None);
    assert!(
        page.contains("新成员姓名（内部实施人员）")
            && page.contains("name=\"invite.internal_implementers.contact\""),
        "{page}"
    );
    let form = format!(
        "csrf={}&f.task_plan={}&f.draft_due=2026-01-20&invite.internal_implementers.name={}&invite.internal_implementers.contact={}",
        csrf_of(&page), enc("两人各一章"), enc("陈译"), enc("chen.yi@example.com")
    );
    let (code, head, body) = req(&w.server.addr, "POST", &path, Some(&c), Some(&form));
    assert_eq!(code, 303, "{head}{body}");
    let (_, rec) = http(
        &w.server.addr,
        "GET",
        &format!("/v1/records/{id}"),
        Some("adm"),
        None,
    );
    assert_eq!(
        rec["state"]["fields"]["internal_implementers"],
        json!(["chen-yi"]),
        "{rec}"
    );
    assert_eq!(invited().len(), 2);
    // Her email carries a sign-in link; it works once, and she sees only her own work.
    let mut path = None;
    for _ in 0..100 {
        path = mails
            .lock()
            .unwrap()
            .iter()
            .find(|(to, _)| to.iter().any(|t| t.contains("lisa.chen@example.org")))
            .and_then(|(_, d)| login_path_in(d));
        if path.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let path = path.expect("an invitation email with a sign-in link");
    let (code, head, _) = req(&w.server.addr, "POST", &path, None, Some(""));
    assert_eq!(code, 303, "{head}");
    let lisa = cookie_of(&head).unwrap();
    let (_, _, work) = req(&w.server.addr, "GET", "/", Some(&lisa), None);
    assert!(
        work.contains("完成翻译") || work.contains("翻译"),
        "her translation task: {work}"
    );
    assert!(
        work.contains("邀请你参与"),
        "the invitation in her messages: {work}"
    );
    assert!(
        !work.contains("华东电子") && !work.contains("/board/"),
        "{work}"
    );
    let (code, ..) = req(
        &w.server.addr,
        "GET",
        &format!("/r/{other}"),
        Some(&lisa),
        None,
    );
    assert_eq!(code, 403, "not a record she takes part in");
    let (code, ..) = req(
        &w.server.addr,
        "GET",
        &format!("/r/{id}"),
        Some(&lisa),
        None,
    );
    assert_eq!(code, 200, "the project names her");
}
