//! Guides, purposes and scopes are Markdown. For print they become a small tree of blocks and
//! inline pieces (JSON) that the typst templates lay out with `md()` in `common.typ`. Text
//! stays text: nothing a user writes is ever read as typst markup. Raw HTML is shown as the
//! text it is, images become their alternative text, and only web and mail links stay links.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::{json, Value};

use crate::render::markdown::is_cjk;

/// One open container while events are read: its kind and what has been collected in it.
struct Open {
    node: Value,
    children: Vec<Value>,
}

/// Markdown → `[block, …]`. Blocks: `{k: p|h|quote|code|hr|list|table, …}`; inline pieces:
/// `{k: t|b|i|s|code|link|br, …}`.
pub fn doc(md: &str) -> Value {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut stack: Vec<Open> = vec![Open {
        node: json!({"k": "root"}),
        children: vec![],
    }];
    let mut soft_break = false;
    for ev in Parser::new_ext(md, opts) {
        match ev {
            Event::Start(tag) => stack.push(Open {
                node: start(&tag),
                children: vec![],
            }),
            Event::End(end) => close(&mut stack, &end),
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text(&mut stack, &t, std::mem::take(&mut soft_break))
            }
            Event::Code(t) => push(&mut stack, json!({"k": "code", "text": t.as_ref()})),
            Event::SoftBreak => soft_break = true,
            Event::HardBreak => push(&mut stack, json!({"k": "br"})),
            Event::Rule => push(&mut stack, json!({"k": "hr"})),
            Event::TaskListMarker(done) => push(
                &mut stack,
                json!({"k": "t", "text": if done { "☑ " } else { "☐ " }}),
            ),
            _ => {}
        }
    }
    while stack.len() > 1 {
        close_top(&mut stack);
    }
    Value::Array(stack.pop().map(|o| o.children).unwrap_or_default())
}

fn start(tag: &Tag) -> Value {
    match tag {
        Tag::Paragraph => json!({"k": "p"}),
        Tag::Heading { level, .. } => json!({"k": "h", "level": *level as usize}),
        Tag::BlockQuote(_) => json!({"k": "quote"}),
        Tag::CodeBlock(_) => json!({"k": "code-block"}),
        Tag::List(first) => {
            json!({"k": "list", "ordered": first.is_some(), "start": first.unwrap_or(1)})
        }
        Tag::Item => json!({"k": "item"}),
        Tag::Emphasis => json!({"k": "i"}),
        Tag::Strong => json!({"k": "b"}),
        Tag::Strikethrough => json!({"k": "s"}),
        Tag::Link { dest_url, .. } => {
            let url = dest_url.to_string();
            let web = ["http://", "https://", "mailto:"]
                .iter()
                .any(|s| url.to_ascii_lowercase().starts_with(s));
            json!({"k": "link", "url": if web { Value::String(url) } else { Value::Null }})
        }
        Tag::Image { .. } => json!({"k": "image"}),
        Tag::Table(_) => json!({"k": "table"}),
        Tag::TableHead => json!({"k": "row", "head": true}),
        Tag::TableRow => json!({"k": "row", "head": false}),
        Tag::TableCell => json!({"k": "cell"}),
        _ => json!({"k": "other"}),
    }
}

fn close(stack: &mut Vec<Open>, _end: &TagEnd) {
    if stack.len() > 1 {
        close_top(stack);
    }
}

/// Finishes the innermost container and hands it to its parent.
fn close_top(stack: &mut Vec<Open>) {
    let Some(Open { mut node, children }) = stack.pop() else {
        return;
    };
    let kind = node["k"].as_str().unwrap_or("").to_string();
    let finished = match kind.as_str() {
        // A code block is one text.
        "code-block" => {
            let text: String = children.iter().filter_map(|c| c["text"].as_str()).collect();
            json!({"k": "code-block", "text": text.trim_end_matches('\n')})
        }
        "list" => {
            node["items"] = Value::Array(children);
            node
        }
        // An image prints as its alternative text.
        "image" => json!({"k": "i", "c": children}),
        "table" => {
            node["rows"] = Value::Array(children);
            node
        }
        "row" => {
            node["cells"] = Value::Array(children);
            node
        }
        // Item contents: tight lists give inline pieces directly; wrap them in a paragraph.
        "item" => Value::Array(blocks(children)),
        "other" => {
            for c in children {
                push(stack, c);
            }
            return;
        }
        _ => {
            node["c"] = Value::Array(children);
            node
        }
    };
    push(stack, finished);
}

/// Inline pieces at block level (a tight list item) go into one paragraph.
fn blocks(children: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    let mut inline = Vec::new();
    for c in children {
        let k = c["k"].as_str().unwrap_or("");
        if matches!(k, "t" | "b" | "i" | "s" | "code" | "link" | "br") {
            inline.push(c);
        } else {
            if !inline.is_empty() {
                out.push(json!({"k": "p", "c": std::mem::take(&mut inline)}));
            }
            out.push(c);
        }
    }
    if !inline.is_empty() {
        out.push(json!({"k": "p", "c": inline}));
    }
    out
}

fn push(stack: &mut [Open], v: Value) {
    if let Some(top) = stack.last_mut() {
        top.children.push(v);
    }
}

/// Adds text to the innermost container, joining it to the text before. A line break inside
/// a paragraph is a space, except between Chinese characters.
fn text(stack: &mut [Open], t: &str, soft_break: bool) {
    let Some(top) = stack.last_mut() else { return };
    let last = top.children.last_mut().filter(|v| v["k"] == "t");
    let sep = |prev: Option<char>| {
        let cjk = prev.is_some_and(is_cjk) || t.chars().next().is_some_and(is_cjk);
        if soft_break && !cjk {
            " "
        } else {
            ""
        }
    };
    match last {
        Some(v) => {
            let prev = v["text"].as_str().unwrap_or("").to_string();
            let joined = format!("{prev}{}{t}", sep(prev.chars().last()));
            v["text"] = Value::String(joined);
        }
        None => {
            let lead = if soft_break && top.children.is_empty() {
                ""
            } else {
                sep(None)
            };
            top.children
                .push(json!({"k": "t", "text": format!("{lead}{t}")}));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lists_and_emphasis() {
        let d = doc("先**审批**，\n再出库。\nthen\nship\n\n- 一\n- `二`\n\n1. a\n");
        assert_eq!(
            d,
            json!([
                {"k": "p", "c": [
                    {"k": "t", "text": "先"},
                    {"k": "b", "c": [{"k": "t", "text": "审批"}]},
                    {"k": "t", "text": "，再出库。then ship"}
                ]},
                {"k": "list", "ordered": false, "start": 1, "items": [
                    [{"k": "p", "c": [{"k": "t", "text": "一"}]}],
                    [{"k": "p", "c": [{"k": "code", "text": "二"}]}]
                ]},
                {"k": "list", "ordered": true, "start": 1, "items": [
                    [{"k": "p", "c": [{"k": "t", "text": "a"}]}]
                ]}
            ])
        );
    }

    #[test]
    fn markup_and_html_stay_text_and_only_web_links_link() {
        let d = doc("#set page(width: 1pt) <b>x</b> [a](javascript:x) [b](https://e.com)");
        let s = d.to_string();
        assert!(s.contains("#set page(width: 1pt)"), "{s}");
        assert!(s.contains("<b>"), "{s}");
        assert!(s.contains(r#""url":null"#), "{s}");
        assert!(s.contains(r#""url":"https://e.com""#), "{s}");
    }

    #[test]
    fn code_blocks_and_tables() {
        let d = doc("```\na\nb\n```\n\n| x | y |\n|---|---|\n| 1 | 2 |\n");
        assert_eq!(d[0], json!({"k": "code-block", "text": "a\nb"}));
        assert_eq!(d[1]["k"], "table");
        assert_eq!(d[1]["rows"].as_array().map(Vec::len), Some(2));
        assert_eq!(d[1]["rows"][0]["head"], true);
    }
}
