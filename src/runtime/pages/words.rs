//! Every word the pages show, in Chinese and English. Templates read them as `t.<key>`; a test
//! checks that both languages have every key, so a page never shows a key instead of a word.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `zh…` or `en…`; anything else is Chinese, the seeds' language.
    pub fn parse(s: Option<&str>) -> Lang {
        match s {
            Some(s) if s.starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// (key, 中文, English).
const WORDS: &[(&str, &str, &str)] = &[
    ("app_name", "流程待办", "Work"),
    ("my_work", "我的待办", "My work"),
    (
        "nothing_to_do",
        "暂时没有待办。",
        "Nothing to do right now.",
    ),
    ("tasks", "任务", "Tasks"),
    ("messages", "最新消息", "Latest messages"),
    ("approvals", "待审批", "Approvals"),
    ("approval", "审批", "Approval"),
    ("record", "记录", "Record"),
    ("asked_by", "发起人", "Asked by"),
    ("on_behalf_of", "代表", "on behalf of"),
    (
        "created_by_system",
        "由流程自动创建",
        "Created by the process",
    ),
    ("due", "截止", "Due"),
    ("no_due", "不限时", "No due time"),
    ("overdue", "已超期", "Overdue"),
    ("guide", "怎么做", "How to do it"),
    ("media", "附件与资料", "Files and media"),
    ("checklist", "检查清单", "Checklist"),
    ("what_next", "完成后", "What happens next"),
    ("then_moves", "记录将进入", "The record moves to"),
    (
        "then_stays",
        "记录保持当前状态",
        "The record stays where it is",
    ),
    ("needs_approval_by", "需要审批", "needs approval by"),
    ("fields_to_fill", "需要填写", "To fill in"),
    ("complete", "完成任务", "Complete"),
    ("approve", "同意", "Approve"),
    ("reject", "驳回", "Reject"),
    ("reason", "驳回原因", "Reason for rejecting"),
    ("sent_back", "已被驳回，原因", "Sent back, because"),
    (
        "reason_required",
        "驳回时必须写明原因。",
        "A rejection needs a reason.",
    ),
    ("what_to_check", "审批要点", "What to check"),
    ("step", "审批步骤", "Step"),
    ("status", "状态", "Status"),
    ("status_path", "流程进度", "Progress"),
    ("open_tasks", "进行中的任务", "Open tasks"),
    ("history", "历史", "History"),
    ("actions", "可执行操作", "Actions"),
    (
        "no_actions",
        "你现在没有可执行的操作。",
        "There is nothing you can do here now.",
    ),
    ("fields", "信息", "Details"),
    ("new_record", "新建", "New"),
    ("start_new", "发起新流程", "Start something new"),
    ("create", "提交", "Create"),
    ("board", "看板", "Board"),
    ("boards", "我负责的流程", "Processes I answer for"),
    ("count", "数量", "Count"),
    ("records", "条记录", "records"),
    ("sign_in", "登录", "Sign in"),
    ("sign_in_as", "登录为", "Sign in as"),
    (
        "sign_in_intro",
        "点击下方按钮登录。此链接只能使用一次。",
        "Press the button to sign in. This link works once.",
    ),
    ("sign_out", "退出登录", "Sign out"),
    ("signed_out", "你已退出登录。", "You are signed out."),
    (
        "link_invalid",
        "此登录链接已使用或已过期。",
        "This sign-in link was used or has expired.",
    ),
    (
        "link_invalid_help",
        "请打开最新消息中的链接，或请管理员重新发送。",
        "Open the link in your latest message, or ask your admin for a new one.",
    ),
    ("need_sign_in", "请先登录", "Please sign in"),
    (
        "need_sign_in_help",
        "打开消息（飞书、钉钉或邮件）中的链接即可登录。",
        "Open the link in your message (Feishu, DingTalk or email) to sign in.",
    ),
    (
        "form_expired",
        "表单已过期，请刷新页面后重试。",
        "The form expired; reload the page and try again.",
    ),
    ("refused", "未能提交", "Not done"),
    ("fix_fields", "请补充以下信息", "Please fill in"),
    ("fill_this", "请填写此项", "Please fill this in"),
    ("required_mark", "必填", "required"),
    ("yes", "是", "Yes"),
    ("no", "否", "No"),
    ("choose", "请选择", "Choose"),
    (
        "users_hint",
        "填写用户名，多个用逗号分隔",
        "User ids, separated by commas",
    ),
    ("file_hint", "可上传照片或文件", "Photos or files"),
    ("uploaded", "已上传", "Uploaded"),
    ("not_found", "找不到页面", "Page not found"),
    ("not_allowed", "你没有权限", "Not allowed"),
    ("error", "出错了", "Something went wrong"),
    ("back_to_work", "返回我的待办", "Back to my work"),
    ("done_task", "任务已完成。", "Task completed."),
    ("done_approve", "已同意。", "Approved."),
    (
        "done_reject",
        "已驳回，发起人会收到原因。",
        "Rejected; the requester gets your reason.",
    ),
    ("done_move", "已提交。", "Done."),
    ("done_create", "已创建。", "Created."),
    ("current", "当前", "current"),
    ("at", "时间", "When"),
    ("who", "操作人", "Who"),
    ("what", "操作", "What"),
    ("rejected_before", "上次被驳回", "Rejected before"),
    ("invite_name", "新成员姓名", "New person's name"),
    ("invite_contact", "邮箱或手机号", "Email or phone"),
    (
        "file_missing",
        "该文件只在流程源文件中，请联系流程负责人。",
        "This file is kept with the SOP sources; ask the process owner.",
    ),
    ("act_create", "创建", "created"),
    ("act_complete", "完成任务", "completed"),
    ("act_move", "操作", "moved"),
    ("act_set", "填写", "filled in"),
    ("act_approve", "审批", "decided"),
    ("act_tick", "系统", "system"),
    (
        "unknown_user",
        "此账号不在通讯录中，请联系管理员。",
        "This account is not in the directory; ask your admin.",
    ),
];

/// The catalogue of one language, for templates.
pub fn catalogue(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    WORDS
        .iter()
        .map(|(k, zh, en)| (*k, if lang == Lang::Zh { *zh } else { *en }))
        .collect()
}

/// One word.
pub fn word(lang: Lang, key: &str) -> &'static str {
    WORDS
        .iter()
        .find(|(k, ..)| *k == key)
        .map(|(_, zh, en)| if lang == Lang::Zh { *zh } else { *en })
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_key_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (k, zh, en) in WORDS {
            assert!(seen.insert(*k), "`{k}` twice");
            assert!(!zh.trim().is_empty(), "`{k}` has no Chinese");
            assert!(!en.trim().is_empty(), "`{k}` has no English");
        }
    }

    #[test]
    fn every_key_a_template_uses_is_in_the_catalogue() {
        let keys = catalogue(Lang::Zh);
        for (name, text) in super::super::view::TEMPLATES {
            let mut rest = *text;
            while let Some(i) = rest.find("t.") {
                let before = rest[..i].chars().last();
                rest = &rest[i + 2..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let key: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    keys.contains_key(key.as_str()),
                    "{name}: `t.{key}` is missing"
                );
            }
        }
    }
}
