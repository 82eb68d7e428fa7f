//! A refusal in the person's words. The engine (and the runtime around it) decides and answers
//! with a code, the fields at fault and, for a choice, the values it takes; the API shows that
//! answer with its English message. The pages word the same answer here, one sentence per
//! code and one note per field at fault, so a page never shows the API's English to a person.

use std::collections::BTreeMap;

use serde_json::Value;

use super::words::{word, Lang};
use crate::bundle::Field;
use crate::engine::error as ecode;
use crate::runtime::error::ApiError;
use crate::runtime::invite::INVITATION;

/// What a page says about a refused form: the sentence at the top, and a note per field id.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

/// The sentence for a refusal that names no field, by code (the runtime's `conflict`,
/// `bad-request` and `internal` included). Unknown codes get the general sentence.
pub fn sentence_key(code: &str) -> &'static str {
    match code {
        ecode::MISSING_FIELDS => "fix_fields",
        ecode::INVALID_VALUE => "fix_values",
        ecode::NOT_ALLOWED => "refused_not_allowed",
        ecode::NO_SUCH_TASK => "refused_gone",
        ecode::NO_SUCH_TRANSITION => "refused_moved_on",
        ecode::NO_SUCH_RECORD | ecode::NO_SUCH_PROCESS | "not-found" | "unknown-process" => {
            "refused_not_found"
        }
        ecode::AUTOMATIC_LOOP => "refused_loop",
        "conflict" => "refused_conflict",
        "internal" => "refused_error",
        _ => "refused_bad",
    }
}

/// The field ids an error names (`fields:[{id,title}]`), in its order.
fn named(e: &ApiError) -> Vec<String> {
    e.body["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v["id"].as_str().or(v.as_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The refusal `e` in `lang`, with a note at each of the process's `fields` it names.
pub fn in_words(fields: &[Field], e: &ApiError, lang: Lang) -> Refusal {
    let code = e.code();
    let ids = named(e);
    let fields: Vec<&Field> = ids
        .iter()
        .filter_map(|id| fields.iter().find(|f| &f.id == id))
        .collect();
    let mut out = Refusal::default();
    if ids.iter().any(|id| id == "reason") && code == ecode::INVALID_VALUE {
        // A rejection's reason is not a field of the process: its own box on the approval page.
        out.message = word(lang, "reason_required").to_string();
        out.fields
            .insert("reason".into(), word(lang, "reason_required").into());
        return out;
    }
    let key = match code {
        ecode::NOT_ALLOWED if !fields.is_empty() => "may_not_fill",
        _ => sentence_key(code),
    };
    out.message = word(lang, key).to_string();
    if !fields.is_empty() {
        let sep = if lang == Lang::Zh { "、" } else { ", " };
        let titles: Vec<&str> = fields.iter().map(|f| f.title.as_str()).collect();
        out.message = format!("{}: {}", out.message, titles.join(sep));
    }
    for f in fields {
        out.fields
            .insert(f.id.clone(), field_note(f, e, code, lang));
    }
    out
}

/// What to say at one field the refusal names.
fn field_note(f: &Field, e: &ApiError, code: &str, lang: Lang) -> String {
    match code {
        ecode::MISSING_FIELDS => word(lang, "fill_this").to_string(),
        ecode::NOT_ALLOWED => word(lang, "may_not_fill_this").to_string(),
        ecode::INVALID_VALUE if about_invitation(f, e) => word(lang, "invite_bad").to_string(),
        ecode::INVALID_VALUE => wanted(f, &e.body["error"]["allowed"], lang),
        _ => word(lang, sentence_key(code)).to_string(),
    }
}

/// Whether the refusal is of an invitation typed into a person field (`runtime::invite`
/// words every refusal of one with [`INVITATION`]).
fn about_invitation(f: &Field, e: &ApiError) -> bool {
    matches!(f.ty.as_str(), "user" | "users")
        && e.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(INVITATION))
}

/// What a field takes, in words: the allowed titles of a choice, the kind of value otherwise.
fn wanted(f: &Field, allowed: &Value, lang: Lang) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    let options: Vec<&str> = match allowed.as_array() {
        Some(a) => a.iter().filter_map(Value::as_str).collect(),
        None => f.options.iter().map(String::as_str).collect(),
    };
    let key = match f.ty.as_str() {
        "choice" => return format!("{}{}", word(lang, "pick_one"), options.join(sep)),
        "user" | "users" if f.role.is_some() => {
            let role = f.role.as_deref().unwrap_or("");
            return format!("{}{role}", word(lang, "want_person_role"));
        }
        "user" | "users" => "want_person",
        "number" | "money" => "want_number",
        "date" => "want_date",
        "datetime" => "want_datetime",
        "file" | "files" => "want_file",
        "bool" => "want_bool",
        _ => "want_value",
    };
    word(lang, key).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use serde_json::json;

    fn field(id: &str, ty: &str, options: &[&str]) -> Field {
        Field {
            id: id.into(),
            ty: ty.into(),
            title: format!("T-{id}"),
            description: None,
            required: false,
            options: options.iter().map(|s| s.to_string()).collect(),
            default: None,
            was: vec![],
            edit: vec![],
            role: None,
        }
    }

    fn err(code: &str, body: Value) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            "the English message",
        );
        for (k, v) in body.as_object().into_iter().flatten() {
            e.body["error"][k] = v.clone();
        }
        e
    }

    const CODES: &[&str] = &[
        ecode::MISSING_FIELDS,
        ecode::NOT_ALLOWED,
        ecode::NO_SUCH_TRANSITION,
        ecode::NO_SUCH_TASK,
        ecode::INVALID_VALUE,
        ecode::AUTOMATIC_LOOP,
        ecode::NO_SUCH_RECORD,
        ecode::NO_SUCH_PROCESS,
        "conflict",
        "bad-request",
        "internal",
    ];

    #[test]
    fn every_code_is_worded_in_both_languages_never_in_the_apis_english() {
        for code in CODES {
            for lang in [Lang::Zh, Lang::En] {
                let r = in_words(&[], &err(code, json!({})), lang);
                assert!(!r.message.is_empty(), "{code} in {lang:?}");
                assert!(!r.message.contains("English"), "{code}: {}", r.message);
            }
            let zh = in_words(&[], &err(code, json!({})), Lang::Zh).message;
            assert!(!zh.is_ascii(), "{code} is said in Chinese: {zh}");
        }
        let keys: Vec<&str> = CODES.iter().map(|c| sentence_key(c)).collect();
        for k in [
            "fix_fields",
            "refused_gone",
            "refused_conflict",
            "refused_loop",
        ] {
            assert!(keys.contains(&k), "{k}");
        }
    }

    #[test]
    fn a_choice_refusal_names_the_allowed_titles_at_the_field() {
        let p = [
            field("pair", "choice", &["中译英", "英译中"]),
            field("n", "number", &[]),
        ];
        let e = err(
            ecode::INVALID_VALUE,
            json!({"fields": [{"id": "pair", "title": "T-pair"}, {"id": "n", "title": "T-n"}],
                   "allowed": ["中译英", "英译中"]}),
        );
        let r = in_words(&p, &e, Lang::Zh);
        assert_eq!(r.fields["pair"], "请从以下选项中选择：中译英、英译中");
        assert_eq!(r.fields["n"], "请填写数字");
        assert!(r.message.starts_with("以下信息不正确") && r.message.ends_with("T-pair、T-n"));
        let en = in_words(&p, &e, Lang::En);
        assert_eq!(en.fields["pair"], "Choose one of: 中译英, 英译中");
    }

    #[test]
    fn missing_and_not_allowed_fields_get_their_own_notes() {
        let p = [field("a", "text", &[])];
        let fields = json!({"fields": [{"id": "a", "title": "T-a"}]});
        let r = in_words(&p, &err(ecode::MISSING_FIELDS, fields.clone()), Lang::Zh);
        assert_eq!(r.fields["a"], "请填写此项");
        assert_eq!(r.message, "请补充以下信息: T-a");
        let r = in_words(&p, &err(ecode::NOT_ALLOWED, fields), Lang::En);
        assert_eq!(r.fields["a"], "You may not fill this in");
        let reason = json!({"fields": [{"id": "reason", "title": "reason"}]});
        let r = in_words(&p, &err(ecode::INVALID_VALUE, reason), Lang::Zh);
        assert_eq!(r.fields["reason"], "驳回时必须写明原因。");
    }
}
