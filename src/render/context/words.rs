//! Sentences made from the model: conditions, messages, where a record goes next. The
//! words of each language are in `render::i18n`; this puts them together.

use super::*;

/// The condition in words: field ids become their titles, keywords become words.
pub(super) fn condition_words(p: &Process, source: &str, lang: Lang) -> String {
    let Ok(tokens) = tokenize(source) else {
        return source.to_string();
    };
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    let mut i = 0;
    while let Some(t) = tokens.get(i) {
        if t.kind == TokenKind::Eof {
            break;
        }
        out.extend(chars.get(at..t.start).unwrap_or(&[]));
        // `is_set(field)` → "「field」已填写".
        if let (
            TokenKind::Ident(f),
            Some(TokenKind::LParen),
            Some(TokenKind::Ident(arg)),
            Some(TokenKind::RParen),
        ) = (
            &t.kind,
            tokens.get(i + 1).map(|x| &x.kind),
            tokens.get(i + 2).map(|x| &x.kind),
            tokens.get(i + 3).map(|x| &x.kind),
        ) {
            if f == "is_set" {
                out.push_str(&lang.is_set(&field_title(p, arg)));
                at = tokens[i + 3].end;
                i += 4;
                continue;
            }
        }
        let word = match &t.kind {
            TokenKind::Ident(id) => match p.field(id) {
                Some(f) => lang.quote(&f.title),
                None => lang
                    .condition_word(id)
                    .map_or_else(|| t.text.clone(), str::to_string),
            },
            TokenKind::EqEq => "=".into(),
            TokenKind::Ne => "≠".into(),
            TokenKind::Le => "≤".into(),
            TokenKind::Ge => "≥".into(),
            _ => lang
                .condition_word(&t.text)
                .map_or_else(|| t.text.clone(), str::to_string),
        };
        out.push_str(&word);
        at = t.end;
        i += 1;
    }
    out.extend(chars.get(at..).unwrap_or(&[]));
    out
}

/// A notification template with its placeholders in words: `{{ record.customer }}` →
/// "〈客户名称〉". Never evaluated.
pub(super) fn message_words(p: &Process, status: &Status, template: &str, lang: Lang) -> String {
    let (open, close) = match lang {
        Lang::Zh => ("〈", "〉"),
        Lang::En => ("‹", "›"),
    };
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let inner = after[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let expr = inner.split('|').next().unwrap_or("").trim();
        let words = match expr {
            "record.id" => format!("{open}{}{close}", lang.record_id(&record_noun(p, lang))),
            "process.title" => p.title.v.clone(),
            "status.title" => status.title.v.clone(),
            e => match e.strip_prefix("record.") {
                Some(f) => format!("{open}{}{close}", field_title(p, f)),
                None => format!("{open}{e}{close}"),
            },
        };
        out.push_str(&words);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

pub(super) fn then_words(
    lang: Lang,
    record: &str,
    to: &str,
    approvals: &[String],
    next: &[String],
) -> String {
    match lang {
        Lang::Zh => {
            let mut s = String::new();
            if approvals.is_empty() {
                s.push_str(&format!("{record}转为{}", lang.quote(to)));
            } else {
                s.push_str(&format!(
                    "提交{}审批，通过后{record}转为{}",
                    approvals.join(" → "),
                    lang.quote(to)
                ));
            }
            if !next.is_empty() {
                s.push_str(&format!("，由{}接手", lang.join(next)));
            }
            s.push('。');
            s
        }
        Lang::En => {
            let mut s = String::new();
            if approvals.is_empty() {
                s.push_str(&format!("the {record} moves to {}", lang.quote(to)));
            } else {
                s.push_str(&format!(
                    "it goes for approval ({}); once approved the {record} moves to {}",
                    approvals.join(" → "),
                    lang.quote(to)
                ));
            }
            if !next.is_empty() {
                s.push_str(&format!("; {} takes over", lang.join(next)));
            }
            s.push('.');
            s
        }
    }
}
