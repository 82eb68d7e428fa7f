//! `stale-review`: the process file was last committed longer ago than `review.every`.

use crate::codes::{Doc, Kind};
use crate::expr::DurationUnit;
use crate::lint::time::format_date;
use crate::lint::{Check, Finding, Level, LintCtx, Rule};
use crate::model::Process;

const DOC: Doc = Doc {
    code: "stale-review",
    kind: Kind::Lint {
        default_level: Level::Warn,
        options: &[],
    },
    summary: "git history: the process file was last changed longer ago than `review.every`",
    what: "Reads the git history of the repository holding the project (the nearest one at or \
        above the project folder). When the last commit that changed the process's file is \
        older than `metadata.review.every`, it warns at `review.every` with the date of that \
        commit (as the committer's clock showed it) and how long ago it was. It says nothing \
        outside a git repository, for a file that is not committed or has uncommitted \
        changes (it is being edited, so it is being reviewed), and when `review.every` does \
        not parse (`bad-duration` reports that). Business days (`bd`) are approximated as \
        calendar days × 7/5. \"Now\" is the system clock, or the RFC 3339 time in the \
        `SOPCTL_NOW` environment variable, a testing hook for reproducible runs. A shallow \
        clone only knows its most recent commits, so a file may look fresher than it is, \
        never staler.",
    why: "An SOP nobody has touched for longer than its owner promised has probably drifted \
        from how the work is done. The date of the last change tells the owner how overdue \
        the review is, and committing the reviewed file restarts the clock.",
    example: r#"# git log -1 --format=%cs sops/sales-delivery.yaml  →  2024-01-06 (two years ago)
apiVersion: sopctl/v1
kind: Process
metadata:
  name: sales-delivery
  title: 销售发货
  owner: role:sales-manager
  review: { every: 180d }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: today 18:00, guide: 按发货单拣货、复核并交接物流。 }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    fixed: r#"# reviewed with the warehouse on 2026-01-02; the guide of `ship` was corrected and
# the change committed, which restarts the clock
apiVersion: sopctl/v1
kind: Process
metadata:
  name: sales-delivery
  title: 销售发货
  owner: role:sales-manager
  review: { every: 180d }
spec:
  purpose: 让每一票货都先审批、再出库，发货信息当天回填。
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: today 18:00, guide: 按发货单拣货、复核、拍照后交接物流。 }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
"#,
    help: "Review the SOP with the people who follow it and commit the result, or change `review.every` to the cadence the owner can keep.",
};

pub const RULE: Rule = Rule {
    doc: &DOC,
    summary_zh: "按 git 历史，流程文件上次修改早于复盘周期 `review.every`",
    check: Check::Process(check),
};

/// The review cadence in seconds; business days count as 7/5 calendar days.
fn cadence_seconds(p: &Process) -> Option<i64> {
    let d = p.review_every.as_ref()?.parsed.as_ref().ok()?;
    let minutes = match d.unit {
        DurationUnit::BusinessDays => d.amount.checked_mul(24 * 60 * 7)? / 5,
        _ => d.as_minutes()?,
    };
    i64::try_from(minutes).ok()?.checked_mul(60)
}

/// "732 days (about 24 months)" and the like.
fn describe_age(seconds: i64) -> String {
    let days = seconds / 86_400;
    if days >= 60 {
        format!(
            "{days} days (about {} months)",
            (days as f64 / 30.44).round()
        )
    } else if days == 1 {
        "1 day".into()
    } else {
        format!("{days} days")
    }
}

fn check(ctx: &LintCtx, p: &Process) -> Vec<Finding> {
    let (Some(every), Some(change), Some(review)) = (
        cadence_seconds(p),
        ctx.history.last_change(&p.file),
        p.review_every.as_ref(),
    ) else {
        return vec![];
    };
    let age = ctx.now - change.time;
    if age <= every {
        return vec![];
    }
    let date = format_date(change.time, change.offset_minutes);
    vec![Finding::new(
        &p.file,
        review.text.span,
        format!(
            "process `{}` ({}) is due for review every {}, but its file was last changed on {date} (commit {}), {} ago",
            p.name.v,
            p.title.v,
            review.text.v,
            change.commit,
            describe_age(age)
        ),
        "review the SOP with the people who follow it and commit the result (that restarts the clock), or change `review.every` to a cadence the owner can keep",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::history::{History, LastChange};
    use crate::lint::testing::project;
    use crate::lint::time::parse_rfc3339;
    use crate::lint::LintConfig;

    fn yaml(every: &str) -> String {
        format!(
            "apiVersion: sopctl/v1
kind: Process
metadata:
  name: p
  title: 销售发货
  review: {{ every: {every} }}
spec:
  statuses:
    a: {{ title: A, initial: true }}
    b: {{ title: B, terminal: true }}
  transitions:
    - {{ from: a, to: b }}
"
        )
    }

    fn run(every: &str, committed: &str, now: &str) -> Vec<Finding> {
        let project = project(&yaml(every));
        let history = History::with(
            "sops/test.yaml",
            LastChange {
                time: parse_rfc3339(committed).unwrap(),
                offset_minutes: 480,
                commit: "0123abcd".into(),
            },
        );
        let config = LintConfig::default();
        let ctx = LintCtx {
            project: &project,
            root: std::path::Path::new("."),
            config: &config,
            history: &history,
            now: parse_rfc3339(now).unwrap(),
        };
        check(&ctx, &project.processes[0])
    }

    #[test]
    fn warns_with_the_date_when_older_than_the_cadence() {
        let f = run("180d", "2024-11-20T20:00:00Z", "2026-11-22T09:00:00+08:00");
        assert_eq!(f.len(), 1);
        // Shown in the committer's offset (+08:00): 2024-11-21.
        assert!(
            f[0].message.contains(
                "last changed on 2024-11-21 (commit 0123abcd), 731 days (about 24 months) ago"
            ),
            "{}",
            f[0].message
        );
        assert_eq!((f[0].span.start.line, f[0].span.start.column), (17, 20));
    }

    #[test]
    fn quiet_within_the_cadence_and_for_future_commits() {
        assert!(run("180d", "2026-06-01T00:00:00Z", "2026-11-22T00:00:00Z").is_empty());
        assert!(run("180d", "2026-12-01T00:00:00Z", "2026-11-22T00:00:00Z").is_empty());
    }

    #[test]
    fn business_days_are_seven_fifths_of_a_day() {
        // 10bd ≈ 14 calendar days.
        assert!(run("10bd", "2026-11-09T00:00:00Z", "2026-11-22T00:00:00Z").is_empty());
        assert_eq!(
            run("10bd", "2026-11-07T00:00:00Z", "2026-11-22T00:00:00Z").len(),
            1
        );
        assert_eq!(
            run("2w", "2026-11-07T00:00:00Z", "2026-11-22T00:00:00Z").len(),
            1
        );
    }

    #[test]
    fn quiet_without_history() {
        let project = project(&yaml("1d"));
        let history = History::empty();
        let config = LintConfig::default();
        let ctx = LintCtx {
            project: &project,
            root: std::path::Path::new("."),
            config: &config,
            history: &history,
            now: i64::MAX / 2,
        };
        assert!(check(&ctx, &project.processes[0]).is_empty());
    }
}
