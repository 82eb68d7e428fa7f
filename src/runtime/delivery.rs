//! Delivering outbox messages through their channels, with retries. At least once: a crash
//! between sending and recording it sends the message again after the restart, with the same
//! id (`X-Sopctl-Id` for webhooks) so a receiver can drop the duplicate.

use super::channels::{self, ChannelsConfig, DeliveryError, Message};
use super::directory::Directory;
use super::error::ApiError;
use super::service::AppState;
use super::storage::OutboxRow;

/// Attempts before a message is marked failed: about five hours of retries, so an endpoint
/// down for an afternoon still gets its messages.
pub const MAX_ATTEMPTS: i64 = 16;

/// Seconds to wait after the `attempts`-th failed attempt: 2, 4, 8, … capped at an hour.
pub fn backoff(attempts: i64) -> i64 {
    (2i64 << attempts.clamp(0, 20)).min(3600)
}

fn message(row: &OutboxRow) -> Message {
    let p = &row.payload;
    let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    Message {
        id: row.id,
        channel: row.channel.clone(),
        record: row.record_id.unwrap_or(0),
        process: text("process"),
        process_title: text("process_title"),
        to: p["to"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        text: text("message"),
        at: row.created_at,
        page: None,
        links: Default::default(),
    }
}

/// Sends the messages that are due; the store is not held while a channel is called.
/// Returns how many were attempted.
pub fn deliver_due(
    state: &AppState,
    cfg: &ChannelsConfig,
    limit: usize,
) -> Result<usize, ApiError> {
    let now = state.clock.secs();
    // Leased on PostgreSQL: no other node sends these while this one holds them.
    let rows = state
        .store()
        .claim_outbox(now, limit, super::storage_claims::OUTBOX_LEASE)?;
    if rows.is_empty() {
        return Ok(0);
    }
    let cfg = &with_directory(cfg, &state.directory());
    for row in &rows {
        let result = if cfg.configured(&row.channel) {
            let msg = super::pages::links::attach(state, cfg, message(row), &row.payload, now)?;
            channels::deliver(cfg, &msg, now)
        } else {
            Err(DeliveryError::Permanent(format!(
                "the `{}` channel is not configured; add it to the file given to `sopctl serve --channels`",
                row.channel
            )))
        };
        let attempt = row.attempts + 1;
        let outcome = match result {
            Ok(()) => Ok(()),
            Err(DeliveryError::Retry(m)) if attempt < MAX_ATTEMPTS => {
                Err((m, Some(now + backoff(row.attempts))))
            }
            Err(DeliveryError::Retry(m)) => {
                Err((format!("gave up after {attempt} attempts: {m}"), None))
            }
            Err(DeliveryError::Permanent(m)) => Err((m, None)),
        };
        if let Err((m, _)) = &outcome {
            eprintln!("outbox message {} ({}): {m}", row.id, row.channel);
        }
        state.store().outbox_attempted(row.id, outcome)?;
    }
    Ok(rows.len())
}

/// The channels configuration with the directory's addresses added: a person's `email` and
/// `feishu` id in `--users` reach them without repeating it in the channels file (an entry
/// there still wins).
fn with_directory<'c>(
    cfg: &'c ChannelsConfig,
    directory: &Directory,
) -> std::borrow::Cow<'c, ChannelsConfig> {
    let mut out = std::borrow::Cow::Borrowed(cfg);
    for (id, u) in &directory.users {
        if let (Some(email), Some(e)) = (&u.email, &cfg.email) {
            if !e.addresses.contains_key(id) {
                if let Some(e) = &mut out.to_mut().email {
                    e.addresses.insert(id.clone(), email.clone());
                }
            }
        }
        if let (Some(open_id), Some(app)) = (&u.feishu, &cfg.feishu_app) {
            if !app.open_ids.contains_key(id) {
                if let Some(app) = &mut out.to_mut().feishu_app {
                    app.open_ids.insert(id.clone(), open_id.clone());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(0), 2);
        assert_eq!(backoff(1), 4);
        assert_eq!(backoff(5), 64);
        assert_eq!(backoff(40), 3600);
        let total: i64 = (0..MAX_ATTEMPTS - 1).map(backoff).sum();
        assert!((5 * 3600..6 * 3600).contains(&total), "{total}");
    }
}
