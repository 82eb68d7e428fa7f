//! Recursive-descent parser for `when` conditions.
//!
//! Precedence, loosest first: `or`, `and`, `not`, comparisons (`== != < <= > >= in`,
//! non-associative), `+ -`, unary `-`, primaries.

use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::lexer::{tokenize, Token, TokenKind};
use super::ExprError;

/// Deepest nesting of parentheses, lists, `not` and unary `-`. Bounds the parser's recursion.
pub const MAX_NESTING: usize = 64;

/// Tallest tree accepted. Long left-leaning chains (`a or b or c …`) are built by loops, not
/// recursion, so they need their own bound to keep every later tree walk shallow.
pub const MAX_TREE_HEIGHT: usize = 200;

const EXAMPLE: &str = "write a condition such as `refunded_amount > 0`";

/// A parsed node with the height of its tree.
struct Node {
    expr: Expr,
    height: usize,
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    eof: Token,
}

fn cmp_op(kind: &TokenKind) -> Option<BinaryOp> {
    Some(match kind {
        TokenKind::EqEq => BinaryOp::Eq,
        TokenKind::Ne => BinaryOp::Ne,
        TokenKind::Lt => BinaryOp::Lt,
        TokenKind::Le => BinaryOp::Le,
        TokenKind::Gt => BinaryOp::Gt,
        TokenKind::Ge => BinaryOp::Ge,
        TokenKind::In => BinaryOp::In,
        _ => return None,
    })
}

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens.get(self.pos).unwrap_or(&self.eof)
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        self.tokens.get(self.pos + ahead).unwrap_or(&self.eof)
    }

    fn prev(&self) -> Option<&Token> {
        self.pos.checked_sub(1).and_then(|i| self.tokens.get(i))
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn at(&self, kind: &TokenKind) -> bool {
        &self.peek().kind == kind
    }

    /// Enters one nesting level at `tok`, refusing to go past [`MAX_NESTING`].
    fn enter(&mut self, tok: &Token) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ExprError::syntax(
                tok.start,
                tok.end,
                format!("expression nested too deeply (more than {MAX_NESTING} levels)"),
                "split the condition into simpler parts",
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn node(
        &self,
        kind: ExprKind,
        start: usize,
        end: usize,
        height: usize,
    ) -> Result<Node, ExprError> {
        if height > MAX_TREE_HEIGHT {
            return Err(ExprError::syntax(
                start,
                end,
                format!("expression too complex (more than {MAX_TREE_HEIGHT} operators deep)"),
                "split the condition into simpler parts; use `x in [..]` instead of long `or` chains",
            ));
        }
        Ok(Node {
            expr: Expr::new(kind, start, end),
            height,
        })
    }

    fn binary(&self, op: BinaryOp, lhs: Node, rhs: Node) -> Result<Node, ExprError> {
        let (start, end) = (lhs.expr.start, rhs.expr.end);
        let height = lhs.height.max(rhs.height) + 1;
        self.node(
            ExprKind::Binary {
                op,
                lhs: Box::new(lhs.expr),
                rhs: Box::new(rhs.expr),
            },
            start,
            end,
            height,
        )
    }

    fn parse_or(&mut self) -> Result<Node, ExprError> {
        let mut lhs = self.parse_and()?;
        while self.at(&TokenKind::Or) {
            self.bump();
            let rhs = self.parse_and()?;
            lhs = self.binary(BinaryOp::Or, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn parse_and(&mut self) -> Result<Node, ExprError> {
        let mut lhs = self.parse_not()?;
        while self.at(&TokenKind::And) {
            self.bump();
            let rhs = self.parse_not()?;
            lhs = self.binary(BinaryOp::And, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn parse_not(&mut self) -> Result<Node, ExprError> {
        if !self.at(&TokenKind::Not) {
            return self.parse_comparison();
        }
        let tok = self.bump();
        self.enter(&tok)?;
        let operand = self.parse_not()?;
        self.leave();
        let end = operand.expr.end;
        self.node(
            ExprKind::Unary {
                op: UnaryOp::Not,
                expr: Box::new(operand.expr),
            },
            tok.start,
            end,
            operand.height + 1,
        )
    }

    fn parse_comparison(&mut self) -> Result<Node, ExprError> {
        let lhs = self.parse_additive()?;
        if self.at(&TokenKind::Not) && self.peek_at(1).kind == TokenKind::In {
            let (start, end) = (self.peek().start, self.peek_at(1).end);
            return Err(ExprError::syntax(
                start,
                end,
                "`not in` is not an operator",
                format!("write `not ({} in [...])`", lhs.expr),
            ));
        }
        let Some(op) = cmp_op(&self.peek().kind) else {
            return Ok(lhs);
        };
        let op_tok = self.bump();
        let rhs = if op == BinaryOp::In {
            if !self.at(&TokenKind::LBracket) {
                let found = self.peek().clone();
                let (start, end) = if found.kind == TokenKind::Eof {
                    (op_tok.start, op_tok.end)
                } else {
                    (found.start, found.end)
                };
                return Err(ExprError::syntax(
                    start,
                    end,
                    format!("expected a list after `in`, found {}", found.describe()),
                    format!("write the values in brackets: `{} in ['a', 'b']`", lhs.expr),
                ));
            }
            self.parse_primary()?
        } else {
            self.parse_additive()?
        };
        if let Some(op2) = cmp_op(&self.peek().kind) {
            let tok = self.peek();
            return Err(ExprError::syntax(
                tok.start,
                tok.end,
                format!("comparisons cannot be chained: `{}` after `{}`", op2, op),
                format!(
                    "compare two values at a time and join the comparisons with `and`: `{} {} {} and {} {} …`",
                    lhs.expr, op, rhs.expr, rhs.expr, op2
                ),
            ));
        }
        self.binary(op, lhs, rhs)
    }

    fn parse_additive(&mut self) -> Result<Node, ExprError> {
        let mut lhs = self.parse_unary()?;
        loop {
            let op = match self.peek().kind {
                TokenKind::Plus => BinaryOp::Add,
                TokenKind::Minus => BinaryOp::Sub,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.parse_unary()?;
            lhs = self.binary(op, lhs, rhs)?;
        }
    }

    fn parse_unary(&mut self) -> Result<Node, ExprError> {
        if !self.at(&TokenKind::Minus) {
            return self.parse_primary();
        }
        let tok = self.bump();
        self.enter(&tok)?;
        let operand = self.parse_unary()?;
        self.leave();
        let end = operand.expr.end;
        // `-3` is a negative number, not an operation: the bundle then carries `{"lit":-3}`.
        if let ExprKind::Number(n) = operand.expr.kind {
            return self.node(ExprKind::Number(-n), tok.start, end, 1);
        }
        self.node(
            ExprKind::Unary {
                op: UnaryOp::Neg,
                expr: Box::new(operand.expr),
            },
            tok.start,
            end,
            operand.height + 1,
        )
    }

    fn parse_primary(&mut self) -> Result<Node, ExprError> {
        let tok = self.peek().clone();
        let leaf = match &tok.kind {
            TokenKind::Number(n) => ExprKind::Number(*n),
            TokenKind::Str(s) => ExprKind::Str(s.clone()),
            TokenKind::Duration(d) => ExprKind::Duration(*d),
            TokenKind::True => ExprKind::Bool(true),
            TokenKind::False => ExprKind::Bool(false),
            TokenKind::Null => ExprKind::Null,
            TokenKind::Now => ExprKind::Now,
            TokenKind::Ident(name) if name == "is_set" => return self.parse_is_set(),
            TokenKind::Ident(name) => {
                if self.peek_at(1).kind == TokenKind::LParen {
                    return Err(ExprError::syntax(
                        tok.start,
                        tok.end,
                        format!("unknown function `{name}`"),
                        "the only function is `is_set(field)`",
                    ));
                }
                ExprKind::Field(name.clone())
            }
            TokenKind::LParen => return self.parse_parens(),
            TokenKind::LBracket => return self.parse_list(),
            _ => return Err(self.expected_value()),
        };
        self.bump();
        self.node(leaf, tok.start, tok.end, 1)
    }

    /// The error for a place where a value should be but is not.
    fn expected_value(&self) -> ExprError {
        let found = self.peek();
        let Some(prev) = self.prev() else {
            if found.kind == TokenKind::RParen {
                return ExprError::syntax(
                    found.start,
                    found.end,
                    "unexpected `)`: there is no `(` to close",
                    EXAMPLE,
                );
            }
            return ExprError::syntax(
                found.start,
                found.end,
                format!("expected a value, found {}", found.describe()),
                EXAMPLE,
            );
        };
        if prev.kind == TokenKind::LParen && found.kind == TokenKind::RParen {
            return ExprError::syntax(
                prev.start,
                found.end,
                "empty parentheses",
                "put an expression inside, or remove them",
            );
        }
        if found.kind == TokenKind::Eof {
            // Nothing to point at after the end: point at the operator left hanging.
            return ExprError::syntax(
                prev.start,
                prev.end,
                format!("expected a value after {}", prev.describe()),
                "complete the expression or remove the operator",
            );
        }
        ExprError::syntax(
            found.start,
            found.end,
            format!(
                "expected a value after {}, found {}",
                prev.describe(),
                found.describe()
            ),
            "a value is a field id, a number, 'text', a duration like 7d, true, false, null, now, or a parenthesised expression",
        )
    }

    fn unclosed(open: &Token) -> ExprError {
        ExprError::syntax(
            open.start,
            open.end,
            format!("unclosed `{}` opened here", open.text),
            if open.kind == TokenKind::LBracket {
                "add the missing `]`"
            } else {
                "add the missing `)`"
            },
        )
    }

    fn parse_parens(&mut self) -> Result<Node, ExprError> {
        let open = self.bump();
        self.enter(&open)?;
        if self.at(&TokenKind::Eof) {
            return Err(Self::unclosed(&open));
        }
        let inner = self.parse_or()?;
        self.leave();
        let close = self.peek().clone();
        match close.kind {
            TokenKind::RParen => {
                self.bump();
                // The span grows to cover the parentheses, so messages quote `(a + b)` whole.
                Ok(Node {
                    expr: Expr::new(inner.expr.kind, open.start, close.end),
                    height: inner.height,
                })
            }
            TokenKind::Eof => Err(Self::unclosed(&open)),
            _ => Err(ExprError::syntax(
                close.start,
                close.end,
                format!("expected `)` to close the `(`, found {}", close.describe()),
                "join conditions with `and` or `or`, and close every `(`",
            )),
        }
    }

    fn parse_list(&mut self) -> Result<Node, ExprError> {
        let open = self.bump();
        self.enter(&open)?;
        if self.at(&TokenKind::RBracket) {
            let close = self.peek();
            return Err(ExprError::syntax(
                open.start,
                close.end,
                "empty list",
                "a list needs at least one value, e.g. `['a', 'b']`",
            ));
        }
        let mut items = Vec::new();
        let mut height = 1;
        loop {
            if self.at(&TokenKind::Eof) {
                return Err(Self::unclosed(&open));
            }
            let item = self.parse_or()?;
            height = height.max(item.height + 1);
            items.push(item.expr);
            let tok = self.peek().clone();
            match tok.kind {
                TokenKind::Comma => {
                    self.bump();
                    // A trailing comma is fine: `['a', 'b',]`.
                    if self.at(&TokenKind::RBracket) {
                        let close = self.bump();
                        self.leave();
                        return self.node(ExprKind::List(items), open.start, close.end, height);
                    }
                }
                TokenKind::RBracket => {
                    self.bump();
                    self.leave();
                    return self.node(ExprKind::List(items), open.start, tok.end, height);
                }
                TokenKind::Eof => return Err(Self::unclosed(&open)),
                _ => {
                    return Err(ExprError::syntax(
                        tok.start,
                        tok.end,
                        format!("expected `,` or `]` in the list, found {}", tok.describe()),
                        "separate the values with commas: `['a', 'b']`",
                    ))
                }
            }
        }
    }

    fn parse_is_set(&mut self) -> Result<Node, ExprError> {
        let name = self.bump();
        let usage = "write `is_set(field)`, e.g. `is_set(tracking_no)`";
        let open = self.peek().clone();
        if open.kind != TokenKind::LParen {
            return Err(ExprError::syntax(
                name.start,
                name.end,
                "`is_set` is a function: it needs a field in parentheses",
                usage,
            ));
        }
        self.bump();
        let arg = self.peek().clone();
        let TokenKind::Ident(field) = arg.kind else {
            let (start, end) = if arg.kind == TokenKind::Eof {
                (open.start, open.end)
            } else {
                (arg.start, arg.end)
            };
            return Err(ExprError::syntax(
                start,
                end,
                format!("`is_set` takes a field id, found {}", arg.describe()),
                usage,
            ));
        };
        self.bump();
        let close = self.peek().clone();
        match close.kind {
            TokenKind::RParen => {
                self.bump();
                self.node(ExprKind::IsSet { field }, name.start, close.end, 1)
            }
            TokenKind::Comma => Err(ExprError::syntax(
                close.start,
                close.end,
                "`is_set` takes exactly one field",
                "test each field on its own: `is_set(a) and is_set(b)`",
            )),
            TokenKind::Eof => Err(Self::unclosed(&open)),
            _ => Err(ExprError::syntax(
                close.start,
                close.end,
                format!("expected `)` after the field, found {}", close.describe()),
                usage,
            )),
        }
    }
}

/// Parses a `when` condition. Only syntax is checked here; see
/// [`check_condition`](super::typecheck::check_condition) for fields and types.
pub fn parse_expr(src: &str) -> Result<Expr, ExprError> {
    let tokens = tokenize(src)?;
    let len = src.chars().count();
    let eof = Token {
        kind: TokenKind::Eof,
        start: len,
        end: len,
        text: String::new(),
    };
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
        eof,
    };
    if p.at(&TokenKind::Eof) {
        return Err(ExprError::syntax(0, len, "empty expression", EXAMPLE));
    }
    let node = p.parse_or()?;
    let tok = p.peek();
    match tok.kind {
        TokenKind::Eof => Ok(node.expr),
        TokenKind::RParen => Err(ExprError::syntax(
            tok.start,
            tok.end,
            "unexpected `)`: there is no `(` to close",
            "remove it, or add the missing `(`",
        )),
        _ => Err(ExprError::syntax(
            tok.start,
            tok.end,
            format!("unexpected {} after a complete expression", tok.describe()),
            "join conditions with `and` or `or`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Duration, DurationUnit, ExprErrorKind};

    fn ok(src: &str) -> Expr {
        match parse_expr(src) {
            Ok(e) => e,
            Err(e) => panic!("{src:?}: {e:?}"),
        }
    }

    fn bad(src: &str) -> ExprError {
        match parse_expr(src) {
            Ok(e) => panic!("{src:?} parsed as {e}"),
            Err(e) => {
                assert_eq!(e.kind, ExprErrorKind::Syntax);
                e
            }
        }
    }

    /// The tree as JSON: compares structure without offsets.
    fn tree(src: &str) -> String {
        serde_json::to_string(&ok(src)).unwrap()
    }

    fn span(src: &str) -> (usize, usize) {
        let e = bad(src);
        (e.start, e.end)
    }

    #[test]
    fn precedence_follows_the_grammar() {
        assert_eq!(tree("a or b and c"), tree("a or (b and c)"));
        assert_eq!(tree("not a and b"), tree("(not a) and b"));
        assert_eq!(tree("not a == b"), tree("not (a == b)"));
        assert_eq!(tree("a + b > c - d"), tree("(a + b) > (c - d)"));
        assert_eq!(tree("-a + b"), tree("(-a) + b"));
        assert_eq!(tree("a - b - c"), tree("(a - b) - c"));
        assert_eq!(tree("a or b or c"), tree("(a or b) or c"));
        assert_eq!(tree("x in [1, 2] and y"), tree("(x in [1, 2]) and y"));
    }

    #[test]
    fn parses_the_spec_example_with_offsets() {
        let e = ok("refunded_amount > 0");
        assert_eq!((e.start, e.end), (0, 19));
        let ExprKind::Binary { op, lhs, rhs } = &e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(*op, BinaryOp::Gt);
        assert_eq!(lhs.kind, ExprKind::Field("refunded_amount".into()));
        assert_eq!((rhs.start, rhs.end), (18, 19));
    }

    #[test]
    fn parses_every_primary() {
        assert_eq!(ok("now").kind, ExprKind::Now);
        assert_eq!(ok("null").kind, ExprKind::Null);
        assert_eq!(ok("true").kind, ExprKind::Bool(true));
        assert_eq!(ok("12.5").kind, ExprKind::Number(12.5));
        assert_eq!(ok("'a''b'").kind, ExprKind::Str("a'b".into()));
        assert_eq!(ok("\"x\"").kind, ExprKind::Str("x".into()));
        assert_eq!(
            ok("3bd").kind,
            ExprKind::Duration(Duration {
                amount: 3,
                unit: DurationUnit::BusinessDays
            })
        );
        assert_eq!(
            ok("is_set( tracking_no )").kind,
            ExprKind::IsSet {
                field: "tracking_no".into()
            }
        );
        let ExprKind::List(items) = ok("[1, 'a',]").kind else {
            panic!()
        };
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn negative_numbers_are_folded() {
        let e = ok("-3.5");
        assert_eq!(e.kind, ExprKind::Number(-3.5));
        assert_eq!((e.start, e.end), (0, 4));
        assert_eq!(ok("- -3").kind, ExprKind::Number(3.0));
        assert_eq!(
            tree("a > -(2)"),
            r#"{"op":">","args":[{"field":"a"},{"lit":-2}]}"#
        );
        assert!(matches!(
            ok("-a").kind,
            ExprKind::Unary {
                op: UnaryOp::Neg,
                ..
            }
        ));
        assert!(matches!(
            ok("-7d").kind,
            ExprKind::Unary {
                op: UnaryOp::Neg,
                ..
            }
        ));
    }

    #[test]
    fn parenthesised_spans_include_the_parentheses() {
        let e = ok(" (a + b) ");
        assert_eq!((e.start, e.end), (1, 8));
    }

    #[test]
    fn offsets_count_characters() {
        let e = ok("'已发货' == x");
        let ExprKind::Binary { rhs, .. } = e.kind else {
            panic!()
        };
        assert_eq!((rhs.start, rhs.end), (9, 10));
        assert_eq!(span("'已发货' == )"), (9, 10));
    }

    #[test]
    fn reports_missing_values() {
        let e = bad("a > 0 and");
        assert_eq!(e.message, "expected a value after `and`");
        assert_eq!((e.start, e.end), (6, 9));
        let e = bad("a and or b");
        assert_eq!(e.message, "expected a value after `and`, found `or`");
        assert_eq!((e.start, e.end), (6, 8));
        assert_eq!(bad("a >").message, "expected a value after `>`");
        assert_eq!(bad("-").message, "expected a value after `-`");
        assert_eq!(bad("and a").message, "expected a value, found `and`");
        assert_eq!(bad("()").message, "empty parentheses");
    }

    #[test]
    fn reports_unbalanced_brackets() {
        let e = bad("(a > 0 and b");
        assert_eq!(e.message, "unclosed `(` opened here");
        assert_eq!((e.start, e.end), (0, 1));
        let e = bad("a > 0)");
        assert!(e.message.starts_with("unexpected `)`"));
        assert_eq!((e.start, e.end), (5, 6));
        assert!(bad(")").message.starts_with("unexpected `)`"));
        assert_eq!(span("(a b)"), (3, 4));
        assert_eq!(bad("x in [1, 2").message, "unclosed `[` opened here");
        assert_eq!(span("x in ["), (5, 6));
        assert_eq!(bad("x in [1,").message, "unclosed `[` opened here");
        assert_eq!(bad("a and (").message, "unclosed `(` opened here");
        assert!(bad("x in [1 2]").message.contains("expected `,` or `]`"));
        assert_eq!(bad("x in []").message, "empty list");
    }

    #[test]
    fn reports_empty_and_trailing_input() {
        let e = bad("");
        assert_eq!(e.message, "empty expression");
        let e = bad("   ");
        assert_eq!((e.start, e.end), (0, 3));
        let e = bad("a > 0 b");
        assert_eq!(e.message, "unexpected `b` after a complete expression");
        assert_eq!((e.start, e.end), (6, 7));
    }

    #[test]
    fn rejects_chained_comparisons() {
        let e = bad("a < b < c");
        assert!(e.message.contains("cannot be chained"), "{}", e.message);
        assert_eq!((e.start, e.end), (6, 7));
        assert!(e.help.contains("a < b and b < …"), "{}", e.help);
        assert!(bad("a == b in [1]").message.contains("chained"));
        assert_eq!(tree("(a < b) < c"), tree("(a < b) < c"));
    }

    #[test]
    fn in_needs_a_list() {
        let e = bad("x in y");
        assert!(e.message.contains("expected a list after `in`"));
        assert_eq!((e.start, e.end), (5, 6));
        assert_eq!(span("x in"), (2, 4));
        let e = bad("x not in [1]");
        assert!(e.message.contains("`not in`"));
        assert!(e.help.contains("not (x in [...])"));
    }

    #[test]
    fn is_set_and_functions() {
        assert!(bad("is_set").message.contains("needs a field"));
        assert!(bad("is_set(1)").message.contains("takes a field id"));
        assert!(bad("is_set(a, b)").message.contains("exactly one"));
        assert_eq!(bad("is_set(a").message, "unclosed `(` opened here");
        assert_eq!(span("is_set("), (6, 7));
        let e = bad("len(a) > 0");
        assert_eq!(e.message, "unknown function `len`");
        assert_eq!((e.start, e.end), (0, 3));
    }

    #[test]
    fn lexer_errors_pass_through() {
        assert_eq!(bad("a = 1").message, "`=` is not an operator; use `==`");
        assert_eq!(bad("a && b").message, "`&&` is not an operator; use `and`");
        assert_eq!(bad("x == 'abc").message, "unterminated string");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let parens = "(".repeat(100_000);
        let start = std::time::Instant::now();
        let e = bad(&parens);
        assert!(e.message.contains("nested too deeply"));
        assert_eq!((e.start, e.end), (MAX_NESTING, MAX_NESTING + 1));
        let nots = "not ".repeat(100_000) + "a";
        assert!(bad(&nots).message.contains("nested too deeply"));
        let negs = "-".repeat(100_000) + "a";
        assert!(bad(&negs).message.contains("nested too deeply"));
        let lists = "[".repeat(100_000);
        assert!(bad(&lists).message.contains("nested too deeply"));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn nesting_up_to_the_limit_is_fine() {
        let src = format!("{}a{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert_eq!(ok(&src).kind, ExprKind::Field("a".into()));
        let src = format!("{}a", "not ".repeat(MAX_NESTING));
        assert!(parse_expr(&src).is_ok());
    }

    #[test]
    fn long_chains_are_bounded() {
        let ok_chain = vec!["a"; MAX_TREE_HEIGHT].join(" or ");
        assert!(parse_expr(&ok_chain).is_ok());
        let long = vec!["a"; 100_000].join(" + ");
        assert!(bad(&long).message.contains("too complex"));
        // A long flat list is not deep.
        let list = format!("x in [{}]", vec!["1"; 5_000].join(", "));
        assert!(parse_expr(&list).is_ok());
    }
}
