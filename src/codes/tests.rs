//! The registry is complete and its texts are well formed; `explain` has every section.

use super::explain::TEXT_WIDTH;
use super::*;

/// The codes of SPEC section 5, in the table's order.
const SPEC_CODES: [&str; 27] = [
    "yaml-syntax",
    "schema",
    "duplicate-name",
    "unknown-status",
    "unknown-field",
    "unknown-role",
    "unknown-process",
    "no-initial-status",
    "multiple-initial-statuses",
    "no-terminal-status",
    "terminal-has-exit",
    "unreachable-status",
    "dead-end-status",
    "duplicate-transition",
    "task-then-without-transition",
    "field-type-mismatch",
    "bad-expression",
    "bad-duration",
    "bad-due",
    "bad-template",
    "asset-missing",
    "asset-outside-project",
    "invalid-move-parent",
    "start-cycle",
    "invalid-each",
    "bad-kpi",
    "unknown-task",
];

#[test]
fn every_code_in_spec_order() {
    let codes: Vec<&str> = validation().map(|d| d.code).collect();
    assert_eq!(codes, SPEC_CODES);
}

#[test]
fn lookup_finds_codes() {
    assert_eq!(lookup("start-cycle").map(|d| d.code), Some("start-cycle"));
    assert!(lookup("no-such-code").is_none());
    assert!(lookup("").is_none());
}

#[test]
fn texts_are_filled_in() {
    for d in validation() {
        for (part, text) in [("summary", d.summary), ("what", d.what), ("why", d.why)] {
            assert!(!text.trim().is_empty(), "{}: empty {part}", d.code);
        }
        assert!(
            !d.summary.contains('\n') && !d.summary.ends_with('.'),
            "{}",
            d.code
        );
        assert!(
            d.help.ends_with('.') && !d.help.contains('\n'),
            "{}",
            d.code
        );
        assert!(
            !d.what.contains("  ") && !d.why.contains("  "),
            "{}",
            d.code
        );
    }
}

#[test]
fn examples_are_small_complete_files() {
    for d in validation() {
        for (which, yaml) in [("example", d.example), ("fixed", d.fixed)] {
            let lines = yaml.lines().count();
            assert!(
                (10..=40).contains(&lines),
                "{} {which}: {lines} lines",
                d.code
            );
            assert!(
                yaml.starts_with("apiVersion: sopctl/v1\nkind: Roles\n"),
                "{}",
                d.code
            );
            assert!(yaml.contains("\n---\napiVersion: sopctl/v1\nkind: Process\n"));
            assert!(
                yaml.ends_with('\n') && !yaml.ends_with("\n\n"),
                "{} {which}",
                d.code
            );
            assert!(!yaml.contains('\t'), "{} {which}", d.code);
            assert!(
                yaml.lines().all(|l| l == l.trim_end()),
                "{} {which}",
                d.code
            );
            let docs = yaml.split("\n---\n").count();
            assert_eq!(docs, yaml.matches("apiVersion: sopctl/v1").count());
        }
        assert_ne!(d.example, d.fixed, "{}", d.code);
    }
}

#[test]
fn explain_has_every_section() {
    let d = lookup("unknown-status").unwrap();
    let text = explain_text(d);
    assert!(text.starts_with(
        "unknown-status — A reference names a status the process does not have\n\nWhat it means\n  "
    ));
    let order = [
        "What it means",
        "Why it matters",
        "Example (fails)",
        "Fixed",
        "How to fix",
    ];
    let positions: Vec<usize> = order.iter().map(|h| text.find(h).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
    // The YAML is printed unindented, so it can be copied into a file.
    assert!(text.contains(&format!("Example (fails)\n\n{}\nFixed", d.example)));
    assert!(text.contains(&format!("Fixed\n\n{}\nHow to fix", d.fixed)));
    assert!(text.ends_with(".\n"));
    let prose_width = text
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .map(unicode_width::UnicodeWidthStr::width)
        .max();
    assert!(prose_width <= Some(TEXT_WIDTH));
}

#[test]
fn wrap_keeps_words_whole() {
    let long = "word ".repeat(40);
    let wrapped = wrap(&long);
    assert!(wrapped
        .lines()
        .all(|l| l.len() <= TEXT_WIDTH && l.starts_with("  word")));
    assert_eq!(wrapped.split_whitespace().count(), 40);
    assert_eq!(wrap(""), "");
}

#[test]
fn rule_docs_come_from_the_table() {
    let doc = lookup("bad-due").unwrap().rule_doc();
    assert_eq!(doc.summary, "A task's due date does not parse");
    assert!(doc.full.starts_with("A task's `due` is not one of"));
    assert!(doc.help.starts_with("Use a 24-hour time"));
}

#[test]
fn every_code_is_explained_and_has_a_rule_doc() {
    for code in all_codes() {
        let text = explain(code).unwrap_or_else(|| panic!("{code}"));
        assert!(text.starts_with(&format!("{code} — ")), "{code}");
        let doc = rule_doc(code).unwrap();
        assert!(!doc.summary.is_empty() && !doc.full.is_empty() && !doc.help.is_empty());
    }
    assert!(all_codes().contains(&"idle-status"));
    assert!(all_codes().contains(&"lint-allow-without-reason"));
    let mut sorted = all_codes();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), all_codes().len(), "codes are unique");
}

#[test]
fn the_list_groups_every_code() {
    let text = list_text();
    let groups: Vec<usize> = ["Validation codes:", "Lint rules:", "Other codes:"]
        .iter()
        .map(|g| text.find(g).unwrap_or_else(|| panic!("{g}")))
        .collect();
    assert!(groups.windows(2).all(|w| w[0] < w[1]));
    for d in all() {
        assert!(text.contains(&format!("  {} ", d.code)), "{}", d.code);
    }
    assert!(text.find("  unknown-task ").unwrap() < groups[1]);
    assert!(text.find("  config ").unwrap() > groups[2]);
}

#[test]
fn meta_docs_are_filled_in() {
    for d in META {
        assert_eq!(d.kind, Kind::Meta, "{}", d.code);
        assert!(
            d.help.ends_with('.') && !d.summary.ends_with('.'),
            "{}",
            d.code
        );
        assert!(!d.example.is_empty() && d.example != d.fixed, "{}", d.code);
    }
}
