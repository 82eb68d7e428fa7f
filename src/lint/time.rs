//! Just enough calendar arithmetic for `stale-review`: "now" from `SOPCTL_NOW` or the clock,
//! and commit dates as `YYYY-MM-DD`. Proleptic Gregorian, via days since 1970-01-01.

/// The environment variable that fixes "now" (RFC 3339, e.g. `2026-01-05T09:00:00+08:00`).
/// A testing hook: tests and reproducible CI runs set it so that `stale-review` does not depend
/// on the day it runs.
pub const NOW_ENV: &str = "SOPCTL_NOW";

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD` of an instant, in the given UTC offset (minutes).
pub fn format_date(unix: i64, offset_minutes: i32) -> String {
    let local = unix + i64::from(offset_minutes) * 60;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Seconds since the Unix epoch of an RFC 3339 date-time (`2026-01-05T09:00:00+08:00`,
/// `…Z`, fractions of a second ignored). A lone date (`2026-01-05`) is read as midnight UTC.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (
        num(parts.next()?)?,
        num(parts.next()?)?,
        num(parts.next()?)?,
    );
    if parts.next().is_some() || date.len() != 10 || !(1..=12).contains(&m) {
        return None;
    }
    let days_in_month = days_from_civil(i64::from(y) + i64::from(m == 12), m % 12 + 1, 1)
        - days_from_civil(i64::from(y), m, 1);
    if d == 0 || i64::from(d) > days_in_month {
        return None;
    }
    let days = days_from_civil(i64::from(y), m, d);
    let Some(rest) = rest else {
        return Some(days * 86_400);
    };
    let (time, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, 0)
    } else {
        let i = rest.rfind(['+', '-'])?;
        let (t, o) = (&rest[..i], &rest[i..]);
        let sign = if o.starts_with('-') { -1 } else { 1 };
        let (oh, om) = o[1..].split_once(':')?;
        let (oh, om) = (num(oh)?, num(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (t, sign * i64::from(oh * 60 + om))
    };
    let time = time.split('.').next()?;
    let mut hms = time.split(':');
    let (h, mi, sec) = (num(hms.next()?)?, num(hms.next()?)?, num(hms.next()?)?);
    if hms.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some(days * 86_400 + i64::from(h * 3600 + mi * 60 + sec) - offset * 60)
}

/// "Now": `SOPCTL_NOW` when set, else the system clock. `Err` carries the bad value.
pub fn now() -> Result<i64, String> {
    match std::env::var(NOW_ENV) {
        Ok(v) if !v.trim().is_empty() => parse_rfc3339(&v).ok_or(v),
        _ => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in [-1000, 0, 59, 60, 11_016, 20_000, 30_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T08:00:00+08:00"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00.250-01:30"), Some(5400));
        assert_eq!(parse_rfc3339("1970-01-02"), Some(86_400));
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2026-01-05T25:00:00Z",
            "2026-01-05T09:00:00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_in_the_commit_offset() {
        let t = parse_rfc3339("2024-03-01T23:30:00Z").unwrap();
        assert_eq!(format_date(t, 0), "2024-03-01");
        assert_eq!(format_date(t, 8 * 60), "2024-03-02");
        assert_eq!(format_date(t, -60), "2024-03-01");
    }
}
