//! Evaluates a `when` condition against a record and the time.
//!
//! Null semantics: an unset field is null; `<`, `<=`, `>`, `>=`, `+`, `-` and `in` with a
//! null operand give null, and a null condition is false ("comparisons with unset fields are
//! false"). `==` and `!=` compare null as a value, so `x == null` is true when `x` is unset.
//! Numbers and money are f64; dates are midnight in the process time zone.

use serde_json::Value;

use super::record::Record;
use super::time::DateTime;
use crate::bundle::Process;
use crate::expr::{BinaryOp, Duration, Expr, ExprKind, UnaryOp};

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Time(DateTime),
    Dur(Duration),
    List(Vec<Val>),
}

/// The value of a field for expressions, by the field's type.
pub fn field_val(ty: &str, v: Option<&Value>, offset: i32) -> Val {
    let Some(v) = v else { return Val::Null };
    match (ty, v) {
        (_, Value::Null) => Val::Null,
        ("date" | "datetime", Value::String(s)) => DateTime::parse_date_or_time(s, offset)
            .map(Val::Time)
            .unwrap_or(Val::Null),
        (_, Value::Bool(b)) => Val::Bool(*b),
        (_, Value::Number(n)) => Val::Num(n.as_f64().unwrap_or(0.0)),
        (_, Value::String(s)) => Val::Str(s.clone()),
        (_, Value::Array(a)) => {
            Val::List(a.iter().map(|x| field_val("", Some(x), offset)).collect())
        }
        (_, Value::Object(_)) => Val::Null,
    }
}

pub struct Ctx<'a> {
    pub process: &'a Process,
    pub record: &'a Record,
    pub now: DateTime,
    pub offset: i32,
}

/// True when the condition holds; null counts as false.
pub fn holds(e: &Expr, cx: &Ctx) -> bool {
    matches!(eval(e, cx), Val::Bool(true))
}

pub fn eval(e: &Expr, cx: &Ctx) -> Val {
    match &e.kind {
        ExprKind::Field(f) => {
            let ty = cx
                .process
                .fields
                .iter()
                .find(|x| &x.id == f)
                .map(|x| x.ty.as_str())
                .unwrap_or("");
            field_val(ty, cx.record.fields.get(f), cx.offset)
        }
        ExprKind::Now => Val::Time(cx.now),
        ExprKind::Null => Val::Null,
        ExprKind::Bool(b) => Val::Bool(*b),
        ExprKind::Number(n) => Val::Num(*n),
        ExprKind::Str(s) => Val::Str(s.clone()),
        ExprKind::Duration(d) => Val::Dur(*d),
        ExprKind::List(items) => Val::List(items.iter().map(|i| eval(i, cx)).collect()),
        ExprKind::IsSet { field } => Val::Bool(cx.record.is_set(field)),
        ExprKind::Unary { op, expr } => match (op, eval(expr, cx)) {
            (UnaryOp::Not, Val::Bool(b)) => Val::Bool(!b),
            (UnaryOp::Not, Val::Null) => Val::Bool(true),
            (UnaryOp::Neg, Val::Num(n)) => Val::Num(-n),
            _ => Val::Null,
        },
        ExprKind::Binary { op, lhs, rhs } => {
            match op {
                BinaryOp::And => {
                    return Val::Bool(holds(lhs, cx) && holds(rhs, cx));
                }
                BinaryOp::Or => {
                    return Val::Bool(holds(lhs, cx) || holds(rhs, cx));
                }
                _ => {}
            }
            binary(*op, eval(lhs, cx), eval(rhs, cx))
        }
    }
}

fn binary(op: BinaryOp, l: Val, r: Val) -> Val {
    use std::cmp::Ordering;
    match op {
        BinaryOp::Eq => Val::Bool(equal(&l, &r)),
        BinaryOp::Ne => Val::Bool(!equal(&l, &r)),
        BinaryOp::In => match (&l, &r) {
            (Val::Null, _) => Val::Null,
            (_, Val::List(items)) => Val::Bool(items.iter().any(|i| equal(&l, i))),
            _ => Val::Null,
        },
        BinaryOp::Add | BinaryOp::Sub => match (l, r) {
            (Val::Num(a), Val::Num(b)) => Val::Num(if op == BinaryOp::Add { a + b } else { a - b }),
            (Val::Time(t), Val::Dur(d)) => Val::Time(if op == BinaryOp::Add {
                t.plus(d)
            } else {
                t.minus(d)
            }),
            (Val::Dur(d), Val::Time(t)) if op == BinaryOp::Add => Val::Time(t.plus(d)),
            _ => Val::Null,
        },
        _ => {
            let ord = match (&l, &r) {
                (Val::Num(a), Val::Num(b)) => a.partial_cmp(b),
                (Val::Time(a), Val::Time(b)) => Some(a.cmp(b)),
                (Val::Str(a), Val::Str(b)) => Some(a.cmp(b)),
                _ => None,
            };
            match ord {
                None => Val::Null,
                Some(o) => Val::Bool(match op {
                    BinaryOp::Lt => o == Ordering::Less,
                    BinaryOp::Le => o != Ordering::Greater,
                    BinaryOp::Gt => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                }),
            }
        }
    }
}

fn equal(l: &Val, r: &Val) -> bool {
    match (l, r) {
        (Val::Num(a), Val::Num(b)) => (a - b).abs() < 1e-9,
        (Val::Time(a), Val::Time(b)) => a == b,
        _ => l == r,
    }
}
