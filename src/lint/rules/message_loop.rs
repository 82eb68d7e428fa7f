//! `message-loop`: a notification message with a `{% for %}` loop or a `{% macro %}`.

use crate::codes::{Doc, Kind};
use crate::lint::{Check, Finding, Level, LintCtx, Rule};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "message-loop",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "a notification message with a loop or a macro",
    what: "Flags a notification `message` that uses `{% for %}` or `{% macro %}`, at the \
        message. The runtime renders every message with a budget (100,000 template steps) and \
        cuts it at 16 KiB, ending it with `…(cut)`; loops and macros are how a message \
        reaches those bounds.",
    why: "A message is read on a phone: the record's identifying fields and what to do. A loop \
        over a list grows with the data, and nested loops or a macro that calls itself grow \
        much faster; past the bounds people get a message cut in the middle, and the time \
        spent rendering it is taken from everyone using the server.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  fields:
    order_no: { type: text, title: 销售订单号, required: true }
  statuses:
    pending:
      title: 待发货
      initial: true
      notify:
        - to: [role:warehouse]
          message: "{% for c in record.order_no %}{{ c }} {% endfor %}待发货"
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-delivery, title: 销售发货, owner: role:sales-manager, review: { every: 180d } }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  fields:
    order_no: { type: text, title: 销售订单号, required: true }
  statuses:
    pending:
      title: 待发货
      initial: true
      notify:
        - to: [role:warehouse]
          message: "订单 {{ record.order_no }} 待发货"
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    help: "Say what happened and name the record; leave lists to the record's page.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "通知消息里用了循环或宏",
    check: Check::Process(check),
};

/// The first `for` or `macro` block tag of a template, if any.
fn loop_tag(msg: &str) -> Option<&'static str> {
    msg.match_indices("{%").find_map(|(i, _)| {
        let rest = msg[i + 2..].trim_start_matches(['-', '+']).trim_start();
        if rest.starts_with("for ") || rest.starts_with("for\t") {
            Some("for")
        } else if rest.starts_with("macro ") {
            Some("macro")
        } else {
            None
        }
    })
}

fn check(_ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    let mut out = vec![];
    for s in &p.statuses {
        for n in &s.notify {
            if let Some(tag) = loop_tag(&n.message.v) {
                out.push(Finding::new(
                    &p.file,
                    n.message.span,
                    format!(
                        "a message of status `{}` uses `{{% {tag} %}}`: the runtime cuts a message after 100,000 template steps or 16 KiB",
                        s.id.v
                    ),
                    "say what happened and name the record in a line or two; people open the record for the details".to_string(),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::loop_tag;

    #[test]
    fn finds_loops_and_macros_only() {
        assert_eq!(loop_tag("{%- for x in y %}{% endfor %}"), Some("for"));
        assert_eq!(loop_tag("{% macro f() %}{% endmacro %}"), Some("macro"));
        assert_eq!(loop_tag("{% if a %}format{% endif %}"), None);
        assert_eq!(loop_tag("订单 {{ record.id }}"), None);
    }
}
