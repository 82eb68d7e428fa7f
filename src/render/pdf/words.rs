//! Phrases only the printed manuals use, in both languages; templates see them in `t` next to
//! the handbook's own headings (`i18n::HEADINGS`).

use std::collections::BTreeMap;

use crate::render::i18n::Lang;

/// (key, Chinese, English).
pub const WORDS: &[(&str, &str, &str)] = &[
    ("pdf_revision", "版本", "Revision"),
    ("pdf_bundle", "规则包", "Bundle"),
    ("pdf_commit", "提交", "Commit"),
    ("pdf_uncommitted", "未提交到 git", "not committed to git"),
    ("pdf_overview", "概览", "Overview"),
    ("pdf_appendix", "附录", "Appendix"),
    (
        "pdf_page",
        "第 {n} 页，共 {total} 页",
        "page {n} of {total}",
    ),
    ("pdf_index_title", "SOP 手册总目录", "SOP handbooks"),
    ("pdf_file", "文件", "File"),
    ("pdf_booklet", "岗位手册", "Role booklet"),
    ("pdf_cards", "任务卡", "Task cards"),
    ("card_when", "什么时候轮到你", "When it comes to you"),
    ("card_who", "谁来做", "Who"),
    ("card_due", "最晚什么时候做完", "Done by"),
    ("card_no_due", "没有规定期限", "no deadline"),
    ("card_steps", "怎么做", "How"),
    ("card_check", "逐项打勾", "Tick each one"),
    ("card_report", "做完要填写", "Report when done"),
    ("card_ask", "有问题找", "Questions? Ask"),
    ("card_next", "做完之后", "Then"),
    ("card_scan", "扫码打开我的待办", "Scan for your open tasks"),
    (
        "poster_scan",
        "扫码新建{record}",
        "Scan to start a {record}",
    ),
    ("poster_needs", "新建时需要填写", "You will be asked for"),
    ("poster_first", "新建后首先要做", "What happens first"),
    ("poster_who", "谁可以新建", "Who may start one"),
];

/// The handbook headings and these phrases, in `lang`.
pub fn table(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    let mut t = lang.table().clone();
    for (k, zh, en) in WORDS {
        t.insert(k, if lang == Lang::Zh { zh } else { en });
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_new_and_unique() {
        let headings = Lang::Zh.table();
        let mut seen = std::collections::BTreeSet::new();
        for (k, zh, en) in WORDS {
            assert!(
                !headings.contains_key(k),
                "{k} is a handbook heading already"
            );
            assert!(seen.insert(k), "{k} twice");
            assert!(!zh.is_empty() && !en.is_empty());
        }
    }
}
