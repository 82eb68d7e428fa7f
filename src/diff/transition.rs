//! Transitions, one per (from, to) pair, compared after mapping the base's status ids through
//! the renames. Transitions into or out of an added or removed status are not reported: the
//! status change covers them.

use super::{show_list, show_refs, Impact, Out, Pair};
use crate::bundle::{ApprovalStep, Ref, Transition};

fn approval(steps: &[ApprovalStep]) -> String {
    if steps.is_empty() {
        return "none".into();
    }
    steps
        .iter()
        .map(|s| format!("{} ({})", s.role, s.mode))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// A step without what only helps the approver (title, guide, checklist): what it changes for
/// the record.
fn behavior(steps: &[ApprovalStep]) -> Vec<ApprovalStep> {
    steps
        .iter()
        .map(|s| ApprovalStep {
            title: None,
            guide: None,
            checklist: vec![],
            ..s.clone()
        })
        .collect()
}

fn by(b: &Option<Vec<Ref>>) -> String {
    match b {
        None => "any participant".into(),
        Some(v) if v.is_empty() => "only tasks".into(),
        Some(v) => show_refs(v),
    }
}

pub(crate) fn diff(p: &Pair, out: &mut Out) {
    for h in &p.head.transitions {
        changed(p, h, out);
    }
    removed(p, out);
}

/// `transition 待审批 → 已审批 “批准”`.
fn label(p: &Pair, t: &Transition) -> String {
    format!(
        "transition {} → {} “{}”",
        p.status_title(&t.from),
        p.status_title(&t.to),
        t.title
    )
}

/// One transition of the new side: added (between statuses both sides have), or compared
/// with the old one between the same (renamed) statuses.
fn changed(p: &Pair, h: &Transition, out: &mut Out) {
    let both = |id: &str| p.base_status_of(id).is_some();
    let subject = || format!("transition:{}", h.id);
    let old = p
        .base
        .transitions
        .iter()
        .find(|b| p.renames.status(&b.from) == h.from && p.renames.status(&b.to) == h.to);
    let Some(b) = old else {
        if both(&h.from) && both(&h.to) {
            out.push(
                "transition-added",
                Impact::Behavioral,
                subject(),
                format!("{} added", label(p, h)),
            );
        }
        return;
    };
    compare(p, b, h, out);
}

fn compare(p: &Pair, b: &Transition, h: &Transition, out: &mut Out) {
    let subject = || format!("transition:{}", h.id);
    let this = label(p, h);
    if behavior(&b.approval) != behavior(&h.approval) {
        out.push(
            "transition-approval-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "approval of {this} changed from {} to {}",
                approval(&b.approval),
                approval(&h.approval)
            ),
        );
    } else if b.approval != h.approval {
        out.push(
            "transition-approval-guide-changed",
            Impact::Cosmetic,
            subject(),
            format!("what the approvers of {this} are shown changed (title, guide or checklist)"),
        );
    }
    let old_by =
        b.by.as_ref()
            .map(|v| v.iter().map(|r| p.renames.reference(r)).collect::<Vec<_>>());
    if old_by != h.by {
        out.push(
            "transition-by-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "who may trigger {this} changed from {} to {}",
                by(&old_by),
                by(&h.by)
            ),
        );
    }
    let old_requires = p.renames.fields(&b.requires);
    if old_requires != h.requires {
        out.push(
            "transition-requires-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "fields required by {this} changed from [{}] to [{}]",
                show_list(&old_requires),
                show_list(&h.requires)
            ),
        );
    }
    let cond = |c: &Option<crate::bundle::Condition>| c.as_ref().map(|c| c.source.clone());
    if cond(&b.when) != cond(&h.when) {
        let message = match (cond(&b.when), cond(&h.when)) {
            (None, Some(n)) => format!("{this} is now automatic when `{n}`"),
            (Some(_), None) => format!("{this} is no longer automatic"),
            (Some(o), Some(n)) => format!("condition of {this} changed from `{o}` to `{n}`"),
            (None, None) => unreachable!(),
        };
        out.push(
            "transition-condition-changed",
            Impact::Behavioral,
            subject(),
            message,
        );
    }
    if b.title != h.title {
        out.push(
            "transition-title-changed",
            Impact::Cosmetic,
            subject(),
            format!(
                "button of transition {} → {} relabelled from {} to {}",
                p.status_title(&h.from),
                p.status_title(&h.to),
                b.title,
                h.title
            ),
        );
    }
}

/// The transitions of the old side that the new one no longer has.
fn removed(p: &Pair, out: &mut Out) {
    for b in &p.base.transitions {
        let (from, to) = (p.renames.status(&b.from), p.renames.status(&b.to));
        let gone = !p
            .head
            .transitions
            .iter()
            .any(|h| h.from == from && h.to == to);
        let statuses_kept = p.head_status(&b.from).is_some() && p.head_status(&b.to).is_some();
        if gone && statuses_kept {
            out.push(
                "transition-removed",
                Impact::Breaking,
                format!("transition:{}", b.id),
                format!("{} removed: records can no longer take it", label(p, b)),
            );
        }
    }
}
