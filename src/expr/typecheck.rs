//! Type inference for `when` conditions: unknown fields and type errors, all of them at once.

use crate::model::field_type::FieldType;

use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::{ExprError, ExprErrorKind};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    Text,
    Number,
    Money,
    Bool,
    Datetime,
    Duration,
    User,
    Users,
    Files,
    Null,
    List(Box<Type>),
}

impl Type {
    /// The type a field's value has inside an expression.
    pub fn of_field(ft: FieldType) -> Type {
        match ft {
            // A choice holds one of its option strings; a file is referred to by its name.
            FieldType::Text | FieldType::Longtext | FieldType::Choice | FieldType::File => {
                Type::Text
            }
            FieldType::Number => Type::Number,
            FieldType::Money => Type::Money,
            FieldType::Bool => Type::Bool,
            FieldType::Date | FieldType::Datetime => Type::Datetime,
            FieldType::User => Type::User,
            FieldType::Users => Type::Users,
            FieldType::Files => Type::Files,
        }
    }

    /// Number or money: they mix freely in arithmetic and comparisons.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Number | Type::Money)
    }
}

impl From<FieldType> for Type {
    fn from(ft: FieldType) -> Type {
        Type::of_field(ft)
    }
}

impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Type::Text => f.write_str("text"),
            Type::Number => f.write_str("number"),
            Type::Money => f.write_str("money"),
            Type::Bool => f.write_str("yes/no"),
            Type::Datetime => f.write_str("date/time"),
            Type::Duration => f.write_str("duration"),
            Type::User => f.write_str("user"),
            Type::Users => f.write_str("users"),
            Type::Files => f.write_str("files"),
            Type::Null => f.write_str("null"),
            Type::List(inner) => write!(f, "list of {inner}"),
        }
    }
}

/// Whether `==`/`!=` may compare the two types.
fn equality_ok(a: &Type, b: &Type) -> bool {
    a == b
        || (a.is_numeric() && b.is_numeric())
        || *a == Type::Null
        || *b == Type::Null
        // A user is stored as its id, which is text.
        || matches!((a, b), (Type::User, Type::Text) | (Type::Text, Type::User))
}

/// Whether `< <= > >=` may compare the two types.
fn ordering_ok(a: &Type, b: &Type) -> bool {
    (a.is_numeric() && b.is_numeric())
        || matches!(
            (a, b),
            (Type::Datetime, Type::Datetime)
                | (Type::Duration, Type::Duration)
                | (Type::Text, Type::Text)
        )
}

/// The result of `a + b` or `a - b`, if allowed.
fn arithmetic(op: BinaryOp, a: &Type, b: &Type) -> Option<Type> {
    if a.is_numeric() && b.is_numeric() {
        // Money wins: `price + 10` is still an amount of money.
        let money = *a == Type::Money || *b == Type::Money;
        return Some(if money { Type::Money } else { Type::Number });
    }
    match (op, a, b) {
        (_, Type::Datetime, Type::Duration) => Some(Type::Datetime),
        (BinaryOp::Add, Type::Duration, Type::Datetime) => Some(Type::Datetime),
        (BinaryOp::Sub, Type::Datetime, Type::Datetime) => Some(Type::Duration),
        (_, Type::Duration, Type::Duration) => Some(Type::Duration),
        _ => None,
    }
}

/// A literal value, as opposed to something read from the record: when a comparison mixes a
/// field and a literal of the wrong type, the literal is the likely mistake.
fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::Str(_)
        | ExprKind::Duration(_) => true,
        ExprKind::Unary {
            op: UnaryOp::Neg,
            expr,
        } => is_literal(expr),
        _ => false,
    }
}

/// `a < b` seen from `b`'s side.
fn mirrored(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        other => other,
    }
}

/// How to compare `subject` (of type `t`) correctly, with `op` in the example.
fn comparison_help(subject: &Expr, t: &Type, op: BinaryOp) -> String {
    let op = if op.is_comparison() && op != BinaryOp::In {
        op
    } else {
        BinaryOp::Eq
    };
    let s = subject.to_string();
    match t {
        Type::Number | Type::Money => {
            format!("compare `{s}` with a number, e.g. `{s} {op} 0`")
        }
        Type::Text => format!("compare `{s}` with text in quotes, e.g. `{s} {op} 'abc'`"),
        Type::Datetime => {
            format!("compare `{s}` with another date/time, e.g. `{s} {op} now - 1d`")
        }
        Type::Duration => format!("compare `{s}` with a duration, e.g. `{s} {op} 2h`"),
        Type::Bool => {
            format!("compare `{s}` with `true` or `false`, or use it as a condition on its own")
        }
        Type::User => format!("compare `{s}` with a user id in quotes, e.g. `{s} == 'alice'`"),
        Type::Users | Type::Files => several_values_help(subject),
        Type::Null => "`null` can be compared with any value, using `==` or `!=`".to_string(),
        Type::List(_) => "a list can only be used after `in`".to_string(),
    }
}

fn several_values_help(subject: &Expr) -> String {
    match &subject.kind {
        ExprKind::Field(f) => {
            format!("`{f}` holds several values; test whether it is filled with `is_set({f})`")
        }
        _ => "a field with several values can only be tested with `is_set(field)`".to_string(),
    }
}

/// How to turn `e` (of type `t`) into a true/false condition.
fn condition_help(e: &Expr, t: &Type) -> String {
    let s = e.to_string();
    match t {
        Type::Number | Type::Money => format!("compare it, e.g. `{s} > 0`"),
        Type::Text | Type::User => format!("compare it, e.g. `{s} == 'abc'`"),
        Type::Datetime => format!("compare it, e.g. `{s} < now`"),
        Type::Duration => format!("compare it, e.g. `{s} > 1h`"),
        Type::Users | Type::Files => several_values_help(e),
        Type::Null => "compare a field with it, e.g. `x == null`".to_string(),
        Type::List(_) => format!("use the list after `in`, e.g. `x in {s}`"),
        Type::Bool => String::new(),
    }
}

struct Checker<'a> {
    field_type: &'a dyn Fn(&str) -> Option<FieldType>,
    errors: Vec<ExprError>,
}

impl Checker<'_> {
    fn mismatch(&mut self, at: &Expr, message: String, help: String) {
        self.errors.push(ExprError::new(
            ExprErrorKind::TypeMismatch,
            at.start,
            at.end,
            message,
            help,
        ));
    }

    fn unknown_field(&mut self, at: &Expr, name: &str) {
        self.errors.push(ExprError::new(
            ExprErrorKind::UnknownField,
            at.start,
            at.end,
            format!("unknown field `{name}`"),
            "use a field declared under `spec.fields` of this process; ids are case-sensitive",
        ));
    }

    fn field(&mut self, at: &Expr, name: &str) -> Option<Type> {
        match (self.field_type)(name) {
            Some(ft) => Some(Type::of_field(ft)),
            None => {
                self.unknown_field(at, name);
                None
            }
        }
    }

    /// The type of `e`, or `None` when it cannot be known because of an error already
    /// reported (so one mistake is reported once, not again by every enclosing operator).
    fn infer(&mut self, e: &Expr) -> Option<Type> {
        match &e.kind {
            ExprKind::Field(name) => self.field(e, name),
            ExprKind::Now => Some(Type::Datetime),
            ExprKind::Null => Some(Type::Null),
            ExprKind::Bool(_) => Some(Type::Bool),
            ExprKind::Number(_) => Some(Type::Number),
            ExprKind::Str(_) => Some(Type::Text),
            ExprKind::Duration(_) => Some(Type::Duration),
            ExprKind::IsSet { field } => {
                self.field(e, field);
                Some(Type::Bool)
            }
            ExprKind::List(items) => {
                for item in items {
                    self.infer(item);
                }
                self.mismatch(
                    e,
                    "a list can only be used on the right of `in`".to_string(),
                    "write `x in ['a', 'b']`".to_string(),
                );
                None
            }
            ExprKind::Unary { op, expr } => self.unary(*op, expr),
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs),
        }
    }

    /// Checks that `e` is a yes/no value where one is required.
    fn expect_bool(&mut self, e: &Expr, what: &str) {
        if let Some(t) = self.infer(e) {
            if t != Type::Bool {
                self.mismatch(
                    e,
                    format!("{what} needs true or false, but `{e}` is {t}"),
                    condition_help(e, &t),
                );
            }
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr) -> Option<Type> {
        match op {
            UnaryOp::Not => {
                self.expect_bool(operand, "`not`");
                Some(Type::Bool)
            }
            UnaryOp::Neg => {
                let t = self.infer(operand)?;
                if matches!(t, Type::Number | Type::Money | Type::Duration) {
                    Some(t)
                } else {
                    self.mismatch(
                        operand,
                        format!("cannot negate {t} (`{operand}`)"),
                        "`-` works on numbers, money and durations".to_string(),
                    );
                    None
                }
            }
        }
    }

    fn binary(&mut self, whole: &Expr, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Option<Type> {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let what = format!("`{op}`");
                self.expect_bool(lhs, &what);
                self.expect_bool(rhs, &what);
                Some(Type::Bool)
            }
            BinaryOp::In => {
                self.membership(lhs, rhs);
                Some(Type::Bool)
            }
            BinaryOp::Add | BinaryOp::Sub => {
                let lt = self.infer(lhs);
                let rt = self.infer(rhs);
                self.arithmetic(whole, op, lhs, &lt?, rhs, &rt?)
            }
            _ => {
                let lt = self.infer(lhs);
                let rt = self.infer(rhs);
                if let (Some(lt), Some(rt)) = (lt, rt) {
                    self.comparison(op, lhs, &lt, rhs, &rt);
                }
                // Whatever went wrong, a comparison is still a condition.
                Some(Type::Bool)
            }
        }
    }

    fn arithmetic(
        &mut self,
        whole: &Expr,
        op: BinaryOp,
        lhs: &Expr,
        lt: &Type,
        rhs: &Expr,
        rt: &Type,
    ) -> Option<Type> {
        if let Some(t) = arithmetic(op, lt, rt) {
            return Some(t);
        }
        let usable = |t: &Type| {
            matches!(
                t,
                Type::Number | Type::Money | Type::Datetime | Type::Duration
            )
        };
        let general = "`+` and `-` work on numbers and money, and on dates/times with durations \
                       (e.g. `shipped_at + 7d`)";
        if !usable(lt) {
            self.mismatch(
                lhs,
                format!("cannot use `{op}` on {lt} (`{lhs}`)"),
                general.to_string(),
            );
            return None;
        }
        let s = lhs.to_string();
        let verb = if op == BinaryOp::Add {
            "add"
        } else {
            "subtract"
        };
        let help = match (op, lt) {
            (_, Type::Number | Type::Money) => format!("{verb} a number, e.g. `{s} {op} 1`"),
            (BinaryOp::Add, Type::Datetime) => format!("add a duration, e.g. `{s} + 7d`"),
            (_, Type::Datetime) => format!(
                "subtract a duration (`{s} - 1d`) or another date/time (the result is a duration)"
            ),
            _ => format!("{verb} another duration, e.g. `{s} {op} 1h`"),
        };
        let message = if op == BinaryOp::Add {
            format!("cannot add {rt} (`{rhs}`) to {lt}")
        } else {
            format!("cannot subtract {rt} (`{rhs}`) from {lt}")
        };
        // When both sides are usable on their own, the pair is what is wrong: show both.
        let at = if usable(rt) && !is_literal(rhs) {
            whole
        } else {
            rhs
        };
        self.mismatch(at, message, help);
        None
    }

    fn comparison(&mut self, op: BinaryOp, lhs: &Expr, lt: &Type, rhs: &Expr, rt: &Type) {
        if op.is_ordering() {
            for (side, t) in [(lhs, lt), (rhs, rt)] {
                let help = match t {
                    Type::Null => "`null` can only be compared with `==` or `!=`".to_string(),
                    Type::Bool | Type::User => "use `==` or `!=`".to_string(),
                    Type::Users | Type::Files => several_values_help(side),
                    _ => continue,
                };
                self.mismatch(
                    side,
                    format!("cannot order {t} values with `{op}` (`{side}`)"),
                    help,
                );
                return;
            }
            if ordering_ok(lt, rt) {
                return;
            }
        } else if equality_ok(lt, rt) {
            return;
        }
        // Point at the literal when one side is a literal: that is the usual mistake.
        let (subject, st, other, ot, op) = if is_literal(lhs) && !is_literal(rhs) {
            (rhs, rt, lhs, lt, mirrored(op))
        } else {
            (lhs, lt, rhs, rt, op)
        };
        self.mismatch(
            other,
            format!("cannot compare {st} with {ot} (`{other}`)"),
            comparison_help(subject, st, op),
        );
    }

    fn membership(&mut self, lhs: &Expr, rhs: &Expr) {
        let lt = self.infer(lhs);
        let ExprKind::List(items) = &rhs.kind else {
            self.infer(rhs);
            self.mismatch(
                rhs,
                format!("the right side of `in` must be a list, not `{rhs}`"),
                format!("write the values in brackets, e.g. `{lhs} in ['a', 'b']`"),
            );
            return;
        };
        for item in items {
            let it = self.infer(item);
            if let (Some(lt), Some(it)) = (&lt, it) {
                if !equality_ok(lt, &it) {
                    self.mismatch(
                        item,
                        format!("cannot compare {lt} with {it} (`{item}`)"),
                        format!(
                            "every value in the list must be comparable with `{lhs}`: {}",
                            comparison_help(lhs, lt, BinaryOp::Eq)
                        ),
                    );
                }
            }
        }
    }
}

/// Infers the type of `expr`, collecting every unknown field and type error. `Ok(None)` is not
/// possible: when the type cannot be known, there is at least one error.
pub fn infer_type(
    expr: &Expr,
    field_type: &dyn Fn(&str) -> Option<FieldType>,
) -> Result<Type, Vec<ExprError>> {
    let mut checker = Checker {
        field_type,
        errors: Vec::new(),
    };
    let t = checker.infer(expr);
    let mut errors = checker.errors;
    // Report in reading order, whatever order the tree walk found them in.
    errors.sort_by_key(|e| (e.start, e.end));
    match t {
        Some(t) if errors.is_empty() => Ok(t),
        _ => Err(errors),
    }
}

/// Checks a `when` condition: every field known, every operator used on the right types,
/// and the whole a yes/no value. Returns every problem found, not only the first.
pub fn check_condition(
    expr: &Expr,
    field_type: &dyn Fn(&str) -> Option<FieldType>,
) -> Result<(), Vec<ExprError>> {
    let mut checker = Checker {
        field_type,
        errors: Vec::new(),
    };
    if let Some(t) = checker.infer(expr) {
        if t != Type::Bool {
            let help = condition_help(expr, &t);
            checker.mismatch(
                expr,
                format!("a condition must be true or false, but this is {t}"),
                help,
            );
        }
    }
    let mut errors = checker.errors;
    if errors.is_empty() {
        return Ok(());
    }
    errors.sort_by_key(|e| (e.start, e.end));
    Err(errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse_expr;

    fn fields(name: &str) -> Option<FieldType> {
        Some(match name {
            "title" => FieldType::Text,
            "notes" => FieldType::Longtext,
            "grade" => FieldType::Choice,
            "contract" => FieldType::File,
            "qty" => FieldType::Number,
            "amount" | "refunded_amount" => FieldType::Money,
            "urgent" => FieldType::Bool,
            "due_on" => FieldType::Date,
            "shipped_at" => FieldType::Datetime,
            "owner" => FieldType::User,
            "participants" => FieldType::Users,
            "proofs" => FieldType::Files,
            _ => return None,
        })
    }

    fn check(src: &str) -> Result<(), Vec<ExprError>> {
        let e = parse_expr(src).unwrap_or_else(|e| panic!("{src:?}: {e:?}"));
        check_condition(&e, &fields)
    }

    fn passes(src: &str) {
        if let Err(errs) = check(src) {
            panic!("{src:?} should pass: {errs:#?}");
        }
    }

    fn fails(src: &str) -> Vec<ExprError> {
        match check(src) {
            Ok(()) => panic!("{src:?} should fail"),
            Err(errs) => errs,
        }
    }

    fn one(src: &str) -> ExprError {
        let mut errs = fails(src);
        assert_eq!(errs.len(), 1, "{src:?}: {errs:#?}");
        errs.remove(0)
    }

    fn ty(src: &str) -> Type {
        infer_type(&parse_expr(src).unwrap(), &fields).unwrap()
    }

    #[test]
    fn field_types_map_to_expression_types() {
        let cases = [
            (FieldType::Text, Type::Text),
            (FieldType::Longtext, Type::Text),
            (FieldType::Choice, Type::Text),
            (FieldType::File, Type::Text),
            (FieldType::Number, Type::Number),
            (FieldType::Money, Type::Money),
            (FieldType::Bool, Type::Bool),
            (FieldType::Date, Type::Datetime),
            (FieldType::Datetime, Type::Datetime),
            (FieldType::User, Type::User),
            (FieldType::Users, Type::Users),
            (FieldType::Files, Type::Files),
        ];
        for (ft, t) in cases {
            assert_eq!(Type::from(ft), t, "{ft}");
        }
    }

    #[test]
    fn types_display_in_words() {
        assert_eq!(Type::Bool.to_string(), "yes/no");
        assert_eq!(Type::Datetime.to_string(), "date/time");
        assert_eq!(Type::List(Box::new(Type::Text)).to_string(), "list of text");
        assert_eq!(Type::Money.to_string(), "money");
    }

    #[test]
    fn spec_examples() {
        passes("refunded_amount > 0");
        let e = one("refunded_amount == 'abc'");
        assert_eq!(e.kind, ExprErrorKind::TypeMismatch);
        assert_eq!(e.message, "cannot compare money with text (`'abc'`)");
        assert_eq!((e.start, e.end), (19, 24));
        assert_eq!(
            e.help,
            "compare `refunded_amount` with a number, e.g. `refunded_amount == 0`"
        );
    }

    #[test]
    fn unknown_fields_are_reported_with_their_offsets() {
        let e = one("refund > 0");
        assert_eq!(e.kind, ExprErrorKind::UnknownField);
        assert_eq!(e.message, "unknown field `refund`");
        assert_eq!((e.start, e.end), (0, 6));
        let e = one("is_set(nope)");
        assert_eq!(e.kind, ExprErrorKind::UnknownField);
        assert_eq!((e.start, e.end), (0, 12));
        passes("is_set(participants) and not is_set(proofs)");
    }

    #[test]
    fn collects_all_errors_in_reading_order() {
        let errs = fails("a > 0 and amount == 'x' or b");
        let got: Vec<_> = errs.iter().map(|e| (e.kind, e.start)).collect();
        assert_eq!(
            got,
            vec![
                (ExprErrorKind::UnknownField, 0),
                (ExprErrorKind::TypeMismatch, 20),
                (ExprErrorKind::UnknownField, 27),
            ]
        );
        // One mistake, one error: nothing cascades from an unknown field.
        assert_eq!(fails("nope + 1 > 2").len(), 1);
        assert_eq!(fails("(amount + 'x') + 1 > 2").len(), 1);
    }

    #[test]
    fn arithmetic_rules() {
        assert_eq!(ty("qty + 1"), Type::Number);
        assert_eq!(ty("amount + qty"), Type::Money);
        assert_eq!(ty("qty - amount"), Type::Money);
        assert_eq!(ty("shipped_at + 7d"), Type::Datetime);
        assert_eq!(ty("7d + shipped_at"), Type::Datetime);
        assert_eq!(ty("due_on - 3bd"), Type::Datetime);
        assert_eq!(ty("now - shipped_at"), Type::Duration);
        assert_eq!(ty("1d + 2h - 30m"), Type::Duration);
        assert_eq!(ty("-amount"), Type::Money);
        assert_eq!(ty("-2h"), Type::Duration);
        assert_eq!(ty("-(qty)"), Type::Number);
        let e = one("amount + 'x' > 0");
        assert_eq!(e.message, "cannot add text (`'x'`) to money");
        assert_eq!((e.start, e.end), (9, 12));
        assert!(e.help.contains("add a number"), "{}", e.help);
        let e = one("qty - amount + 'x' > 0");
        assert_eq!(e.help, "add a number, e.g. `qty - amount + 1`");
        assert!(one("qty - '1' > 0").help.starts_with("subtract a number"));
        assert!(one("2h - 1 > 0")
            .help
            .starts_with("subtract another duration"));
        let e = one("7d - shipped_at > 1d");
        assert_eq!(
            e.message,
            "cannot subtract date/time (`shipped_at`) from duration"
        );
        assert_eq!((e.start, e.end), (0, 15));
        let e = one("shipped_at + qty > now");
        assert_eq!(e.message, "cannot add number (`qty`) to date/time");
        assert!(e.help.contains("shipped_at + 7d"));
        let e = one("title + 1 == 'a'");
        assert_eq!(e.message, "cannot use `+` on text (`title`)");
        assert_eq!((e.start, e.end), (0, 5));
        assert!(one("shipped_at + shipped_at > now")
            .message
            .contains("cannot add"));
        assert_eq!(one("-title == 'a'").message, "cannot negate text (`title`)");
        assert!(one("-urgent").message.contains("negate yes/no"));
    }

    #[test]
    fn ordering_rules() {
        passes("qty < amount");
        passes("amount >= 100.5");
        passes("shipped_at + 7d < now");
        passes("due_on <= shipped_at");
        passes("now - shipped_at > 2h");
        passes("title < 'm'");
        passes("grade >= notes");
        let e = one("urgent < true");
        assert_eq!(e.message, "cannot order yes/no values with `<` (`urgent`)");
        assert_eq!((e.start, e.end), (0, 6));
        let e = one("amount > null");
        assert!(e.message.contains("null"));
        assert_eq!((e.start, e.end), (9, 13));
        assert!(one("owner > 'a'").help.contains("`==`"));
        assert!(one("participants > 1")
            .help
            .contains("is_set(participants)"));
        let e = one("shipped_at > 3");
        assert_eq!(e.message, "cannot compare date/time with number (`3`)");
        assert!(e.help.contains("`shipped_at > now - 1d`"), "{}", e.help);
        let e = one("now - shipped_at > 3");
        assert!(e.help.contains("`now - shipped_at > 2h`"), "{}", e.help);
        assert_eq!(
            one("title < 3").message,
            "cannot compare text with number (`3`)"
        );
    }

    #[test]
    fn equality_rules() {
        passes("amount == 0");
        passes("qty != amount");
        passes("title == 'x'");
        passes("owner == 'alice'");
        passes("'alice' == owner");
        passes("owner == title");
        passes("urgent == true");
        passes("shipped_at == null");
        passes("null != amount");
        passes("participants == participants");
        passes("shipped_at == due_on");
        passes("1d == 24h");
        assert_eq!(
            one("urgent == 1").message,
            "cannot compare yes/no with number (`1`)"
        );
        assert!(one("participants == 'bob'")
            .help
            .contains("is_set(participants)"));
        assert!(one("owner == 3").help.contains("user id"));
        assert!(one("shipped_at != '2026-01-01'")
            .message
            .contains("date/time with text"));
    }

    #[test]
    fn a_literal_on_the_left_is_the_one_blamed() {
        let e = one("'abc' < refunded_amount");
        assert_eq!(e.message, "cannot compare money with text (`'abc'`)");
        assert_eq!((e.start, e.end), (0, 5));
        assert!(e.help.contains("`refunded_amount > 0`"), "{}", e.help);
    }

    #[test]
    fn membership_rules() {
        passes("grade in ['a', 'b']");
        passes("qty in [1, 2, amount]");
        passes("owner in ['alice', 'bob']");
        passes("title in ['x', null]");
        let errs = fails("qty in [1, 'two', true]");
        assert_eq!(errs.len(), 2);
        let first = errs.first().unwrap();
        assert_eq!(first.message, "cannot compare number with text (`'two'`)");
        assert_eq!((first.start, first.end), (11, 16));
        assert!(first.help.starts_with("every value in the list"));
        assert_eq!(one("grade in [nope]").kind, ExprErrorKind::UnknownField);
        assert_eq!(one("nope in [1]").kind, ExprErrorKind::UnknownField);
    }

    #[test]
    fn in_without_a_list_is_rejected_for_hand_built_trees() {
        let lhs = parse_expr("qty").unwrap();
        let rhs = parse_expr("amount").unwrap();
        let e = Expr::new(
            ExprKind::Binary {
                op: BinaryOp::In,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            0,
            13,
        );
        let errs = check_condition(&e, &fields).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs.iter().all(|e| e.message.contains("must be a list")));
    }

    #[test]
    fn lists_elsewhere_are_rejected() {
        let e = one("[1, 2] == qty");
        assert_eq!(e.message, "a list can only be used on the right of `in`");
        assert_eq!((e.start, e.end), (0, 6));
        assert!(fails("[nope]")
            .iter()
            .any(|e| e.kind == ExprErrorKind::UnknownField));
    }

    #[test]
    fn logic_rules() {
        passes("urgent and not (qty > 1) or is_set(title)");
        passes("not urgent");
        let e = one("qty and urgent");
        assert_eq!(e.message, "`and` needs true or false, but `qty` is number");
        assert_eq!((e.start, e.end), (0, 3));
        assert!(e.help.contains("`qty > 0`"));
        let errs = fails("title or amount");
        assert_eq!(errs.len(), 2);
        let e = one("not shipped_at");
        assert_eq!(
            e.message,
            "`not` needs true or false, but `shipped_at` is date/time"
        );
        assert!(e.help.contains("shipped_at < now"));
    }

    #[test]
    fn the_whole_condition_must_be_yes_or_no() {
        passes("urgent");
        passes("true");
        let e = one("refunded_amount");
        assert_eq!(
            e.message,
            "a condition must be true or false, but this is money"
        );
        assert_eq!((e.start, e.end), (0, 15));
        assert!(e.help.contains("refunded_amount > 0"));
        assert!(one("amount + 1").message.ends_with("this is money"));
        assert!(one("null").message.ends_with("this is null"));
        assert!(one("7d").message.ends_with("this is duration"));
        assert!(one("proofs").help.contains("is_set(proofs)"));
        assert!(one("owner").message.ends_with("this is user"));
        assert!(one("'yes'").message.ends_with("this is text"));
    }

    #[test]
    fn null_only_compares_with_equality() {
        passes("null == null");
        passes("amount != null");
        assert!(one("null < 1").help.contains("`==` or `!=`"));
        assert!(one("null + 1 > 0")
            .message
            .contains("cannot use `+` on null"));
    }

    #[test]
    fn infer_type_reports_the_type_or_errors() {
        assert_eq!(ty("qty > 1"), Type::Bool);
        let errs = infer_type(&parse_expr("nope").unwrap(), &fields).unwrap_err();
        assert_eq!(errs.len(), 1);
    }
}
