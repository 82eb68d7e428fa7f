//! The measures on hand-made histories.

use super::measure::*;
use super::period::{periods, PeriodKind};
use super::target::{Kind, Op, Stat, Target};
use super::*;

const H: i64 = 3600;
const D: i64 = 86400;
/// 2026-01-05T00:00:00Z, a Monday.
const MON: i64 = 1_767_571_200;
const CN: i32 = 8 * 3600;

fn e(record: u64, status: &str, at: i64) -> Entry {
    Entry {
        record,
        status: status.into(),
        at,
    }
}

fn kpi(measure: Measure, target: &str) -> Kpi {
    Kpi {
        id: "k".into(),
        title: "K".into(),
        measure,
        target: Some(target.into()),
    }
}

#[test]
fn targets_parse_and_fit() {
    let t = Target::parse("p90 <= 1d").unwrap();
    assert_eq!(
        (t.stat, t.op, t.threshold()),
        (Some(Stat::P90), Op::Le, 86400.0)
    );
    assert!(t.fits(Kind::Time).is_ok());
    assert!(t.fits(Kind::Share).is_err());
    let t = Target::parse(">=95%").unwrap();
    assert_eq!(t.threshold(), 0.95);
    assert!(t.fits(Kind::OnTime).is_ok());
    assert!(t.fits(Kind::Time).is_err());
    assert!(t.fits(Kind::Average).is_err());
    assert!(Target::parse(">= 4.5").unwrap().fits(Kind::Average).is_ok());
    let bad = Target::parse("p99 <= 1d").unwrap_err();
    assert_eq!((bad.start, bad.end), (0, 3));
    let bad = Target::parse("<= soon").unwrap_err();
    assert_eq!((bad.start, bad.end), (3, 7));
    assert!(Target::parse("p90").is_err());
    assert!(Target::parse("<= 1d extra").is_err());
    assert!(Target::parse("=< 1d").is_err());
}

#[test]
fn nearest_rank_percentiles() {
    // 1..=10 hours: p50 is the 5th, p90 the 9th, p95 the 10th value.
    let entries: Vec<Entry> = (1..=10)
        .flat_map(|i| [e(i, "a", MON), e(i, "b", MON + i as i64 * H)])
        .collect();
    let s = time_samples(&entries, "a", "b");
    let ps = periods(PeriodKind::Whole, MON, MON + 7 * D, 0).unwrap();
    let at = |stat| summarize(&s, &ps, Some(stat))[0].value.unwrap() / H as f64;
    assert_eq!(at(Stat::P50), 5.0);
    assert_eq!(at(Stat::P90), 9.0);
    assert_eq!(at(Stat::P95), 10.0);
    assert_eq!(at(Stat::Avg), 5.5);
}

#[test]
fn time_counts_from_the_latest_from_entry_and_skips_open_records() {
    let entries = vec![
        // Entered `a` twice before `b`: measured from the second entry.
        e(1, "a", MON),
        e(1, "x", MON + H),
        e(1, "a", MON + 2 * H),
        e(1, "b", MON + 5 * H),
        // Entered `b` twice: only the first counts.
        e(1, "a", MON + 6 * H),
        e(1, "b", MON + 9 * H),
        // Still open: no sample.
        e(2, "a", MON),
    ];
    let s = time_samples(&entries, "a", "b");
    assert_eq!(
        s,
        vec![Sample {
            at: MON + 5 * H,
            value: (3 * H) as f64
        }]
    );
}

#[test]
fn weeks_start_on_monday_in_the_offset() {
    // Sunday 2026-01-11 20:00 in +08:00 is still the first week; 2026-01-12 01:00 +08:00 is
    // Sunday 17:00 UTC, but already the second week in +08:00.
    let ps = periods(
        PeriodKind::Week,
        MON - CN as i64,
        MON - CN as i64 + 14 * D,
        CN,
    )
    .unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(rfc3339(ps[0].start, CN), "2026-01-05T00:00:00+08:00");
    assert_eq!(rfc3339(ps[1].start, CN), "2026-01-12T00:00:00+08:00");
    let late_sunday = MON - CN as i64 + 6 * D + 20 * H;
    let monday_early = MON - CN as i64 + 7 * D + H;
    assert_eq!(period::index_of(&ps, late_sunday), Some(0));
    assert_eq!(period::index_of(&ps, monday_early), Some(1));
    // The same instant in UTC is Sunday: the first week there.
    let utc = periods(PeriodKind::Week, MON, MON + 14 * D, 0).unwrap();
    assert_eq!(period::index_of(&utc, monday_early), Some(0));
}

#[test]
fn months_across_a_year_and_clipped_to_the_range() {
    // 2025-12-15 to 2026-02-10 in +08:00: three periods, the outer two clipped.
    let from = MON - 21 * D - CN as i64;
    let to = MON + 36 * D - CN as i64;
    let ps = periods(PeriodKind::Month, from, to, CN).unwrap();
    let starts: Vec<String> = ps.iter().map(|p| rfc3339(p.start, CN)).collect();
    assert_eq!(
        starts,
        [
            "2025-12-15T00:00:00+08:00",
            "2026-01-01T00:00:00+08:00",
            "2026-02-01T00:00:00+08:00"
        ]
    );
    assert_eq!(rfc3339(ps[2].end, CN), "2026-02-10T00:00:00+08:00");
}

#[test]
fn empty_periods_have_no_value_and_no_verdict() {
    let k = kpi(
        Measure::Share {
            reached: Some("returned".into()),
            when: None,
        },
        "<= 10%",
    );
    let entries = vec![
        e(1, "new", MON),
        e(1, "returned", MON + H),
        e(2, "new", MON),
        e(2, "done", MON + D),
        e(3, "new", MON),
        e(3, "done", MON + D),
        // Finished in the third week: the second is empty.
        e(4, "new", MON),
        e(4, "done", MON + 15 * D),
    ];
    let term = |s: &str| s == "done" || s == "returned";
    let s = share_samples(&entries, &term, &measure::reached("returned"));
    let ps = periods(PeriodKind::Week, MON, MON + 21 * D, 0).unwrap();
    let r = report(&k, &s, &ps, 0);
    let got: Vec<(Option<f64>, usize, Option<bool>)> = r
        .periods
        .iter()
        .map(|p| (p.value, p.count, p.met))
        .collect();
    assert_eq!(
        got,
        [
            (Some(1.0 / 3.0), 3, Some(false)),
            (None, 0, None),
            (Some(0.0), 1, Some(true))
        ]
    );
}

#[test]
fn on_time_counts_completions_by_their_due_time() {
    let t = |record, done: Option<i64>, due: Option<i64>| TaskRow {
        record,
        task: "ship".into(),
        opened: MON,
        due,
        done,
    };
    let rows = vec![
        t(1, Some(MON + H), Some(MON + 2 * H)),
        t(2, Some(MON + 3 * H), Some(MON + 2 * H)),
        t(3, Some(MON + 2 * H), Some(MON + 2 * H)), // exactly at the due time: on time
        t(4, None, Some(MON)),                      // still open: not counted
        t(5, Some(MON + H), None),                  // no due time: on time
    ];
    let s = on_time_samples(&rows, "ship");
    let ps = periods(PeriodKind::Whole, MON, MON + D, 0).unwrap();
    let v = summarize(&s, &ps, None)[0];
    assert_eq!((v.value, v.count), (Some(0.75), 4));
}

#[test]
fn targets_in_words() {
    let k = kpi(
        Measure::Time {
            from: "approved".into(),
            to: "shipped".into(),
        },
        "p90 <= 1d",
    );
    let title = |id: &str| match id {
        "approved" => "已审批".to_string(),
        "shipped" => "已发货".to_string(),
        other => other.to_string(),
    };
    let n = words::Names {
        record: "发货单",
        status: &title,
        task: &title,
        field: &title,
    };
    assert_eq!(
        words::target(&k, &n, true).unwrap(),
        "90% 的发货单从「已审批」到「已发货」不超过 1 天"
    );
    assert_eq!(words::duration(5400.0, true), "1.5 小时");
    assert_eq!(words::percent(0.97), "97%");
}

#[test]
fn chart_has_bars_target_line_and_a_description() {
    let k = kpi(
        Measure::OnTime {
            task: "ship".into(),
        },
        ">= 90%",
    );
    let rows: Vec<TaskRow> = (0..4)
        .map(|i| TaskRow {
            record: i,
            task: "ship".into(),
            opened: MON,
            due: Some(MON + H),
            done: Some(MON + if i == 0 { 2 * H } else { H / 2 }),
        })
        .collect();
    let ps = periods(PeriodKind::Week, MON, MON + 14 * D, 0).unwrap();
    let r = report(&k, &on_time_samples(&rows, "ship"), &ps, 0);
    let svg = chart::svg(&k, &r, false, true);
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert_eq!(
        svg.matches("<rect x=").count(),
        1,
        "one bar: the second week is empty"
    );
    assert!(svg.contains("stroke-dasharray"));
    assert!(svg.contains("75%"));
    assert!(svg.contains("无数据"));
}
