//! What kind of id the cursor expects, read from the text around it rather than from the
//! parsed YAML: while a person types, the line is often not valid YAML yet (`to: ` with
//! nothing after it, an unclosed `[`), but the key it belongs to is already written.

use super::text::Lines;

/// The kind of id expected at the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Status,
    Field,
    /// A `role:`/`field:` reference: both kinds are offered until one is typed.
    Ref,
    /// A `role:` reference (the prefix is typed), or a bare role id (`role:` key).
    Role,
    /// A `field:` reference to a person field (the prefix is typed).
    UserField,
    Process,
    Task,
    LintRule,
}

/// The expected kind and where the partly typed id starts (a character index in the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub want: Want,
    pub start: usize,
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
}

/// One open flow collection on the line: whether it is a mapping, and the key that owns it.
struct Frame {
    map: bool,
    owner: Option<String>,
    key: Option<String>,
}

/// The keys that lead to the cursor within one line (outermost first), and whether the cursor
/// is inside a quoted string.
fn line_keys(prefix: &[char]) -> (Vec<String>, bool) {
    let mut frames = vec![Frame {
        map: true,
        owner: None,
        key: None,
    }];
    let mut quote: Option<char> = None;
    let mut word = String::new();
    for (i, &c) in prefix.iter().enumerate() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        let top = frames.len() - 1;
        match c {
            '"' | '\'' if word.is_empty() => quote = Some(c),
            '#' if i == 0 || prefix[i - 1] == ' ' => return (Vec::new(), false),
            ':' if prefix.get(i + 1).is_none_or(|n| *n == ' ') && !word.is_empty() => {
                frames[top].key = Some(std::mem::take(&mut word));
            }
            '{' | '[' => {
                let owner = frames[top].key.clone();
                frames.push(Frame {
                    map: c == '{',
                    owner,
                    key: None,
                });
            }
            '}' | ']' if frames.len() > 1 => {
                frames.pop();
            }
            ',' if frames[top].map => frames[top].key = None,
            _ => {}
        }
        if is_id_char(c) {
            word.push(c);
        } else if c != ':' || !word.is_empty() {
            word.clear();
        }
    }
    let mut keys = Vec::new();
    for f in &frames {
        if let Some(o) = &f.owner {
            keys.push(o.clone());
        }
    }
    if let Some(k) = frames.last().and_then(|f| f.key.clone()) {
        keys.push(k);
    } else if let Some(k) = frames
        .first()
        .and_then(|f| f.key.clone())
        .filter(|_| frames.len() == 1)
    {
        keys.push(k);
    }
    (keys, quote.is_some())
}

/// The keys of the block mappings that hold line `n`, innermost first: each line above with
/// less indentation that ends with `key:` (or is `- key: …`).
fn block_parents(lines: &Lines, n: usize, indent: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut limit = indent;
    for i in (0..n).rev() {
        let line = lines.line(i);
        let body = line.trim_start_matches([' ', '-']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let ind = line.len() - line.trim_start().len();
        if ind >= limit {
            continue;
        }
        if let Some((key, _)) = body.split_once(':') {
            if key.chars().all(is_id_char) && !key.is_empty() {
                out.push(key.to_string());
            }
        }
        limit = ind;
        if ind == 0 {
            break;
        }
    }
    out
}

/// The expected id at character `col` of line `n`, if the cursor is where an id goes.
pub fn at(lines: &Lines, n: usize, col: usize) -> Option<Context> {
    let line: Vec<char> = lines.line(n).chars().collect();
    let prefix = &line[..col.min(line.len())];
    let mut start = prefix.len();
    while start > 0 && is_id_char(prefix[start - 1]) {
        start -= 1;
    }
    let typed: String = prefix[..start].iter().collect();
    if typed.ends_with("role:") {
        return Some(Context {
            want: Want::Role,
            start,
        });
    }
    if typed.ends_with("field:") {
        return Some(Context {
            want: Want::UserField,
            start,
        });
    }
    let (mut keys, in_quote) = line_keys(&prefix[..start]);
    let text: String = line.iter().collect();
    let indent = text.len() - text.trim_start_matches([' ', '-']).len();
    let parents = block_parents(lines, n, indent);
    if keys.is_empty() {
        keys.extend(parents.first().cloned());
    }
    let key = keys.last()?.as_str();
    let around: Vec<&str> = keys
        .iter()
        .rev()
        .skip(1)
        .chain(parents.iter())
        .map(String::as_str)
        .collect();
    let want = want(key, &around, in_quote)?;
    Some(Context { want, start })
}

/// The kind an id under `key` is, given the keys around it (innermost first).
fn want(key: &str, around: &[&str], in_quote: bool) -> Option<Want> {
    let people = around
        .iter()
        .take(3)
        .any(|k| matches!(*k, "notify" | "escalate"));
    if in_quote {
        return matches!(key, "when" | "where").then_some(Want::Field);
    }
    Some(match key {
        "to" if people => Want::Ref,
        "to" | "from" | "then" | "move_parent" | "reached" | "status" | "move" => Want::Status,
        "requires" | "fill" | "average" | "with" | "when" | "where" => Want::Field,
        "role" | "awaiting_approval" => Want::Role,
        "assignee" | "on_behalf_of" | "owner" | "by" | "edit" | "for_each" => Want::Ref,
        "process" | "on" => Want::Process,
        "on_time" | "task" | "open_tasks" | "overdue_tasks" | "reopened" => Want::Task,
        "rule" => Want::LintRule,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(text: &str) -> Option<Want> {
        let cursor = text.find('|').unwrap();
        let clean = text.replace('|', "");
        let lines = Lines::new(&clean);
        let before = &clean[..cursor];
        let n = before.matches('\n').count();
        let col = before.rsplit('\n').next().unwrap().chars().count();
        at(&lines, n, col).map(|c| c.want)
    }

    #[test]
    fn keys_in_flow_and_block_style() {
        assert_eq!(ctx("    - { from: a, to: sh| }"), Some(Want::Status));
        assert_eq!(ctx("    - from: [pending, |]"), Some(Want::Status));
        assert_eq!(ctx("      requires: [a, |"), Some(Want::Field));
        assert_eq!(ctx("  assignee: role:wa|"), Some(Want::Role));
        assert_eq!(ctx("  assignee: field:|"), Some(Want::UserField));
        assert_eq!(ctx("  assignee: |"), Some(Want::Ref));
        assert_eq!(ctx("  when: \"amount > 0 and re|\""), Some(Want::Field));
        assert_eq!(ctx("  title: 已审|"), None);
        assert_eq!(ctx("  escalate: { after: 1d, to: |"), Some(Want::Ref));
        assert_eq!(ctx("  - { process: tr| }"), Some(Want::Process));
        assert_eq!(ctx("  move_parent: { to: |"), Some(Want::Status));
    }

    #[test]
    fn block_lists_take_the_key_above() {
        let t = "    s:\n      requires:\n        - a\n        - |\n";
        assert_eq!(ctx(t), Some(Want::Field));
        let t = "      notify:\n        - to:\n            - |\n";
        assert_eq!(ctx(t), Some(Want::Ref));
        let t = "  transitions:\n    - from: a\n      to: |\n";
        assert_eq!(ctx(t), Some(Want::Status));
    }
}
