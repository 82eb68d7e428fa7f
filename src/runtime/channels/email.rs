//! The email channel: one message over SMTP per notification.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, SmtpTransport, Transport};

use super::{DeliveryError, EmailConfig, Message, SmtpSecurity};

const TIMEOUT: Duration = Duration::from_secs(10);

pub(super) fn check_mailbox(s: &str) -> Result<(), String> {
    s.parse::<Mailbox>()
        .map(|_| ())
        .map_err(|e| format!("`{s}` is not a mailbox like `SOP <sop@example.com>`: {e}"))
}

pub(super) fn check_address(s: &str) -> Result<(), String> {
    s.parse::<Address>()
        .map(|_| ())
        .map_err(|e| format!("`{s}` is not an email address: {e}"))
}

/// `"[<process title> #<record>] <first line of text>"`.
pub(super) fn subject(msg: &Message) -> String {
    let first = msg.text.lines().map(str::trim).find(|l| !l.is_empty());
    match first {
        Some(line) => format!("[{} #{}] {line}", msg.process_title, msg.record),
        None => format!("[{} #{}]", msg.process_title, msg.record),
    }
}

pub(super) fn send(cfg: &EmailConfig, msg: &Message) -> Result<(), DeliveryError> {
    let permanent = |m: String| DeliveryError::Permanent(format!("email: {m}"));
    let mut recipients = Vec::new();
    for user in &msg.to {
        if let Some(address) = cfg.addresses.get(user) {
            let address: Address = address
                .parse()
                .map_err(|e| permanent(format!("`{address}` of `{user}`: {e}")))?;
            recipients.push(Mailbox::new(None, address));
        }
    }
    if recipients.is_empty() {
        return Err(permanent(if msg.to.is_empty() {
            "the notification has no recipients".into()
        } else {
            format!(
                "no address for {} (add them under `email.addresses` in the channels file)",
                msg.to
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }));
    }
    let from: Mailbox = cfg
        .from
        .parse()
        .map_err(|e| permanent(format!("`from` `{}`: {e}", cfg.from)))?;
    // Stable across retries, so a receiving system can drop a duplicate.
    let message_id = format!(
        "<sopctl.{}.{}.{}@{}>",
        msg.id,
        msg.record,
        msg.at,
        from.email.domain()
    );
    let mut builder = lettre::Message::builder()
        .from(from)
        .subject(subject(msg))
        .message_id(Some(message_id))
        .header(ContentType::TEXT_PLAIN);
    for r in recipients {
        builder = builder.to(r);
    }
    let email = builder
        .body(msg.text.clone())
        .map_err(|e| permanent(format!("cannot build the message: {e}")))?;

    let host = cfg.server.host.as_str();
    let builder = match cfg.server.security {
        SmtpSecurity::Plain => SmtpTransport::builder_dangerous(host),
        SmtpSecurity::StartTls => SmtpTransport::starttls_relay(host)
            .map_err(|e| permanent(format!("TLS setup for `{host}`: {e}")))?,
        SmtpSecurity::Tls => SmtpTransport::relay(host)
            .map_err(|e| permanent(format!("TLS setup for `{host}`: {e}")))?,
    };
    let mut builder = builder.port(cfg.server.port).timeout(Some(TIMEOUT));
    if let (Some(user), Some(password)) = (&cfg.username, &cfg.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    let transport = builder.build();
    match transport.send(&email) {
        Ok(_) => Ok(()),
        Err(e) => {
            let text = format!("email: {host}:{}: {e}", cfg.server.port);
            if e.is_permanent() {
                Err(DeliveryError::Permanent(text))
            } else {
                Err(DeliveryError::Retry(text))
            }
        }
    }
}
