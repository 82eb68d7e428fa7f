//! Helpers shared by the integration tests: they run the real `sopctl` binary as users do.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

pub fn sopctl() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("sopctl").expect("binary is built");
    cmd.env_remove("NO_COLOR").env("SOPCTL_TEST", "1");
    cmd
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo_root().join("tests").join("fixtures")
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    sopctl()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("sopctl runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `validate --format json` and returns the parsed report.
pub fn validate_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["validate", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run_in(dir, &args);
    let code = out.status.code().unwrap_or(-1);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\nstderr: {}",
            stdout(&out),
            stderr(&out)
        )
    });
    (code, json)
}

/// (code, file, line, column) of every diagnostic of a JSON report, sorted.
pub fn findings(json: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    let mut v: Vec<_> = json["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Reads `# expect: CODE@WHERE` annotations from every file of a fixture project. WHERE is a
/// column number, or a token whose first occurrence on that line gives the column. Where the
/// offending line cannot hold a comment (inside a block scalar), `# expect-next-line:
/// CODE@WHERE` on the line before points at the next line.
pub fn expectations(dir: &Path) -> Vec<(String, String, u64, u64)> {
    let mut out = Vec::new();
    let mut files = Vec::new();
    collect(dir, &mut files);
    for f in files {
        let rel = f
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let (marker, target) = if let Some(at) = line.find("# expect: ") {
                ((at, "# expect: ".len()), i)
            } else if let Some(at) = line.find("# expect-next-line: ") {
                ((at, "# expect-next-line: ".len()), i + 1)
            } else {
                continue;
            };
            let (at, len) = marker;
            let spec = line[at + len..].trim();
            let (code, place) = spec.split_once('@').expect("CODE@WHERE");
            let on: &str = if target == i {
                &line[..at]
            } else {
                lines.get(target).copied().unwrap_or_default()
            };
            let column = match place.parse::<u64>() {
                Ok(c) => c,
                Err(_) => {
                    let byte = on.find(place).unwrap_or_else(|| {
                        panic!("{rel}:{}: token `{place}` not on the line", target + 1)
                    });
                    on[..byte].chars().count() as u64 + 1
                }
            };
            out.push((code.to_string(), rel.clone(), target as u64 + 1, column));
        }
    }
    out.sort();
    out
}

/// Runs `lint --format json` with extra arguments and environment; returns the exit code and
/// the parsed report.
pub fn lint_json(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let mut args = vec!["lint", "--format", "json"];
    args.extend_from_slice(extra);
    let mut cmd = sopctl();
    cmd.current_dir(dir).args(&args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("sopctl runs");
    let code = out.status.code().unwrap_or(-1);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\nstderr: {}",
            stdout(&out),
            stderr(&out)
        )
    });
    (code, json)
}

/// Copies a folder (recursively) into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A temporary project holding a copy of the shipped `sops/`.
pub fn shipped_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("sops"), &dir.path().join("sops"));
    dir
}

/// Makes `dir` a git repository with every file committed at `time` (seconds since the
/// epoch, UTC+8), as a fixed author and committer.
pub fn git_commit_all(dir: &Path, time: i64) {
    let repo = git2::Repository::open(dir)
        .or_else(|_| git2::Repository::init(dir))
        .unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig =
        git2::Signature::new("测试", "test@example.com", &git2::Time::new(time, 480)).unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, "SOPs", &tree, &parents)
        .unwrap();
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A tiny blocking HTTP/1.1 client for the runtime tests: one request per connection.
/// Returns (status, parsed JSON body or Null).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    http_with(addr, method, path, token, body, &[])
}

/// [`http`] with extra request headers.
pub fn http_with(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the server");
    let body = body.unwrap_or("");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let text = String::from_utf8_lossy(&resp);
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status");
    let json = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    (status, json)
}

/// A running `sopctl serve`, killed when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `sopctl serve` on a free loopback port with the given database and token env, and
/// waits for its `listening on http://ADDR` line.
pub fn serve(db: &Path, env: &[(&str, &str)]) -> Server {
    serve_with(db, env, &[])
}

/// [`serve`] with more arguments (`--channels FILE`, `--utc-offset …`).
pub fn serve_with(db: &Path, env: &[(&str, &str)], args: &[&str]) -> Server {
    serve_db(&format!("sqlite://{}", db.display()), env, args)
}

/// [`serve_with`] on any `--db` (a `postgres://` URL too).
pub fn serve_db(db: &str, env: &[(&str, &str)], args: &[&str]) -> Server {
    use std::io::BufRead;
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sopctl"));
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--db", db])
        .args(args)
        .env_remove("SOPCTL_ADMIN_TOKEN")
        .env_remove("SOPCTL_USER_TOKENS")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start sopctl serve");
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    let mut server = Server {
        child,
        addr: String::new(),
    };
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(a) = line.strip_prefix("listening on http://") {
            server.addr = a.trim().to_string();
            break;
        }
    }
    assert!(!server.addr.is_empty(), "serve did not start");
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    server
}

/// A keep-alive HTTP/1.1 connection: several requests over one socket. Responses must carry a
/// `Content-Length` (axum's JSON answers do).
pub struct Conn {
    addr: String,
    reader: std::io::BufReader<std::net::TcpStream>,
}

impl Conn {
    pub fn connect(addr: &str) -> std::io::Result<Conn> {
        let s = std::net::TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
        Ok(Conn {
            addr: addr.to_string(),
            reader: std::io::BufReader::new(s),
        })
    }

    /// Sends one request and reads its answer: (status, parsed JSON body or Null).
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> std::io::Result<(u16, serde_json::Value)> {
        use std::io::{BufRead, Read, Write};
        let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
        let body = body.unwrap_or("");
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if let Some(t) = token {
            req.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        self.reader.get_mut().write_all(req.as_bytes())?;
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the connection closed before an answer",
            ));
        }
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| bad("no status line"))?;
        let mut len = None;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(bad("the connection closed inside the headers"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse::<usize>().ok();
                }
            }
        }
        let len = len.ok_or_else(|| bad("no Content-Length"))?;
        let mut buf = vec![0; len];
        self.reader.read_exact(&mut buf)?;
        let json = serde_json::from_slice(&buf).unwrap_or(serde_json::Value::Null);
        Ok((status, json))
    }
}

/// The shipped `sops/` built into `dir/dist`; returns the bundle's JSON.
pub fn shipped_bundle(dir: &Path) -> String {
    let out = dir.join("dist");
    let o = run_in(&repo_root(), &["build", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(out.join("bundle.json")).unwrap()
}

/// `POST /v1/records/{id}/actions` with a JSON body.
pub fn act(addr: &str, token: &str, id: u64, body: serde_json::Value) -> (u16, serde_json::Value) {
    http(
        addr,
        "POST",
        &format!("/v1/records/{id}/actions"),
        Some(token),
        Some(&body.to_string()),
    )
}
