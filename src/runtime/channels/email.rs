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
            recipients.push((user, Mailbox::new(None, address)));
        }
    }
    if recipients.is_empty() {
        return Err(permanent(if msg.to.is_empty() {
            "the notification has no recipients".into()
        } else {
            format!(
                "no address for {} (give them an `email` in the directory, `serve --users`, or add them under `email.addresses` in the channels file)",
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
    let transport = transport(cfg)?;
    if msg.page.is_none() {
        let to: Vec<Mailbox> = recipients.into_iter().map(|(_, m)| m).collect();
        return deliver(cfg, &transport, build(msg, &from, to, None, "")?);
    }
    // With a link, each person gets their own message: the link signs in one person.
    for (user, mailbox) in recipients {
        let link = msg.links.get(user).or(msg.page.as_ref());
        deliver(
            cfg,
            &transport,
            build(msg, &from, vec![mailbox], link, user)?,
        )?;
    }
    Ok(())
}

/// One email: text (and HTML with the link when there is one) to `to`.
fn build(
    msg: &Message,
    from: &Mailbox,
    to: Vec<Mailbox>,
    link: Option<&String>,
    user: &str,
) -> Result<lettre::Message, DeliveryError> {
    let permanent = |m: String| DeliveryError::Permanent(format!("email: {m}"));
    // Stable across retries, so a receiving system can drop a duplicate.
    let who = if user.is_empty() {
        String::new()
    } else {
        format!(".{user}")
    };
    let message_id = format!(
        "<sopctl.{}.{}.{}{who}@{}>",
        msg.id,
        msg.record,
        msg.at,
        from.email.domain()
    );
    let mut builder = lettre::Message::builder()
        .from(from.clone())
        .subject(subject(msg))
        .message_id(Some(message_id));
    for r in to {
        builder = builder.to(r);
    }
    let built = match link {
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(msg.text.clone()),
        Some(url) => {
            let text = format!("{}\n\n{}: {url}\n", msg.text, super::cards::BUTTON);
            let html = super::cards::email_html(msg, url);
            builder.multipart(lettre::message::MultiPart::alternative_plain_html(
                text, html,
            ))
        }
    };
    built.map_err(|e| permanent(format!("cannot build the message: {e}")))
}

fn transport(cfg: &EmailConfig) -> Result<SmtpTransport, DeliveryError> {
    let permanent = |m: String| DeliveryError::Permanent(format!("email: {m}"));
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
    Ok(builder.build())
}

fn deliver(
    cfg: &EmailConfig,
    t: &SmtpTransport,
    email: lettre::Message,
) -> Result<(), DeliveryError> {
    match t.send(&email) {
        Ok(_) => Ok(()),
        Err(e) => {
            let text = format!("email: {}:{}: {e}", cfg.server.host, cfg.server.port);
            if e.is_permanent() {
                Err(DeliveryError::Permanent(text))
            } else {
                Err(DeliveryError::Retry(text))
            }
        }
    }
}
