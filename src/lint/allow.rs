//! The findings about `metadata.lint.allow` entries themselves. They are always warnings:
//! they cannot be configured, ignored or allowed away, because they are what keeps allows
//! honest.

use super::{lookup, registry, Check};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;
use crate::suggest::did_you_mean;

pub const ALLOW_WITHOUT_REASON: Code = &Doc {
    code: "lint-allow-without-reason",
    kind: Kind::Meta,
    summary: "A `metadata.lint.allow` entry gives no reason",
    what: "An entry of `metadata.lint.allow` switches a lint rule off for one process, and \
        must say why in a non-empty `reason`. An entry without one is reported here and has \
        no effect: the rule it names keeps reporting until a reason is given. This finding is \
        always a warning and cannot itself be configured, ignored or allowed.",
    why: "An exception without a reason is indistinguishable from a shortcut. The next person \
        to review the SOP needs to know whether the exception still holds.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata:
  name: home-repair
  title: 上门维修
  owner: role:sales-manager
  review: { every: 180d }
  lint:
    allow:
      - rule: task-without-due
spec:
  purpose: 客户报修后，售后按约定时间上门维修并记录结果。
  statuses:
    scheduled:
      title: 待上门
      initial: true
      tasks:
        - { id: visit, title: 上门维修, assignee: role:warehouse, guide: 按约定时间上门，修好后请客户签字确认。, complete: { then: done } }
    done: { title: 已完成, terminal: true }
  transitions:
    - { from: scheduled, to: done, by: [role:warehouse] }
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Process
metadata:
  name: home-repair
  title: 上门维修
  owner: role:sales-manager
  review: { every: 180d }
  lint:
    allow:
      - rule: task-without-due
        reason: 由客户约定上门时间，无法预设期限
spec:
  purpose: 客户报修后，售后按约定时间上门维修并记录结果。
  statuses:
    scheduled:
      title: 待上门
      initial: true
      tasks:
        - { id: visit, title: 上门维修, assignee: role:warehouse, guide: 按约定时间上门，修好后请客户签字确认。, complete: { then: done } }
    done: { title: 已完成, terminal: true }
  transitions:
    - { from: scheduled, to: done, by: [role:warehouse] }
"#,
    help: "Add `reason:` saying why the rule does not apply to this process.",
};

pub const ALLOW_BAD_RULE: Code = &Doc {
    code: "lint-allow-bad-rule",
    kind: Kind::Meta,
    summary: "A `metadata.lint.allow` entry names no per-process lint rule",
    what: "The `rule` of a `metadata.lint.allow` entry must be the name of a lint rule that \
        checks processes (see `sopctl explain` for each). An unknown name is usually a typo; \
        `unused-role` checks the Roles file for the whole project and cannot be allowed by \
        one process (switch it off or ignore it in sopctl.yaml instead). Always a warning.",
    why: "A misspelt allow silences nothing, and the author believes the rule is handled.",
    example: r#"apiVersion: sopctl/v1
kind: Process
metadata:
  name: home-repair
  title: 上门维修
  owner: role:sales-manager
  review: { every: 180d }
  lint:
    allow:
      - { rule: task-without-dué, reason: 由客户约定上门时间 }
spec:
  purpose: 客户报修后，售后按约定时间上门维修并记录结果。
  statuses:
    scheduled:
      title: 待上门
      initial: true
      tasks:
        - { id: visit, title: 上门维修, assignee: role:warehouse, guide: 按约定时间上门，修好后请客户签字确认。, complete: { then: done } }
    done: { title: 已完成, terminal: true }
  transitions:
    - { from: scheduled, to: done, by: [role:warehouse] }
"#,
    fixed: r#"apiVersion: sopctl/v1
kind: Process
metadata:
  name: home-repair
  title: 上门维修
  owner: role:sales-manager
  review: { every: 180d }
  lint:
    allow:
      - { rule: task-without-due, reason: 由客户约定上门时间 }
spec:
  purpose: 客户报修后，售后按约定时间上门维修并记录结果。
  statuses:
    scheduled:
      title: 待上门
      initial: true
      tasks:
        - { id: visit, title: 上门维修, assignee: role:warehouse, guide: 按约定时间上门，修好后请客户签字确认。, complete: { then: done } }
    done: { title: 已完成, terminal: true }
  transitions:
    - { from: scheduled, to: done, by: [role:warehouse] }
"#,
    help: "Fix the rule name; run `sopctl explain` with a rule name to check it.",
};

/// Whether `p` switches `rule` off with an allow entry that gives a reason.
pub(super) fn allowed(p: &Process, rule: &str) -> bool {
    p.lint_allow
        .iter()
        .any(|a| a.rule.v == rule && a.reason.as_ref().is_some_and(|r| !r.v.trim().is_empty()))
}

/// Findings about the `allow` entries of one process.
pub(super) fn check_allows(p: &Process) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let per_process: Vec<&str> = registry()
        .iter()
        .filter(|r| matches!(r.check, Check::Process(_)))
        .map(|r| r.name())
        .collect();
    for a in &p.lint_allow {
        match lookup(&a.rule.v) {
            None => {
                let hint = match did_you_mean(&a.rule.v, registry().iter().map(|r| r.name())) {
                    Some(s) => format!("did you mean `{s}`? "),
                    None => String::new(),
                };
                out.push(
                    ALLOW_BAD_RULE
                        .warning(
                            &p.file,
                            a.rule.span,
                            format!(
                                "`{}` is not a lint rule, so this allow switches nothing off",
                                a.rule.v
                            ),
                        )
                        .with_help(format!("{hint}rules: {}", per_process.join(", "))),
                );
                continue;
            }
            Some(r) if matches!(r.check, Check::Project(_)) => {
                out.push(
                    ALLOW_BAD_RULE.warning(
                        &p.file,
                        a.rule.span,
                        format!(
                            "`{}` checks the whole project, not one process, so it cannot be allowed here",
                            a.rule.v
                        ),
                    )
                    .with_help(format!(
                        "remove this entry; to silence `{}`, set it to `off` under `lint.rules` or list it under `lint.ignore` in sopctl.yaml",
                        a.rule.v
                    )),
                );
                continue;
            }
            Some(_) => {}
        }
        if a.reason.as_ref().is_none_or(|r| r.v.trim().is_empty()) {
            let span = a.reason.as_ref().map_or(a.span, |r| r.span);
            out.push(
                ALLOW_WITHOUT_REASON.warning(
                    &p.file,
                    span,
                    format!(
                        "this allow of `{}` gives no reason, so `{}` still applies to process `{}`",
                        a.rule.v, a.rule.v, p.name.v
                    ),
                )
                .with_help("add `reason:` saying why the rule does not apply to this process, e.g. `{ rule: task-without-due, reason: 由客户约定时间 }`"),
            );
        }
    }
    out
}
