//! The runtime's clock. Real time, unless `SOPCTL_NOW` pins the instant the server starts at
//! (time then flows on from it): a testing hook that lets a test restart a server "three hours
//! later" and see reminders fire, without waiting.

use std::time::Instant;

use crate::engine::DateTime;
use crate::lint::time::{now, NOW_ENV};

#[derive(Debug, Clone)]
pub struct Clock {
    start: Instant,
    start_secs: i64,
    /// The offset dates are shown and computed in (`--utc-offset`).
    pub offset: i32,
}

impl Clock {
    /// From `SOPCTL_NOW` (RFC 3339) when set, else the system clock.
    pub fn from_env(offset: i32) -> Result<Clock, String> {
        let start_secs =
            now().map_err(|v| format!("{NOW_ENV}=`{v}` is not an RFC 3339 date-time"))?;
        Ok(Clock {
            start: Instant::now(),
            start_secs,
            offset,
        })
    }

    pub fn now(&self) -> DateTime {
        DateTime {
            secs: self.start_secs + self.start.elapsed().as_secs() as i64,
            offset: self.offset,
        }
    }

    pub fn secs(&self) -> i64 {
        self.now().secs
    }
}

/// `+08:00`, `-05:30`, `Z` or `UTC` → seconds east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = s[1..].split_once(':').unwrap_or((&s[1..], "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && (0..60).contains(&m)).then_some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+08:00"), Some(8 * 3600));
        assert_eq!(parse_offset("-05:30"), Some(-(5 * 3600 + 1800)));
        assert_eq!(parse_offset("UTC"), Some(0));
        assert_eq!(parse_offset("+8"), Some(8 * 3600));
        assert_eq!(parse_offset("8"), None);
        assert_eq!(parse_offset("+25:00"), None);
    }
}
