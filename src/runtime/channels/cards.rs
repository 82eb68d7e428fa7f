//! The cards chat apps show: a header, the text, and one button 去处理 to the page where the
//! person acts. The button opens a link; it never acts by itself (a `GET` changes nothing).

use serde_json::{json, Value};

use super::Message;

/// The button's label: the seeds' word, the same in every language the vendors ship.
pub const BUTTON: &str = "去处理";

/// `"<process title> #<record>"`.
pub fn title(msg: &Message) -> String {
    format!("{} #{}", msg.process_title, msg.record)
}

/// A Feishu `interactive` card whose button opens `url`.
pub fn feishu_card(msg: &Message, url: &str) -> Value {
    json!({
        "config": {"wide_screen_mode": true},
        "header": {"title": {"tag": "plain_text", "content": title(msg)}, "template": "blue"},
        "elements": [
            {"tag": "div", "text": {"tag": "plain_text", "content": msg.text}},
            {"tag": "action", "actions": [{
                "tag": "button", "type": "primary",
                "text": {"tag": "plain_text", "content": BUTTON},
                "url": url,
            }]},
        ],
    })
}

/// A DingTalk `actionCard` with one button to `url`.
pub fn dingtalk_card(msg: &Message, url: &str) -> Value {
    json!({
        "msgtype": "actionCard",
        "actionCard": {
            "title": title(msg),
            "text": format!("### {}\n\n{}", title(msg), msg.text.replace('\n', "\n\n")),
            "singleTitle": BUTTON,
            "singleURL": url,
        },
    })
}

/// The HTML part of an email: the text and a button-like link.
pub fn email_html(msg: &Message, url: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let text = esc(&msg.text).replace('\n', "<br>");
    format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\"><h2>{}</h2><p>{text}</p>\
         <p><a href=\"{}\" style=\"display:inline-block;padding:12px 20px;background:#0b57d0;\
         color:#fff;border-radius:8px;text-decoration:none\">{BUTTON}</a></p>\
         <p style=\"color:#666\">{}</p></body></html>",
        esc(&title(msg)),
        esc(url),
        esc(url)
    )
}
