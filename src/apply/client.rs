//! The HTTP side of `apply`: three calls to a runtime (`sopctl serve`), each with
//! `Authorization: Bearer TOKEN`.
//!
//! - `GET /v1/bundle`: 200 with the bundle the runtime runs, 404 `no-bundle` when none yet;
//! - `GET /v1/stats`: `{"bundle", "live": [{"process", "status", "records"}]}`, the records not
//!   in a terminal status (a runtime without this endpoint answers 404: counts unknown);
//! - `PUT /v1/bundle[?force=true]`: 201 `created`, 200 `activated`/`unchanged` (maybe with
//!   `migrated`/`pinned` counts), 409 `would-strand` with the stranded statuses, 400
//!   `invalid-bundle`/`hash-mismatch`.
//!
//! Anything that stops the conversation (unreachable, token refused, an answer that is not the
//! API's JSON) is a [`ClientError`]: one line and a hint, exit 2.

use std::io::Read;
use std::time::Duration;

use serde_json::Value;

use crate::bundle::Bundle;
use crate::progress::Progress;

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one whole call may take (an upload of a large bundle included).
const CALL_TIMEOUT: Duration = Duration::from_secs(120);
/// The largest answer read (a bundle; the shipped one is well under 1 MiB).
const MAX_ANSWER: u64 = 256 * 1024 * 1024;

/// Why `apply` cannot talk to the runtime (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientError {
    pub message: String,
    pub help: String,
}

/// Live records in one status of one process.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Live {
    pub process: String,
    pub status: String,
    pub records: u64,
}

impl Live {
    pub fn to_json(&self) -> Value {
        serde_json::json!({"process": self.process, "status": self.status, "records": self.records})
    }
}

/// What the runtime said to an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    /// 201/200: `created`, `activated` or `unchanged`.
    Accepted {
        status: String,
        hash: Option<String>,
        migrated: Option<u64>,
        pinned: Option<u64>,
    },
    /// 409 or 400: the runtime did not take the bundle.
    Refused {
        http: u16,
        code: String,
        message: String,
        stranded: Vec<Live>,
    },
}

/// A client for one runtime.
pub struct Client {
    /// The base URL, without a trailing `/`.
    pub server: String,
    token: String,
    agent: ureq::Agent,
}

/// An HTTP answer: status and body text.
struct Answer {
    status: u16,
    body: String,
}

impl Client {
    /// A client for `server` (`http://…` or `https://…`).
    pub fn new(server: &str, token: &str) -> Result<Client, ClientError> {
        let server = server.trim().trim_end_matches('/').to_string();
        let scheme_ok = ["http://", "https://"].iter().any(|s| {
            server
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
                && server.len() > s.len()
        });
        if !scheme_ok {
            return Err(ClientError {
                message: format!("`{server}` is not an http:// or https:// URL"),
                help:
                    "pass --server http://HOST:PORT, or set `apply: { server: … }` in sopctl.yaml"
                        .into(),
            });
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(CALL_TIMEOUT))
            .user_agent(format!("sopctl/{}", crate::PKG_VERSION))
            .build();
        Ok(Client {
            server,
            token: token.to_string(),
            agent: ureq::Agent::new_with_config(config),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server)
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    fn unreachable(&self, e: &ureq::Error) -> ClientError {
        let cause = match e {
            ureq::Error::Io(io) => io.to_string(),
            ureq::Error::HostNotFound => "host not found".to_string(),
            ureq::Error::ConnectionFailed => "connection failed".to_string(),
            other => other.to_string(),
        };
        ClientError {
            message: format!("cannot reach {}: {cause}", self.server),
            help: "is `sopctl serve` running? pass --server URL".into(),
        }
    }

    fn read(&self, mut resp: ureq::http::Response<ureq::Body>) -> Result<Answer, ClientError> {
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_string()
            .map_err(|e| ClientError {
                message: format!(
                    "{} answered {status} but its body could not be read: {e}",
                    self.server
                ),
                help: "is --server the address of `sopctl serve`?".into(),
            })?;
        Ok(Answer { status, body })
    }

    fn get(&self, path: &str) -> Result<Answer, ClientError> {
        let resp = self
            .agent
            .get(&self.url(path))
            .header("Authorization", &self.bearer())
            .header("Accept", "application/json")
            .call()
            .map_err(|e| self.unreachable(&e))?;
        self.read(resp)
    }

    /// `GET path` for a JSON answer (`sopctl report`): 200 is the value, 401/403 a refused
    /// token, anything else unexpected.
    pub fn get_json(&self, path: &str, what: &str) -> Result<Value, ClientError> {
        let a = self.get(path)?;
        match a.status {
            200 => serde_json::from_str(&a.body).map_err(|_| self.unexpected(what, &a)),
            401 | 403 => Err(self.refused_token(&a)),
            _ => Err(self.unexpected(what, &a)),
        }
    }

    /// 401/403: the token was refused.
    fn refused_token(&self, a: &Answer) -> ClientError {
        let (code, message) = error_of(&a.body);
        let what = match (a.status, code.as_deref()) {
            (_, Some(c)) => c.to_string(),
            (401, None) => "unauthorized".into(),
            _ => "forbidden".into(),
        };
        ClientError {
            message: format!(
                "the server refused the token ({} {what}{})",
                a.status,
                message.map(|m| format!(": {m}")).unwrap_or_default()
            ),
            help: "set SOPCTL_TOKEN to the runtime's admin token (SOPCTL_ADMIN_TOKEN of `sopctl serve`)"
                .into(),
        }
    }

    /// Any other answer the API does not give: the server is not a sopctl runtime, or broke.
    fn unexpected(&self, what: &str, a: &Answer) -> ClientError {
        let (code, message) = error_of(&a.body);
        let detail = match (code, message) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (Some(c), None) => c,
            (None, Some(m)) => m,
            (None, None) => snippet(&a.body),
        };
        ClientError {
            message: format!(
                "{what}: {} answered {}{}",
                self.server,
                a.status,
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({detail})")
                }
            ),
            help: "is --server the address of `sopctl serve`? its log may say more".into(),
        }
    }

    /// The bundle the runtime runs, or `None` when it has none yet.
    pub fn current(&self) -> Result<Option<Bundle>, ClientError> {
        let a = self.get("/v1/bundle")?;
        match a.status {
            200 => {}
            401 | 403 => return Err(self.refused_token(&a)),
            404 if error_of(&a.body).0.as_deref() == Some("no-bundle") => return Ok(None),
            _ => return Err(self.unexpected("cannot read the running bundle", &a)),
        }
        Bundle::from_json(&a.body).map(Some).map_err(|e| {
            let cause = if serde_json::from_str::<Value>(&a.body).is_ok() {
                format!("its bundle is not one this sopctl reads: {e}")
            } else {
                format!("the answer is not JSON ({})", snippet(&a.body))
            };
            ClientError {
                message: format!(
                    "{} did not answer GET /v1/bundle with a bundle: {cause}",
                    self.server
                ),
                help: "is --server the address of `sopctl serve`, of the same sopctl version?"
                    .into(),
            }
        })
    }

    /// Live records per status, or `None` when the runtime does not report them.
    pub fn live(&self) -> Result<Option<Vec<Live>>, ClientError> {
        let a = self.get("/v1/stats")?;
        match a.status {
            200 => {}
            401 | 403 => return Err(self.refused_token(&a)),
            404 | 405 => return Ok(None),
            _ => return Err(self.unexpected("cannot read the live records", &a)),
        }
        let v: Value = serde_json::from_str(&a.body).map_err(|_| ClientError {
            message: format!(
                "{} did not answer GET /v1/stats with JSON ({})",
                self.server,
                snippet(&a.body)
            ),
            help: "is --server the address of `sopctl serve`?".into(),
        })?;
        Ok(Some(lives(v.get("live"))))
    }

    /// Uploads `body` (a bundle's JSON); the bar advances with the bytes sent.
    pub fn upload(
        &self,
        body: &[u8],
        force: bool,
        progress: &Progress,
    ) -> Result<Upload, ClientError> {
        let path = if force {
            "/v1/bundle?force=true"
        } else {
            "/v1/bundle"
        };
        let mut reader = progress.reader(body);
        let resp = self
            .agent
            .put(&self.url(path))
            .header("Authorization", &self.bearer())
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .header("Content-Length", &body.len().to_string())
            .send(ureq::SendBody::from_reader(&mut reader as &mut dyn Read))
            .map_err(|e| self.unreachable(&e))?;
        progress.finish();
        let a = self.read(resp)?;
        match a.status {
            200 | 201 => {
                let v: Value = serde_json::from_str(&a.body).map_err(|_| ClientError {
                    message: format!(
                        "{} answered {} to the upload, without JSON ({})",
                        self.server,
                        a.status,
                        snippet(&a.body)
                    ),
                    help: "is --server the address of `sopctl serve`?".into(),
                })?;
                let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
                Ok(Upload::Accepted {
                    status: text("status").unwrap_or_else(|| {
                        if a.status == 201 {
                            "created".into()
                        } else {
                            "activated".into()
                        }
                    }),
                    hash: text("hash"),
                    migrated: v.get("migrated").and_then(Value::as_u64),
                    pinned: v.get("pinned").and_then(Value::as_u64),
                })
            }
            401 | 403 => Err(self.refused_token(&a)),
            400 | 409 | 422 => {
                let v: Value = serde_json::from_str(&a.body).unwrap_or(Value::Null);
                let (code, message) = error_of(&a.body);
                if code.is_none() {
                    return Err(self.unexpected("the upload failed", &a));
                }
                Ok(Upload::Refused {
                    http: a.status,
                    code: code.unwrap_or_default(),
                    message: message.unwrap_or_default(),
                    stranded: lives(v.get("error").and_then(|e| e.get("stranded"))),
                })
            }
            _ => Err(self.unexpected("the upload failed", &a)),
        }
    }
}

/// `[{"process","status","records"}]`, skipping malformed items.
fn lives(v: Option<&Value>) -> Vec<Live> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| {
                    Some(Live {
                        process: i.get("process")?.as_str()?.to_string(),
                        status: i.get("status")?.as_str()?.to_string(),
                        records: i.get("records")?.as_u64()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `{"error":{"code","message"}}` of an answer, if it is one.
fn error_of(body: &str) -> (Option<String>, Option<String>) {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return (None, None);
    };
    let e = v.get("error");
    let text = |k: &str| {
        e.and_then(|e| e.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    (text("code"), text("message"))
}

/// The start of a body, on one line, for messages.
fn snippet(body: &str) -> String {
    let one: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.is_empty() {
        return "an empty body".into();
    }
    match one.char_indices().nth(80) {
        Some((i, _)) => format!("“{}…”", &one[..i]),
        None => format!("“{one}”"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_urls_that_are_not_http() {
        assert!(Client::new("127.0.0.1:7070", "t").is_err());
        assert!(Client::new("ftp://x", "t").is_err());
        assert!(Client::new("http://", "t").is_err());
        let c = Client::new("HTTP://127.0.0.1:7070/", "t").ok().unwrap();
        assert_eq!(c.server, "HTTP://127.0.0.1:7070");
        assert_eq!(c.url("/v1/bundle"), "HTTP://127.0.0.1:7070/v1/bundle");
    }

    #[test]
    fn reads_error_bodies() {
        let body = r#"{"error":{"code":"would-strand","message":"m","stranded":[{"process":"p","status":"s","records":3},{"bad":1}]}}"#;
        assert_eq!(
            error_of(body),
            (Some("would-strand".into()), Some("m".into()))
        );
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            lives(v["error"].get("stranded")),
            vec![Live {
                process: "p".into(),
                status: "s".into(),
                records: 3
            }]
        );
        assert_eq!(error_of("<html>"), (None, None));
    }

    #[test]
    fn snippets_are_short_and_on_one_line() {
        assert_eq!(snippet(""), "an empty body");
        assert_eq!(snippet("<h1>\n Not found</h1>"), "“<h1> Not found</h1>”");
        assert_eq!(snippet(&"x".repeat(200)).chars().count(), 83);
    }
}
