//! Ordinary typing mistakes in YAML get one `yaml-syntax` finding in plain words, on the line
//! and column of the mistake (the parser often notices a line later), with the corrected line
//! in the help; in Chinese when sopctl.yaml or the locale says so.

mod common;

use common::*;

struct Case {
    dir: &'static str,
    line: u64,
    column: u64,
    message: &'static str,
    /// The corrected line, as the help shows it.
    fixed: &'static str,
}

const CASES: &[Case] = &[
    Case {
        dir: "missing-colon",
        line: 22,
        column: 14,
        message: "the `:` after `due` is missing",
        fixed: "`due: today 18:00`",
    },
    Case {
        dir: "missing-colon-zh",
        line: 22,
        column: 14,
        message: "`due` 后面缺少冒号 `:`",
        fixed: "`due: today 18:00`",
    },
    Case {
        dir: "full-width-colon",
        line: 17,
        column: 12,
        message: "`title` is followed by the full-width colon `：`; YAML only knows the ASCII colon `:`",
        fixed: "`title: 已发货`",
    },
    Case {
        dir: "full-width-colon-flow",
        line: 9,
        column: 31,
        message: "`title` is followed by the full-width colon `：`; YAML only knows the ASCII colon `:`",
        fixed: "`owner: { type: user, title: 归属人, required: true }`",
    },
    Case {
        dir: "full-width-comma",
        line: 9,
        column: 24,
        message: "the full-width comma `，` separates these items; YAML only knows the ASCII comma `,`",
        fixed: "`owner: { type: user, title: 归属人, required: true }`",
    },
    Case {
        dir: "tab-indent",
        line: 20,
        column: 1,
        message: "this line is indented with a tab; YAML indents with spaces only",
        fixed: "replace the tab with 10 spaces: `title: 确认收货`",
    },
    Case {
        dir: "tab-after-colon",
        line: 21,
        column: 20,
        message: "a tab follows the `:` of `assignee`; YAML needs a space there",
        fixed: "`assignee: field:owner`",
    },
    Case {
        dir: "extra-space-first-key",
        line: 17,
        column: 8,
        message: "`title` is indented 1 space more than `tasks` on line 18; it seems to belong to `shipped`, like `tasks`",
        fixed: "6 spaces from the left: `title: 已发货`",
    },
    Case {
        dir: "extra-space",
        line: 21,
        column: 12,
        message: "`assignee` is indented 1 space more than `title` on line 20; it seems to belong to `- id: confirm`, like `title`",
        fixed: "10 spaces from the left: `assignee: field:owner`",
    },
    Case {
        dir: "missing-space",
        line: 21,
        column: 10,
        message: "`assignee` is indented 1 space less than `title` on line 20; it seems to belong to `- id: confirm`, like `title`",
        fixed: "10 spaces from the left: `assignee: field:owner`",
    },
    Case {
        dir: "unclosed-quote",
        line: 20,
        column: 18,
        message: "the quote `\"` opened here is never closed",
        fixed: "`title: \"确认收货\"`",
    },
    Case {
        dir: "unclosed-bracket",
        line: 13,
        column: 11,
        message: "the `{` opened here is never closed with `}`",
        fixed: "`note: { type: text, title: 备注 }`",
    },
    Case {
        dir: "duplicate-key",
        line: 23,
        column: 11,
        message: "the key `due` appears twice in this mapping (first on line 22); YAML keeps only one of them",
        fixed: "`due: shipped_at + 7d`",
    },
];

/// Runs `validate --format json` in a fixture with the given locale.
fn one_finding(dir: &std::path::Path, lang: &str) -> serde_json::Value {
    let out = sopctl()
        .current_dir(dir)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .args(["validate", "--format", "json"])
        .output()
        .expect("sopctl runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let diags = json["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diags.len(), 1, "{}: {json:#}", dir.display());
    diags[0].clone()
}

#[test]
fn each_typo_is_named_where_it_is_with_the_corrected_line() {
    let root = fixtures().join("yaml-typos");
    let mut failures = Vec::new();
    for c in CASES {
        let d = one_finding(&root.join(c.dir), "C.UTF-8");
        let got = (
            d["code"].as_str().unwrap_or_default(),
            d["file"].as_str().unwrap_or_default(),
            d["line"].as_u64().unwrap_or_default(),
            d["column"].as_u64().unwrap_or_default(),
            d["message"].as_str().unwrap_or_default(),
        );
        let want = (
            "yaml-syntax",
            "sops/delivery.yaml",
            c.line,
            c.column,
            c.message,
        );
        let help = d["help"].as_str().unwrap_or_default();
        if got != want || !help.contains(c.fixed) {
            failures.push(format!(
                "{}:\n  want {want:?} help ∋ {}\n  got  {got:?} help {help}",
                c.dir, c.fixed
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_locale_chooses_chinese_when_sopctl_yaml_does_not() {
    let dir = fixtures().join("yaml-typos").join("tab-indent");
    let d = one_finding(&dir, "zh_CN.UTF-8");
    assert_eq!(d["message"], "这一行用 Tab 键缩进；YAML 只能用空格缩进");
    assert_eq!(d["help"], "把 Tab 换成 10 个空格：`title: 确认收货`");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(20), Some(1))
    );
    // sopctl.yaml wins over the locale.
    let zh = fixtures().join("yaml-typos").join("missing-colon-zh");
    let d = one_finding(&zh, "en_US.UTF-8");
    assert_eq!(
        d["help"],
        "键和值之间要写冒号和一个空格：`due: today 18:00`"
    );
}

#[test]
fn human_output_shows_the_mistake_under_its_line() {
    let dir = fixtures().join("yaml-typos").join("missing-colon");
    let out = sopctl()
        .current_dir(&dir)
        .env("LANG", "C.UTF-8")
        .args(["validate", "--color", "never"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("error[yaml-syntax]: the `:` after `due` is missing"),
        "{err}"
    );
    assert!(err.contains("[sops/delivery.yaml:22:14]"), "{err}");
    assert!(err.contains("due today 18:00"), "{err}");
}
