//! Durations: a whole number followed by a unit (`30m`, `2h`, `7d`, `1w`, `3bd`).

use serde::{Deserialize, Deserializer, Serialize};

use super::ExprError;

/// What every duration error suggests instead.
pub const DURATION_HELP: &str =
    "write a whole number followed by a unit: 30m, 2h, 7d, 1w or 3bd (business days)";

/// The longest duration accepted, in days. Anything longer is certainly a typo, and the cap
/// keeps every conversion to minutes (or seconds, or milliseconds) far from overflowing.
pub const MAX_DURATION_DAYS: u64 = 36_500;

const MINUTES_PER_DAY: u64 = 24 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DurationUnit {
    #[serde(rename = "m")]
    Minutes,
    #[serde(rename = "h")]
    Hours,
    #[serde(rename = "d")]
    Days,
    #[serde(rename = "w")]
    Weeks,
    #[serde(rename = "bd")]
    BusinessDays,
}

impl DurationUnit {
    pub const ALL: [DurationUnit; 5] = [
        DurationUnit::Minutes,
        DurationUnit::Hours,
        DurationUnit::Days,
        DurationUnit::Weeks,
        DurationUnit::BusinessDays,
    ];

    /// The suffix used in the source (and in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            DurationUnit::Minutes => "m",
            DurationUnit::Hours => "h",
            DurationUnit::Days => "d",
            DurationUnit::Weeks => "w",
            DurationUnit::BusinessDays => "bd",
        }
    }

    /// The unit spelled exactly as in the source; units are case-sensitive like everything
    /// else in the language.
    pub fn parse(s: &str) -> Option<DurationUnit> {
        DurationUnit::ALL.iter().copied().find(|u| u.as_str() == s)
    }

    /// Minutes in one unit; `None` for business days, whose length depends on the calendar.
    pub fn minutes(self) -> Option<u64> {
        match self {
            DurationUnit::Minutes => Some(1),
            DurationUnit::Hours => Some(60),
            DurationUnit::Days => Some(MINUTES_PER_DAY),
            DurationUnit::Weeks => Some(7 * MINUTES_PER_DAY),
            DurationUnit::BusinessDays => None,
        }
    }

    /// Calendar minutes used only for the length cap: a business day is at least a day.
    fn minutes_for_cap(self) -> u64 {
        self.minutes().unwrap_or(MINUTES_PER_DAY)
    }
}

impl std::fmt::Display for DurationUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Duration {
    pub amount: u64,
    pub unit: DurationUnit,
}

impl Duration {
    /// A duration, or `None` when it is longer than [`MAX_DURATION_DAYS`].
    pub fn new(amount: u64, unit: DurationUnit) -> Option<Duration> {
        let minutes = amount.checked_mul(unit.minutes_for_cap())?;
        (minutes <= MAX_DURATION_DAYS * MINUTES_PER_DAY).then_some(Duration { amount, unit })
    }

    /// The length in minutes; `None` for business days (they depend on the calendar) and for
    /// a hand-built duration too large for `u64`.
    pub fn as_minutes(&self) -> Option<u64> {
        self.amount.checked_mul(self.unit.minutes()?)
    }

    /// Words for a Chinese handbook: "30 分钟", "2 小时", "7 天", "1 周", "3 个工作日".
    pub fn describe_zh(&self) -> String {
        let unit = match self.unit {
            DurationUnit::Minutes => "分钟",
            DurationUnit::Hours => "小时",
            DurationUnit::Days => "天",
            DurationUnit::Weeks => "周",
            DurationUnit::BusinessDays => "个工作日",
        };
        format!("{} {}", self.amount, unit)
    }

    /// Words for an English handbook: "30 minutes", "1 hour", "3 business days".
    pub fn describe_en(&self) -> String {
        let (one, many) = match self.unit {
            DurationUnit::Minutes => ("minute", "minutes"),
            DurationUnit::Hours => ("hour", "hours"),
            DurationUnit::Days => ("day", "days"),
            DurationUnit::Weeks => ("week", "weeks"),
            DurationUnit::BusinessDays => ("business day", "business days"),
        };
        format!(
            "{} {}",
            self.amount,
            if self.amount == 1 { one } else { many }
        )
    }
}

impl<'de> Deserialize<'de> for Duration {
    /// The inverse of `Serialize`, refusing what `parse_duration` would refuse (too long).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            amount: u64,
            unit: DurationUnit,
        }
        let raw = Raw::deserialize(deserializer)?;
        Duration::new(raw.amount, raw.unit).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{}{} is too long: durations are limited to 100 years",
                raw.amount, raw.unit
            ))
        })
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.amount, self.unit)
    }
}

/// The error for a duration longer than the cap.
pub(crate) fn too_long(text: &str, start: usize, end: usize) -> ExprError {
    ExprError::syntax(
        start,
        end,
        format!("`{text}` is too long: durations are limited to 100 years"),
        DURATION_HELP,
    )
}

/// The error for an unknown unit after a number, shared with the expression lexer.
pub(crate) fn unknown_unit(unit: &str, whole: &str, start: usize, end: usize) -> ExprError {
    let lower = unit.to_lowercase();
    let help = if DurationUnit::parse(&lower).is_some() {
        format!(
            "units are lowercase: write `{}`; {DURATION_HELP}",
            whole.to_lowercase()
        )
    } else {
        DURATION_HELP.to_string()
    };
    ExprError::syntax(
        start,
        end,
        format!("`{unit}` is not a duration unit (in `{whole}`)"),
        help,
    )
}

/// Builds the amount from decimal digits without ever overflowing.
pub(crate) fn digits_value(digits: &[char]) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, c| {
        acc.checked_mul(10)?.checked_add(u64::from(c.to_digit(10)?))
    })
}

fn text(chars: &[char]) -> String {
    chars.iter().collect()
}

/// Parses a duration such as `30m` or `3bd`. Surrounding whitespace is tolerated; nothing
/// else is: no sign, no decimals, no space between the number and the unit.
pub fn parse_duration(s: &str) -> Result<Duration, ExprError> {
    let chars: Vec<char> = s.chars().collect();
    let start = chars
        .iter()
        .position(|c| !c.is_whitespace())
        .unwrap_or(chars.len());
    let end = chars
        .iter()
        .rposition(|c| !c.is_whitespace())
        .map_or(start, |p| p + 1);
    let core = chars.get(start..end).unwrap_or(&[]);
    if core.is_empty() {
        return Err(ExprError::syntax(
            0,
            chars.len(),
            "empty duration",
            DURATION_HELP,
        ));
    }
    let t = Written {
        core,
        whole: text(core),
        start,
        end,
    };
    let n_digits = core.iter().take_while(|c| c.is_ascii_digit()).count();
    t.check_number(n_digits)?;
    let unit_text = t.unit(n_digits)?;
    let Some(unit) = DurationUnit::parse(&unit_text) else {
        return Err(unknown_unit(&unit_text, &t.whole, start + n_digits, end));
    };
    digits_value(core.get(..n_digits).unwrap_or(&[]))
        .and_then(|amount| Duration::new(amount, unit))
        .ok_or_else(|| too_long(&t.whole, start, end))
}

/// A duration as written, without the spaces around it, and where it stands in its text.
struct Written<'a> {
    core: &'a [char],
    whole: String,
    start: usize,
    end: usize,
}

impl Written<'_> {
    fn syntax(&self, message: String) -> ExprError {
        ExprError::syntax(self.start, self.end, message, DURATION_HELP)
    }

    /// That the duration starts with a whole number followed directly by its unit.
    fn check_number(&self, n_digits: usize) -> Result<(), ExprError> {
        let whole = &self.whole;
        let next = self.core.get(n_digits).copied();
        if n_digits == 0 {
            return Err(match next {
                Some(c @ ('+' | '-')) => ExprError::syntax(
                    self.start,
                    self.start + 1,
                    format!("a duration has no sign: `{whole}` starts with `{c}`"),
                    DURATION_HELP,
                ),
                _ => self.syntax(format!("`{whole}` is not a duration")),
            });
        }
        match next {
            None => Err(self.syntax(format!("`{whole}` has no unit"))),
            Some('.' | ',') => Err(ExprError::syntax(
                self.start,
                self.end,
                format!("`{whole}` is not a whole number"),
                format!(
                    "use a smaller unit instead of a fraction (90m, not 1.5h); {DURATION_HELP}"
                ),
            )),
            Some(c) if c.is_whitespace() => Err(self.syntax(format!(
                "`{whole}` has a space between the number and the unit"
            ))),
            Some(_) => Ok(()),
        }
    }

    /// The unit's letters after the number, with nothing after them.
    fn unit(&self, n_digits: usize) -> Result<String, ExprError> {
        let rest = self.core.get(n_digits..).unwrap_or(&[]);
        let unit_start = self.start + n_digits;
        let n_unit = rest.iter().take_while(|c| c.is_alphabetic()).count();
        let after = rest.get(n_unit..).unwrap_or(&[]);
        if n_unit == 0 {
            let bad = text(rest.get(..1).unwrap_or(&[]));
            return Err(ExprError::syntax(
                unit_start,
                unit_start + 1,
                format!("`{bad}` is not a duration unit (in `{}`)", self.whole),
                DURATION_HELP,
            ));
        }
        if !after.is_empty() {
            return Err(ExprError::syntax(
                unit_start + n_unit,
                self.end,
                format!(
                    "unexpected `{}` after the duration `{}`",
                    text(after),
                    text(self.core.get(..n_digits + n_unit).unwrap_or(&[]))
                ),
                DURATION_HELP,
            ));
        }
        Ok(text(rest.get(..n_unit).unwrap_or(&[])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::ExprErrorKind;

    fn err(s: &str) -> ExprError {
        match parse_duration(s) {
            Ok(d) => panic!("{s:?} parsed as {d}"),
            Err(e) => e,
        }
    }

    #[test]
    fn parses_every_unit() {
        let cases = [
            ("30m", 30, DurationUnit::Minutes),
            ("2h", 2, DurationUnit::Hours),
            ("7d", 7, DurationUnit::Days),
            ("1w", 1, DurationUnit::Weeks),
            ("3bd", 3, DurationUnit::BusinessDays),
            ("0m", 0, DurationUnit::Minutes),
        ];
        for (s, amount, unit) in cases {
            assert_eq!(parse_duration(s), Ok(Duration { amount, unit }), "{s}");
        }
    }

    #[test]
    fn tolerates_surrounding_whitespace_and_leading_zeros() {
        let d = parse_duration("  007d\t").unwrap();
        assert_eq!(d.to_string(), "7d");
    }

    #[test]
    fn display_round_trips() {
        for s in ["30m", "2h", "7d", "1w", "3bd"] {
            assert_eq!(parse_duration(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn serializes_as_amount_and_unit() {
        let d = parse_duration("3bd").unwrap();
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"amount":3,"unit":"bd"}"#
        );
        let d = parse_duration("30m").unwrap();
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"amount":30,"unit":"m"}"#
        );
    }

    #[test]
    fn converts_to_minutes_except_business_days() {
        assert_eq!(parse_duration("2h").unwrap().as_minutes(), Some(120));
        assert_eq!(parse_duration("1w").unwrap().as_minutes(), Some(10_080));
        assert_eq!(parse_duration("3bd").unwrap().as_minutes(), None);
        let huge = Duration {
            amount: u64::MAX,
            unit: DurationUnit::Weeks,
        };
        assert_eq!(huge.as_minutes(), None);
    }

    #[test]
    fn rejects_sign() {
        let e = err("-3d");
        assert_eq!(e.kind, ExprErrorKind::Syntax);
        assert_eq!((e.start, e.end), (0, 1));
        assert!(e.message.contains("sign"), "{}", e.message);
        assert_eq!(e.help, DURATION_HELP);
        assert!(err("+3d").message.contains("sign"));
    }

    #[test]
    fn rejects_decimals() {
        let e = err("1.5h");
        assert!(e.message.contains("`1.5h`"), "{}", e.message);
        assert!(e.help.contains("90m"));
    }

    #[test]
    fn rejects_missing_or_unknown_unit() {
        assert!(err("30").message.contains("no unit"));
        let e = err(" 3x");
        assert_eq!((e.start, e.end), (2, 3));
        assert!(e.message.contains("`x`"));
        let e = err("3D");
        assert!(e.help.contains("lowercase"), "{}", e.help);
        assert!(e.help.contains("`3d`"), "{}", e.help);
        assert!(err("3days").message.contains("`days`"));
        assert!(err("3%").message.contains("`%`"));
    }

    #[test]
    fn rejects_inner_spaces_and_trailing_text() {
        assert!(err("3 d").message.contains("space"));
        let e = err("3d 4h");
        assert_eq!((e.start, e.end), (2, 5));
        assert!(e.message.contains("unexpected"));
        assert!(err("3d4").message.contains("unexpected"));
    }

    #[test]
    fn rejects_empty_and_garbage() {
        let e = err("   ");
        assert_eq!((e.start, e.end), (0, 3));
        assert!(e.message.contains("empty"));
        assert!(err("").message.contains("empty"));
        assert!(err("d3").message.contains("not a duration"));
        assert!(err("三天").message.contains("not a duration"));
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        // U+3000 (ideographic space) is whitespace and three bytes long.
        let e = err("\u{3000}3x");
        assert_eq!((e.start, e.end), (2, 3));
    }

    #[test]
    fn caps_at_one_hundred_years() {
        assert!(parse_duration("36500d").is_ok());
        assert!(parse_duration("5214w").is_ok());
        assert!(parse_duration("36500bd").is_ok());
        assert!(err("36501d").message.contains("100 years"));
        assert!(err("99999999999999999999999999m")
            .message
            .contains("100 years"));
        assert!(err("5215w").message.contains("too long"));
    }

    #[test]
    fn describes_in_words() {
        let d = |s| parse_duration(s).unwrap();
        assert_eq!(d("30m").describe_zh(), "30 分钟");
        assert_eq!(d("2h").describe_zh(), "2 小时");
        assert_eq!(d("7d").describe_zh(), "7 天");
        assert_eq!(d("1w").describe_zh(), "1 周");
        assert_eq!(d("3bd").describe_zh(), "3 个工作日");
        assert_eq!(d("30m").describe_en(), "30 minutes");
        assert_eq!(d("1h").describe_en(), "1 hour");
        assert_eq!(d("1bd").describe_en(), "1 business day");
        assert_eq!(d("2w").describe_en(), "2 weeks");
        assert_eq!(d("1d").describe_en(), "1 day");
    }

    #[test]
    fn unit_names_round_trip() {
        for u in DurationUnit::ALL {
            assert_eq!(DurationUnit::parse(u.as_str()), Some(u));
        }
        assert_eq!(DurationUnit::parse("D"), None);
    }

    #[test]
    fn deserializes_what_it_serializes() {
        for s in ["30m", "2h", "7d", "1w", "3bd", "0m", "36500d"] {
            let d = parse_duration(s).unwrap();
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(serde_json::from_str::<Duration>(&json).unwrap(), d, "{s}");
        }
        for bad in [
            r#"{"amount":36501,"unit":"d"}"#,
            r#"{"amount":1,"unit":"D"}"#,
            r#"{"amount":-1,"unit":"d"}"#,
            r#"{"amount":1,"unit":"d","x":1}"#,
            r#"{"unit":"d"}"#,
        ] {
            assert!(serde_json::from_str::<Duration>(bad).is_err(), "{bad}");
        }
    }
}
