//! The words of a handbook in Chinese and English: headings (the `t` table templates see) and
//! the phrases the view model builds in Rust (deadlines, reminders, channels, field types).
//! Every heading exists once per language, here, and nowhere else.

use std::collections::BTreeMap;

use crate::expr::{Due, Duration};
use crate::model::{ApprovalMode, Channel, FieldType};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The `lang` attribute of an HTML page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The heading table (`t` in templates).
    /// The headings in this language, built once per language: pages and views look words
    /// up in it many times per build.
    pub fn table(self) -> &'static BTreeMap<&'static str, &'static str> {
        static ZH: std::sync::OnceLock<BTreeMap<&str, &str>> = std::sync::OnceLock::new();
        static EN: std::sync::OnceLock<BTreeMap<&str, &str>> = std::sync::OnceLock::new();
        let (cell, zh) = match self {
            Lang::Zh => (&ZH, true),
            Lang::En => (&EN, false),
        };
        cell.get_or_init(|| {
            HEADINGS
                .iter()
                .map(|(k, z, e)| (*k, if zh { *z } else { *e }))
                .collect()
        })
    }

    pub fn duration(self, d: &Duration) -> String {
        match self {
            Lang::Zh => d.describe_zh(),
            Lang::En => d.describe_en(),
        }
    }

    /// A deadline in words: "当天 18:00 前", "实际发货时间后 7 天内".
    pub fn due(self, due: &Due, field_title: Option<&str>) -> String {
        match self {
            Lang::Zh => due.describe_zh(field_title),
            Lang::En => due.describe_en(field_title),
        }
    }

    /// A reminder before the due time: "截止前 2 小时提醒", "截止时提醒".
    pub fn reminder(self, d: &Duration) -> String {
        let at_due = d.amount == 0;
        match (self, at_due) {
            (Lang::Zh, true) => "截止时提醒".into(),
            (Lang::Zh, false) => format!("截止前 {}提醒", d.describe_zh()),
            (Lang::En, true) => "a reminder at the due time".into(),
            (Lang::En, false) => format!("a reminder {} before the due time", d.describe_en()),
        }
    }

    /// "逾期 1 天仍未完成，升级给销售主管".
    pub fn escalation(self, after: &Duration, to: &str) -> String {
        match self {
            Lang::Zh => format!("逾期 {}仍未完成，升级给{}", after.describe_zh(), to),
            Lang::En => format!(
                "still open {} after the due time: escalated to {}",
                after.describe_en(),
                to
            ),
        }
    }

    /// "每 180 天", "every 180 days".
    pub fn every(self, d: &Duration) -> String {
        match self {
            Lang::Zh => format!("每 {}", d.describe_zh()),
            Lang::En => format!("every {}", d.describe_en()),
        }
    }

    pub fn approval_mode(self, m: ApprovalMode) -> &'static str {
        match (self, m) {
            (Lang::Zh, ApprovalMode::Any) => "任一人审批即可",
            (Lang::Zh, ApprovalMode::All) => "须全部人员审批",
            (Lang::En, ApprovalMode::Any) => "any one of them decides",
            (Lang::En, ApprovalMode::All) => "every one of them must approve",
        }
    }

    pub fn channel(self, c: Channel) -> &'static str {
        match (self, c) {
            (Lang::Zh, Channel::Inbox) => "站内消息",
            (Lang::Zh, Channel::Email) => "邮件",
            (Lang::Zh, Channel::Feishu) => "飞书",
            (Lang::Zh, Channel::Dingtalk) => "钉钉",
            (Lang::Zh, Channel::Webhook) => "Webhook",
            (Lang::En, Channel::Inbox) => "inbox",
            (Lang::En, Channel::Email) => "email",
            (Lang::En, Channel::Feishu) => "Feishu",
            (Lang::En, Channel::Dingtalk) => "DingTalk",
            (Lang::En, Channel::Webhook) => "webhook",
        }
    }

    pub fn field_type(self, t: FieldType) -> &'static str {
        let zh = match t {
            FieldType::Text => "文本",
            FieldType::Longtext => "多行文本",
            FieldType::Number => "数字",
            FieldType::Money => "金额",
            FieldType::Bool => "是/否",
            FieldType::Date => "日期",
            FieldType::Datetime => "日期时间",
            FieldType::User => "人员",
            FieldType::Users => "多个人员",
            FieldType::File => "文件",
            FieldType::Files => "多个文件",
            FieldType::Choice => "选项",
        };
        let en = match t {
            FieldType::Text => "text",
            FieldType::Longtext => "long text",
            FieldType::Number => "number",
            FieldType::Money => "money",
            FieldType::Bool => "yes/no",
            FieldType::Date => "date",
            FieldType::Datetime => "date and time",
            FieldType::User => "person",
            FieldType::Users => "people",
            FieldType::File => "file",
            FieldType::Files => "files",
            FieldType::Choice => "choice",
        };
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// What one record is called when the process does not say (`spec.record`).
    pub fn default_record(self) -> &'static str {
        match self {
            Lang::Zh => "记录",
            Lang::En => "record",
        }
    }

    /// The number of a record in a notification placeholder: "发货单编号".
    pub fn record_id(self, record: &str) -> String {
        match self {
            Lang::Zh => format!("{record}编号"),
            Lang::En => format!("{record} number"),
        }
    }

    /// Words for condition operators, e.g. `and` → "且".
    pub fn condition_word(self, word: &str) -> Option<&'static str> {
        match (self, word) {
            (Lang::Zh, "and") => Some("且"),
            (Lang::Zh, "or") => Some("或"),
            (Lang::Zh, "not") => Some("非"),
            (Lang::Zh, "now") => Some("当前时间"),
            (Lang::Zh, "true") => Some("是"),
            (Lang::Zh, "false") => Some("否"),
            (Lang::Zh, "null") => Some("空"),
            _ => None,
        }
    }

    /// When a task appears: "发货单进入「已审批」时".
    pub fn when_enters(self, record: &str, status: &str) -> String {
        match self {
            Lang::Zh => format!("{record}进入{}时", self.quote(status)),
            Lang::En => format!("when a {record} enters {}", self.quote(status)),
        }
    }

    /// "「已收到时间」已填写", "“Received at” is filled in".
    pub fn is_set(self, field: &str) -> String {
        match self {
            Lang::Zh => format!("{}已填写", self.quote(field)),
            Lang::En => format!("{} is filled in", self.quote(field)),
        }
    }

    /// "发货单状态不变。": completing a task does not move the record.
    pub fn stays(self, record: &str) -> String {
        match self {
            Lang::Zh => format!("{record}状态不变。"),
            Lang::En => format!("the {record} stays where it is."),
        }
    }

    /// Quotes a title inside running text: 「已审批」 or “Approved”.
    pub fn quote(self, s: &str) -> String {
        match self {
            Lang::Zh => format!("「{s}」"),
            Lang::En => format!("“{s}”"),
        }
    }

    /// Joins a list in running text: "销售、财务" or "Sales, Finance".
    pub fn join(self, items: &[String]) -> String {
        items.join(match self {
            Lang::Zh => "、",
            Lang::En => ", ",
        })
    }
}

/// (key, Chinese, English). Templates read them as `t.<key>`.
pub const HEADINGS: &[(&str, &str, &str)] = &[
    ("sep", "、", ", "),
    ("colon", "：", ": "),
    ("lparen", "（", " ("),
    ("rparen", "）", ")"),
    ("handbook", "SOP 手册", "SOP handbook"),
    ("contents", "目录", "Contents"),
    ("processes", "流程", "Processes"),
    ("roles", "角色", "Roles"),
    ("role", "角色", "Role"),
    ("process", "流程", "Process"),
    ("record", "单据", "Record"),
    ("purpose", "目的", "Purpose"),
    ("scope", "适用范围", "Scope"),
    ("kpis", "这个流程怎样算做得好", "What good looks like"),
    ("kpi_no_target", "尚未设定目标", "no target yet"),
    ("owner", "责任人", "Owner"),
    ("no_owner", "未指定", "not set"),
    ("review", "定期复盘", "Review"),
    ("review_every", "复盘周期", "Review cadence"),
    ("last_changed", "最近修订", "Last changed"),
    ("next_review", "下次复盘", "Next review due"),
    ("next_review_unknown", "未知（文件未提交到 git）", "unknown (the file is not committed to git)"),
    ("no_review", "未设定", "not set"),
    ("source_file", "源文件", "Source file"),
    ("tags", "标签", "Tags"),
    ("diagram", "流程图", "State diagram"),
    ("diagram_legend", "⚡ 自动流转（条件满足时系统自动执行）　✔ 需要审批　◎ 起点　◉ 结束", "⚡ automatic (the system moves the record when the condition holds)   ✔ needs approval   ◎ start   ◉ end"),
    ("raci", "谁在哪一步做什么", "Who does what, where"),
    ("raci_legend", "执行：处理该状态的任务；审批：审批离开该状态的流转；流转：可手动推进；知会：进入该状态时收到通知；督办：任务逾期时接收升级", "Do: handles a task in that status; Approve: approves a way out of it; Move: may move the record on by hand; Notified: told when a record enters it; Escalation: receives overdue tasks"),
    ("raci_do", "执行", "Do"),
    ("raci_approve", "审批", "Approve"),
    ("raci_move", "流转", "Move"),
    ("raci_notified", "知会", "Notified"),
    ("raci_escalation", "督办", "Escalation"),
    ("participant", "参与人", "Participant"),
    ("steps", "分步说明", "Step by step"),
    ("status", "状态", "Status"),
    ("initial", "起点", "start"),
    ("terminal", "结束", "end"),
    ("on_entry", "进入本状态时", "When a record enters this status"),
    ("entry_requires", "进入前必须填写", "Must be filled in before entering"),
    ("tasks", "任务", "Tasks"),
    ("no_tasks", "本状态没有分派给人的任务。", "Nobody is given a task in this status."),
    ("task", "任务", "Task"),
    ("assignee", "谁来做", "Who"),
    ("on_behalf_of", "以谁的名义", "On behalf of"),
    ("due", "截止时间", "Due"),
    ("no_due", "未规定", "no deadline"),
    ("reminders", "提醒", "Reminders"),
    ("escalation", "逾期升级", "Escalation"),
    ("guide", "怎么做", "How to do it"),
    ("attachments", "附件", "Attachments"),
    ("checklist", "检查清单", "Checklist"),
    ("fill", "完成时填写", "Fill in when completing"),
    ("then", "完成后", "When completed"),
    ("then_moves", "单据转为", "the record moves to"),
    ("then_stays", "单据状态不变。", "the record stays where it is."),
    ("next_owner", "接手", "next"),
    ("bot", "机器人", "bot"),
    ("external", "外部", "external"),
    ("bot_task", "由机器人自动执行，人员只需关注异常。", "Done automatically by a bot; people only handle exceptions."),
    ("notify", "通知", "Notify"),
    ("notify_to", "发给", "To"),
    ("channel", "渠道", "Channel"),
    ("message", "内容", "Message"),
    ("starts", "启动子流程", "Starts"),
    ("passes", "带入", "passing"),
    ("moves_parent", "同时把上级流程的单据转为", "and moves the parent record to"),
    ("exits", "下一步", "What moves the record on"),
    ("exit_to", "转到", "to"),
    ("exit_button", "按钮", "button"),
    ("exit_by", "可操作", "Who may do it"),
    ("anyone", "任何参与人", "any participant"),
    ("exit_requires", "需要填写", "Needs"),
    // For an approver: the fields were filled in by whoever asked, before it reached them.
    ("approval_requires", "申请人已填写", "Filled in by whoever asked"),
    ("exit_auto", "自动：当", "Automatic: when"),
    ("exit_auto_after", "时系统自动流转", "the system moves the record"),
    ("exit_by_task", "完成任务时自动提交", "Taken when this task is completed"),
    ("approval", "审批", "Approval"),
    ("approval_step", "第 {n} 步", "Step {n}"),
    ("approval_rejected", "任一步驳回：单据留在原状态，并通知发起人。", "If any step rejects: the record stays where it is and whoever asked is told."),
    ("terminal_note", "流程到此结束。", "The process ends here."),
    ("notifications", "通知一览", "All notifications"),
    ("when_entering", "进入状态", "On entering"),
    ("links", "关联流程", "Linked processes"),
    ("started_by", "由以下流程启动", "Started by"),
    ("starts_processes", "本流程启动", "Starts"),
    ("no_links", "本流程与其他流程没有关联。", "This process is not linked to other processes."),
    ("fields", "表单字段", "Fields"),
    ("field", "字段", "Field"),
    ("type", "类型", "Type"),
    ("required", "创建时必填", "Required at creation"),
    ("options", "可选值", "Options"),
    ("yes", "是", "yes"),
    ("history", "修订记录", "Revision history"),
    ("history_none", "没有 git 修订记录（不在 git 仓库中，或文件尚未提交）。", "No git history (not in a git repository, or the file is not committed yet)."),
    ("date", "日期", "Date"),
    ("author", "作者", "Author"),
    ("subject", "说明", "Change"),
    ("role_handbook", "岗位手册", "Role handbook"),
    ("role_intro", "本页列出{role}在各流程中的全部任务和审批：什么时候做、怎么做、和谁协作。", "Every task and approval {role} has, in every process: when, how, and with whom."),
    ("your_tasks", "你的任务", "Your tasks"),
    ("your_approvals", "你的审批", "Your approvals"),
    ("your_moves", "你可以手动推进", "You may move records on"),
    ("your_escalations", "逾期升级给你", "Escalated to you"),
    ("your_notifications", "你会收到的通知", "Notifications you receive"),
    ("role_nothing", "该角色目前在任何流程中都没有任务或审批。", "This role has no task or approval in any process yet."),
    ("when", "什么时候", "When"),
    ("when_status", "单据进入", "a record enters"),
    ("holder_note", "这项任务分派给单据上登记的人员；你是该人员时，由你完成。", "This task goes to the person named on the record; when that is you, you do it."),
    ("open_in_process", "在流程手册中查看", "see it in the process handbook"),
    ("approve_what", "审批事项", "What"),
    ("approve_step_of", "第 {n} / {of} 步", "step {n} of {of}"),
    ("task_count", "任务数", "Tasks"),
    ("approval_count", "审批数", "Approvals"),
    ("statuses", "状态数", "Statuses"),
    ("description", "说明", "Description"),
    ("back_to_index", "返回目录", "Back to contents"),
    ("see_process", "流程手册", "process handbook"),
    ("generated_by", "由 sopctl 生成，请勿手工修改；修改请编辑 SOP 源文件。", "Generated by sopctl: do not edit by hand; edit the SOP source instead."),
    ("page", "页", "page"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_are_filled() {
        let mut seen = std::collections::BTreeSet::new();
        for (k, zh, en) in HEADINGS {
            assert!(seen.insert(*k), "duplicate heading key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k} is empty");
        }
        assert_eq!(Lang::Zh.table().len(), HEADINGS.len());
    }

    #[test]
    fn phrases() {
        let d = crate::expr::parse_duration("2h").unwrap();
        assert_eq!(Lang::Zh.reminder(&d), "截止前 2 小时提醒");
        let z = crate::expr::parse_duration("0m").unwrap();
        assert_eq!(Lang::Zh.reminder(&z), "截止时提醒");
        assert_eq!(
            Lang::En.reminder(&d),
            "a reminder 2 hours before the due time"
        );
        let day = crate::expr::parse_duration("1d").unwrap();
        assert_eq!(
            Lang::Zh.escalation(&day, "销售主管"),
            "逾期 1 天仍未完成，升级给销售主管"
        );
        assert_eq!(Lang::Zh.every(&day), "每 1 天");
    }
}
