//! `long-guide`: a guide longer than `max_chars` characters.

use crate::codes::{Doc, Kind};
use crate::lint::{describe_task, Check, Finding, Level, LintCtx, Rule, RuleOption};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "long-guide",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[RuleOption {
            name: "max_chars",
            default: 600,
            doc: "the most characters (not bytes) a guide may have.",
        }],
    },
    summary: "a guide longer than `max_chars` (default 600) characters",
    what: "Flags a task whose `guide` is longer than `max_chars` characters (default 600), at \
        the guide. Characters are counted as Unicode characters, not bytes (一个汉字 is one \
        character), after trimming leading and trailing blank space. Bot tasks are exempt: \
        their guide documents the automation for the handbook and nobody reads it while \
        doing the task.",
    why: "A guide is read in the middle of the work. Past a screen or so, people skim, and the \
        one sentence that mattered is lost. Reference material belongs in a linked document \
        (`media`); the guide should say what to do, how and with whom.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: today 18:00
          guide: 按发货单拣货、复核、包装并交接物流。（此处省略一千字的包装标准、承运商名录和历年事故案例……）
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
# with `long-guide: { max_chars: 40 }` in sopctl.yaml
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: today 18:00
          guide: 按发货单拣货、复核、包装并交接物流。
          media: [guides/出库发货规范.md]
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    help: "Keep the guide to what to do, how and with whom; move reference material into a document under `media`.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "操作指引超过 `max_chars` 个字（默认 600 字）",
    check: Check::Process(check),
};

fn check(ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    let max = ctx.option(RULE.doc.code, "max_chars") as usize;
    p.tasks()
        .filter(|(_, t)| !ctx.is_bot(t))
        .filter_map(|(s, t)| {
            let guide = t.guide.as_ref()?;
            let n = guide.v.trim().chars().count();
            (n > max).then(|| {
                Finding::new(
                    &p.file,
                    guide.span,
                    format!(
                        "the guide of {} is {n} characters, more than {max}: people skim a guide this long and miss what matters",
                        describe_task(p, &s.id.v, t)
                    ),
                    format!(
                        "keep the guide to what to do, how and with whom (at most {max} characters); move reference material into a document under `media` (or raise `max_chars` of long-guide in sopctl.yaml)"
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;
    use crate::lint::LintConfig;

    fn config(max: u64) -> LintConfig {
        let text = format!("lint: {{ rules: {{ long-guide: {{ max_chars: {max} }} }} }}");
        let src = crate::load::decode("sopctl.yaml", text.into_bytes()).unwrap();
        let docs = crate::load::parse_source(&src).unwrap();
        LintConfig::parse("sopctl.yaml", docs[0].root.get("lint")).unwrap()
    }

    #[test]
    fn example_and_fix_with_its_setting() {
        let rule = crate::lint::lookup("long-guide").unwrap();
        let f = run_rule_with("long-guide", rule.doc.example, &config(40));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].1), (line_of(rule.doc.example, "guide: "), 18));
        assert!(run_rule_with("long-guide", rule.doc.fixed, &config(40)).is_empty());
        // With the default of 600 the short example passes.
        assert!(run_rule("long-guide", rule.doc.example).is_empty());
    }

    #[test]
    fn counts_characters_not_bytes() {
        let yaml = crate::lint::lookup("long-guide")
            .unwrap()
            .doc
            .fixed
            .replace(
                "guide: 按发货单拣货、复核、包装并交接物流。",
                &format!("guide: {}", "字".repeat(601)),
            );
        // 601 characters are 1803 bytes.
        let f = run_rule("long-guide", &yaml);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].2.contains("is 601 characters, more than 600"),
            "{}",
            f[0].2
        );
        let yaml = yaml.replace(&"字".repeat(601), &"字".repeat(600));
        assert!(run_rule("long-guide", &yaml).is_empty());
    }

    #[test]
    fn bots_are_exempt() {
        let rule = crate::lint::lookup("long-guide").unwrap();
        let yaml = rule
            .doc
            .example
            .replace("role:warehouse", "role:logistics-bot");
        assert!(run_rule_with("long-guide", &yaml, &config(40)).is_empty());
    }
}
