//! `long-checklist`: more than `max` checklist items.

use crate::codes::{Doc, Kind};
use crate::lint::{describe_task, Check, Finding, Level, LintCtx, Rule, RuleOption};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "long-checklist",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[RuleOption {
            name: "max",
            default: 7,
            doc: "the most checklist items a task may have.",
        }],
    },
    summary: "more than `max` (default 7) checklist items",
    what: "Flags a task whose `checklist` has more than `max` items (default 7), at the first \
        item past the limit. Bot tasks are exempt: nobody ticks a bot's checklist.",
    why: "A checklist is the standard actions a person ticks off while working, often on a \
        phone. Past about seven items people stop reading them one by one and tick them all, \
        and the one that matters is missed. Fewer, weightier items get done.",
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
          guide: 按《出库发货规范》拣货、复核、包装并交接物流。
          checklist: [核对发货单, 拣货, 复核数量, 检查外观, 加固包装, 贴收货标签, 称重, 交接物流, 拍照留存]
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
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
          guide: 按《出库发货规范》拣货、复核、包装并交接物流；包装和标签要求见规范第 3 节。
          checklist: [按发货单拣货并复核数量, 检查外观并加固包装, 与物流当面交接并索取面单, 拍照上传物流凭证]
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    help:
        "Keep the few actions that matter most, merge small steps and move details into the guide.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "检查清单超过 `max` 项（默认 7 项）",
    check: Check::Process(check),
};

fn check(ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    let max = ctx.option(RULE.doc.code, "max") as usize;
    p.tasks()
        .filter(|(_, t)| !ctx.is_bot(t))
        .filter_map(|(s, t)| {
            let past = t.checklist.get(max)?;
            Some(Finding::new(
                &p.file,
                past.span,
                format!(
                    "{} has {} checklist items, more than {max}: people stop reading a list this long and tick it off whole",
                    describe_task(p, &s.id.v, t),
                    t.checklist.len()
                ),
                format!(
                    "keep the {max} or fewer actions that matter most: merge small steps and move details into the guide or a document under `media` (or raise `max` of long-checklist in sopctl.yaml)"
                ),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::*;
    use crate::lint::LintConfig;

    #[test]
    fn example_is_flagged_and_fix_is_not() {
        example_and_fix("long-checklist");
    }

    #[test]
    fn points_at_the_first_item_past_max() {
        let yaml = crate::lint::lookup("long-checklist").unwrap().doc.example;
        let f = run_rule("long-checklist", yaml);
        assert_eq!(f.len(), 1);
        // The eighth item, 交接物流.
        let line = line_of(yaml, "checklist: [");
        let text = format!("{}---\n{yaml}", ROLES);
        let col = text
            .lines()
            .nth(line - 1)
            .unwrap()
            .split("交接物流")
            .next()
            .unwrap()
            .chars()
            .count()
            + 1;
        assert_eq!((f[0].0, f[0].1), (line, col));
        assert!(
            f[0].2.contains("has 9 checklist items, more than 7"),
            "{}",
            f[0].2
        );
    }

    #[test]
    fn max_is_configurable_and_bots_are_exempt() {
        let yaml = crate::lint::lookup("long-checklist").unwrap().doc.fixed;
        let src = crate::load::decode(
            "sopctl.yaml",
            b"lint: { rules: { long-checklist: { max: 3 } } }".to_vec(),
        )
        .unwrap();
        let docs = crate::load::parse_source(&src).unwrap();
        let config = LintConfig::parse("sopctl.yaml", docs[0].root.get("lint")).unwrap();
        assert_eq!(run_rule_with("long-checklist", yaml, &config).len(), 1);
        let bot = yaml.replace("role:warehouse", "role:logistics-bot");
        assert!(run_rule_with("long-checklist", &bot, &config).is_empty());
    }
}
