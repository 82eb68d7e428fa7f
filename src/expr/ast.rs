//! The syntax tree of a `when` condition, its canonical JSON form (what the bundle carries to
//! the runtime) and its normalized source form.

use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::duration::Duration;

/// One node. `start`/`end` are character offsets into the parsed string (end exclusive);
/// they are for diagnostics and are not serialized.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Field(String),
    Now,
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    Duration(Duration),
    List(Vec<Expr>),
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    IsSet {
        field: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    In,
}

impl UnaryOp {
    /// The name used in the JSON tree.
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Not => "not",
            UnaryOp::Neg => "neg",
        }
    }

    /// How the operator is written in the source.
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Not => "not",
            UnaryOp::Neg => "-",
        }
    }
}

impl BinaryOp {
    /// How the operator is written, both in the source and in the JSON tree.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::In => "in",
        }
    }

    /// `== != < <= > >= in`: the non-associative level.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::In
        )
    }

    /// `< <= > >=`: the comparisons that need an order.
    pub fn is_ordering(self) -> bool {
        matches!(
            self,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }

    fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => PREC_OR,
            BinaryOp::And => PREC_AND,
            BinaryOp::Add | BinaryOp::Sub => PREC_ADD,
            _ => PREC_CMP,
        }
    }
}

impl std::fmt::Display for BinaryOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for UnaryOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

// Binding strength, loosest first; mirrors the parser's grammar levels.
const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_NOT: u8 = 3;
const PREC_CMP: u8 = 4;
const PREC_ADD: u8 = 5;
const PREC_NEG: u8 = 6;
const PREC_ATOM: u8 = 7;

/// Largest magnitude below which every whole `f64` is an exact integer.
const EXACT_INT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// A whole number small enough to be printed as an integer without losing anything.
fn as_exact_int(n: f64) -> Option<i64> {
    // The range check makes the cast exact (and keeps NaN/infinity out).
    (n.fract() == 0.0 && n.abs() < EXACT_INT_LIMIT).then_some(n as i64)
}

impl Expr {
    pub fn new(kind: ExprKind, start: usize, end: usize) -> Expr {
        Expr { kind, start, end }
    }

    fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Binary { op, .. } => op.precedence(),
            ExprKind::Unary {
                op: UnaryOp::Not, ..
            } => PREC_NOT,
            ExprKind::Unary {
                op: UnaryOp::Neg, ..
            } => PREC_NEG,
            _ => PREC_ATOM,
        }
    }

    /// The direct children, left to right.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::List(items) => items.iter().collect(),
            ExprKind::Unary { expr, .. } => vec![expr],
            ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            _ => Vec::new(),
        }
    }

    /// Every node, parents before children, left to right. Uses an explicit stack so that
    /// even a hand-built, very deep tree cannot overflow the call stack.
    fn preorder(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            out.push(e);
            stack.extend(e.children().into_iter().rev());
        }
        out
    }

    /// The field ids the expression reads (including `is_set`), each once, in order of first
    /// appearance.
    pub fn fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for e in self.preorder() {
            let name = match &e.kind {
                ExprKind::Field(f) | ExprKind::IsSet { field: f } => f.as_str(),
                _ => continue,
            };
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// Whether the value depends on the clock: such conditions must be re-evaluated as time
    /// passes, not only when the record changes.
    pub fn uses_now(&self) -> bool {
        self.preorder()
            .iter()
            .any(|e| matches!(e.kind, ExprKind::Now))
    }
}

fn write_number(f: &mut std::fmt::Formatter<'_>, n: f64) -> std::fmt::Result {
    match as_exact_int(n) {
        Some(i) => write!(f, "{i}"),
        // Rust's float Display never uses an exponent, so the result parses back.
        None => write!(f, "{n}"),
    }
}

fn write_child(f: &mut std::fmt::Formatter<'_>, e: &Expr, parens: bool) -> std::fmt::Result {
    if parens {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl std::fmt::Display for Expr {
    /// A normalized source form with only the parentheses the grammar needs; parsing it gives
    /// back the same tree.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            ExprKind::Field(name) => f.write_str(name),
            ExprKind::Now => f.write_str("now"),
            ExprKind::Null => f.write_str("null"),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Number(n) => write_number(f, *n),
            ExprKind::Str(s) => write!(f, "'{}'", s.replace('\'', "''")),
            ExprKind::Duration(d) => write!(f, "{d}"),
            ExprKind::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            ExprKind::Unary { op, expr } => match op {
                UnaryOp::Not => {
                    f.write_str("not ")?;
                    write_child(f, expr, expr.precedence() < PREC_NOT)
                }
                UnaryOp::Neg => {
                    // `- -x`, not `--x`, which reads like a typo.
                    let nested = matches!(
                        expr.kind,
                        ExprKind::Unary {
                            op: UnaryOp::Neg,
                            ..
                        }
                    ) || matches!(expr.kind, ExprKind::Number(n) if n.is_sign_negative());
                    f.write_str(if nested { "- " } else { "-" })?;
                    write_child(f, expr, expr.precedence() < PREC_NEG)
                }
            },
            ExprKind::Binary { op, lhs, rhs } => {
                let p = op.precedence();
                // Left-associative levels keep a same-level left operand bare; the comparison
                // level is non-associative, so both sides need parentheses at equal strength.
                let lhs_parens = if op.is_comparison() {
                    lhs.precedence() <= p
                } else {
                    lhs.precedence() < p
                };
                write_child(f, lhs, lhs_parens)?;
                write!(f, " {op} ")?;
                write_child(f, rhs, rhs.precedence() <= p)
            }
            ExprKind::IsSet { field } => write!(f, "is_set({field})"),
        }
    }
}

struct Args<'a>(&'a [&'a Expr]);

impl Serialize for Args<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter())
    }
}

struct Lit<'a>(&'a ExprKind);

impl Serialize for Lit<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            ExprKind::Bool(b) => serializer.serialize_bool(*b),
            // Whole numbers as integers so the bundle is canonical (3, not 3.0).
            ExprKind::Number(n) => match as_exact_int(*n) {
                Some(i) => serializer.serialize_i64(i),
                None => serializer.serialize_f64(*n),
            },
            ExprKind::Str(s) => serializer.serialize_str(s),
            _ => serializer.serialize_unit(),
        }
    }
}

impl Serialize for Expr {
    /// The tree a runtime executes without re-parsing: `{"field":"amount"}`, `{"now":true}`,
    /// `{"lit":3}`, `{"duration":{..}}`, `{"list":[..]}`, `{"op":">","args":[..]}`,
    /// `{"op":"is_set","field":"x"}`. Offsets are left out.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.kind {
            ExprKind::Field(name) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("field", name)?;
                map.end()
            }
            ExprKind::Now => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("now", &true)?;
                map.end()
            }
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Str(_) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("lit", &Lit(&self.kind))?;
                map.end()
            }
            ExprKind::Duration(d) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("duration", d)?;
                map.end()
            }
            ExprKind::List(items) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("list", items)?;
                map.end()
            }
            ExprKind::Unary { op, expr } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("op", op.as_str())?;
                map.serialize_entry("args", &Args(&[expr]))?;
                map.end()
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("op", op.as_str())?;
                map.serialize_entry("args", &Args(&[lhs, rhs]))?;
                map.end()
            }
            ExprKind::IsSet { field } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("op", "is_set")?;
                map.serialize_entry("field", field)?;
                map.end()
            }
        }
    }
}

impl UnaryOp {
    /// The operator named `name` in the JSON tree.
    pub fn from_name(name: &str) -> Option<UnaryOp> {
        [UnaryOp::Not, UnaryOp::Neg]
            .into_iter()
            .find(|op| op.as_str() == name)
    }
}

impl BinaryOp {
    pub const ALL: [BinaryOp; 11] = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::And,
        BinaryOp::Or,
        BinaryOp::In,
    ];

    /// The operator named `name` in the JSON tree.
    pub fn from_name(name: &str) -> Option<BinaryOp> {
        BinaryOp::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

/// Reads the JSON tree written by `Serialize` back; offsets are 0 (there is no source).
fn expr_from_json(v: &serde_json::Value) -> Result<Expr, String> {
    use serde_json::Value as J;
    let J::Object(map) = v else {
        return Err(format!("an expression node must be an object, not `{v}`"));
    };
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    let node = |kind| Ok(Expr::new(kind, 0, 0));
    let text = |key: &str| -> Result<String, String> {
        map.get(key)
            .and_then(J::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("`{key}` of an expression node must be text"))
    };
    match keys.as_slice() {
        ["field"] => node(ExprKind::Field(text("field")?)),
        ["now"] if map.get("now") == Some(&J::Bool(true)) => node(ExprKind::Now),
        ["lit"] => node(match &map["lit"] {
            J::Null => ExprKind::Null,
            J::Bool(b) => ExprKind::Bool(*b),
            J::Number(n) => ExprKind::Number(
                n.as_f64()
                    .ok_or_else(|| format!("`{n}` is not a usable number"))?,
            ),
            J::String(s) => ExprKind::Str(s.clone()),
            other => return Err(format!("`{other}` is not a literal")),
        }),
        ["duration"] => node(ExprKind::Duration(
            Duration::deserialize(&map["duration"]).map_err(|e| e.to_string())?,
        )),
        ["list"] => {
            let items = map["list"]
                .as_array()
                .ok_or("`list` of an expression node must be an array")?;
            node(ExprKind::List(
                items.iter().map(expr_from_json).collect::<Result<_, _>>()?,
            ))
        }
        _ if map.len() == 2 && map.contains_key("op") => {
            let op = text("op")?;
            if op == "is_set" {
                return node(ExprKind::IsSet {
                    field: text("field")?,
                });
            }
            let args = map
                .get("args")
                .and_then(J::as_array)
                .ok_or_else(|| format!("operator `{op}` needs `args`, an array"))?;
            let mut args = args
                .iter()
                .map(expr_from_json)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter();
            let n = args.len();
            match (
                UnaryOp::from_name(&op),
                BinaryOp::from_name(&op),
                args.next(),
                args.next(),
            ) {
                (Some(op), _, Some(expr), None) => node(ExprKind::Unary {
                    op,
                    expr: Box::new(expr),
                }),
                (_, Some(op), Some(lhs), Some(rhs)) if n == 2 => node(ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                }),
                (None, None, ..) => Err(format!("`{op}` is not an operator")),
                _ => Err(format!(
                    "operator `{op}` has the wrong number of arguments ({n})"
                )),
            }
        }
        _ => Err(format!("`{v}` is not an expression node")),
    }
}

impl<'de> Deserialize<'de> for Expr {
    /// The inverse of `Serialize` (offsets are 0): lets a bundle be read back.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Expr, D::Error> {
        let v = serde_json::Value::deserialize(deserializer)?;
        expr_from_json(&v).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{parse_expr, DurationUnit};

    fn e(kind: ExprKind) -> Expr {
        Expr::new(kind, 0, 0)
    }

    fn b(kind: ExprKind) -> Box<Expr> {
        Box::new(e(kind))
    }

    fn json(src: &str) -> String {
        serde_json::to_string(&parse_expr(src).unwrap()).unwrap()
    }

    fn norm(src: &str) -> String {
        parse_expr(src).unwrap().to_string()
    }

    #[test]
    fn serializes_leaves() {
        let cases = [
            ("amount", r#"{"field":"amount"}"#),
            ("now", r#"{"now":true}"#),
            ("null", r#"{"lit":null}"#),
            ("3.5", r#"{"lit":3.5}"#),
            ("3", r#"{"lit":3}"#),
            ("-3", r#"{"lit":-3}"#),
            ("3.0", r#"{"lit":3}"#),
            ("'abc'", r#"{"lit":"abc"}"#),
            ("true", r#"{"lit":true}"#),
            ("false", r#"{"lit":false}"#),
            ("7d", r#"{"duration":{"amount":7,"unit":"d"}}"#),
            ("is_set(x)", r#"{"op":"is_set","field":"x"}"#),
        ];
        for (src, want) in cases {
            assert_eq!(json(src), want, "{src}");
        }
    }

    #[test]
    fn serializes_operators() {
        assert_eq!(
            json("refunded_amount > 0"),
            r#"{"op":">","args":[{"field":"refunded_amount"},{"lit":0}]}"#
        );
        assert_eq!(
            json("not -a"),
            r#"{"op":"not","args":[{"op":"neg","args":[{"field":"a"}]}]}"#
        );
        assert_eq!(
            json("s in ['a', 'b']"),
            r#"{"op":"in","args":[{"field":"s"},{"list":[{"lit":"a"},{"lit":"b"}]}]}"#
        );
        let ops = ["+", "-", "==", "!=", "<", "<=", ">", ">=", "and", "or"];
        for op in ops {
            let j = json(&format!("a {op} b"));
            assert!(j.starts_with(&format!(r#"{{"op":"{op}","args":["#)), "{j}");
        }
    }

    #[test]
    fn huge_and_negative_zero_numbers_stay_canonical() {
        let z = e(ExprKind::Number(-0.0));
        assert_eq!(serde_json::to_string(&z).unwrap(), r#"{"lit":0}"#);
        assert_eq!(z.to_string(), "0");
        let big = e(ExprKind::Number(1e20));
        assert_eq!(serde_json::to_string(&big).unwrap(), r#"{"lit":1e+20}"#);
        assert_eq!(big.to_string(), "100000000000000000000");
        assert_eq!(e(ExprKind::Number(0.1)).to_string(), "0.1");
    }

    #[test]
    fn display_uses_minimal_parentheses() {
        let cases = [
            ("(a + b) + c", "a + b + c"),
            ("a + (b + c)", "a + (b + c)"),
            ("a - (b - c)", "a - (b - c)"),
            ("(a and b) or c", "a and b or c"),
            ("a and (b or c)", "a and (b or c)"),
            ("(not a) and b", "not a and b"),
            ("not (a and b)", "not (a and b)"),
            ("not (a == b)", "not a == b"),
            ("(a == b) == c", "(a == b) == c"),
            ("a == (b == c)", "a == (b == c)"),
            ("-(a + b)", "-(a + b)"),
            ("- (-a)", "- -a"),
            ("a - -3", "a - -3"),
            ("-(3)", "-3"),
            ("not not a", "not not a"),
            ("((a))", "a"),
            ("x in [1, 'it''s', 2d]", "x in [1, 'it''s', 2d]"),
            ("x == \"q\"", "x == 'q'"),
            ("is_set( x )", "is_set(x)"),
            ("now - shipped_at >= 7d", "now - shipped_at >= 7d"),
            ("a == (not b)", "a == (not b)"),
            ("(a < b) and c", "a < b and c"),
            ("0012.50", "12.5"),
        ];
        for (src, want) in cases {
            assert_eq!(norm(src), want, "{src}");
        }
    }

    #[test]
    fn display_round_trips_through_the_parser() {
        let sources = [
            "a + b - (c - d) > 3 and not (x or y) or z in ['p', 'q']",
            "-(-(a)) - -b <= -(1 + 2)",
            "(a == b) != (c < d)",
            "not (not a or b) and is_set(f) and t == null",
            "[1, [2, 3]] == x",
        ];
        for src in sources {
            let once = parse_expr(src).unwrap();
            let twice = parse_expr(&once.to_string()).unwrap();
            assert_eq!(
                serde_json::to_string(&once).unwrap(),
                serde_json::to_string(&twice).unwrap(),
                "{src} -> {once}"
            );
            assert_eq!(once.to_string(), twice.to_string());
        }
    }

    #[test]
    fn display_of_hand_built_trees() {
        let neg_lit = e(ExprKind::Unary {
            op: UnaryOp::Neg,
            expr: b(ExprKind::Number(-3.0)),
        });
        assert_eq!(neg_lit.to_string(), "- -3");
        let d = e(ExprKind::Duration(Duration {
            amount: 3,
            unit: DurationUnit::BusinessDays,
        }));
        assert_eq!(d.to_string(), "3bd");
    }

    #[test]
    fn lists_fields_once_in_order() {
        let ex = parse_expr("b > a and is_set(c) and a in [d, b] or now > e").unwrap();
        assert_eq!(ex.fields(), vec!["b", "a", "c", "d", "e"]);
        assert!(parse_expr("1 == 1").unwrap().fields().is_empty());
    }

    #[test]
    fn detects_now() {
        assert!(parse_expr("a and (shipped_at + 7d < now)")
            .unwrap()
            .uses_now());
        assert!(!parse_expr("a > 0").unwrap().uses_now());
    }

    #[test]
    fn walking_a_very_deep_hand_built_tree_does_not_recurse() {
        let mut ex = e(ExprKind::Field("a".into()));
        for _ in 0..10_000 {
            ex = e(ExprKind::Unary {
                op: UnaryOp::Not,
                expr: Box::new(ex),
            });
        }
        assert_eq!(ex.fields(), vec!["a"]);
        assert!(!ex.uses_now());
        // Dropping recursively 10,000 deep is fine, but unwind it anyway to stay frugal.
        let mut cur = ex;
        while let ExprKind::Unary { expr, .. } = cur.kind {
            cur = *expr;
        }
    }

    #[test]
    fn operator_names() {
        assert_eq!(UnaryOp::Not.as_str(), "not");
        assert_eq!(UnaryOp::Neg.as_str(), "neg");
        assert_eq!(UnaryOp::Neg.to_string(), "-");
        assert_eq!(BinaryOp::Ge.to_string(), ">=");
        assert!(BinaryOp::In.is_comparison());
        assert!(!BinaryOp::In.is_ordering());
        assert!(BinaryOp::Le.is_ordering());
        assert!(!BinaryOp::Add.is_comparison());
    }

    /// The same tree without offsets (what a tree read back from JSON has).
    fn strip(e: &Expr) -> Expr {
        let kind = match &e.kind {
            ExprKind::List(items) => ExprKind::List(items.iter().map(strip).collect()),
            ExprKind::Unary { op, expr } => ExprKind::Unary {
                op: *op,
                expr: Box::new(strip(expr)),
            },
            ExprKind::Binary { op, lhs, rhs } => ExprKind::Binary {
                op: *op,
                lhs: Box::new(strip(lhs)),
                rhs: Box::new(strip(rhs)),
            },
            k => k.clone(),
        };
        Expr::new(kind, 0, 0)
    }

    #[test]
    fn deserializes_what_it_serializes() {
        let sources = [
            "a + b - (c - d) > 3 and not (x or y) or z in ['p', 'q']",
            "-(-(a)) - -b <= -(1 + 2.5)",
            "now - shipped_at >= 7d and is_set(f) and t == null and u != false",
            "[1, [2, 3bd]] == x or true",
        ];
        for src in sources {
            let parsed = parse_expr(src).unwrap();
            let json = serde_json::to_string(&parsed).unwrap();
            let back: Expr = serde_json::from_str(&json).unwrap();
            assert_eq!(back, strip(&parsed), "{src}");
            assert_eq!(serde_json::to_string(&back).unwrap(), json, "{src}");
        }
    }

    #[test]
    fn refuses_malformed_trees() {
        let bad = [
            r#"3"#,
            r#"{}"#,
            r#"{"field":1}"#,
            r#"{"now":false}"#,
            r#"{"lit":[1]}"#,
            r#"{"field":"a","lit":1}"#,
            r#"{"op":"^","args":[{"lit":1},{"lit":2}]}"#,
            r#"{"op":"not","args":[]}"#,
            r#"{"op":"not","args":[{"lit":1},{"lit":2}]}"#,
            r#"{"op":"+","args":[{"lit":1}]}"#,
            r#"{"op":"is_set","args":[]}"#,
            r#"{"duration":{"amount":1,"unit":"y"}}"#,
            r#"{"list":3}"#,
        ];
        for j in bad {
            assert!(serde_json::from_str::<Expr>(j).is_err(), "{j}");
        }
    }
}
