//! The sentences the system writes to people itself (approval requested, rejected, reminder,
//! overdue, escalation, task assigned), in Chinese or English, with titles and names, never
//! ids. A record is named by what one is called (`metadata.record`, else the process title),
//! its number, and its first two filled identifying fields: `发货单 #12 · SO-1001 · 华东商贸`.

use crate::bundle::Process;
use crate::engine::{DateTime, Record};

use super::directory::{language_of, DirUser};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The recipient's language: theirs in the directory, else the process's, else Chinese.
    pub fn of(user: Option<&DirUser>, p: Option<&Process>) -> Lang {
        let tag = user
            .and_then(|u| u.language.as_deref())
            .or_else(|| p.and_then(|p| p.language.as_deref()))
            .and_then(language_of);
        match tag {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }
}

/// What happened, with the titles and names already looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Say<'a> {
    /// `step` is the approval step's (transition's) title.
    ApprovalRequested {
        step: &'a str,
    },
    Rejected {
        step: &'a str,
        by: &'a str,
        reason: Option<&'a str>,
    },
    Reminder {
        task: &'a str,
        due: Option<DateTime>,
    },
    Overdue {
        task: &'a str,
    },
    Escalation {
        task: &'a str,
    },
    TaskAssigned {
        task: &'a str,
        due: Option<DateTime>,
    },
    /// The fallback of a status notification whose template cannot be rendered.
    Entered {
        status: &'a str,
    },
    /// An invitation (SPEC 12 "Inviting people"): `by` invited the reader into `process`.
    Invited {
        by: &'a str,
        process: &'a str,
    },
}

/// `2026-01-05 18:00`, in the time's own offset.
fn when(d: DateTime) -> String {
    let s = d.to_string();
    s.get(..16).unwrap_or(&s).replacen('T', " ", 1)
}

/// The sentence for `say` about the record named `label`.
pub fn sentence(lang: Lang, say: &Say<'_>, label: &str) -> String {
    match (lang, say) {
        (Lang::Zh, Say::ApprovalRequested { step }) => format!("请审批「{step}」：{label}"),
        (Lang::En, Say::ApprovalRequested { step }) => {
            format!("Approval requested: “{step}” for {label}")
        }
        (Lang::Zh, Say::Rejected { step, by, reason }) => {
            let why = reason.map_or(String::new(), |r| format!("。理由：{r}"));
            format!("「{step}」被{by}驳回：{label}{why}")
        }
        (Lang::En, Say::Rejected { step, by, reason }) => {
            let why = reason.map_or(String::new(), |r| format!(". Reason: {r}"));
            format!("{by} rejected “{step}” for {label}{why}")
        }
        (Lang::Zh, Say::Reminder { task, due }) => {
            let due = due.map_or(String::new(), |d| format!("，请在 {} 前完成", when(d)));
            format!("提醒：任务「{task}」：{label}{due}")
        }
        (Lang::En, Say::Reminder { task, due }) => {
            let due = due.map_or(String::new(), |d| format!(", due {}", when(d)));
            format!("Reminder: “{task}” for {label}{due}")
        }
        (Lang::Zh, Say::Overdue { task }) => format!("任务「{task}」已逾期：{label}"),
        (Lang::En, Say::Overdue { task }) => format!("“{task}” is overdue for {label}"),
        (Lang::Zh, Say::Escalation { task }) => {
            format!("升级：任务「{task}」逾期未完成：{label}")
        }
        (Lang::En, Say::Escalation { task }) => {
            format!("Escalation: “{task}” is overdue and not done for {label}")
        }
        (Lang::Zh, Say::TaskAssigned { task, due }) => {
            let due = due.map_or(String::new(), |d| format!("，请在 {} 前完成", when(d)));
            format!("新任务「{task}」：{label}{due}")
        }
        (Lang::En, Say::TaskAssigned { task, due }) => {
            let due = due.map_or(String::new(), |d| format!(", due {}", when(d)));
            format!("New task “{task}” for {label}{due}")
        }
        (Lang::Zh, Say::Entered { status }) => format!("{label} 已进入「{status}」"),
        (Lang::En, Say::Entered { status }) => format!("{label} is now “{status}”"),
        (Lang::Zh, Say::Invited { by, process }) => {
            format!("{by} 邀请你参与「{process}」：{label}。打开链接登录，即可看到你的任务。")
        }
        (Lang::En, Say::Invited { by, process }) => {
            format!("{by} invited you to “{process}”: {label}. Open the link to sign in and see your work.")
        }
    }
}

/// `1234567.5` → `1,234,567.50`.
fn money(n: f64) -> String {
    let s = format!("{:.2}", n.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if n < 0.0 { "-" } else { "" };
    format!("{sign}{grouped}.{frac}")
}

/// A field's value as it reads in a sentence; None for empty values and types that do not
/// identify a record (people, files, long text, yes/no).
fn shown(ty: &str, v: &serde_json::Value) -> Option<String> {
    match (ty, v) {
        ("text" | "choice", serde_json::Value::String(s)) if !s.trim().is_empty() => {
            Some(s.trim().to_string())
        }
        ("money", serde_json::Value::Number(n)) => n.as_f64().map(money),
        ("number", serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// How a message names a record: `发货单 #12 · SO-1001 · 华东商贸`. The identifying fields
/// are the first two filled `required` fields of a shown type, else the first two filled ones.
pub fn record_label(p: Option<&Process>, r: &Record) -> String {
    let Some(p) = p else {
        return format!("#{}", r.id);
    };
    let noun = p.record.as_deref().unwrap_or(&p.title);
    let values = |required: bool| -> Vec<String> {
        p.fields
            .iter()
            .filter(|f| f.required || !required)
            .filter_map(|f| shown(&f.ty, r.fields.get(&f.id)?))
            .take(2)
            .collect()
    };
    let mut parts = values(true);
    if parts.is_empty() {
        parts = values(false);
    }
    let mut label = format!("{noun} #{}", r.id);
    for v in parts {
        label.push_str(" · ");
        label.push_str(&v);
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(1000.0), "1,000.00");
        assert_eq!(money(1234567.5), "1,234,567.50");
        assert_eq!(money(12.0), "12.00");
        assert_eq!(money(-999.999), "-1,000.00");
    }

    #[test]
    fn sentences_in_both_languages_name_no_ids() {
        let label = "发货单 #12 · SO-1001";
        let due = Some(DateTime {
            secs: 1_767_603_600,
            offset: 8 * 3600,
        });
        let s = Say::TaskAssigned {
            task: "提交发货单",
            due,
        };
        assert_eq!(
            sentence(Lang::Zh, &s, label),
            "新任务「提交发货单」：发货单 #12 · SO-1001，请在 2026-01-05 17:00 前完成"
        );
        assert_eq!(
            sentence(Lang::En, &s, label),
            "New task “提交发货单” for 发货单 #12 · SO-1001, due 2026-01-05 17:00"
        );
        let r = Say::Rejected {
            step: "审批",
            by: "王经理",
            reason: Some("金额不对"),
        };
        assert_eq!(
            sentence(Lang::Zh, &r, label),
            "「审批」被王经理驳回：发货单 #12 · SO-1001。理由：金额不对"
        );
        let r = Say::Rejected {
            step: "审批",
            by: "王经理",
            reason: None,
        };
        assert!(sentence(Lang::En, &r, label).ends_with("SO-1001"));
    }

    #[test]
    fn languages_fall_back_to_the_process_then_chinese() {
        let en = DirUser {
            language: Some("en".into()),
            ..DirUser::default()
        };
        assert_eq!(Lang::of(Some(&en), None), Lang::En);
        assert_eq!(Lang::of(Some(&DirUser::default()), None), Lang::Zh);
        assert_eq!(Lang::of(None, None), Lang::Zh);
    }
}
