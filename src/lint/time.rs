//! Time for `stale-review` (and the runtime's clock): "now" from `SOPCTL_NOW` or the system
//! clock, and commit dates as `YYYY-MM-DD`. The calendar is the engine's.

use crate::engine::time::{civil_from_days, DateTime};

/// The environment variable that fixes "now" (RFC 3339, e.g. `2026-01-05T09:00:00+08:00`).
/// A testing hook: tests and reproducible CI runs set it so that `stale-review` does not depend
/// on the day it runs.
pub const NOW_ENV: &str = "SOPCTL_NOW";

/// `YYYY-MM-DD` of an instant, in the given UTC offset (minutes).
pub fn format_date(unix: i64, offset_minutes: i32) -> String {
    let local = unix + i64::from(offset_minutes) * 60;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Seconds since the Unix epoch of an RFC 3339 date-time (`2026-01-05T09:00:00+08:00`,
/// `…Z`, fractions of a second ignored). A lone date (`2026-01-05`) is read as midnight UTC.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    DateTime::parse_date_or_time(s, 0).map(|t| t.secs)
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
    use crate::engine::time::days_from_civil;

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
