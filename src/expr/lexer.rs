//! Splits a `when` condition into tokens. Offsets are character offsets.

use super::duration::{self, digits_value, Duration, DurationUnit};
use super::ExprError;

#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Ident(String),
    Number(f64),
    Str(String),
    Duration(Duration),
    Now,
    True,
    False,
    Null,
    And,
    Or,
    Not,
    In,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Plus,
    Minus,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
    /// The source text, for messages.
    pub text: String,
}

impl Token {
    /// How the token is named in a message: "`and`", "end of input".
    pub fn describe(&self) -> String {
        if self.kind == TokenKind::Eof {
            "end of input".to_string()
        } else {
            format!("`{}`", self.text)
        }
    }
}

/// The keywords; all are reserved and cannot be used as field ids in expressions.
pub const KEYWORDS: [&str; 8] = ["now", "true", "false", "null", "and", "or", "not", "in"];

fn keyword(word: &str) -> Option<TokenKind> {
    Some(match word {
        "now" => TokenKind::Now,
        "true" => TokenKind::True,
        "false" => TokenKind::False,
        "null" => TokenKind::Null,
        "and" => TokenKind::And,
        "or" => TokenKind::Or,
        "not" => TokenKind::Not,
        "in" => TokenKind::In,
        _ => return None,
    })
}

/// Above this a number cannot be held exactly, and the bundle would not be canonical.
const MAX_EXACT: f64 = 9_007_199_254_740_991.0;

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    tokens: Vec<Token>,
}

impl Lexer {
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn text(&self, start: usize, end: usize) -> String {
        self.chars.get(start..end).unwrap_or(&[]).iter().collect()
    }

    fn run_end(&self, from: usize, pred: impl Fn(char) -> bool) -> usize {
        let mut i = from;
        while self.at(i).is_some_and(&pred) {
            i += 1;
        }
        i
    }

    fn push(&mut self, kind: TokenKind, start: usize, end: usize) {
        let text = self.text(start, end);
        self.tokens.push(Token {
            kind,
            start,
            end,
            text,
        });
        self.pos = end;
    }

    fn err(&self, start: usize, end: usize, message: String, help: &str) -> ExprError {
        ExprError::syntax(start, end, message, help)
    }

    fn run(mut self) -> Result<Vec<Token>, ExprError> {
        while let Some(c) = self.at(self.pos) {
            let s = self.pos;
            let next = self.at(s + 1);
            match c {
                c if c.is_whitespace() => self.pos += 1,
                '(' => self.push(TokenKind::LParen, s, s + 1),
                ')' => self.push(TokenKind::RParen, s, s + 1),
                '[' => self.push(TokenKind::LBracket, s, s + 1),
                ']' => self.push(TokenKind::RBracket, s, s + 1),
                ',' => self.push(TokenKind::Comma, s, s + 1),
                '+' => self.push(TokenKind::Plus, s, s + 1),
                '-' => self.push(TokenKind::Minus, s, s + 1),
                '=' => self.equals(s, next)?,
                '!' if next == Some('=') => self.push(TokenKind::Ne, s, s + 2),
                '!' => {
                    return Err(self.err(
                        s,
                        s + 1,
                        "`!` is not an operator; use `not`".into(),
                        "write `not is_set(x)` or `a != b`",
                    ))
                }
                '<' if next == Some('=') => self.push(TokenKind::Le, s, s + 2),
                '<' if next == Some('>') => {
                    return Err(self.err(
                        s,
                        s + 2,
                        "`<>` is not an operator; use `!=`".into(),
                        "write `a != b`",
                    ))
                }
                '<' => self.push(TokenKind::Lt, s, s + 1),
                '>' if next == Some('=') => self.push(TokenKind::Ge, s, s + 2),
                '>' => self.push(TokenKind::Gt, s, s + 1),
                '&' | '|' => {
                    let len = if next == Some(c) { 2 } else { 1 };
                    let word = if c == '&' { "and" } else { "or" };
                    return Err(self.err(
                        s,
                        s + len,
                        format!(
                            "`{}` is not an operator; use `{word}`",
                            self.text(s, s + len)
                        ),
                        "conditions are joined with the words `and` and `or`",
                    ));
                }
                '\'' | '"' => self.string(s, c)?,
                '0'..='9' => self.number(s)?,
                '.' if next.is_some_and(|n| n.is_ascii_digit()) => {
                    return Err(self.err(
                        s,
                        s + 1,
                        "a number cannot start with `.`".into(),
                        "write a digit before the point, e.g. `0.5`",
                    ))
                }
                c if c.is_ascii_alphabetic() || c == '_' => self.word(s)?,
                c => return Err(self.unexpected_char(s, c)),
            }
        }
        let end = self.chars.len();
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            start: end,
            end,
            text: String::new(),
        });
        Ok(self.tokens)
    }

    fn equals(&mut self, s: usize, next: Option<char>) -> Result<(), ExprError> {
        match next {
            Some('=') if self.at(s + 2) == Some('=') => Err(self.err(
                s,
                s + 3,
                "`===` is not an operator; use `==`".into(),
                "write `a == b`",
            )),
            Some('=') => {
                self.push(TokenKind::EqEq, s, s + 2);
                Ok(())
            }
            Some(c @ ('<' | '>')) => Err(self.err(
                s,
                s + 2,
                format!("`={c}` is not an operator; use `{c}=`"),
                "the `=` comes second: `<=` and `>=`",
            )),
            _ => Err(self.err(
                s,
                s + 1,
                "`=` is not an operator; use `==`".into(),
                "conditions compare with `==`, e.g. `status_note == 'ok'`",
            )),
        }
    }

    /// A string in single or double quotes; the quote itself is written twice inside.
    fn string(&mut self, s: usize, quote: char) -> Result<(), ExprError> {
        let mut value = String::new();
        let mut i = s + 1;
        loop {
            match self.at(i) {
                None => {
                    return Err(self.err(
                        s,
                        i,
                        "unterminated string".into(),
                        &format!(
                            "close the string with {quote}; write {quote}{quote} for a {quote} inside it"
                        ),
                    ))
                }
                Some(c) if c == quote => {
                    if self.at(i + 1) == Some(quote) {
                        value.push(quote);
                        i += 2;
                    } else {
                        self.push(TokenKind::Str(value), s, i + 1);
                        return Ok(());
                    }
                }
                Some(c) => {
                    value.push(c);
                    i += 1;
                }
            }
        }
    }

    /// A number (`12`, `12.5`) or, when letters follow the digits directly, a duration (`7d`).
    fn number(&mut self, s: usize) -> Result<(), ExprError> {
        let int_end = self.run_end(s, |c| c.is_ascii_digit());
        let mut end = int_end;
        let mut fraction = false;
        if self.at(int_end) == Some('.') {
            let frac_end = self.run_end(int_end + 1, |c| c.is_ascii_digit());
            if frac_end == int_end + 1 {
                return Err(self.err(
                    s,
                    int_end + 1,
                    format!(
                        "expected digits after `.` in `{}`",
                        self.text(s, int_end + 1)
                    ),
                    "write a number such as `12` or `12.5`",
                ));
            }
            fraction = true;
            end = frac_end;
        }
        let suffix_end = self.run_end(end, is_word_char);
        if suffix_end > end {
            return self.duration(s, int_end, end, suffix_end, fraction);
        }
        let text = self.text(s, end);
        let value = text.parse::<f64>().unwrap_or(f64::INFINITY);
        if value.is_nan() || value > MAX_EXACT {
            return Err(self.err(
                s,
                end,
                format!("the number `{text}` is too large"),
                "numbers must be below 9007199254740992 to be exact",
            ));
        }
        self.push(TokenKind::Number(value), s, end);
        Ok(())
    }

    fn duration(
        &mut self,
        s: usize,
        int_end: usize,
        num_end: usize,
        suffix_end: usize,
        fraction: bool,
    ) -> Result<(), ExprError> {
        let whole = self.text(s, suffix_end);
        let suffix = self.text(num_end, suffix_end);
        if fraction {
            return Err(self.err(
                s,
                suffix_end,
                format!("`{whole}` is not a whole number of units"),
                &format!(
                    "use a smaller unit instead of a fraction (90m, not 1.5h); {}",
                    duration::DURATION_HELP
                ),
            ));
        }
        if suffix.starts_with('_') {
            return Err(self.err(
                num_end,
                num_end + 1,
                format!("`_` cannot appear in the number `{whole}`"),
                "write numbers without separators, e.g. `12000`",
            ));
        }
        let Some(unit) = DurationUnit::parse(&suffix) else {
            return Err(duration::unknown_unit(&suffix, &whole, num_end, suffix_end));
        };
        let amount = self
            .chars
            .get(s..int_end)
            .and_then(digits_value)
            .and_then(|amount| Duration::new(amount, unit));
        match amount {
            Some(d) => {
                self.push(TokenKind::Duration(d), s, suffix_end);
                Ok(())
            }
            None => Err(duration::too_long(&whole, s, suffix_end)),
        }
    }

    fn word(&mut self, s: usize) -> Result<(), ExprError> {
        let end = self.run_end(s, is_word_char);
        let word = self.text(s, end);
        let lower = word.to_ascii_lowercase();
        if let Some(i) = word.find(|c: char| c.is_ascii_uppercase()) {
            // `find` gives a byte index, but the word is ASCII, so it is a char count too.
            let at = s + i;
            let c = self.at(at).unwrap_or('?');
            let help = if keyword(&lower).is_some() || lower == "is_set" {
                format!("keywords are lowercase: write `{lower}`")
            } else {
                "field ids are lowercase letters, digits and `_`, e.g. `shipped_at`".to_string()
            };
            return Err(self.err(
                at,
                at + 1,
                format!("uppercase `{c}` in `{word}`: names are case-sensitive and lowercase"),
                &help,
            ));
        }
        if word.starts_with('_') {
            return Err(self.err(
                s,
                s + 1,
                format!("`{word}` is not a field id: field ids start with a letter"),
                "field ids are lowercase letters, digits and `_`, starting with a letter",
            ));
        }
        let kind = keyword(&word).unwrap_or(TokenKind::Ident(word));
        self.push(kind, s, end);
        Ok(())
    }

    fn unexpected_char(&self, s: usize, c: char) -> ExprError {
        let help = match c {
            '（' | '）' => "use ASCII parentheses `(` and `)`",
            '，' => "use an ASCII comma `,`",
            '‘' | '’' | '“' | '”' | '「' | '」' => {
                "use straight quotes: 'text' (or \"text\")"
            }
            '＝' => "compare with `==`",
            '*' | '/' | '%' => "only `+` and `-` are available for arithmetic",
            c if c.is_alphabetic() => {
                "field ids are ASCII lowercase (e.g. `amount`); put text values in quotes: '已发货'"
            }
            _ => "expressions use field ids, values, `+ - == != < <= > >= in and or not`, parentheses and `is_set(field)`",
        };
        self.err(s, s + 1, format!("unexpected character `{c}`"), help)
    }
}

/// Splits `src` into tokens, ending with [`TokenKind::Eof`]. Stops at the first error.
pub fn tokenize(src: &str) -> Result<Vec<Token>, ExprError> {
    Lexer {
        chars: src.chars().collect(),
        pos: 0,
        tokens: Vec::new(),
    }
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::ExprErrorKind;

    fn kinds(src: &str) -> Vec<TokenKind> {
        tokenize(src).unwrap().into_iter().map(|t| t.kind).collect()
    }

    fn bad(src: &str) -> ExprError {
        match tokenize(src) {
            Ok(t) => panic!("{src:?} lexed as {t:?}"),
            Err(e) => {
                assert_eq!(e.kind, ExprErrorKind::Syntax);
                e
            }
        }
    }

    #[test]
    fn lexes_operators_and_punctuation() {
        use TokenKind::*;
        assert_eq!(
            kinds("( ) [ ] , + - == != < <= > >="),
            vec![
                LParen, RParen, LBracket, RBracket, Comma, Plus, Minus, EqEq, Ne, Lt, Le, Gt, Ge,
                Eof
            ]
        );
    }

    #[test]
    fn lexes_keywords_and_identifiers() {
        use TokenKind::*;
        assert_eq!(
            kinds("now true false null and or not in is_set x_1"),
            vec![
                Now,
                True,
                False,
                Null,
                And,
                Or,
                Not,
                In,
                Ident("is_set".into()),
                Ident("x_1".into()),
                Eof
            ]
        );
        assert_eq!(kinds("android"), vec![Ident("android".into()), Eof]);
    }

    #[test]
    fn lexes_numbers_and_durations() {
        use crate::expr::DurationUnit as U;
        use TokenKind::*;
        let d = |amount, unit| TokenKind::Duration(crate::expr::Duration { amount, unit });
        assert_eq!(
            kinds("12 12.5 7d 30m 3bd 2h 1w 0"),
            vec![
                Number(12.0),
                Number(12.5),
                d(7, U::Days),
                d(30, U::Minutes),
                d(3, U::BusinessDays),
                d(2, U::Hours),
                d(1, U::Weeks),
                Number(0.0),
                Eof
            ]
        );
        assert_eq!(
            kinds("a-1"),
            vec![Ident("a".into()), Minus, Number(1.0), Eof]
        );
    }

    #[test]
    fn lexes_strings_with_escapes() {
        assert_eq!(
            kinds("'it''s' \"say \"\"hi\"\"\" '' '已发货'"),
            vec![
                TokenKind::Str("it's".into()),
                TokenKind::Str("say \"hi\"".into()),
                TokenKind::Str(String::new()),
                TokenKind::Str("已发货".into()),
                TokenKind::Eof
            ]
        );
    }

    #[test]
    fn offsets_are_characters() {
        let toks = tokenize("'已发货' == x").unwrap();
        let spans: Vec<_> = toks.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(spans, vec![(0, 5), (6, 8), (9, 10), (10, 10)]);
        assert_eq!(toks.first().map(|t| t.text.as_str()), Some("'已发货'"));
    }

    #[test]
    fn rejects_lookalike_operators() {
        let e = bad("a = 1");
        assert_eq!(e.message, "`=` is not an operator; use `==`");
        assert_eq!((e.start, e.end), (2, 3));
        assert_eq!(bad("a && b").message, "`&&` is not an operator; use `and`");
        assert_eq!(bad("a || b").message, "`||` is not an operator; use `or`");
        assert_eq!(bad("a & b").message, "`&` is not an operator; use `and`");
        assert!(bad("!a").message.contains("use `not`"));
        assert!(bad("a <> b").message.contains("use `!=`"));
        assert!(bad("a =< b").message.contains("use `<=`"));
        assert!(bad("a => b").message.contains("use `>=`"));
        assert!(bad("a === b").message.contains("use `==`"));
    }

    #[test]
    fn rejects_unterminated_strings() {
        let e = bad("x == 'abc");
        assert_eq!(e.message, "unterminated string");
        assert_eq!((e.start, e.end), (5, 9));
        assert!(bad("x == \"abc'").message.contains("unterminated"));
        assert!(bad("'it''").message.contains("unterminated"));
    }

    #[test]
    fn rejects_uppercase_pointing_at_the_letter() {
        let e = bad("shippedAt > 0");
        assert_eq!((e.start, e.end), (7, 8));
        assert!(e.message.contains("`A`"));
        let e = bad("a AND b");
        assert!(e.help.contains("`and`"), "{}", e.help);
        assert!(bad("True").help.contains("`true`"));
    }

    #[test]
    fn rejects_unknown_characters() {
        let e = bad("金额 > 0");
        assert_eq!((e.start, e.end), (0, 1));
        assert!(e.help.contains("quotes"));
        assert!(bad("a # b").message.contains("`#`"));
        assert!(bad("（a）").help.contains("ASCII"));
        assert!(bad("x == ‘a’").help.contains("straight quotes"));
        assert!(bad("a * 2").help.contains("`+` and `-`"));
        let e = bad("'金' == x @");
        assert_eq!((e.start, e.end), (9, 10));
    }

    #[test]
    fn rejects_malformed_numbers() {
        assert!(bad("12.").message.contains("digits after `.`"));
        assert!(bad(".5").help.contains("0.5"));
        let e = bad("1.5h");
        assert!(e.message.contains("`1.5h`"));
        let e = bad("3x");
        assert_eq!((e.start, e.end), (1, 2));
        assert!(e.message.contains("`x`"));
        assert!(bad("3D").help.contains("lowercase"));
        assert!(bad("12_000").message.contains("`_`"));
        assert!(bad("99999999999d").message.contains("100 years"));
        assert!(bad("99999999999999999999").message.contains("too large"));
        assert!(bad("_x").message.contains("start with a letter"));
    }

    #[test]
    fn describes_tokens() {
        let toks = tokenize("and").unwrap();
        let d: Vec<String> = toks.iter().map(Token::describe).collect();
        assert_eq!(d, vec!["`and`".to_string(), "end of input".to_string()]);
        assert_eq!(KEYWORDS.len(), 8);
        assert!(KEYWORDS.iter().all(|k| keyword(k).is_some()));
    }
}
