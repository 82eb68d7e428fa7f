//! Due rules for tasks: `today HH:MM`, `tomorrow HH:MM`, `+<duration>` (after the task is
//! created) and `<date field> + <duration>`.

use serde::de::Error as _;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde::{Deserialize, Deserializer};

use super::duration::{parse_duration, Duration};
use super::ExprError;

/// What every due-date error suggests instead.
pub const DUE_HELP: &str = "write one of: `today 18:00`, `tomorrow 09:30`, `+2h` (after the \
task is created), `<date field> + <duration>` such as `shipped_at + 7d`, or `<date field> - \
<duration>` such as `deadline - 1d`";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Due {
    Today {
        hour: u8,
        minute: u8,
    },
    Tomorrow {
        hour: u8,
        minute: u8,
    },
    After {
        duration: Duration,
    },
    /// `field_start`/`field_end` are character offsets of the field id in the parsed string,
    /// so the caller can point at it when the field turns out unknown or not a date.
    FieldPlus {
        field: String,
        field_start: usize,
        field_end: usize,
        duration: Duration,
        /// `field - duration`: due that long before the field's time.
        before: bool,
    },
}

impl Due {
    /// The field this rule counts from, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Due::FieldPlus { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Words for a Chinese handbook, e.g. "当天 18:00 前" or "实际发货时间后 7 天内".
    /// `field_title` replaces the field id when given.
    pub fn describe_zh(&self, field_title: Option<&str>) -> String {
        match self {
            Due::Today { hour, minute } => format!("当天 {hour:02}:{minute:02} 前"),
            Due::Tomorrow { hour, minute } => format!("次日 {hour:02}:{minute:02} 前"),
            Due::After { duration } => format!("创建后 {}内", duration.describe_zh()),
            Due::FieldPlus {
                field,
                duration,
                before: true,
                ..
            } => format!(
                "{}前 {}",
                field_title.unwrap_or(field),
                duration.describe_zh()
            ),
            Due::FieldPlus {
                field, duration, ..
            } => format!(
                "{}后 {}内",
                field_title.unwrap_or(field),
                duration.describe_zh()
            ),
        }
    }

    /// Words for an English handbook, e.g. "today by 18:00" or "within 7 days after Shipped at".
    pub fn describe_en(&self, field_title: Option<&str>) -> String {
        match self {
            Due::Today { hour, minute } => format!("today by {hour:02}:{minute:02}"),
            Due::Tomorrow { hour, minute } => format!("tomorrow by {hour:02}:{minute:02}"),
            Due::After { duration } => format!("within {} of creation", duration.describe_en()),
            Due::FieldPlus {
                field,
                duration,
                before: true,
                ..
            } => format!(
                "{} before {}",
                duration.describe_en(),
                field_title.unwrap_or(field)
            ),
            Due::FieldPlus {
                field, duration, ..
            } => format!(
                "within {} after {}",
                duration.describe_en(),
                field_title.unwrap_or(field)
            ),
        }
    }
}

impl std::fmt::Display for Due {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Due::Today { hour, minute } => write!(f, "today {hour:02}:{minute:02}"),
            Due::Tomorrow { hour, minute } => write!(f, "tomorrow {hour:02}:{minute:02}"),
            Due::After { duration } => write!(f, "+{duration}"),
            Due::FieldPlus {
                field,
                duration,
                before,
                ..
            } => write!(f, "{field} {} {duration}", if *before { '-' } else { '+' }),
        }
    }
}

// Written by hand: the offsets are for diagnostics only and must stay out of the bundle.
impl Serialize for Due {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(if matches!(self, Due::FieldPlus { .. }) {
            3
        } else {
            2
        }))?;
        match self {
            Due::Today { hour, minute } => {
                map.serialize_entry("kind", "today")?;
                map.serialize_entry("time", &format!("{hour:02}:{minute:02}"))?;
            }
            Due::Tomorrow { hour, minute } => {
                map.serialize_entry("kind", "tomorrow")?;
                map.serialize_entry("time", &format!("{hour:02}:{minute:02}"))?;
            }
            Due::After { duration } => {
                map.serialize_entry("kind", "after")?;
                map.serialize_entry("duration", duration)?;
            }
            Due::FieldPlus {
                field,
                duration,
                before,
                ..
            } => {
                let kind = if *before { "field_minus" } else { "field_plus" };
                map.serialize_entry("kind", kind)?;
                map.serialize_entry("field", field)?;
                map.serialize_entry("duration", duration)?;
            }
        }
        map.end()
    }
}

/// `HH:MM` as written in the JSON form, checked like the parser checks it.
fn time_from_json(t: &str) -> Option<(u8, u8)> {
    let (h, m) = t.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (hour, minute) = (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?);
    (hour <= 23 && minute <= 59).then_some((hour, minute))
}

impl<'de> Deserialize<'de> for Due {
    /// The inverse of `Serialize`; field offsets are 0 (there is no source).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Due, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            kind: String,
            time: Option<String>,
            field: Option<String>,
            duration: Option<Duration>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let time = |t: Option<String>| {
            let t =
                t.ok_or_else(|| D::Error::custom("a `today`/`tomorrow` due rule needs `time`"))?;
            time_from_json(&t)
                .ok_or_else(|| D::Error::custom(format!("`{t}` is not a time (HH:MM)")))
        };
        let due = match (raw.kind.as_str(), raw.field, raw.duration) {
            ("today", None, None) => {
                let (hour, minute) = time(raw.time)?;
                return Ok(Due::Today { hour, minute });
            }
            ("tomorrow", None, None) => {
                let (hour, minute) = time(raw.time)?;
                return Ok(Due::Tomorrow { hour, minute });
            }
            ("after", None, Some(duration)) => Due::After { duration },
            (kind @ ("field_plus" | "field_minus"), Some(field), Some(duration)) => {
                Due::FieldPlus {
                    field,
                    field_start: 0,
                    field_end: 0,
                    duration,
                    before: kind == "field_minus",
                }
            }
            (kind, ..) => {
                return Err(D::Error::custom(format!(
                    "not a due rule of kind `{kind}` (kinds: today, tomorrow, after, field_plus, field_minus, each with its own keys)"
                )))
            }
        };
        if raw.time.is_some() {
            return Err(D::Error::custom(format!(
                "a `{}` due rule has no `time`",
                raw.kind
            )));
        }
        Ok(due)
    }
}

fn text(chars: &[char]) -> String {
    chars.iter().collect()
}

fn slice(chars: &[char], from: usize, to: usize) -> &[char] {
    chars.get(from..to).unwrap_or(&[])
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}

fn skip_ws(chars: &[char], mut i: usize, end: usize) -> usize {
    while i < end && chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

fn err(start: usize, end: usize, message: impl Into<String>, help: impl Into<String>) -> ExprError {
    ExprError::syntax(start, end, message, help)
}

/// Parses a due rule. Offsets in errors (and in [`Due::FieldPlus`]) are character offsets
/// into `s`.
pub fn parse_due(s: &str) -> Result<Due, ExprError> {
    let chars: Vec<char> = s.chars().collect();
    let start = chars
        .iter()
        .position(|c| !c.is_whitespace())
        .unwrap_or(chars.len());
    let end = chars
        .iter()
        .rposition(|c| !c.is_whitespace())
        .map_or(start, |p| p + 1);
    let Some(&first) = chars.get(start).filter(|_| start < end) else {
        return Err(err(0, chars.len(), "empty due date", DUE_HELP));
    };
    let whole = text(slice(&chars, start, end));

    if first == '+' {
        let duration = parse_plus_duration(&chars, start, end)?;
        return Ok(Due::After { duration });
    }

    if first.is_ascii_lowercase() {
        return parse_word(&chars, start, end);
    }

    Err(not_a_due(first, &whole, start, end))
}

/// A due date that starts with a word: `today 18:00`, `tomorrow`, or `field + 2d`.
fn parse_word(chars: &[char], start: usize, end: usize) -> Result<Due, ExprError> {
    let n = slice(chars, start, end)
        .iter()
        .take_while(|c| is_id_char(**c))
        .count();
    let word_end = start + n;
    let word = text(slice(chars, start, word_end));
    let next = skip_ws(chars, word_end, end);
    let is_day = word == "today" || word == "tomorrow";
    // A field that happens to be called `today` still works: `today + 1d`.
    if is_day && chars.get(next) != Some(&'+') {
        return parse_day_time(chars, &word, start, word_end, end);
    }
    for day in ["today", "tomorrow"] {
        if word.len() > day.len() && word.starts_with(day) {
            let rest = word.get(day.len()..).unwrap_or("");
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(err(
                    start,
                    word_end,
                    format!("`{word}` needs a space between `{day}` and the time"),
                    format!("write it as `{day} HH:MM`, e.g. `{day} 18:00`"),
                ));
            }
        }
    }
    parse_field_plus(chars, word, start, word_end, next, end)
}

/// Why a due date that is neither `+duration`, a day nor a field is wrong, in words.
fn not_a_due(first: char, whole: &str, start: usize, end: usize) -> ExprError {
    if first.is_uppercase() {
        let lower = whole.to_lowercase();
        let help = if lower.starts_with("today") || lower.starts_with("tomorrow") {
            format!("due dates are lowercase: `{lower}`")
        } else {
            format!("field ids are lowercase; {DUE_HELP}")
        };
        return err(
            start,
            start + 1,
            format!("unexpected uppercase `{first}` in due date `{whole}`"),
            help,
        );
    }

    if first.is_ascii_digit() {
        if let Ok(d) = parse_duration(whole) {
            return err(
                start,
                end,
                format!("`{whole}` is a duration, not a due date"),
                format!(
                    "write `+{d}` for {} after the task is created",
                    d.describe_en()
                ),
            );
        }
        if whole.contains(':') || whole.contains('：') {
            return err(
                start,
                end,
                format!("`{whole}` is a time without a day"),
                format!("write `today {whole}` or `tomorrow {whole}`"),
            );
        }
    }

    err(start, end, format!("`{whole}` is not a due date"), DUE_HELP)
}

/// `+<duration>` starting with the `+` at `plus`.
fn parse_plus_duration(chars: &[char], plus: usize, end: usize) -> Result<Duration, ExprError> {
    let from = plus + 1;
    if skip_ws(chars, from, end) >= end {
        return Err(err(
            plus,
            plus + 1,
            "expected a duration after `+`",
            DUE_HELP,
        ));
    }
    parse_duration(&text(slice(chars, from, end))).map_err(|e| e.shifted(from))
}

fn parse_day_time(
    chars: &[char],
    word: &str,
    start: usize,
    word_end: usize,
    end: usize,
) -> Result<Due, ExprError> {
    let example = format!("e.g. `{word} 18:00`");
    let t = skip_ws(chars, word_end, end);
    if t >= end {
        return Err(err(
            start,
            word_end,
            format!("expected a time after `{word}`"),
            format!("write the time as HH:MM, {example}"),
        ));
    }
    if t == word_end {
        // The word ran straight into something that cannot be in an id, e.g. `today:18`.
        return Err(err(
            t,
            t + 1,
            format!("expected a space and a time after `{word}`"),
            format!("write the time as HH:MM, {example}"),
        ));
    }
    let time_text = text(slice(chars, t, end));
    let not_a_time = || {
        err(
            t,
            end,
            format!("`{time_text}` is not a time"),
            format!("write the time as HH:MM (24-hour clock), {example}"),
        )
    };
    let n_hour = slice(chars, t, end)
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n_hour == 0 || n_hour > 2 {
        return Err(not_a_time());
    }
    let colon = t + n_hour;
    match chars.get(colon) {
        Some(':') => {}
        Some('：') => {
            return Err(err(
                colon,
                colon + 1,
                "full-width colon `：` in the time",
                format!("use an ASCII colon, {example}"),
            ))
        }
        _ => return Err(not_a_time()),
    }
    let m = colon + 1;
    let n_min = slice(chars, m, end)
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n_min != 2 || m + n_min != end {
        return Err(not_a_time());
    }
    let hour = super::duration::digits_value(slice(chars, t, colon)).unwrap_or(u64::MAX);
    let minute = super::duration::digits_value(slice(chars, m, end)).unwrap_or(u64::MAX);
    let (Ok(hour), Ok(minute)) = (u8::try_from(hour), u8::try_from(minute)) else {
        return Err(not_a_time());
    };
    if hour > 23 {
        return Err(err(
            t,
            colon,
            format!("hour `{hour}` is out of range"),
            format!("hours go from 00 to 23; {example}"),
        ));
    }
    if minute > 59 {
        return Err(err(
            m,
            end,
            format!("minute `{minute}` is out of range"),
            format!("minutes go from 00 to 59; {example}"),
        ));
    }
    Ok(if word == "today" {
        Due::Today { hour, minute }
    } else {
        Due::Tomorrow { hour, minute }
    })
}

fn parse_field_plus(
    chars: &[char],
    field: String,
    start: usize,
    word_end: usize,
    next: usize,
    end: usize,
) -> Result<Due, ExprError> {
    let Some(&c) = chars.get(next).filter(|_| next < end) else {
        return Err(err(
            start,
            word_end,
            format!("`{field}` alone is not a due date"),
            format!("add how long after it the task is due, e.g. `{field} + 1d`; {DUE_HELP}"),
        ));
    };
    let before = match c {
        '+' => false,
        '-' => true,
        c if next == word_end && c.is_alphanumeric() => {
            return Err(err(
                next,
                next + 1,
                format!("unexpected `{c}` in field id `{field}`"),
                "field ids are lowercase letters, digits and `_`",
            ))
        }
        c => {
            return Err(err(
                next,
                next + 1,
                format!("expected `+` or `-` after `{field}`, found `{c}`"),
                DUE_HELP,
            ))
        }
    };
    let duration = parse_plus_duration(chars, next, end)?;
    Ok(Due::FieldPlus {
        field,
        field_start: start,
        field_end: word_end,
        duration,
        before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{DurationUnit, ExprErrorKind};

    fn ok(s: &str) -> Due {
        match parse_due(s) {
            Ok(d) => d,
            Err(e) => panic!("{s:?}: {e:?}"),
        }
    }

    fn bad(s: &str) -> ExprError {
        match parse_due(s) {
            Ok(d) => panic!("{s:?} parsed as {d:?}"),
            Err(e) => {
                assert_eq!(e.kind, ExprErrorKind::Syntax);
                e
            }
        }
    }

    fn dur(amount: u64, unit: DurationUnit) -> Duration {
        Duration { amount, unit }
    }

    #[test]
    fn parses_today_and_tomorrow() {
        assert_eq!(
            ok("today 18:00"),
            Due::Today {
                hour: 18,
                minute: 0
            }
        );
        assert_eq!(
            ok("tomorrow 9:30"),
            Due::Tomorrow {
                hour: 9,
                minute: 30
            }
        );
        assert_eq!(ok("  today   00:00 ").to_string(), "today 00:00");
        assert_eq!(ok("tomorrow 9:30").to_string(), "tomorrow 09:30");
        assert_eq!(ok("today 23:59").to_string(), "today 23:59");
    }

    #[test]
    fn parses_after_creation() {
        assert_eq!(
            ok("+1d"),
            Due::After {
                duration: dur(1, DurationUnit::Days)
            }
        );
        assert_eq!(ok("+ 3bd").to_string(), "+3bd");
    }

    #[test]
    fn parses_field_plus_with_offsets() {
        let d = ok("shipped_at + 7d");
        assert_eq!(
            d,
            Due::FieldPlus {
                field: "shipped_at".into(),
                field_start: 0,
                field_end: 10,
                duration: dur(7, DurationUnit::Days),
                before: false,
            }
        );
        let m = ok("deadline - 1d");
        assert!(matches!(m, Due::FieldPlus { before: true, .. }), "{m:?}");
        assert_eq!(m.to_string(), "deadline - 1d");
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"kind":"field_minus","field":"deadline","duration":{"amount":1,"unit":"d"}}"#
        );
        assert_eq!(d.field(), Some("shipped_at"));
        let d = ok("  due_on+2h");
        assert_eq!(d.to_string(), "due_on + 2h");
        assert!(matches!(
            d,
            Due::FieldPlus {
                field_start: 2,
                field_end: 8,
                ..
            }
        ));
        // A field may be called `today`: the `+` decides.
        assert_eq!(ok("today + 1d").field(), Some("today"));
    }

    #[test]
    fn serializes_without_offsets() {
        let j = |s| serde_json::to_string(&ok(s)).unwrap();
        assert_eq!(j("today 18:00"), r#"{"kind":"today","time":"18:00"}"#);
        assert_eq!(j("tomorrow 9:30"), r#"{"kind":"tomorrow","time":"09:30"}"#);
        assert_eq!(
            j("+2h"),
            r#"{"kind":"after","duration":{"amount":2,"unit":"h"}}"#
        );
        assert_eq!(
            j("shipped_at + 7d"),
            r#"{"kind":"field_plus","field":"shipped_at","duration":{"amount":7,"unit":"d"}}"#
        );
    }

    #[test]
    fn describes_in_chinese() {
        assert_eq!(ok("today 18:00").describe_zh(None), "当天 18:00 前");
        assert_eq!(ok("tomorrow 9:30").describe_zh(None), "次日 09:30 前");
        assert_eq!(ok("+2h").describe_zh(None), "创建后 2 小时内");
        assert_eq!(ok("+3bd").describe_zh(None), "创建后 3 个工作日内");
        assert_eq!(
            ok("shipped_at + 7d").describe_zh(Some("实际发货时间")),
            "实际发货时间后 7 天内"
        );
        assert_eq!(
            ok("shipped_at + 7d").describe_zh(None),
            "shipped_at后 7 天内"
        );
    }

    #[test]
    fn describes_in_english() {
        assert_eq!(ok("today 18:00").describe_en(None), "today by 18:00");
        assert_eq!(ok("tomorrow 09:30").describe_en(None), "tomorrow by 09:30");
        assert_eq!(ok("+2h").describe_en(None), "within 2 hours of creation");
        assert_eq!(
            ok("shipped_at + 7d").describe_en(Some("Shipped at")),
            "within 7 days after Shipped at"
        );
    }

    #[test]
    fn rejects_bad_times() {
        let e = bad("today 24:00");
        assert_eq!((e.start, e.end), (6, 8));
        assert!(e.message.contains("hour"));
        let e = bad("today 18:60");
        assert_eq!((e.start, e.end), (9, 11));
        assert!(e.message.contains("minute"));
        assert!(bad("today 18:0").message.contains("not a time"));
        assert!(bad("today 123:00").message.contains("not a time"));
        assert!(bad("today 18:00 extra").message.contains("not a time"));
        assert!(bad("today 18").message.contains("not a time"));
        assert!(bad("today 18：00").message.contains("full-width"));
        let e = bad("today");
        assert_eq!((e.start, e.end), (0, 5));
        assert!(e.message.contains("expected a time"));
        assert!(bad("today18:00").message.contains("space"));
        assert!(bad("today:18").message.contains("space"));
    }

    #[test]
    fn rejects_field_alone_or_wrong_operator() {
        let e = bad("shipped_at");
        assert!(e.message.contains("alone"));
        assert!(e.help.contains("shipped_at + 1d"));
        assert!(bad("shipped_at * 1d")
            .message
            .contains("expected `+` or `-`"));
        assert!(bad("shippedAt + 1d").message.contains("`A`"));
    }

    #[test]
    fn duration_errors_point_into_the_whole_string() {
        let e = bad("shipped_at + 7x");
        assert_eq!((e.start, e.end), (14, 15));
        let e = bad("+");
        assert_eq!((e.start, e.end), (0, 1));
        assert!(bad("shipped_at +").message.contains("expected a duration"));
        assert!(bad("+1.5h").message.contains("whole number"));
    }

    #[test]
    fn rejects_other_shapes_with_help() {
        let e = bad("");
        assert!(e.message.contains("empty"));
        assert_eq!(e.help, DUE_HELP);
        assert!(bad("3d").help.contains("`+3d`"));
        assert!(bad("18:00").help.contains("today 18:00"));
        assert!(bad("Today 18:00").help.contains("lowercase"));
        assert!(bad("明天 18:00").message.contains("not a due date"));
        assert!(bad("@x").message.contains("not a due date"));
        assert!(DUE_HELP.contains("today 18:00"));
        assert!(DUE_HELP.contains("+2h"));
    }

    #[test]
    fn offsets_count_characters() {
        // The leading ideographic space is one character (three bytes).
        let e = bad("\u{3000}shipped_at + 7x");
        assert_eq!((e.start, e.end), (15, 16));
    }

    #[test]
    fn deserializes_what_it_serializes() {
        for s in ["today 18:00", "tomorrow 09:05", "+3bd", "shipped_at + 7d"] {
            let d = ok(s);
            let json = serde_json::to_string(&d).unwrap();
            let back: Due = serde_json::from_str(&json).unwrap();
            assert_eq!(back.to_string(), d.to_string(), "{s}");
            assert_eq!(serde_json::to_string(&back).unwrap(), json, "{s}");
        }
        let bad = [
            r#"{"kind":"today"}"#,
            r#"{"kind":"today","time":"24:00"}"#,
            r#"{"kind":"today","time":"9:00"}"#,
            r#"{"kind":"after","time":"09:00","duration":{"amount":1,"unit":"d"}}"#,
            r#"{"kind":"after"}"#,
            r#"{"kind":"field_plus","duration":{"amount":1,"unit":"d"}}"#,
            r#"{"kind":"later"}"#,
            r#"{"kind":"today","time":"09:00","extra":1}"#,
        ];
        for j in bad {
            assert!(serde_json::from_str::<Due>(j).is_err(), "{j}");
        }
    }
}
