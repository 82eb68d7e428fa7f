//! The HTTP channels: webhook, Feishu and DingTalk custom bots.

use std::time::Duration;

use serde_json::{json, Value};

use super::sign::{dingtalk_sign, feishu_sign, webhook_signature};
use super::{bot_text, BotConfig, DeliveryError, Message, WebhookConfig};

const TIMEOUT: Duration = Duration::from_secs(10);

/// Feishu codes that mean "too many messages, slow down".
const FEISHU_RATE_LIMITED: &[i64] = &[9499, 11232];
/// DingTalk codes worth retrying: 130101 sending too fast, -1 system busy.
const DINGTALK_RETRY: &[i64] = &[130101, -1];

/// An answer: status and (at most the first 64 KiB of) the body.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) body: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(TIMEOUT))
        .timeout_per_read(Some(TIMEOUT))
        .timeout_per_write(Some(TIMEOUT))
        .timeout_global(Some(TIMEOUT * 3))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("sopctl/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// `scheme://host` of `url`: enough to say where, without the tokens in paths and queries.
pub(super) fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            // Drop any user:password@.
            let host = host.rsplit('@').next().unwrap_or(host);
            format!("{scheme}://{host}")
        }
        None => "(invalid URL)".into(),
    }
}

pub(super) fn post(
    channel: &str,
    url: &str,
    headers: &[(&str, String)],
    body: &str,
) -> Result<Answer, DeliveryError> {
    let mut req = agent()
        .post(url)
        .header("Content-Type", "application/json; charset=utf-8");
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let mut resp = req
        .send(body)
        .map_err(|e| transport_error(channel, url, e))?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    Ok(Answer { status, body })
}

fn transport_error(channel: &str, url: &str, e: ureq::Error) -> DeliveryError {
    let text = format!("{channel}: {}: {e}", redact(url));
    match e {
        ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::InvalidProxyUrl => {
            DeliveryError::Permanent(text)
        }
        _ => DeliveryError::Retry(text),
    }
}

fn short(body: &str) -> String {
    let body = body.trim();
    let mut s: String = body.chars().take(200).collect();
    if s.len() < body.len() {
        s.push('…');
    }
    s
}

/// Classifies a status code that is not 2xx.
fn status_error(channel: &str, url: &str, a: &Answer) -> DeliveryError {
    let text = format!(
        "{channel}: {} answered HTTP {}: {}",
        redact(url),
        a.status,
        short(&a.body)
    );
    if matches!(a.status, 408 | 429) || a.status >= 500 {
        DeliveryError::Retry(text)
    } else {
        DeliveryError::Permanent(text)
    }
}

pub(super) fn webhook(
    cfg: &WebhookConfig,
    msg: &Message,
    now_unix: i64,
) -> Result<(), DeliveryError> {
    let body = json!({
        "id": msg.id,
        "record": msg.record,
        "process": msg.process,
        "process_title": msg.process_title,
        "channel": msg.channel,
        "to": msg.to,
        "message": msg.text,
        "at": msg.at,
    })
    .to_string();
    let mut headers = vec![
        ("X-Sopctl-Id", msg.id.to_string()),
        ("X-Sopctl-Timestamp", now_unix.to_string()),
    ];
    if let Some(secret) = &cfg.secret {
        headers.push((
            "X-Sopctl-Signature",
            webhook_signature(secret, now_unix, body.as_bytes()),
        ));
    }
    let a = post("webhook", &cfg.url, &headers, &body)?;
    if (200..300).contains(&a.status) {
        Ok(())
    } else {
        Err(status_error("webhook", &cfg.url, &a))
    }
}

/// The Feishu request body.
pub(super) fn feishu_body(cfg: &BotConfig, msg: &Message, now_unix: i64) -> Value {
    let mut body = serde_json::Map::new();
    if let Some(secret) = &cfg.secret {
        body.insert("timestamp".into(), json!(now_unix.to_string()));
        body.insert("sign".into(), json!(feishu_sign(secret, now_unix)));
    }
    match &msg.page {
        Some(url) => {
            body.insert("msg_type".into(), json!("interactive"));
            body.insert("card".into(), super::cards::feishu_card(msg, url));
        }
        None => {
            body.insert("msg_type".into(), json!("text"));
            body.insert("content".into(), json!({ "text": bot_text(msg) }));
        }
    }
    Value::Object(body)
}

pub(super) fn feishu(cfg: &BotConfig, msg: &Message, now_unix: i64) -> Result<(), DeliveryError> {
    let body = feishu_body(cfg, msg, now_unix).to_string();
    let a = post("feishu", &cfg.url, &[], &body)?;
    feishu_answer(&cfg.url, &a)
}

/// Feishu's answer to a bot or app call: `{"code":0}` is delivered.
pub(super) fn feishu_answer(url: &str, a: &Answer) -> Result<(), DeliveryError> {
    let cfg_url = url;
    let answer: Option<Value> = serde_json::from_str(&a.body).ok();
    let field = |names: &[&str]| -> Option<&Value> {
        let obj = answer.as_ref()?.as_object()?;
        names.iter().find_map(|n| obj.get(*n))
    };
    let code = field(&["code", "StatusCode"]).and_then(Value::as_i64);
    let vendor_msg = field(&["msg", "StatusMessage"])
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match code {
        Some(0) if (200..300).contains(&a.status) => Ok(()),
        Some(code) if code != 0 => {
            let text = format!("feishu: the bot refused the message: code {code}: {vendor_msg}");
            if FEISHU_RATE_LIMITED.contains(&code) || a.status == 429 || a.status >= 500 {
                Err(DeliveryError::Retry(text))
            } else {
                Err(DeliveryError::Permanent(text))
            }
        }
        _ if !(200..300).contains(&a.status) => Err(status_error("feishu", cfg_url, a)),
        _ => Err(DeliveryError::Permanent(format!(
            "feishu: {} answered without a `code` (is this a Feishu bot webhook URL?): {}",
            redact(cfg_url),
            short(&a.body)
        ))),
    }
}

/// The DingTalk URL with `timestamp` and `sign` added when a secret is configured.
pub(super) fn dingtalk_url(cfg: &BotConfig, now_unix: i64) -> String {
    match &cfg.secret {
        None => cfg.url.clone(),
        Some(secret) => {
            let ms = now_unix.saturating_mul(1000);
            let sep = if cfg.url.contains('?') { '&' } else { '?' };
            format!(
                "{}{sep}timestamp={ms}&sign={}",
                cfg.url,
                dingtalk_sign(secret, ms)
            )
        }
    }
}

pub(super) fn dingtalk(cfg: &BotConfig, msg: &Message, now_unix: i64) -> Result<(), DeliveryError> {
    let url = dingtalk_url(cfg, now_unix);
    let body = match &msg.page {
        Some(page) => super::cards::dingtalk_card(msg, page),
        None => json!({ "msgtype": "text", "text": { "content": bot_text(msg) } }),
    }
    .to_string();
    let a = post("dingtalk", &url, &[], &body)?;
    let answer: Option<Value> = serde_json::from_str(&a.body).ok();
    let code = answer
        .as_ref()
        .and_then(|v| v.get("errcode"))
        .and_then(Value::as_i64);
    let vendor_msg = answer
        .as_ref()
        .and_then(|v| v.get("errmsg"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match code {
        Some(0) if (200..300).contains(&a.status) => Ok(()),
        Some(code) if code != 0 => {
            let text =
                format!("dingtalk: the bot refused the message: errcode {code}: {vendor_msg}");
            if DINGTALK_RETRY.contains(&code) || a.status == 429 || a.status >= 500 {
                Err(DeliveryError::Retry(text))
            } else {
                Err(DeliveryError::Permanent(text))
            }
        }
        _ if !(200..300).contains(&a.status) => Err(status_error("dingtalk", &url, &a)),
        _ => Err(DeliveryError::Permanent(format!(
            "dingtalk: {} answered without an `errcode` (is this a DingTalk robot URL?): {}",
            redact(&url),
            short(&a.body)
        ))),
    }
}
