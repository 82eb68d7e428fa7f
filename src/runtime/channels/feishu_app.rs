//! Messages from a Feishu app to each person: a `tenant_access_token`, then one
//! `im/v1/messages?receive_id_type=open_id` call per recipient with the card, whose button is
//! the person's own sign-in link. People without an open_id get the group bot's card instead,
//! when a group bot is configured.

use serde_json::{json, Value};

use super::http::{feishu, feishu_answer, post};
use super::{cards, BotConfig, DeliveryError, FeishuApp, Message};

pub(super) fn send(
    app: &FeishuApp,
    group: Option<&BotConfig>,
    msg: &Message,
    now_unix: i64,
) -> Result<(), DeliveryError> {
    let reachable: Vec<(&String, &String)> = msg
        .to
        .iter()
        .filter_map(|u| app.open_ids.get(u).map(|id| (u, id)))
        .collect();
    let others = msg.to.iter().any(|u| !app.open_ids.contains_key(u));
    if reachable.is_empty() && group.is_none() {
        return Err(DeliveryError::Permanent(format!(
            "feishu: no open_id for {} (give them a `feishu` id in the directory or add them under `feishu.open_ids`) and no group bot `url`",
            msg.to.join(", ")
        )));
    }
    if !reachable.is_empty() {
        let token = tenant_token(app)?;
        let url = format!(
            "{}/open-apis/im/v1/messages?receive_id_type=open_id",
            app.api
        );
        for (user, open_id) in reachable {
            let link = msg.links.get(user).or(msg.page.as_ref());
            let card = match link {
                Some(l) => cards::feishu_card(msg, l),
                None => {
                    json!({"elements": [{"tag": "div", "text": {"tag": "plain_text", "content": msg.text}}]})
                }
            };
            let body = json!({"receive_id": open_id, "msg_type": "interactive", "content": card.to_string()});
            let auth = [("Authorization", format!("Bearer {token}"))];
            let a = post("feishu", &url, &auth, &body.to_string())?;
            feishu_answer(&url, &a)?;
        }
    }
    match group {
        Some(g) if others || msg.to.is_empty() => feishu(g, msg, now_unix),
        _ => Ok(()),
    }
}

/// The app's `tenant_access_token` (valid two hours; fetched per message, which is simple
/// and well within Feishu's limits for a process's message rate).
fn tenant_token(app: &FeishuApp) -> Result<String, DeliveryError> {
    let url = format!("{}/open-apis/auth/v3/tenant_access_token/internal", app.api);
    let body = json!({"app_id": app.app_id, "app_secret": app.app_secret}).to_string();
    let a = post("feishu", &url, &[], &body)?;
    feishu_answer(&url, &a)?;
    let v: Value = serde_json::from_str(&a.body).unwrap_or_default();
    v["tenant_access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| {
            DeliveryError::Permanent("feishu: the token answer has no `tenant_access_token`".into())
        })
}
