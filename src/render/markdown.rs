//! Guides, purposes and scopes are Markdown written by users. For HTML they become HTML here,
//! with every piece of raw HTML shown as text (never passed through), links limited to safe
//! schemes, and images turned into links (a printed handbook loads nothing). For Markdown
//! output they are inserted as they are, with their headings moved below the page's own.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

fn level_from(n: usize) -> HeadingLevel {
    match n {
        0 | 1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// CJK ideographs, kana, hangul and the CJK punctuation blocks: text in which a line break
/// inside a paragraph must not become a space.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x30FF | 0x3100..=0x31FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

fn safe_url(url: &str) -> bool {
    let lower: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    !(lower.starts_with("javascript:")
        || lower.starts_with("vbscript:")
        || lower.starts_with("data:"))
}

fn last_char(e: &Event) -> Option<char> {
    match e {
        Event::Text(t) | Event::Code(t) => t.chars().last(),
        _ => None,
    }
}

fn first_char(e: &Event) -> Option<char> {
    match e {
        Event::Text(t) | Event::Code(t) => t.chars().next(),
        _ => None,
    }
}

/// Markdown → HTML. Headings start at `top` (a guide's `#` becomes `<h{top}>`).
pub fn to_html(md: &str, top: usize) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let shift = top.saturating_sub(1);
    let mut events: Vec<Event> = Vec::new();
    for ev in Parser::new_ext(md, opts) {
        let ev = match ev {
            // Raw HTML is shown as the text it is.
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level: level_from(level as usize + shift),
                id,
                classes,
                attrs,
            }),
            Event::End(TagEnd::Heading(level)) => {
                Event::End(TagEnd::Heading(level_from(level as usize + shift)))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: if safe_url(&dest_url) {
                    dest_url
                } else {
                    CowStr::from("#")
                },
                title,
                id,
            }),
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url: if safe_url(&dest_url) {
                    dest_url
                } else {
                    CowStr::from("#")
                },
                title,
                id: CowStr::from(""),
            }),
            Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
            other => other,
        };
        events.push(ev);
    }
    // A line break inside a Chinese paragraph is not a space.
    let mut kept: Vec<Event> = Vec::with_capacity(events.len());
    for i in 0..events.len() {
        if matches!(events[i], Event::SoftBreak) {
            let before = i.checked_sub(1).and_then(|j| last_char(&events[j]));
            let after = events.get(i + 1).and_then(first_char);
            if before.is_some_and(is_cjk) || after.is_some_and(is_cjk) {
                continue;
            }
        }
        kept.push(events[i].clone());
    }
    let mut out = String::new();
    html::push_html(&mut out, kept.into_iter());
    out
}

/// The Markdown with `<` of every piece of raw HTML written as `&lt;`: a Markdown viewer shows
/// it as text instead of running it.
fn escape_raw_html(md: &str) -> String {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for (ev, range) in Parser::new_ext(md, Options::ENABLE_TABLES).into_offset_iter() {
        if matches!(ev, Event::Html(_) | Event::InlineHtml(_)) {
            ranges.push(range);
        }
    }
    let mut out = String::with_capacity(md.len());
    let mut at = 0;
    for r in ranges {
        if r.start < at {
            continue;
        }
        out.push_str(&md[at..r.start]);
        out.push_str(&md[r.start..r.end].replace('<', "&lt;"));
        at = r.end;
    }
    out.push_str(&md[at..]);
    out
}

/// Markdown for a Markdown page: the text as written but for raw HTML (shown as text), its
/// ATX headings moved so that `#` becomes `top` hashes, trailing blank lines removed.
pub fn embed(md: &str, top: usize) -> String {
    let md = escape_raw_html(md);
    let shift = top.saturating_sub(1);
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str()) {
                fence = None;
            }
            out.push_str(line);
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(trimmed[..3].to_string());
            out.push_str(line);
        } else if line.starts_with('#') {
            let hashes = line.chars().take_while(|c| *c == '#').count();
            let rest = &line[hashes..];
            if hashes <= 6 && (rest.is_empty() || rest.starts_with(' ')) {
                out.push_str(&"#".repeat((hashes + shift).min(6)));
                out.push_str(rest);
            } else {
                out.push_str(line);
            }
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.ends_with('\n') && !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Text for one cell of a Markdown table: no line breaks, `|` escaped.
pub fn cell(s: &str) -> String {
    s.split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped_never_passed_through() {
        let h = to_html(
            "hi <script>alert(1)</script>\n\n<div onclick=x>y</div>\n",
            4,
        );
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
        assert!(!h.contains("<div"), "{h}");
    }

    #[test]
    fn unsafe_links_are_neutralised_and_images_become_links() {
        let h = to_html("[x](javascript:alert(1)) ![pic](a.png)", 4);
        assert!(!h.contains("javascript"), "{h}");
        assert!(h.contains(r#"<a href="a.png">pic</a>"#), "{h}");
    }

    #[test]
    fn headings_move_down_and_cjk_lines_join() {
        let h = to_html("# 标题\n\n第一行，\n第二行\nand\nmore", 4);
        assert!(h.contains("<h4>标题</h4>"), "{h}");
        assert!(h.contains("第一行，第二行"), "{h}");
        assert!(h.contains("and\nmore"), "{h}");
    }

    #[test]
    fn embed_moves_headings_outside_fences() {
        let md = "# A\ntext\n```\n# not a heading\n```\n## B\n#hashtag\n\n\n";
        assert_eq!(
            embed(md, 4),
            "#### A\ntext\n```\n# not a heading\n```\n##### B\n#hashtag\n"
        );
    }

    #[test]
    fn embed_shows_raw_html_as_text() {
        assert_eq!(
            embed(
                "Call <script>alert(1)</script> **now**\n\n<div>x</div>\n",
                1
            ),
            "Call &lt;script>alert(1)&lt;/script> **now**\n\n&lt;div>x&lt;/div>\n"
        );
        assert_eq!(embed("a `<b>` b", 1), "a `<b>` b\n");
    }

    #[test]
    fn cells() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
