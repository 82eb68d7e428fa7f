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
    /// A key of `start.with`: a field of the started process (named in [`Context::child`]).
    StartedField,
}

/// The expected kind and where the partly typed id starts (a character index in the line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub want: Want,
    pub start: usize,
    /// For [`Want::StartedField`]: the process the `start` link names, if written.
    pub child: Option<String>,
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

/// Where the cursor is within one line.
struct LineKeys {
    /// The keys that lead to the cursor, outermost first.
    keys: Vec<String>,
    in_quote: bool,
    /// The cursor is where a key of a flow mapping goes (after `{` or `,`).
    at_flow_key: bool,
}

/// The keys that lead to the cursor within one line, and where in a flow mapping it is.
fn line_keys(prefix: &[char]) -> LineKeys {
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
            '#' if i == 0 || prefix[i - 1] == ' ' => {
                return LineKeys {
                    keys: Vec::new(),
                    in_quote: false,
                    at_flow_key: false,
                }
            }
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
    let top = &frames[frames.len() - 1];
    let at_flow_key = frames.len() > 1 && top.map && top.key.is_none();
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
    LineKeys {
        keys,
        in_quote: quote.is_some(),
        at_flow_key,
    }
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
    let context = |want| Context {
        want,
        start,
        child: None,
    };
    if typed.ends_with("role:") {
        return Some(context(Want::Role));
    }
    if typed.ends_with("field:") {
        return Some(context(Want::UserField));
    }
    let LineKeys {
        mut keys,
        in_quote,
        at_flow_key,
    } = line_keys(&prefix[..start]);
    let text: String = line.iter().collect();
    let indent = text.len() - text.trim_start_matches([' ', '-']).len();
    let parents = block_parents(lines, n, indent);
    if let Some(want) = in_with(&keys, &parents, at_flow_key) {
        return Some(Context {
            child: (want == Want::StartedField)
                .then(|| started_process(lines, n))
                .flatten(),
            ..context(want)
        });
    }
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
    Some(context(want))
}

/// Inside `start.with` (`child_field: parent_field`): a key is a field of the started process,
/// a value one of this process (or `each`).
fn in_with(keys: &[String], parents: &[String], at_flow_key: bool) -> Option<Want> {
    let is_with = |k: Option<&String>| k.is_some_and(|k| k == "with");
    match keys {
        // `with: { |` or `with: { a: b, |`.
        [.., last] if at_flow_key && last == "with" => Some(Want::StartedField),
        // `with: { a: |`.
        [.., owner, _] if !at_flow_key && owner == "with" => Some(Want::Field),
        // A line of a block mapping under `with:`, before or after its colon.
        [] if is_with(parents.first()) => Some(Want::StartedField),
        [_] if is_with(parents.first()) => Some(Want::Field),
        _ => None,
    }
}

/// The key column and value of a `key: value` line (`- ` list markers skipped).
fn key_value(line: &str) -> (usize, Option<(&str, &str)>) {
    let body = line.trim_start_matches([' ', '-']);
    let column = line.len() - body.len();
    let pair = body
        .split_once(':')
        .map(|(k, v)| (k.trim(), v.trim().trim_start_matches('{').trim()));
    (column, pair)
}

/// The `process:` of a flow mapping written on one line, if any.
fn process_on(line: &str) -> Option<String> {
    let after = line.split("process:").nth(1)?;
    let id: String = after
        .trim_start()
        .chars()
        .take_while(|c| is_id_char(*c))
        .collect();
    (!id.is_empty()).then_some(id)
}

/// The process named by the `start` link whose `with` holds line `n`: its `process:` on the
/// same line (flow style), else on a line of the same list item, above or below.
fn started_process(lines: &Lines, n: usize) -> Option<String> {
    if let Some(id) = process_on(lines.line(n)) {
        return Some(id);
    }
    // The `with:` line: the nearest line above with less indentation.
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    let own = indent_of(lines.line(n));
    let with_line = (0..n).rev().find(|&i| {
        let l = lines.line(i);
        !l.trim().is_empty() && indent_of(l) < own
    })?;
    if let Some(id) = process_on(lines.line(with_line)) {
        return Some(id);
    }
    let (column, _) = key_value(lines.line(with_line));
    let item_key = |i: usize| -> Option<(bool, Option<String>)> {
        let l = lines.line(i);
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            return Some((false, None));
        }
        let (c, pair) = key_value(l);
        if c < column || indent_of(l) > column {
            // Left of the item's keys, or nested below one of them.
            return (c >= column).then_some((false, None));
        }
        let starts_item = l[..c].ends_with("- ");
        let id = pair
            .filter(|(k, _)| *k == "process")
            .and_then(|(_, v)| process_on(&format!("process: {v}")));
        Some((starts_item, id))
    };
    for i in (0..with_line).rev() {
        let (starts_item, id) = item_key(i)?;
        if id.is_some() {
            return id;
        }
        if starts_item {
            break;
        }
    }
    let last = lines.count();
    for i in with_line + 1..last {
        let (starts_item, id) = item_key(i)?;
        if starts_item {
            break;
        }
        if id.is_some() {
            return id;
        }
    }
    None
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

    fn full(text: &str) -> Option<Context> {
        let cursor = text.find('|').unwrap();
        let clean = text.replace('|', "");
        let lines = Lines::new(&clean);
        let before = &clean[..cursor];
        let n = before.matches('\n').count();
        let col = before.rsplit('\n').next().unwrap().chars().count();
        at(&lines, n, col)
    }

    #[test]
    fn start_with_keys_are_fields_of_the_started_process() {
        let started = |text: &str| {
            let c = full(text).expect("a context");
            assert_eq!(c.want, Want::StartedField, "{text}");
            c.child
        };
        let flow = "        - { process: child-a, with: { a: b, | } }";
        assert_eq!(started(flow).as_deref(), Some("child-a"));
        assert_eq!(
            started("  - { process: c, with: { x| } }").as_deref(),
            Some("c")
        );
        assert_eq!(ctx("  - { process: c, with: { a: | } }"), Some(Want::Field));
        let block = "      start:\n        - process: child-b\n          for_each: field:x\n          with:\n            a: each\n            |\n        - process: other\n";
        assert_eq!(started(block).as_deref(), Some("child-b"));
        let after = "        - for_each: field:x\n          with:\n            |\n          process: late\n        - process: other\n";
        assert_eq!(started(after).as_deref(), Some("late"));
        let value = "        - process: c\n          with:\n            a: |\n";
        assert_eq!(ctx(value), Some(Want::Field));
        let unnamed = "        - with:\n            |\n        - process: other\n";
        assert_eq!(started(unnamed), None);
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
