//! The API as a contract: the committed `schemas/openapi.json` is the document the server
//! generates from its code, and every answer of a walk through the API (successes and errors)
//! has a status the document lists and a body its schema accepts.

mod api_support;
mod common;

use api_support::{bundle, call, raw, Answer, ENV, ORDER};
use serde_json::{json, Value};

fn doc_file() -> std::path::PathBuf {
    common::repo_root().join("schemas/openapi.json")
}

#[test]
fn the_committed_document_is_the_generated_one() {
    let dir = tempfile::tempdir().unwrap();
    let s = common::serve(&dir.path().join("db"), ENV);
    // Readable without a token: client generators fetch it as it is.
    let a = raw(&s.addr, "GET", "/openapi.json", &[], b"");
    assert_eq!(a.status, 200);
    let served = String::from_utf8(a.body).unwrap();
    if std::env::var_os("SOPCTL_BLESS").is_some() {
        std::fs::write(doc_file(), &served).unwrap();
    }
    let committed = std::fs::read_to_string(doc_file()).unwrap();
    assert!(
        served == committed,
        "schemas/openapi.json differs from what the server generates; run \
         `SOPCTL_BLESS=1 cargo test --test api_contract` and commit the file"
    );
    let doc: Value = serde_json::from_str(&served).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut ids = std::collections::BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(ids.insert(id.to_string()), "operationId {id} twice");
            assert!(!op["tags"].as_array().unwrap().is_empty(), "{id}: no tag");
            for (status, r) in op["responses"].as_object().unwrap() {
                let schema = &r["content"]["application/json"]["schema"];
                let bare = schema == &json!({"type": "object"});
                let whole_documents = ["getBundle", "getOpenApi"].contains(&id);
                assert!(!bare || whole_documents, "{id} {status}: an untyped object");
            }
        }
    }
}

/// The operation a concrete path and method fall under.
fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    let path = path.split('?').next().unwrap();
    let segs: Vec<&str> = path.split('/').collect();
    doc["paths"].as_object()?.iter().find_map(|(tpl, ops)| {
        let t: Vec<&str> = tpl.split('/').collect();
        let same = t.len() == segs.len()
            && t.iter()
                .zip(&segs)
                .all(|(a, b)| a == b || a.starts_with('{'));
        same.then(|| ops.get(method.to_lowercase()))?
    })
}

/// Checks one answer against the document: its status is listed and its JSON body fits.
fn check(doc: &Value, method: &str, path: &str, a: &Answer) {
    let Some(op) = operation(doc, method, path) else {
        // No such operation: the answer must still be the error envelope.
        assert!(
            [404, 405].contains(&a.status),
            "{method} {path}: {}",
            a.status
        );
        assert!(a.json()["error"]["code"].is_string(), "{method} {path}");
        return;
    };
    let r = op["responses"]
        .get(a.status.to_string())
        .unwrap_or_else(|| panic!("{method} {path}: status {} is not documented", a.status));
    let Some(schema) = r["content"]["application/json"].get("schema") else {
        return;
    };
    let mut root = schema.clone();
    if let Some(o) = root.as_object_mut() {
        o.insert("components".into(), doc["components"].clone());
    }
    let v = jsonschema::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("{method} {path}: the schema does not compile: {e}"));
    let body = a.json();
    let errors: Vec<String> = v
        .iter_errors(&body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {}: {errors:#?}\n{body}",
        a.status
    );
    assert!(
        !has_engine_time(&body),
        "{method} {path}: a time as {{secs, offset}}: {body}"
    );
}

fn has_engine_time(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            o.contains_key("secs") && o.contains_key("offset") || o.values().any(has_engine_time)
        }
        Value::Array(a) => a.iter().any(has_engine_time),
        _ => false,
    }
}

struct Walk<'a> {
    addr: &'a str,
    doc: Value,
}

impl Walk<'_> {
    fn go(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let a = call(self.addr, method, path, token, body.as_ref());
        check(&self.doc, method, path, &a);
        a
    }

    fn upload(&self, token: &str, name: &str, bytes: &[u8]) -> Answer {
        let auth = format!("Bearer {token}");
        let h = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "image/png"),
            ("X-Filename", name),
        ];
        let a = raw(self.addr, "POST", "/v1/files", &h, bytes);
        check(&self.doc, "POST", "/v1/files", &a);
        a
    }
}

fn code(a: &Answer) -> (u16, String) {
    (
        a.status,
        a.json()["error"]["code"].as_str().unwrap_or("").to_string(),
    )
}

#[test]
fn every_answer_of_a_walk_fits_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let s = common::serve_with(&dir.path().join("db"), ENV, &["--max-upload", "64KiB"]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(doc_file()).unwrap()).unwrap();
    let w = Walk { addr: &s.addr, doc };
    let text = bundle(&[("order", ORDER)]);
    assert_eq!(
        w.go(
            "PUT",
            "/v1/bundle",
            Some("adm"),
            serde_json::from_str(&text).ok()
        )
        .status,
        201
    );

    let file = bundles_and_files(&w, &text);
    let rec = a_record_through_its_process(&w, &file);
    lists_and_pages(&w, rec);
    the_rest_of_the_surface(&w, rec);
}

fn bundles_and_files(w: &Walk<'_>, text: &str) -> String {
    // A hand-made bundle without an initial status is refused, and nothing breaks after it.
    let mut broken: Value = serde_json::from_str(text).unwrap();
    for st in broken["processes"][0]["statuses"].as_array_mut().unwrap() {
        st["initial"] = json!(false);
    }
    let a = w.go("PUT", "/v1/bundle", Some("adm"), Some(broken));
    assert_eq!(code(&a), (422, "invalid-bundle".into()));
    assert!(a.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("order"));

    // Files: raw upload, the limit, and who may download.
    let f = w.upload("tw", "%E5%87%AD%E8%AF%81.png", b"\x89PNG fake");
    assert_eq!(f.status, 201);
    let file = f.json();
    assert_eq!(file["name"], "凭证.png");
    let id = file["id"].as_str().unwrap().to_string();
    // The pages' form: multipart with one file.
    let form = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\xe7\x85\xa7\xe7\x89\x87.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nJPEG\r\n--XyZ--\r\n";
    let m = raw(
        w.addr,
        "POST",
        "/v1/files",
        &[
            ("Authorization", "Bearer tw"),
            ("Content-Type", "multipart/form-data; boundary=XyZ"),
        ],
        form,
    );
    check(&w.doc, "POST", "/v1/files", &m);
    assert_eq!(m.status, 201, "{}", m.json());
    assert_eq!(
        (
            m.json()["name"].as_str(),
            m.json()["type"].as_str(),
            m.json()["size"].as_u64()
        ),
        (Some("照片.jpg"), Some("image/jpeg"), Some(4))
    );
    let big = w.upload("tw", "big.bin", &vec![0u8; 70 * 1024]);
    assert_eq!(code(&big), (413, "payload-too-large".into()));
    assert!(big.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("65536"));
    assert_eq!(
        w.go("GET", &format!("/v1/files/{id}"), Some("tw"), None)
            .status,
        200
    );
    assert_eq!(
        w.go("GET", &format!("/v1/files/{id}"), Some("tb"), None)
            .status,
        404
    );

    id
}

fn a_record_through_its_process(w: &Walk<'_>, id: &str) -> u64 {
    // Create; refusals name fields by id and title, choices say what they take.
    let create = |fields: Value| {
        w.go(
            "POST",
            "/v1/records",
            Some("ts"),
            Some(json!({"process": "order", "fields": fields})),
        )
    };
    let a = create(json!({"owner": "zhang", "kind": "零售"}));
    assert_eq!(a.status, 201, "{}", a.json());
    let rec = a.json()["id"].as_u64().unwrap();
    let a = create(json!({"owner": "zhang", "kind": "团购"}));
    assert_eq!(code(&a), (422, "invalid-value".into()));
    assert_eq!(
        a.json()["error"]["fields"],
        json!([{"id": "kind", "title": "类型"}])
    );
    assert_eq!(a.json()["error"]["allowed"], json!(["零售", "批发"]));
    let act = |tok: &str, body: Value| {
        w.go(
            "POST",
            &format!("/v1/records/{rec}/actions"),
            Some(tok),
            Some(body),
        )
    };
    let a = act("ts", json!({"set": {"proof": "sha256:0000"}}));
    assert_eq!(code(&a), (422, "invalid-value".into()));
    assert_eq!(a.json()["error"]["fields"][0]["id"], "proof");
    let a = act("ts", json!({"set": {"note": "x"}, "move": "packing"}));
    assert_eq!(code(&a), (400, "bad-request".into()));
    let a = act("ts", json!({"move": "packing"}));
    assert_eq!(code(&a), (422, "missing-fields".into()));
    assert_eq!(
        a.json()["error"]["fields"],
        json!([{"id": "customer", "title": "客户"}])
    );
    assert_eq!(
        act("ts", json!({"set": {"customer": "甲公司"}})).status,
        200
    );
    assert_eq!(act("ts", json!({"move": "packing"})).status, 200);

    // The warehouse's work says everything a client shows.
    let work = w.go("GET", "/v1/me/work", Some("tw"), None).json();
    let t = &work["tasks"][0];
    assert_eq!(
        (t["task"].as_str(), t["title"].as_str()),
        (Some("pack"), Some("打包并上传凭证"))
    );
    assert_eq!(
        t["fill"],
        json!([{"id": "proof", "title": "发货凭证", "type": "file", "options": [], "required": true}])
    );
    assert_eq!(t["checklist"], json!(["核对数量", "拍照"]));
    assert_eq!(t["record"]["status_title"], "打包中");
    let a = act(
        "tw",
        json!({"complete": {"task": "pack", "fill": {"proof": id}}}),
    );
    assert_eq!(a.status, 200, "{}", a.json());
    // Now the file is held by a record the boss may read.
    assert_eq!(
        w.go("GET", &format!("/v1/files/{id}"), Some("tb"), None)
            .status,
        200
    );
    assert_eq!(
        w.go("GET", &format!("/v1/files/{id}"), Some("tg"), None)
            .status,
        404
    );

    // Approval: on the boss's work list; a rejection needs a reason.
    assert_eq!(act("ts", json!({"move": "done"})).status, 200);
    let work = w.go("GET", "/v1/me/work", Some("tb"), None).json();
    assert_eq!(work["approvals"][0]["transition_title"], "完成");
    assert_eq!(work["approvals"][0]["requester"], "zhang");
    let a = act("tb", json!({"approve": false}));
    assert_eq!(code(&a), (422, "invalid-value".into()));
    assert_eq!(a.json()["error"]["fields"][0]["id"], "reason");
    assert_eq!(
        act("tb", json!({"approve": true})).json()["record"]["state"]["status"],
        "done"
    );

    rec
}

fn lists_and_pages(w: &Walk<'_>, rec: u64) {
    let create = |fields: Value| {
        w.go(
            "POST",
            "/v1/records",
            Some("ts"),
            Some(json!({"process": "order", "fields": fields})),
        )
    };
    // Lists and pages.
    for i in 0..3 {
        assert_eq!(
            create(json!({"owner": "zhang", "customer": format!("乙{i}")})).status,
            201
        );
    }
    let p1 = w
        .go("GET", "/v1/records?process=order&limit=2", Some("ts"), None)
        .json();
    assert_eq!(p1["records"].as_array().unwrap().len(), 2);
    let cursor = p1["next_cursor"].as_str().unwrap().to_string();
    let p2 = w
        .go(
            "GET",
            &format!("/v1/records?process=order&limit=2&cursor={cursor}"),
            Some("ts"),
            None,
        )
        .json();
    assert_eq!(p2["records"].as_array().unwrap().len(), 2);
    assert_eq!(p2["next_cursor"], Value::Null);
    let q = w
        .go("GET", "/v1/records?q=%E4%B9%991", Some("ts"), None)
        .json();
    assert_eq!(q["records"].as_array().unwrap().len(), 1, "{q}");
    let done = w
        .go("GET", "/v1/records?status=done", Some("ts"), None)
        .json();
    assert_eq!(done["records"][0]["id"], rec);
    assert_eq!(
        w.go("GET", "/v1/records?mine=true", Some("tg"), None)
            .json()["records"],
        json!([])
    );
    let h1 = w
        .go(
            "GET",
            &format!("/v1/records/{rec}/history?limit=2"),
            Some("ts"),
            None,
        )
        .json();
    assert_eq!(h1["history"].as_array().unwrap().len(), 2);
    let c = h1["next_cursor"].as_str().unwrap().to_string();
    let h2 = w
        .go(
            "GET",
            &format!("/v1/records/{rec}/history?cursor={c}"),
            Some("ts"),
            None,
        )
        .json();
    assert!(h2["history"][0]["id"].as_i64() > h1["history"][1]["id"].as_i64());
}

fn the_rest_of_the_surface(w: &Walk<'_>, rec: u64) {
    // The rest of the surface, and the errors anyone can cause.
    for (m, p, tok) in [
        ("GET", format!("/v1/records/{rec}"), Some("ts")),
        ("GET", "/v1/stats".into(), Some("ts")),
        ("GET", "/v1/bundles".into(), Some("ts")),
        ("GET", "/v1/bundle".into(), Some("ts")),
        ("GET", "/v1/me/tasks".into(), Some("tw")),
        ("GET", "/v1/me/inbox".into(), Some("tb")),
        ("GET", "/v1/outbox".into(), Some("adm")),
        ("GET", "/v1/outbox".into(), Some("ts")),
        ("GET", "/v1/records/999".into(), Some("ts")),
        ("GET", "/v1/records/abc".into(), Some("ts")),
        ("GET", "/v1/records?cursor=x".into(), Some("ts")),
        ("GET", "/v1/records?limit=-1".into(), Some("ts")),
        ("GET", "/v1/stats".into(), None),
        ("GET", format!("/v1/records/{rec}"), Some("tg")),
        ("GET", "/v1/nothing".into(), Some("ts")),
        ("DELETE", "/v1/stats".into(), Some("ts")),
    ] {
        let a = w.go(m, &p, tok, None);
        if a.status >= 400 {
            assert!(a.json()["error"]["code"].is_string(), "{m} {p}");
        }
    }
}
