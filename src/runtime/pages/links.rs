//! Links in messages: every message names the page where its recipients act, and a message
//! that reaches one person (email, the Feishu app) carries that person's one-time sign-in
//! link to it. Links are minted when the message is sent, so the outbox never holds a usable
//! token; a retried message gets fresh links (the unused ones expire).

use std::collections::BTreeMap;

use serde_json::Value;

use super::login::mint;
use crate::runtime::channels::{ChannelsConfig, Message};
use crate::runtime::error::ApiError;
use crate::runtime::service::AppState;
use crate::runtime::session::LINK_TTL_SECS;

/// The page a message is about, from its outbox payload: the task for a reminder, the
/// approval for an approval request, else the record.
pub fn page_path(record: u64, reason: &str) -> String {
    match reason.split_once(':') {
        Some(("reminder", task)) => format!("/t/{record}/{task}"),
        _ if reason == "approval-requested" => format!("/a/{record}"),
        // An invitation leads to the new person's work, whatever the record.
        _ if reason == crate::runtime::invite::REASON => "/".to_string(),
        _ => format!("/r/{record}"),
    }
}

/// `msg` with its page and, on personal channels, a sign-in link per recipient.
pub fn attach(
    app: &AppState,
    cfg: &ChannelsConfig,
    mut msg: Message,
    payload: &Value,
    now: i64,
) -> Result<Message, ApiError> {
    if cfg.public_url.is_empty() || msg.record == 0 {
        return Ok(msg);
    }
    let path = page_path(msg.record, payload["reason"].as_str().unwrap_or(""));
    let base = cfg.public_url.trim_end_matches('/');
    msg.page = Some(format!("{base}{path}"));
    let personal = match msg.channel.as_str() {
        "email" => true,
        "feishu" => cfg.feishu_app.is_some(),
        _ => false,
    };
    if personal {
        let mut links = BTreeMap::new();
        let mut store = app.store();
        for u in &msg.to {
            links.insert(
                u.clone(),
                mint(&mut store, base, u, &path, now, LINK_TTL_SECS)?,
            );
        }
        msg.links = links;
    }
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_lead_to_the_page_where_one_acts() {
        assert_eq!(
            page_path(3, "reminder:ship-and-report"),
            "/t/3/ship-and-report"
        );
        assert_eq!(page_path(3, "approval-requested"), "/a/3");
        assert_eq!(page_path(3, "status:approved"), "/r/3");
        assert_eq!(page_path(3, "escalation:ship"), "/r/3");
        assert_eq!(page_path(3, "invited"), "/");
    }
}
