//! Due times in words, as people say them: "今天 18:00 前", "明天 09:00 前", "已超期 2 小时";
//! "by 18:00 today", "overdue by 2 hours". Days are counted in the server's time zone.

use crate::engine::DateTime;

use super::words::Lang;

/// The due time `due` seen at `now`.
pub fn due_words(due: DateTime, now: DateTime, lang: Lang) -> String {
    let offset = now.offset;
    let (d, n) = (due.in_offset(offset), now.in_offset(offset));
    if due < now {
        return overdue_words(now.secs - due.secs, lang);
    }
    let days = d.local_day() - n.local_day();
    let hm = hh_mm(d);
    match (lang, days) {
        (Lang::Zh, 0) => format!("今天 {hm} 前"),
        (Lang::Zh, 1) => format!("明天 {hm} 前"),
        (Lang::Zh, 2) => format!("后天 {hm} 前"),
        (Lang::Zh, _) => {
            let (_, m, day) = month_day(d);
            format!("{m}月{day}日 {hm} 前")
        }
        (Lang::En, 0) => format!("by {hm} today"),
        (Lang::En, 1) => format!("by {hm} tomorrow"),
        (Lang::En, _) => {
            let (_, m, day) = month_day(d);
            format!("by {} {day}, {hm}", MONTHS[(m - 1) as usize])
        }
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "已超期 5 分钟 / 2 小时 / 3 天"; "overdue by 5 minutes / 2 hours / 3 days".
fn overdue_words(late: i64, lang: Lang) -> String {
    let (n, unit_zh, unit_en) = if late < 3600 {
        ((late / 60).max(1), "分钟", "minute")
    } else if late < 48 * 3600 {
        (late / 3600, "小时", "hour")
    } else {
        (late / 86400, "天", "day")
    };
    match lang {
        Lang::Zh => format!("已超期 {n} {unit_zh}"),
        Lang::En => format!("overdue by {n} {unit_en}{}", if n == 1 { "" } else { "s" }),
    }
}

fn hh_mm(d: DateTime) -> String {
    let local = d.secs + d.offset as i64;
    let m = local.rem_euclid(86400) / 60;
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn month_day(d: DateTime) -> (i64, u32, u32) {
    crate::engine::time::civil_from_days(d.local_day())
}

/// A moment as `2026-01-05 09:00` in the server's zone (history rows, field values).
pub fn when(secs: i64, offset: i32) -> String {
    let d = DateTime { secs, offset };
    let (y, m, day) = month_day(d);
    format!("{y}-{m:02}-{day:02} {}", hh_mm(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CST: i32 = 8 * 3600;

    fn at(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    #[test]
    fn today_tomorrow_and_later() {
        let now = at("2026-01-05T09:00:00+08:00");
        let zh = |s: &str| due_words(at(s), now, Lang::Zh);
        assert_eq!(zh("2026-01-05T18:00:00+08:00"), "今天 18:00 前");
        assert_eq!(zh("2026-01-06T09:30:00+08:00"), "明天 09:30 前");
        assert_eq!(zh("2026-01-07T10:00:00+08:00"), "后天 10:00 前");
        assert_eq!(zh("2026-01-12T10:00:00+08:00"), "1月12日 10:00 前");
        let en = |s: &str| due_words(at(s), now, Lang::En);
        assert_eq!(en("2026-01-05T18:00:00+08:00"), "by 18:00 today");
        assert_eq!(en("2026-01-06T09:30:00+08:00"), "by 09:30 tomorrow");
        assert_eq!(en("2026-02-12T10:00:00+08:00"), "by Feb 12, 10:00");
    }

    #[test]
    fn days_are_counted_in_the_servers_zone() {
        // 23:30 local on the 5th is 15:30 UTC: still "today" for a person in UTC+8.
        let now = at("2026-01-05T09:00:00+08:00");
        let due = DateTime {
            secs: at("2026-01-05T15:30:00Z").secs,
            offset: 0,
        };
        assert_eq!(due_words(due, now, Lang::Zh), "今天 23:30 前");
        assert_eq!(now.offset, CST);
    }

    #[test]
    fn overdue_in_minutes_hours_and_days() {
        let due = at("2026-01-05T18:00:00+08:00");
        let late = |s: &str, l| due_words(due, at(s), l);
        assert_eq!(late("2026-01-05T18:00:30+08:00", Lang::Zh), "已超期 1 分钟");
        assert_eq!(late("2026-01-05T20:10:00+08:00", Lang::Zh), "已超期 2 小时");
        assert_eq!(late("2026-01-09T18:00:00+08:00", Lang::Zh), "已超期 4 天");
        assert_eq!(
            late("2026-01-05T19:00:00+08:00", Lang::En),
            "overdue by 1 hour"
        );
        assert_eq!(
            late("2026-01-05T18:40:00+08:00", Lang::En),
            "overdue by 40 minutes"
        );
    }

    #[test]
    fn moments() {
        assert_eq!(
            when(at("2026-01-05T01:02:00Z").secs, CST),
            "2026-01-05 09:02"
        );
    }
}
