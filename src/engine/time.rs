//! A minimal date-time with a fixed UTC offset. The engine has no clock: every time comes from
//! the caller. The process time zone is a fixed offset: `sopctl test` uses the offset of the
//! scenario's `start` (the bundle has no time-zone field). Business days are Monday–Friday in
//! that zone.

use crate::expr::{Duration, DurationUnit};

/// An instant (`secs` since the Unix epoch, UTC) shown in a fixed offset (`offset` seconds east).
/// Equality and order are those of the instant: the offset only changes how it is shown.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct DateTime {
    pub secs: i64,
    pub offset: i32,
}

impl PartialEq for DateTime {
    fn eq(&self, other: &Self) -> bool {
        self.secs == other.secs
    }
}
impl Eq for DateTime {}
impl std::hash::Hash for DateTime {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.secs.hash(state)
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.secs.cmp(&other.secs)
    }
}

pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn num(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(&s[0..4])?, num(&s[5..7])?, num(&s[8..10])?);
    if !(1..=12).contains(&m) || d == 0 || d > 31 {
        return None;
    }
    let days = days_from_civil(y as i64, m, d);
    (civil_from_days(days) == (y as i64, m, d)).then_some(days)
}

impl DateTime {
    /// RFC 3339: `2026-01-05T09:00:00+08:00`, `…Z`, seconds and fractions optional.
    pub fn parse(s: &str) -> Option<DateTime> {
        let s = s.trim();
        if s.len() < 16 {
            return None;
        }
        let days = parse_date(s.get(0..10)?)?;
        if !matches!(&s[10..11], "T" | "t" | " ") {
            return None;
        }
        let rest = &s[11..];
        let (clock, offset) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else {
            let i = rest.rfind(['+', '-'])?;
            let (c, o) = rest.split_at(i);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (oh, om) = o[1..].split_once(':')?;
            let (oh, om) = (num(oh)?, num(om)?);
            if oh > 23 || om > 59 {
                return None;
            }
            (c, sign * (oh as i32 * 3600 + om as i32 * 60))
        };
        let clock = clock.split('.').next()?;
        let parts: Vec<&str> = clock.split(':').collect();
        if !(2..=3).contains(&parts.len()) {
            return None;
        }
        let h = num(parts[0])?;
        let m = num(parts[1])?;
        let sec = parts.get(2).map(|p| num(p)).unwrap_or(Some(0))?;
        if h > 23 || m > 59 || sec > 60 {
            return None;
        }
        let local = days * 86400 + (h * 3600 + m * 60 + sec) as i64;
        Some(DateTime {
            secs: local - offset as i64,
            offset,
        })
    }

    /// A date (`2026-01-05`) as midnight in the given offset, or a full date-time.
    pub fn parse_date_or_time(s: &str, offset: i32) -> Option<DateTime> {
        if let Some(days) = parse_date(s.trim()) {
            return Some(DateTime {
                secs: days * 86400 - offset as i64,
                offset,
            });
        }
        DateTime::parse(s)
    }

    pub fn is_date(s: &str) -> bool {
        parse_date(s).is_some()
    }

    fn local(&self) -> i64 {
        self.secs + self.offset as i64
    }

    /// Days since the epoch in this offset.
    pub fn local_day(&self) -> i64 {
        self.local().div_euclid(86400)
    }

    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(&self) -> i64 {
        (self.local_day() + 3).rem_euclid(7)
    }

    /// The same instant shown in another offset.
    pub fn in_offset(self, offset: i32) -> DateTime {
        DateTime {
            secs: self.secs,
            offset,
        }
    }

    /// `HH:MM` on the local day `day_shift` days after this one.
    pub fn at_local(&self, day_shift: i64, hour: u8, minute: u8) -> DateTime {
        let local =
            (self.local_day() + day_shift) * 86400 + hour as i64 * 3600 + minute as i64 * 60;
        DateTime {
            secs: local - self.offset as i64,
            offset: self.offset,
        }
    }

    pub fn plus_secs(self, secs: i64) -> DateTime {
        DateTime {
            secs: self.secs + secs,
            offset: self.offset,
        }
    }

    /// Adds a duration; business days skip Saturdays and Sundays of this offset and keep the
    /// time of day.
    pub fn plus(self, d: Duration) -> DateTime {
        self.add_signed(d, 1)
    }

    pub fn minus(self, d: Duration) -> DateTime {
        self.add_signed(d, -1)
    }

    fn add_signed(self, d: Duration, sign: i64) -> DateTime {
        match d.unit {
            DurationUnit::BusinessDays => {
                let mut t = self;
                let mut left = d.amount;
                while left > 0 {
                    t = t.plus_secs(sign * 86400);
                    if t.weekday() < 5 {
                        left -= 1;
                    }
                }
                t
            }
            _ => self.plus_secs(sign * 60 * d.as_minutes().unwrap_or(0) as i64),
        }
    }
}

impl std::fmt::Display for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let local = self.local();
        let (y, m, d) = civil_from_days(local.div_euclid(86400));
        let s = local.rem_euclid(86400);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            s / 3600,
            s % 3600 / 60,
            s % 60
        )?;
        if self.offset == 0 {
            return f.write_str("Z");
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let o = self.offset.abs();
        write!(f, "{sign}{:02}:{:02}", o / 3600, o % 3600 / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse_duration;

    #[test]
    fn parses_and_formats_rfc3339() {
        let t = DateTime::parse("2026-01-05T09:00:00+08:00").unwrap();
        assert_eq!(t.to_string(), "2026-01-05T09:00:00+08:00");
        assert_eq!(t.weekday(), 0, "a Monday");
        assert_eq!(DateTime::parse("2026-01-05T01:00:00Z").unwrap(), t);
        assert!(DateTime::parse("2026-02-30T09:00:00Z").is_none());
        assert!(DateTime::parse("tomorrow").is_none());
        let d = DateTime::parse_date_or_time("2026-01-06", 8 * 3600).unwrap();
        assert_eq!(d.to_string(), "2026-01-06T00:00:00+08:00");
    }

    #[test]
    fn business_days_skip_weekends() {
        let fri = DateTime::parse("2026-01-09T10:00:00+08:00").unwrap();
        let t = fri.plus(parse_duration("1bd").unwrap());
        assert_eq!(t.to_string(), "2026-01-12T10:00:00+08:00");
        let t = fri.plus(parse_duration("3d").unwrap());
        assert_eq!(t.to_string(), "2026-01-12T10:00:00+08:00");
        assert_eq!(
            t.at_local(1, 18, 0).to_string(),
            "2026-01-13T18:00:00+08:00"
        );
    }
}
