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
    ("history", "历史（最新在前）", "History (newest first)"),
    ("history_older", "更早的记录", "Older entries"),
    ("history_newest", "回到最新", "Back to the newest"),
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
    ("kpis", "流程做得怎么样", "How the process is doing"),
    ("kpi_target", "目标", "target"),
    ("kpi_period", "期间", "Period"),
    ("kpi_value", "值", "Value"),
    ("kpi_met", "达标", "Met"),
    ("kpi_missed", "未达标", "Missed"),
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
    ("too_slow", "请求超时", "The request took too long"),
    (
        "too_slow_help",
        "{secs} 秒内没有收到完整的请求（网络可能较慢）。请检查网络后重新提交。",
        "The whole request did not arrive within {secs}s (the network may be slow). Check the connection and send it again.",
    ),
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
    ("fix_values", "以下信息不正确", "Please correct"),
    ("pick_one", "请从以下选项中选择：", "Choose one of: "),
    ("want_number", "请填写数字", "Enter a number"),
    (
        "want_date",
        "请填写日期（例如 2026-01-05）",
        "Enter a date (such as 2026-01-05)",
    ),
    (
        "want_datetime",
        "请填写日期和时间",
        "Enter a date and a time",
    ),
    (
        "want_person",
        "请填写通讯录中的用户名",
        "Enter a user id from the directory",
    ),
    (
        "want_person_role",
        "请填写担任此角色的人：",
        "Enter someone who holds the role: ",
    ),
    ("want_file", "请重新上传文件", "Upload the file again"),
    ("want_bool", "请勾选或取消勾选", "Tick or untick this"),
    ("want_value", "此项的值不正确", "This value is not accepted"),
    ("may_not_fill", "你不能填写以下信息", "You may not fill in"),
    (
        "may_not_fill_this",
        "你不能填写此项",
        "You may not fill this in",
    ),
    (
        "refused_not_allowed",
        "你没有权限执行此操作。",
        "You may not do this.",
    ),
    (
        "refused_gone",
        "此任务已不在进行中，可能已由他人完成。",
        "This task is no longer open; someone may have completed it.",
    ),
    (
        "refused_moved_on",
        "记录的状态已经变化，现在不能进行此操作。",
        "The record has moved on; this cannot be done now.",
    ),
    (
        "refused_conflict",
        "记录刚被他人修改（或任务已由他人完成），请刷新页面后查看。",
        "Someone else changed the record (or completed the task) just now; reload the page.",
    ),
    (
        "refused_not_found",
        "找不到该记录或流程。",
        "The record or process was not found.",
    ),
    (
        "refused_loop",
        "流程定义有误（自动流转形成循环），请联系流程负责人。",
        "The SOP has a fault (automatic transitions loop); tell the process owner.",
    ),
    (
        "refused_bad",
        "提交的内容无法处理，请检查后重试。",
        "The form could not be handled; check it and try again.",
    ),
    (
        "refused_error",
        "服务器出错了，请稍后重试。",
        "The server failed; try again later.",
    ),
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
    ("user_hint", "填写用户名", "A user id"),
    (
        "invite_someone",
        "邀请不在通讯录中的人",
        "Invite someone not in the directory",
    ),
    ("invite_name", "新成员姓名", "New person's name"),
    (
        "invite_hint",
        "对方会收到一封带登录链接的邀请邮件，只能看到与自己有关的工作。",
        "They get an email with a sign-in link and see only the work they take part in.",
    ),
    (
        "invite_bad",
        "邀请需要对方的姓名和邮箱（或手机号）",
        "An invitation needs the person's name and an email (or phone)",
    ),
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
