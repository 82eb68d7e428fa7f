//! Builds `Node` trees from saphyr-parser events: one pass, no recursion, with limits on depth
//! and on alias expansion so that hostile input gets an error instead of a crash.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan, Tag};

use super::node::{Node, Style, Value};
use crate::diagnostic::{Pos, Span};

/// Deeper nesting than this is no SOP; refusing it keeps every later stage safe.
pub const MAX_DEPTH: usize = 64;
/// Nodes one file may expand to through aliases ("billion laughs" stops here).
pub const MAX_NODES: usize = 2_000_000;

/// A parse failure at one place.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
    pub help: String,
    /// The parser's own complaint (not one of our limits): worth recognising the mistake.
    pub from_parser: bool,
    /// Nesting deeper than [`MAX_DEPTH`] (told in the process language by the loader).
    pub too_deep: bool,
}

/// A parsed document and where it starts.
#[derive(Debug, Clone)]
pub struct ParsedDoc {
    pub start: Pos,
    pub root: Node,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: Pos,
        anchor: usize,
    },
    Map {
        pairs: Vec<(Node, Node)>,
        key: Option<Node>,
        start: Pos,
        anchor: usize,
    },
}

fn pos(m: &saphyr_parser::Marker) -> Pos {
    Pos::new(m.line(), m.col() + 1)
}

fn span(s: &YSpan) -> Span {
    Span::new(pos(&s.start), pos(&s.end))
}

/// Parses every document of a file. Stops at the first error: after a syntax error the rest
/// of the file cannot be trusted.
pub fn parse_documents(text: &str) -> Result<Vec<ParsedDoc>, YamlError> {
    let mut b = Builder::default();
    for item in Parser::new_from_str(text) {
        let (event, ys) = item.map_err(|e| parser_error(&e))?;
        b.event(event, span(&ys))?;
    }
    Ok(b.docs)
}

/// The parser's own error in our shape; its depth limit for flow collections in our words.
fn parser_error(e: &saphyr_parser::ScanError) -> YamlError {
    if e.info().contains("recursion limit") {
        return too_deep(pos(e.marker()));
    }
    YamlError {
        pos: pos(e.marker()),
        message: e.info().to_string(),
        help: String::new(),
        from_parser: true,
        too_deep: false,
    }
}

/// The tree being built from events: finished documents, open collections, anchors seen in
/// the current document, and what aliases may still expand to.
struct Builder {
    docs: Vec<ParsedDoc>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    doc_start: Pos,
    root: Option<Node>,
    budget: usize,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder {
            docs: Vec::new(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            doc_start: Pos::START,
            root: None,
            budget: MAX_NODES,
        }
    }
}

impl Builder {
    fn event(&mut self, event: Event<'_>, sp: Span) -> Result<(), YamlError> {
        let done = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
            Event::DocumentStart(_) => {
                self.doc_start = sp.start;
                self.anchors.clear();
                None
            }
            Event::DocumentEnd => {
                self.end_document();
                None
            }
            Event::Alias(id) => Some((self.alias(id, sp)?, 0)),
            Event::Scalar(text, style, anchor, tag) => {
                self.budget = self.budget.saturating_sub(1);
                let (value, st) = scalar(&text, style, tag.as_ref());
                Some((Node::new(value, sp, st), anchor))
            }
            Event::SequenceStart(anchor, _) => {
                let frame = Frame::Seq {
                    items: Vec::new(),
                    start: sp.start,
                    anchor,
                };
                self.open(frame, sp)?;
                None
            }
            Event::MappingStart(anchor, _) => {
                let frame = Frame::Map {
                    pairs: Vec::new(),
                    key: None,
                    start: sp.start,
                    anchor,
                };
                self.open(frame, sp)?;
                None
            }
            Event::SequenceEnd => Some(self.close(sp, true)?),
            Event::MappingEnd => Some(self.close(sp, false)?),
        };
        if let Some((node, anchor)) = done {
            self.attach(node, anchor);
        }
        Ok(())
    }

    fn end_document(&mut self) {
        let start = self.doc_start;
        let root = self
            .root
            .take()
            .unwrap_or_else(|| Node::new(Value::Null, Span::point(start), Style::Plain));
        self.docs.push(ParsedDoc { start, root });
    }

    /// A copy of the anchored node, counted against the expansion budget.
    fn alias(&mut self, id: usize, sp: Span) -> Result<Node, YamlError> {
        let Some((node, size)) = self.anchors.get(&id) else {
            return Err(YamlError {
                pos: sp.start,
                message: "this alias refers to an anchor that is not defined before it".into(),
                help: "define the anchor (`&name`) earlier in the same document".into(),
                from_parser: false,
                too_deep: false,
            });
        };
        if *size > self.budget {
            return Err(YamlError {
                pos: sp.start,
                message: format!("aliases expand this file to more than {MAX_NODES} values"),
                help: "this looks like an alias bomb (\"billion laughs\"); write the values out or use fewer nested aliases".into(),
                from_parser: false,
                too_deep: false,
            });
        }
        self.budget -= size;
        let mut copy = node.clone();
        copy.span = sp;
        Ok(copy)
    }

    fn open(&mut self, frame: Frame, sp: Span) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(too_deep(sp.start));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// The collection that ends here (a sequence or a mapping, as the event says), as a
    /// node, with its anchor.
    fn close(&mut self, sp: Span, seq: bool) -> Result<(Node, usize), YamlError> {
        let (value, start, anchor) = match self.stack.pop() {
            Some(Frame::Seq {
                items,
                start,
                anchor,
            }) if seq => (Value::Seq(items), start, anchor),
            Some(Frame::Map {
                pairs,
                start,
                anchor,
                ..
            }) if !seq => (Value::Map(pairs), start, anchor),
            _ => return Err(internal(sp.start)),
        };
        let node = Node::new(value, Span::new(start, sp.end), Style::Collection);
        Ok((node, anchor))
    }

    /// Puts a finished node where it belongs: the document's root, a list item, a key or a
    /// value.
    fn attach(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors
                .insert(anchor, (node.clone(), count_nodes(&node)));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { pairs, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => pairs.push((k, node)),
            },
        }
    }
}

fn too_deep(at: Pos) -> YamlError {
    YamlError {
        pos: at,
        message: format!("nesting deeper than {MAX_DEPTH} levels (or than the YAML parser allows)"),
        help: "an SOP never needs this depth; check for a runaway indentation or bracket".into(),
        from_parser: false,
        too_deep: true,
    }
}

fn internal(at: Pos) -> YamlError {
    YamlError {
        pos: at,
        message: "unbalanced YAML structure".into(),
        help: "check the indentation and brackets here".into(),
        from_parser: false,
        too_deep: false,
    }
}

fn count_nodes(node: &Node) -> usize {
    // Iterative so that counting cannot overflow the stack either.
    let mut n = 0;
    let mut todo = vec![node];
    while let Some(x) = todo.pop() {
        n += 1;
        match &x.value {
            Value::Seq(items) => todo.extend(items.iter()),
            Value::Map(pairs) => {
                for (k, v) in pairs {
                    todo.push(k);
                    todo.push(v);
                }
            }
            _ => {}
        }
    }
    n
}

/// Resolves a scalar by the YAML 1.2 core schema: so `2026-01-05`, `on` and `yes` stay text.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Cow<'_, Tag>>) -> (Value, Style) {
    let st = match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
        _ => Style::Block,
    };
    if let Some(tag) = tag {
        if tag.is_yaml_core_schema() || tag.handle == "!!" {
            match tag.suffix.as_str() {
                "str" => return (Value::Str(text.to_string()), st),
                "null" => return (Value::Null, st),
                _ => {}
            }
        }
    }
    if st != Style::Plain {
        return (Value::Str(text.to_string()), st);
    }
    (resolve_plain(text), st)
}

fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let bytes = s.as_bytes();
    let first = bytes.first().copied().unwrap_or(b'x');
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Value::Str(s.to_string());
    }
    if let Some(hex) = s.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Value::Int(i);
        }
    }
    if let Some(oct) = s.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Value::Int(i);
        }
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = s.parse::<i64>() {
            return Value::Int(i);
        }
    }
    if is_core_float(digits) {
        if let Ok(f) = s.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_string())
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` without the sign.
fn is_core_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (!a.is_empty() || !b.is_empty())
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
                && !(a.is_empty() && b.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = match exp {
        None => true,
        Some(e) => {
            let d = e.strip_prefix(['-', '+']).unwrap_or(e);
            !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())
        }
    };
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Node {
        let mut docs = parse_documents(src).expect("parses");
        assert_eq!(docs.len(), 1);
        docs.remove(0).root
    }

    #[test]
    fn positions_of_keys_and_values() {
        let n = one("a: 1\nb:\n  c: 'x y'\n");
        let (k, v) = n.get("b").unwrap().entry("c").unwrap();
        assert_eq!(k.span.start, Pos::new(3, 3));
        assert_eq!(v.span.start, Pos::new(3, 6));
        assert_eq!(v.as_str(), Some("x y"));
        assert_eq!(v.sub_span(2, 3).start, Pos::new(3, 9));
    }

    #[test]
    fn cjk_columns_count_characters() {
        let n = one("标题: 发货 单\n");
        let (k, v) = n.as_map().unwrap()[0].clone();
        assert_eq!(k.span.start, Pos::new(1, 1));
        assert_eq!(v.span.start, Pos::new(1, 5));
    }

    #[test]
    fn core_schema_scalars() {
        let n =
            one("a: 2026-01-05\nb: yes\nc: 12\nd: 1.5\ne: ~\nf: true\ng: '12'\nh: 0m\ni: 1e3\n");
        assert_eq!(n.get("a").unwrap().value, Value::Str("2026-01-05".into()));
        assert_eq!(n.get("b").unwrap().value, Value::Str("yes".into()));
        assert_eq!(n.get("c").unwrap().value, Value::Int(12));
        assert_eq!(n.get("d").unwrap().value, Value::Float(1.5));
        assert_eq!(n.get("e").unwrap().value, Value::Null);
        assert_eq!(n.get("f").unwrap().value, Value::Bool(true));
        assert_eq!(n.get("g").unwrap().value, Value::Str("12".into()));
        assert_eq!(n.get("h").unwrap().value, Value::Str("0m".into()));
        assert_eq!(n.get("i").unwrap().value, Value::Float(1000.0));
    }

    #[test]
    fn several_documents() {
        let docs = parse_documents("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].start.line, 2);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            src.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let err = parse_documents(&src).unwrap_err();
        assert!(err.message.contains("aliases expand"), "{}", err.message);
    }

    #[test]
    fn small_aliases_work() {
        let n = one("base: &b [one, two]\nuse: *b\n");
        assert_eq!(n.get("use").unwrap().as_seq().unwrap().len(), 2);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let err = parse_documents(&"[".repeat(10_000)).unwrap_err();
        assert!(err.message.contains("nesting"), "{}", err.message);
        let mut block = String::new();
        for i in 0..200 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        let err = parse_documents(&block).unwrap_err();
        assert!(err.message.contains("nesting"));
    }

    #[test]
    fn syntax_error_has_position() {
        let err = parse_documents("a: b: c\n").unwrap_err();
        assert_eq!(err.pos.line, 1);
    }
}
