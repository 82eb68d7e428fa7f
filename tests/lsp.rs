//! `sopctl lsp` driven as an editor drives it: the real binary over stdio, JSON-RPC with
//! `Content-Length` frames, on a temporary copy of the shipped `sops/`. Every read waits at
//! most [`WAIT`].

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::{copy_dir, repo_root, run_in};

const WAIT: Duration = Duration::from_secs(30);
const DELIVERY: &str = "sops/销售/销售发货.yaml";

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    /// Notifications read while waiting for something else.
    seen: Vec<Value>,
    next_id: i64,
    root: PathBuf,
}

/// Reads `Content-Length` framed messages until the stream ends.
fn read_messages(out: impl Read, tx: std::sync::mpsc::Sender<Value>) {
    let mut r = BufReader::new(out);
    loop {
        let mut len = None;
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; len.expect("a Content-Length header")];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let v: Value = serde_json::from_slice(&body).expect("a JSON message");
        if tx.send(v).is_err() {
            return;
        }
    }
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sopctl"))
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("sopctl lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || read_messages(stdout, tx));
        let mut c = Client {
            child,
            stdin,
            rx,
            seen: Vec::new(),
            next_id: 1,
            root: root.to_path_buf(),
        };
        let init = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": c.uri(""),
                "capabilities": {
                    "textDocument": { "publishDiagnostics": { "relatedInformation": true } },
                    "general": { "positionEncodings": ["utf-16"] }
                },
                "initializationOptions": { "debounceMs": 20 }
            }),
        );
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
        assert_eq!(init["serverInfo"]["name"], "sopctl");
        c.notify("initialized", json!({}));
        c
    }

    fn uri(&self, file: &str) -> String {
        lsp_types::Url::from_file_path(self.root.join(file))
            .unwrap()
            .to_string()
    }

    fn send(&mut self, v: Value) {
        let body = serde_json::to_string(&v).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn next(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        self.rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no message from sopctl lsp within {WAIT:?}"))
    }

    /// Sends a request and returns its result; an error response fails the test.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let answer = self.call(method, params);
        assert!(answer.get("error").is_none(), "{method}: {answer}");
        answer["result"].clone()
    }

    /// Sends a request and returns the whole response.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + WAIT;
        loop {
            let m = self.next(deadline);
            if m["id"] == json!(id) && m.get("method").is_none() {
                return m;
            }
            self.seen.push(m);
        }
    }

    /// The next diagnostics published for `file` that satisfy `done`.
    fn diagnostics(&mut self, file: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let uri = self.uri(file);
        let deadline = Instant::now() + WAIT;
        let mut pending = std::mem::take(&mut self.seen).into_iter();
        loop {
            let m = match pending.next() {
                Some(m) => m,
                None => self.next(deadline),
            };
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                let list = m["params"]["diagnostics"].as_array().unwrap().clone();
                if done(&list) {
                    self.seen.extend(pending);
                    return list;
                }
            }
        }
    }

    fn open(&mut self, file: &str) -> String {
        let text = std::fs::read_to_string(self.root.join(file)).unwrap();
        let uri = self.uri(file);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
        );
        text
    }

    /// Replaces the whole text of an open document.
    fn change(&mut self, file: &str, version: i32, text: &str) {
        let uri = self.uri(file);
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    fn at(&self, file: &str, pos: (u32, u32)) -> Value {
        json!({ "textDocument": { "uri": self.uri(file) }, "position": { "line": pos.0, "character": pos.1 } })
    }

    fn stop(mut self) {
        let r = self.call("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert_eq!(status.code(), Some(0));
                return;
            }
            assert!(Instant::now() < deadline, "sopctl lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A copy of the shipped project.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("sops"), &dir.path().join("sops"));
    dir
}

/// The 0-based line and UTF-16 column of `token` on the first line containing `line_has`.
fn find(text: &str, line_has: &str, token: &str) -> (u32, u32) {
    for (i, line) in text.lines().enumerate() {
        if line.contains(line_has) {
            let b = line
                .find(token)
                .unwrap_or_else(|| panic!("{token} in {line}"));
            return (i as u32, line[..b].encode_utf16().count() as u32);
        }
    }
    panic!("no line with {line_has}");
}

/// A finding as both sides can state it: (code, severity, message, help, line, UTF-16 column).
type Finding = (String, String, String, String, u64, u64);

/// `sopctl lint --format json` findings of one file, the columns converted from characters
/// with the file's text.
fn lint(dir: &Path, file: &str) -> Vec<Finding> {
    lint_all(dir).remove(file).unwrap_or_default()
}

/// `sopctl lint --format json` findings of the whole project, by file.
fn lint_all(dir: &Path) -> BTreeMap<String, Vec<Finding>> {
    let out = run_in(dir, &["lint", "--format", "json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut by_file: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for d in json["diagnostics"].as_array().unwrap() {
        let file = d["file"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        let line = d["line"].as_u64().unwrap();
        let chars = d["column"].as_u64().unwrap() as usize - 1;
        let l = text.lines().nth(line as usize - 1).unwrap_or("");
        let units: usize = l.chars().take(chars).map(char::len_utf16).sum();
        let s = |k: &str| d[k].as_str().unwrap().to_string();
        by_file.entry(file.to_string()).or_default().push((
            s("code"),
            s("severity"),
            s("message"),
            s("help"),
            line,
            units as u64 + 1,
        ));
    }
    by_file
}

/// The same tuple from published diagnostics (the help is the related information).
fn published(list: &[Value]) -> Vec<Finding> {
    list.iter()
        .map(|d| {
            let severity = match d["severity"].as_u64() {
                Some(1) => "error",
                _ => "warning",
            };
            let help = d["relatedInformation"][0]["message"]
                .as_str()
                .map_or(String::new(), |m| {
                    m.trim_start_matches("help: ").to_string()
                });
            (
                d["code"].as_str().unwrap().to_string(),
                severity.to_string(),
                d["message"].as_str().unwrap().to_string(),
                help,
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                d["range"]["start"]["character"].as_u64().unwrap() + 1,
            )
        })
        .collect()
}

fn codes(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn diagnostics_follow_edits_and_equal_lint() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let original = c.open(DELIVERY);
    // The shipped file is clean: nothing is published for it until it has findings.
    assert_eq!(lint(dir.path(), DELIVERY), []);
    let clean: Vec<Value> = Vec::new();

    // An unknown status: published as lint reports it.
    let broken = original.replace("            then: shipped", "            then: shiped");
    assert_ne!(broken, original);
    c.change(DELIVERY, 2, &broken);
    let list = c.diagnostics(DELIVERY, |l| codes(l).contains(&"unknown-status".into()));
    std::fs::write(dir.path().join(DELIVERY), &broken).unwrap();
    assert_eq!(published(&list), lint(dir.path(), DELIVERY));
    let unknown = list.iter().find(|d| d["code"] == "unknown-status").unwrap();
    let (line, col) = find(&broken, "then: shiped", "shiped");
    assert_eq!(
        unknown["range"],
        json!({ "start": { "line": line, "character": col }, "end": { "line": line, "character": col + 6 } })
    );

    // An unknown key after Chinese text and an emoji (one character, two UTF-16 units).
    let broken = original.replace(
        "{ type: text, title: 客户名称, required: true }",
        "{ type: text, title: 客户名称😀, requird: true }",
    );
    assert_ne!(broken, original);
    c.change(DELIVERY, 3, &broken);
    let list = c.diagnostics(DELIVERY, |l| codes(l).contains(&"schema".into()));
    std::fs::write(dir.path().join(DELIVERY), &broken).unwrap();
    assert_eq!(published(&list), lint(dir.path(), DELIVERY));
    let key = list.iter().find(|d| d["code"] == "schema").unwrap();
    let (line, col) = find(&broken, "requird", "requird");
    assert_eq!(
        key["range"]["start"],
        json!({ "line": line, "character": col })
    );
    let text_line = broken.lines().nth(line as usize).unwrap();
    let chars = text_line.split("requird").next().unwrap().chars().count();
    assert_eq!(col as usize, chars + 1);

    // Fixed again: the file is as clean as lint says, and the list is cleared to match.
    c.change(DELIVERY, 4, &original);
    let fixed = c.diagnostics(DELIVERY, |l| l.is_empty());
    std::fs::write(dir.path().join(DELIVERY), &original).unwrap();
    assert_eq!(published(&fixed), lint(dir.path(), DELIVERY));
    assert_eq!(published(&fixed), published(&clean));
    c.stop();
}

#[test]
fn a_file_made_clean_gets_an_empty_list() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let text = c.open(DELIVERY);
    let broken = text.replace("assignee: role:warehouse", "assignee: role:warehuse");
    c.change(DELIVERY, 2, &broken);
    let list = c.diagnostics(DELIVERY, |l| !l.is_empty());
    assert_eq!(codes(&list), ["unknown-role"]);
    c.change(DELIVERY, 3, &text);
    assert!(c.diagnostics(DELIVERY, |_| true).is_empty());
    c.stop();
}

/// What the client shows for every file once the server has analysed every change sent: a
/// request is answered after the analysis it waits for, so every publication before the
/// answer is in.
fn settle(c: &mut Client, shown: &mut BTreeMap<String, Vec<Finding>>) {
    let at = c.at(DELIVERY, (0, 0));
    c.request("textDocument/hover", at);
    for m in std::mem::take(&mut c.seen) {
        if m["method"] != "textDocument/publishDiagnostics" {
            continue;
        }
        let uri = lsp_types::Url::parse(m["params"]["uri"].as_str().unwrap()).unwrap();
        let path = uri.to_file_path().unwrap();
        let rel = path.strip_prefix(&c.root).expect("a file of the project");
        let file = rel.to_str().unwrap().replace('\\', "/");
        let list = published(m["params"]["diagnostics"].as_array().unwrap());
        if list.is_empty() {
            shown.remove(&file);
        } else {
            shown.insert(file, list);
        }
    }
}

/// Edits open documents one after the other; after each, what the editor shows for every file
/// equals a fresh `sopctl lint` of the same texts.
struct Session {
    c: Client,
    dir: tempfile::TempDir,
    shown: BTreeMap<String, Vec<Finding>>,
    version: i32,
}

impl Session {
    /// Changes `file` (open, with its text as written) by replacing `from` with `to`, once.
    fn edit(&mut self, file: &'static str, from: &str, to: &str) {
        let original = std::fs::read_to_string(repo_root().join(file)).unwrap();
        assert!(original.contains(from), "{from} in {file}");
        self.set(file, original.replacen(from, to, 1));
    }

    /// Back to the text as written.
    fn restore(&mut self, file: &'static str) {
        let original = std::fs::read_to_string(repo_root().join(file)).unwrap();
        self.set(file, original);
    }

    fn set(&mut self, file: &'static str, text: String) {
        self.version += 1;
        self.c.change(file, self.version, &text);
        std::fs::write(self.dir.path().join(file), &text).unwrap();
    }

    /// Compares with a fresh full check and returns the codes shown per file.
    fn same_as_lint(&mut self, step: &str) -> BTreeMap<String, Vec<String>> {
        settle(&mut self.c, &mut self.shown);
        let expected = lint_all(self.dir.path());
        assert_eq!(self.shown, expected, "after {step}");
        self.shown
            .iter()
            .map(|(f, l)| (f.clone(), l.iter().map(|d| d.0.clone()).collect()))
            .collect()
    }
}

#[test]
fn kept_results_equal_a_full_check_after_each_edit() {
    const PARENT: &str = "sops/projects/translation-project.yaml";
    const CHILD: &str = "sops/projects/translation-task.yaml";
    const ROLES: &str = "sops/roles.yaml";
    let dir = project();
    let c = Client::start(dir.path());
    let mut s = Session {
        c,
        dir,
        shown: BTreeMap::new(),
        version: 1,
    };
    for f in [PARENT, CHILD, ROLES, DELIVERY] {
        s.c.open(f);
    }
    assert!(s.same_as_lint("opening").is_empty());
    let has = |codes: &BTreeMap<String, Vec<String>>, file: &str, code: &str| {
        codes.get(file).is_some_and(|c| c.iter().any(|x| x == code))
    };

    // A broken reference, then its fix.
    s.edit(PARENT, "then: planning", "then: planing");
    let codes = s.same_as_lint("a broken `then`");
    assert!(has(&codes, PARENT, "unknown-status"), "{codes:?}");
    s.restore(PARENT);
    assert!(s.same_as_lint("the fix").is_empty());

    // A status another process moves its parent to, renamed: the child's `move_parent` breaks.
    s.edit(PARENT, "    summarizing:\n", "    summarising:\n");
    let codes = s.same_as_lint("renaming a status");
    assert!(has(&codes, CHILD, "invalid-move-parent"), "{codes:?}");
    s.restore(PARENT);

    // A process that another starts, renamed: the parent's `start` breaks.
    s.edit(CHILD, "  name: translation-task", "  name: translation-job");
    let codes = s.same_as_lint("renaming a process");
    assert!(has(&codes, PARENT, "unknown-process"), "{codes:?}");
    s.restore(CHILD);

    // A field the parent's `start.with` sets, renamed in the child: the parent is wrong now,
    // though its own text did not change.
    s.edit(
        CHILD,
        "    implementer:  { type: user",
        "    implementor:  { type: user",
    );
    let codes = s.same_as_lint("renaming a child's field");
    assert!(has(&codes, PARENT, "unknown-field"), "{codes:?}");
    s.restore(CHILD);
    assert!(s.same_as_lint("restoring the child").is_empty());

    // The parent stops setting a field: the child's field is unused now.
    s.set(
        PARENT,
        std::fs::read_to_string(repo_root().join(PARENT))
            .unwrap()
            .replace(", source_files: source_files", ""),
    );
    let codes = s.same_as_lint("the parent's `with` without a field");
    assert!(has(&codes, CHILD, "unused-field"), "{codes:?}");
    s.restore(PARENT);

    // A role renamed: every process that names it.
    s.edit(ROLES, "    pm:  ", "    pjm: ");
    let codes = s.same_as_lint("renaming a role");
    assert!(has(&codes, CHILD, "unknown-role") && has(&codes, PARENT, "unknown-role"));
    s.restore(ROLES);
    assert!(s.same_as_lint("restoring everything").is_empty());
    s.c.stop();
}

/// The field ids of a process file, in the order written (`    id: { type: …`).
fn field_ids(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| *l != "  fields:")
        .skip(1)
        .take_while(|l| l.starts_with("    ") || l.is_empty())
        .filter_map(|l| l.strip_prefix("    "))
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_once(':').map(|(id, _)| id.to_string()))
        .collect()
}

#[test]
fn start_with_keys_complete_the_started_process_fields() {
    const PARENT: &str = "sops/projects/translation-project.yaml";
    const GRANDPARENT: &str = "sops/projects/order-to-project.yaml";
    let dir = project();
    let mut c = Client::start(dir.path());
    let parent = c.open(PARENT);
    let child =
        std::fs::read_to_string(dir.path().join("sops/projects/translation-task.yaml")).unwrap();
    let ids = |items: &Value| {
        labels(items)
            .into_iter()
            .map(|(l, _)| l)
            .collect::<Vec<_>>()
    };

    // Flow style: a key of `with: { … }` is a field of translation-task, with its title and type.
    let (l, col) = find(&parent, "with: { implementer: each", "implementer");
    let items = c.request("textDocument/completion", c.at(PARENT, (l, col)));
    assert_eq!(ids(&items), field_ids(&child));
    assert_eq!(
        labels(&items)[0],
        ("implementer".into(), "实施人员 · user".into())
    );
    let edit = &items[0]["textEdit"]["range"];
    assert_eq!(edit["start"], json!({ "line": l, "character": col }));

    // Its value is a field of the process that starts it.
    let (l, col) = find(&parent, "with: { implementer: each", "pm: pm");
    let items = c.request("textDocument/completion", c.at(PARENT, (l, col + 4)));
    assert_eq!(ids(&items), field_ids(&parent));

    // Block style, with `process:` on the line of the list item above.
    let grandparent = c.open(GRANDPARENT);
    let (l, col) = find(&grandparent, "            customer: customer", "customer");
    let items = c.request("textDocument/completion", c.at(GRANDPARENT, (l, col + 2)));
    assert_eq!(ids(&items), field_ids(&parent));
    assert_eq!(
        items[0]["textEdit"]["range"]["start"],
        json!({ "line": l, "character": col })
    );
    c.stop();
}

fn labels(items: &Value) -> Vec<(String, String)> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["label"].as_str().unwrap().to_string(),
                i["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// (file, line, UTF-16 column) of each location, sorted.
fn places(c: &Client, locations: &Value) -> Vec<(String, u64, u64)> {
    let mut v: Vec<(String, u64, u64)> = locations
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let uri = l["uri"].as_str().unwrap();
            let file = [DELIVERY, SCENARIO]
                .into_iter()
                .find(|f| c.uri(f) == uri)
                .unwrap_or(uri);
            let s = &l["range"]["start"];
            (
                file.to_string(),
                s["line"].as_u64().unwrap(),
                s["character"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

const SCENARIO: &str = "sops/scenarios/sales-delivery.yaml";

#[test]
fn completion_definition_references_and_hover() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let text = c.open(DELIVERY);

    // Status ids after `then:`, in the SOP's order, each with its title.
    let (l, col) = find(&text, "            then: shipped", "shipped");
    let items = c.request("textDocument/completion", c.at(DELIVERY, (l, col)));
    assert_eq!(
        labels(&items),
        pairs(&[
            ("pending", "待审批"),
            ("approved", "已审批"),
            ("shipped", "已发货"),
            ("delivered", "已送达"),
            ("accepted", "已验收"),
            ("cancelled", "已取消"),
            ("returned", "已退货"),
        ])
    );
    // The typed part is replaced.
    assert_eq!(
        items[0]["textEdit"]["range"],
        json!({ "start": { "line": l, "character": col }, "end": { "line": l, "character": col } })
    );
    // Roles after `role:`, fields in `fill`, processes are offered where they go.
    let (l, col) = find(&text, "assignee: role:warehouse", "warehouse");
    let roles = labels(&c.request("textDocument/completion", c.at(DELIVERY, (l, col))));
    assert_eq!(roles[0], ("sales".to_string(), "销售".to_string()));
    assert!(roles.contains(&("warehouse".to_string(), "库管".to_string())));
    let (l, col) = find(&text, "fill: [shipped_at, tracking_no", "shipped_at");
    let fields = labels(&c.request("textDocument/completion", c.at(DELIVERY, (l, col))));
    assert_eq!(fields.len(), 13);
    assert_eq!(
        fields[0],
        ("owner".to_string(), "归属人 · user".to_string())
    );
    assert_eq!(
        fields[6],
        ("tracking_no".to_string(), "物流单号 · text".to_string())
    );
    let (l, col) = find(&text, "title: 销售发货", "销售发货");
    assert_eq!(
        c.request("textDocument/completion", c.at(DELIVERY, (l, col))),
        Value::Null
    );

    // Definition of `then: shipped` is the status key.
    let (l, col) = find(&text, "            then: shipped", "shipped");
    let def = c.request("textDocument/definition", c.at(DELIVERY, (l, col + 2)));
    let (dl, dc) = find(&text, "    shipped:", "shipped");
    assert_eq!(
        def["range"]["start"],
        json!({ "line": dl, "character": dc })
    );
    assert_eq!(def["uri"], c.uri(DELIVERY));

    // References: everywhere the status is named, the scenario included.
    let mut params = c.at(DELIVERY, (l, col));
    params["context"] = json!({ "includeDeclaration": true });
    let refs = c.request("textDocument/references", params);
    let scenario = std::fs::read_to_string(dir.path().join(SCENARIO)).unwrap();
    let mut want = vec![
        (DELIVERY.to_string(), dl as u64, dc as u64),
        (DELIVERY.to_string(), l as u64, col as u64),
    ];
    for (has, token) in [
        ("      to: shipped", "shipped"),
        ("    - from: shipped", "shipped"),
        ("to: shipped }", "shipped }"),
    ] {
        let (a, b) = find(&text, has, token);
        want.push((DELIVERY.to_string(), a as u64, b as u64));
    }
    for (i, line) in scenario.lines().enumerate() {
        for pat in ["move: shipped", "status: shipped", "move: { to: shipped"] {
            if let Some(b) = line.find(pat) {
                let b = b + pat.len() - "shipped".len();
                want.push((
                    SCENARIO.to_string(),
                    i as u64,
                    line[..b].encode_utf16().count() as u64,
                ));
            }
        }
    }
    want.sort();
    assert_eq!(places(&c, &refs), want);
    assert_eq!(want.len(), 11);

    // Hover: the title, and the type of a field.
    let h = c.request("textDocument/hover", c.at(DELIVERY, (l, col)));
    assert_eq!(
        h["contents"]["value"],
        "**已发货** — status `shipped` of process `sales-delivery`"
    );
    let (fl, fc) = find(&text, "fill: [shipped_at, tracking_no", "tracking_no");
    let h = c.request("textDocument/hover", c.at(DELIVERY, (fl, fc)));
    assert_eq!(
        h["contents"]["value"],
        "**物流单号** — field `tracking_no` of process `sales-delivery`: type `text`"
    );
    // On a finding, the explanation of its code.
    let broken = text.replace("            then: shipped", "            then: shiped");
    c.change(DELIVERY, 2, &broken);
    c.diagnostics(DELIVERY, |l| codes(l).contains(&"unknown-status".into()));
    let h = c.request("textDocument/hover", c.at(DELIVERY, (l, col + 1)));
    let value = h["contents"]["value"].as_str().unwrap();
    let explain = common::stdout(&run_in(dir.path(), &["explain", "unknown-status"]));
    assert!(
        value.starts_with("status `shiped` of process `sales-delivery`"),
        "{value}"
    );
    assert!(
        value.contains("**unknown-status** — `complete.then` of task"),
        "{value}"
    );
    assert!(value.contains(explain.trim_end()), "{value}");
    c.stop();
}

/// Applies a workspace edit to the files on disk.
fn apply(c: &Client, edit: &Value) {
    for (uri, edits) in edit["changes"].as_object().unwrap() {
        let path = lsp_types::Url::parse(uri).unwrap().to_file_path().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let offset = |p: &Value| -> usize {
            let line = p["line"].as_u64().unwrap() as usize;
            let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
            let l = text[start..].split('\n').next().unwrap();
            let mut units = 0;
            for (b, ch) in l.char_indices() {
                if units >= p["character"].as_u64().unwrap() as usize {
                    return start + b;
                }
                units += ch.len_utf16();
            }
            start + l.len()
        };
        let mut list: Vec<(usize, usize, String)> = edits
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    offset(&e["range"]["start"]),
                    offset(&e["range"]["end"]),
                    e["newText"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        list.sort_by_key(|e| std::cmp::Reverse(e.0));
        let mut out = text.clone();
        for (a, b, t) in list {
            out.replace_range(a..b, &t);
        }
        std::fs::write(&path, out).unwrap();
    }
    let _ = c;
}

fn rename(c: &mut Client, at: (u32, u32), new: &str) -> Value {
    let mut params = c.at(DELIVERY, at);
    params["newName"] = json!(new);
    c.call("textDocument/rename", params)
}

#[test]
fn rename_adds_was_and_keeps_the_project_valid() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let text = c.open(DELIVERY);
    let (l, col) = find(&text, "            then: shipped", "shipped");
    let prepared = c.request("textDocument/prepareRename", c.at(DELIVERY, (l, col)));
    assert_eq!(prepared["placeholder"], "shipped");
    // Taken names and non-ids are refused with the reason.
    let taken = rename(&mut c, (l, col), "approved");
    assert!(
        taken["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{taken}"
    );
    let bad = rename(&mut c, (l, col), "已发货");
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not an id"),
        "{bad}"
    );

    let edit = rename(&mut c, (l, col), "dispatched")["result"].clone();
    let edits = edit["changes"][c.uri(DELIVERY)].as_array().unwrap();
    let (tl, _) = find(&text, "      title: 已发货", "title");
    let was: Vec<&Value> = edits
        .iter()
        .filter(|e| e["newText"] != "dispatched")
        .collect();
    assert_eq!(was.len(), 1);
    assert_eq!(was[0]["newText"], "      was: [shipped]\n");
    assert_eq!(
        was[0]["range"]["start"],
        json!({ "line": tl, "character": 0 })
    );
    assert_eq!(
        edit["changes"][c.uri(SCENARIO)].as_array().unwrap().len(),
        6
    );

    // A flow-style field gets `was` inside its braces; templates are renamed too.
    let (fl, fc) = find(&text, "    tracking_no:", "tracking_no");
    let field_edit = rename(&mut c, (fl, fc), "waybill_no")["result"].clone();
    let fedits = field_edit["changes"][c.uri(DELIVERY)].as_array().unwrap();
    let (wl, wc) = find(&text, "    tracking_no:", " }");
    assert!(fedits.contains(&json!({ "range": { "start": { "line": wl, "character": wc }, "end": { "line": wl, "character": wc } }, "newText": ", was: [tracking_no]" })), "{field_edit}");
    let (ml, mc) = find(&text, "{{ record.tracking_no }}", "tracking_no }}");
    assert!(fedits
        .iter()
        .any(|e| e["range"]["start"] == json!({ "line": ml, "character": mc })));

    apply(&c, &edit);
    c.stop();
    let renamed = std::fs::read_to_string(dir.path().join(DELIVERY)).unwrap();
    assert!(
        renamed.contains("    dispatched:\n      was: [shipped]\n      title: 已发货\n"),
        "{renamed}"
    );
    assert!(!renamed.contains("then: shipped"));
    for args in [["validate"], ["test"]] {
        let out = run_in(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            common::stderr(&out)
        );
    }
    // The field rename applies as well, after the status rename.
    let mut c = Client::start(dir.path());
    let text = c.open(DELIVERY);
    let (fl, fc) = find(&text, "    tracking_no:", "tracking_no");
    let field_edit = rename(&mut c, (fl, fc), "waybill_no")["result"].clone();
    apply(&c, &field_edit);
    c.stop();
    let renamed = std::fs::read_to_string(dir.path().join(DELIVERY)).unwrap();
    assert!(
        renamed.contains("waybill_no:      { type: text, title: 物流单号, was: [tracking_no] }"),
        "{renamed}"
    );
    for args in [["validate"], ["test"]] {
        let out = run_in(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            common::stderr(&out)
        );
    }
}

#[test]
fn quick_fixes_write_the_suggestion() {
    let dir = project();
    let mut c = Client::start(dir.path());
    let text = c.open(DELIVERY);
    let broken = text
        .replace("            then: shipped", "            then: shiped")
        .replace("assignee: role:warehouse", "assignee: role:warehuse");
    c.change(DELIVERY, 2, &broken);
    let list = c.diagnostics(DELIVERY, |l| l.len() >= 2);
    for (code, new_text) in [
        ("unknown-status", "shipped"),
        ("unknown-role", "role:warehouse"),
    ] {
        let d = list.iter().find(|d| d["code"] == code).unwrap().clone();
        let params = json!({
            "textDocument": { "uri": c.uri(DELIVERY) },
            "range": d["range"],
            "context": { "diagnostics": [d.clone()] }
        });
        let actions = c.request("textDocument/codeAction", params);
        let a = &actions[0];
        assert_eq!(a["kind"], "quickfix");
        assert_eq!(
            a["edit"]["changes"][c.uri(DELIVERY)][0],
            json!({ "range": d["range"], "newText": new_text })
        );
    }
    c.stop();
}
