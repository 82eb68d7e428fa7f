//! Notification channels: deliver one outbox row to a webhook, a Feishu or DingTalk custom bot,
//! or by email.
//!
//! The server stores every notification in its outbox; a worker thread calls [`deliver`] for
//! each row and retries it on [`DeliveryError::Retry`]. The `inbox` channel is stored by the
//! server itself and needs no configuration.
//!
//! # The channels file (`sopctl serve --channels FILE`)
//!
//! YAML with up to four sections, each optional. Unknown keys are errors. A channel used by a
//! process but missing from the file fails its notifications permanently.
//!
//! ```yaml
//! webhook:
//!   url: "http://127.0.0.1:9000/hook"
//!   secret: "env:SOP_WEBHOOK_SECRET"     # optional: without it no signature header is sent
//! feishu:
//!   url: "https://open.feishu.cn/open-apis/bot/v2/hook/XXXX"
//!   secret: "env:SOP_FEISHU_SECRET"      # optional: the bot's "signature verification" secret
//! dingtalk:
//!   url: "https://oapi.dingtalk.com/robot/send?access_token=XXXX"
//!   secret: "SEC..."                     # optional: the bot's "加签" secret
//! email:
//!   smtp: "smtp://mail.example.com:587"  # smtp:// (port 25, or 587 with starttls) or smtps:// (465)
//!   starttls: true                       # optional, default false; only with smtp://
//!   username: "sop@example.com"          # optional; needs password
//!   password: "env:SOP_SMTP_PASSWORD"
//!   from: "SOP <sop@example.com>"
//!   addresses:                           # user id -> email address
//!     zhang: zhang@example.com
//! ```
//!
//! Any `url`, `secret`, `username` or `password` may be written `env:VAR_NAME`: the value is
//! read from that environment variable when the file is loaded, and an unset variable is an
//! error naming it. (Bot URLs carry access tokens, so they may come from the environment too.)
//! Error texts never contain a full URL, only its scheme and host.
//!
//! # What each channel sends
//!
//! Every HTTP call has a 10 s connect timeout and 10 s per read and write, and follows no
//! redirects.
//!
//! * `webhook`: `POST` of the JSON object
//!   `{"id","record","process","process_title","channel","to","message","at"}` with the headers
//!   `Content-Type: application/json`, `X-Sopctl-Id: <outbox id>` (the same on every retry: use
//!   it to drop duplicates), `X-Sopctl-Timestamp: <unix seconds of this attempt>` and, when a
//!   secret is configured, `X-Sopctl-Signature: sha256=<hex>` where `<hex>` is the lower-case
//!   hex HMAC-SHA256, keyed by the secret, of `"<timestamp>.<body>"` (the timestamp header, a
//!   dot, then the raw body bytes). A receiver recomputes it over the raw body, compares in
//!   constant time, and rejects timestamps too far from its clock (say ±5 minutes) so a
//!   captured request cannot be replayed later. A 2xx answer is delivered; 408, 429, 5xx and
//!   network errors are retried; other statuses fail permanently.
//! * `feishu`: when the server knows its public address (`--public-url`), an `interactive`
//!   card: header `"<process title> #<record>"`, the text, and a button 去处理 whose `url` is
//!   the page where the person acts; without it, a text message
//!   `"<process title> #<record>: <text>"`. With `app_id` and `app_secret` (and `open_ids`,
//!   user id -> Feishu open_id), each recipient with an open_id gets the card from the app
//!   (`tenant_access_token`, then `im/v1/messages?receive_id_type=open_id`), its button a
//!   personal one-time sign-in link; the others get the group card, if `url` is set.
//!   With a secret, the body
//!   carries `timestamp` (seconds) and `sign` = Base64(HMAC-SHA256 keyed by
//!   `"<timestamp>\n<secret>"` over an empty message). Feishu answers `{"code":0}` (older bots:
//!   `{"StatusCode":0}`); a non-zero code is a failure: frequency limits (9499, 11232) are
//!   retried, anything else (19021 bad signature, 19024 keyword missing, …) is permanent.
//! * `dingtalk`: an `actionCard` (`title`, `text`, `singleTitle: 去处理`, `singleURL`: the
//!   page) when the public address is known, else the same text. With a secret, `&timestamp=<milliseconds>&sign=<sign>` is added
//!   to the URL, sign = URL-encoded Base64(HMAC-SHA256 keyed by the secret over
//!   `"<timestamp>\n<secret>"`). DingTalk answers `{"errcode":0}`; 130101 (sending too fast)
//!   and -1 (system busy) are retried, anything else (310000: signature, keyword or IP
//!   rejected, …) is permanent.
//! * `email`: one message over SMTP to the addresses of the recipients listed in `addresses`
//!   (recipients without one are skipped; none at all fails permanently), subject
//!   `"[<process title> #<record>] <first line of text>"`, body the text plus, when the public
//!   address is known, an HTML part and a personal sign-in link (so one message per
//!   recipient), and a `Message-ID` derived from the outbox id so a retried message can be
//!   recognised. SMTP 5xx answers
//!   (e.g. a rejected login or recipient) are permanent; other failures are retried.

mod cards;
mod email;
mod feishu_app;
mod http;
mod sign;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

pub use sign::{dingtalk_sign, feishu_sign, webhook_signature};

/// The parsed channels file. Every section is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelsConfig {
    pub webhook: Option<WebhookConfig>,
    pub feishu: Option<BotConfig>,
    /// `feishu.app_id` / `app_secret`: messages from the app to each person.
    pub feishu_app: Option<FeishuApp>,
    pub dingtalk: Option<BotConfig>,
    pub email: Option<EmailConfig>,
    /// The server's public address (`sopctl serve --public-url`), not read from the file:
    /// cards and emails link to pages under it. Empty: messages carry no link.
    pub public_url: String,
}

/// A Feishu app that messages people one by one (their `open_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct FeishuApp {
    pub app_id: String,
    pub app_secret: String,
    /// The open platform's address (default `https://open.feishu.cn`; a local fake in tests).
    pub api: String,
    /// User id -> Feishu `open_id` (until the directory's `feishu` key replaces it).
    pub open_ids: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
    pub url: String,
    pub secret: Option<String>,
}

/// A Feishu or DingTalk custom bot.
#[derive(Debug, Clone, PartialEq)]
pub struct BotConfig {
    pub url: String,
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmailConfig {
    pub server: SmtpServer,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Checked to be a valid mailbox when the file is loaded.
    pub from: String,
    /// User id -> address, each checked to be a valid address when the file is loaded.
    pub addresses: BTreeMap<String, String>,
}

/// How to reach the SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://` without `starttls`: no encryption (local relays and tests only).
    Plain,
    /// `smtp://` with `starttls: true`: upgrade the connection, required.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
}

// The file as written, before `env:` values are resolved and values are checked.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    webhook: Option<RawHttp>,
    #[serde(default)]
    feishu: Option<RawFeishu>,
    #[serde(default)]
    dingtalk: Option<RawHttp>,
    #[serde(default)]
    email: Option<RawEmail>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    url: String,
    #[serde(default)]
    secret: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeishu {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    app_id: Option<String>,
    #[serde(default)]
    app_secret: Option<String>,
    #[serde(default)]
    api: Option<String>,
    #[serde(default)]
    open_ids: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmail {
    smtp: String,
    #[serde(default)]
    starttls: bool,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    from: String,
    #[serde(default)]
    addresses: BTreeMap<String, String>,
}

impl ChannelsConfig {
    /// Parses the YAML text of a channels file, reading `env:` values from the environment.
    pub fn parse(text: &str) -> Result<ChannelsConfig, String> {
        Self::parse_with_env(text, |name| std::env::var(name).ok())
    }

    /// [`ChannelsConfig::parse`] with `env:` values looked up by `env` instead.
    pub fn parse_with_env(
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ChannelsConfig, String> {
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            serde_yaml::from_str::<Option<RawConfig>>(text)
                .map_err(|e| e.to_string())?
                .unwrap_or_default()
        };
        let value = |section: &str, key: &str, v: String| -> Result<String, String> {
            match v.strip_prefix("env:") {
                None => Ok(v),
                Some(name) => {
                    let name = name.trim();
                    env(name).ok_or_else(|| {
                        format!("{section}.{key}: the environment variable `{name}` is not set")
                    })
                }
            }
        };
        let http = |section: &str, raw: RawHttp| -> Result<(String, Option<String>), String> {
            let url = value(section, "url", raw.url)?;
            check_http_url(&url).map_err(|e| format!("{section}.url: {e}"))?;
            let secret = raw
                .secret
                .map(|s| value(section, "secret", s))
                .transpose()?
                .filter(|s| !s.is_empty());
            Ok((url, secret))
        };
        let mut cfg = ChannelsConfig::default();
        if let Some(w) = raw.webhook {
            let (url, secret) = http("webhook", w)?;
            cfg.webhook = Some(WebhookConfig { url, secret });
        }
        if let Some(f) = raw.feishu {
            if let Some(url) = f.url {
                let (url, secret) = http(
                    "feishu",
                    RawHttp {
                        url,
                        secret: f.secret,
                    },
                )?;
                cfg.feishu = Some(BotConfig { url, secret });
            }
            match (f.app_id, f.app_secret) {
                (Some(id), Some(sec)) => {
                    let api = f.api.unwrap_or_else(|| "https://open.feishu.cn".into());
                    check_http_url(&api).map_err(|e| format!("feishu.api: {e}"))?;
                    cfg.feishu_app = Some(FeishuApp {
                        app_id: value("feishu", "app_id", id)?,
                        app_secret: value("feishu", "app_secret", sec)?,
                        api: api.trim_end_matches('/').to_string(),
                        open_ids: f.open_ids,
                    });
                }
                (None, None) => {}
                _ => return Err("feishu: `app_id` and `app_secret` go together".into()),
            }
            if cfg.feishu.is_none() && cfg.feishu_app.is_none() {
                return Err(
                    "feishu: give the group bot's `url`, or the app's `app_id` and `app_secret`"
                        .into(),
                );
            }
        }
        if let Some(d) = raw.dingtalk {
            let (url, secret) = http("dingtalk", d)?;
            cfg.dingtalk = Some(BotConfig { url, secret });
        }
        if let Some(e) = raw.email {
            let server = parse_smtp(&e.smtp, e.starttls).map_err(|m| format!("email.smtp: {m}"))?;
            let username = e
                .username
                .map(|u| value("email", "username", u))
                .transpose()?;
            let password = e
                .password
                .map(|p| value("email", "password", p))
                .transpose()?;
            if username.is_some() != password.is_some() {
                return Err("email: `username` and `password` go together".into());
            }
            email::check_mailbox(&e.from).map_err(|m| format!("email.from: {m}"))?;
            for (user, address) in &e.addresses {
                email::check_address(address)
                    .map_err(|m| format!("email.addresses.{user}: {m}"))?;
            }
            cfg.email = Some(EmailConfig {
                server,
                username,
                password,
                from: e.from,
                addresses: e.addresses,
            });
        }
        Ok(cfg)
    }

    /// Reads and parses a channels file; errors name the file.
    pub fn load(path: &Path) -> Result<ChannelsConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Whether notifications on `channel` can be delivered. `inbox` always can.
    pub fn configured(&self, channel: &str) -> bool {
        match channel {
            "inbox" => true,
            "webhook" => self.webhook.is_some(),
            "feishu" => self.feishu.is_some() || self.feishu_app.is_some(),
            "dingtalk" => self.dingtalk.is_some(),
            "email" => self.email.is_some(),
            _ => false,
        }
    }
}

fn check_http_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or("must start with http:// or https://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() {
        return Err("has no host".into());
    }
    Ok(())
}

fn parse_smtp(url: &str, starttls: bool) -> Result<SmtpServer, String> {
    let (rest, security, default_port) = if let Some(rest) = url.strip_prefix("smtps://") {
        if starttls {
            return Err("`starttls: true` goes with smtp://, smtps:// is TLS already".into());
        }
        (rest, SmtpSecurity::Tls, 465)
    } else if let Some(rest) = url.strip_prefix("smtp://") {
        if starttls {
            (rest, SmtpSecurity::StartTls, 587)
        } else {
            (rest, SmtpSecurity::Plain, 25)
        }
    } else {
        return Err(format!(
            "`{url}` must start with smtp:// or smtps:// (e.g. smtp://mail.example.com:587)"
        ));
    };
    let rest = rest.trim_end_matches('/');
    if rest.contains(['@', '/', '?']) {
        return Err(format!(
            "`{url}`: write only the host and port (credentials go in `username` and `password`)"
        ));
    }
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or(format!("`{url}`: unclosed `[`"))?;
        (host, after.strip_prefix(':'))
    } else {
        match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    if host.is_empty() {
        return Err(format!("`{url}` has no host"));
    }
    let port = match port {
        None => default_port,
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| format!("`{url}`: `{p}` is not a port"))?,
    };
    Ok(SmtpServer {
        host: host.to_string(),
        port,
        security,
    })
}

/// One outbox row to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Outbox row id, sent as an idempotency key (`X-Sopctl-Id`, email `Message-ID`).
    pub id: i64,
    /// `webhook`, `feishu`, `dingtalk` or `email`.
    pub channel: String,
    pub record: u64,
    /// Process id.
    pub process: String,
    pub process_title: String,
    /// User ids, already resolved from roles by the server.
    pub to: Vec<String>,
    /// The rendered message.
    pub text: String,
    /// Unix seconds when it was queued.
    pub at: i64,
    /// The page where the recipients act (the card's 去处理 button), if the server knows its
    /// public address.
    pub page: Option<String>,
    /// Personal one-time sign-in links to that page, by user id, for channels that reach one
    /// person (email, the Feishu app); a group never gets one.
    pub links: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Worth trying again later: network errors, timeouts, 5xx, vendor rate limits.
    Retry(String),
    /// Trying again will not help: not configured, rejected (4xx, bad signature, keyword).
    Permanent(String),
}

impl DeliveryError {
    pub fn message(&self) -> &str {
        match self {
            DeliveryError::Retry(m) | DeliveryError::Permanent(m) => m,
        }
    }

    pub fn is_retry(&self) -> bool {
        matches!(self, DeliveryError::Retry(_))
    }
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveryError::Retry(m) => write!(f, "{m} (will retry)"),
            DeliveryError::Permanent(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for DeliveryError {}

/// Delivers `msg` on its channel. Blocking: call it from a worker thread, not from async code.
/// `now_unix` is the time of this attempt (signatures and their timestamps use it).
///
/// `inbox` messages are stored by the server, so there is nothing to send: `Ok(())`.
pub fn deliver(cfg: &ChannelsConfig, msg: &Message, now_unix: i64) -> Result<(), DeliveryError> {
    let missing = || {
        DeliveryError::Permanent(format!(
            "the `{}` channel is not configured (add a `{}:` section to the channels file)",
            msg.channel, msg.channel
        ))
    };
    match msg.channel.as_str() {
        "inbox" => Ok(()),
        "webhook" => http::webhook(cfg.webhook.as_ref().ok_or_else(missing)?, msg, now_unix),
        "feishu" => match (&cfg.feishu_app, &cfg.feishu) {
            (Some(app), group) => feishu_app::send(app, group.as_ref(), msg, now_unix),
            (None, Some(group)) => http::feishu(group, msg, now_unix),
            (None, None) => Err(missing()),
        },
        "dingtalk" => http::dingtalk(cfg.dingtalk.as_ref().ok_or_else(missing)?, msg, now_unix),
        "email" => email::send(cfg.email.as_ref().ok_or_else(missing)?, msg),
        other => Err(DeliveryError::Permanent(format!(
            "unknown channel `{other}` (expected inbox, webhook, feishu, dingtalk or email)"
        ))),
    }
}

/// The text chat bots show: `"<process title> #<record>: <text>"`.
fn bot_text(msg: &Message) -> String {
    format!("{} #{}: {}", msg.process_title, msg.record, msg.text)
}

/// Renders a notification `message` template. It sees `record.<field>`, `record.id`,
/// `process.title` (and `process.id`), `status.title` (and `status.id`). No auto-escaping;
/// undefined values (even `record.missing.deeper`) render empty. On a template error the template text is returned as it is.
pub fn render_message(
    template: &str,
    record: &crate::engine::Record,
    process_title: &str,
    status_title: &str,
) -> String {
    super::effects::render_template(template, record, process_title, status_title)
        .unwrap_or_else(|| template.to_string())
}

#[cfg(test)]
mod tests;
