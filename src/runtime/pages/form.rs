//! Forms: reading what a browser posted (URL-encoded, or multipart when it carries files),
//! turning typed inputs into field values the engine checks, and describing inputs for the
//! templates (the input that fits each field type, what was typed, the error next to it).

use crate::runtime::service::AppState;
use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{json, Value};

use super::data;
use crate::bundle::{Field, Process};
use crate::engine::DateTime;
use crate::runtime::directory::Directory;

/// What a form sent: text values by name (repeated names kept in order) and the ids of the
/// files it uploaded, by input name.
#[derive(Debug, Default, Clone)]
pub struct FormData {
    pub text: Vec<(String, String)>,
    pub files: BTreeMap<String, Vec<String>>,
}

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.text
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.text
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Reads a posted form. Uploaded files are stored (by content) under `files_dir` as they
/// arrive; a file over `max` bytes is refused with a message for the page.
pub async fn read(req: Request, app: &AppState, max: usize) -> Result<FormData, String> {
    let multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let body = Bytes::from_request(req, &())
            .await
            .map_err(|e| format!("the form could not be read: {e}"))?;
        let text = form_urlencoded::parse(&body).into_owned().collect();
        return Ok(FormData {
            text,
            files: BTreeMap::new(),
        });
    }
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|e| format!("the form could not be read: {e}"))?;
    let mut out = FormData::default();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| format!("the form could not be read: {e}"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file) if !file.is_empty() => {
                let mime = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| format!("the upload could not be read: {e}"))?;
                if bytes.len() > max {
                    return Err(format!("`{file}` is larger than {} MiB", max >> 20));
                }
                // Disk and database work: off the async threads' hands (the store lock blocks).
                let id =
                    tokio::task::block_in_place(|| data::store_upload(app, &file, &mime, &bytes))?;
                out.files.entry(name).or_default().push(id);
            }
            Some(_) => {} // an empty file input: nothing chosen
            None => {
                let v = field
                    .text()
                    .await
                    .map_err(|e| format!("the form could not be read: {e}"))?;
                out.text.push((name, v));
            }
        }
    }
    Ok(out)
}

/// The values of `ids` as the engine takes them (`f.<id>` inputs). Empty inputs are left out,
/// so the engine names them if they are needed; a value that does not parse is passed on as
/// text so the engine's `invalid-value` says what is wrong.
pub fn values(
    p: &Process,
    ids: &[String],
    form: &FormData,
    offset: i32,
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for id in ids {
        let Some(f) = p.fields.iter().find(|f| &f.id == id) else {
            continue;
        };
        let name = format!("f.{id}");
        if let Some(v) = value(f, form, &name, offset) {
            out.insert(id.clone(), v);
        }
    }
    out
}

fn value(f: &Field, form: &FormData, name: &str, offset: i32) -> Option<Value> {
    let raw = form.get(name).map(str::trim).unwrap_or("");
    let uploads = form.files.get(name).cloned().unwrap_or_default();
    let invite = invitation(f, form);
    match f.ty.as_str() {
        "user" if raw.is_empty() => invite,
        "users" => {
            let mut people: Vec<Value> = raw
                .split([',', '，', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Value::from)
                .collect();
            people.extend(invite);
            (!people.is_empty()).then(|| Value::Array(people))
        }
        "file" => uploads.into_iter().next().map(Value::from),
        "files" => (!uploads.is_empty()).then(|| json!(uploads)),
        "bool" => Some(Value::Bool(matches!(raw, "on" | "true" | "1" | "yes"))),
        _ if raw.is_empty() => None,
        "number" | "money" => Some(
            raw.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(|n| match n.as_f64() {
                    Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => Value::from(x as i64),
                    _ => Value::Number(n),
                })
                .unwrap_or_else(|| Value::from(raw)),
        ),
        "datetime" => Some(Value::from(
            local_datetime(raw, offset).unwrap_or_else(|| raw.to_string()),
        )),
        _ => Some(Value::from(raw)),
    }
}

/// The invitation a person field's form gives (`invite.<id>.name` and `.contact`, an email
/// or a phone) as the API takes it: `{"invite": {"name", "email"|"phone"}}`. The engine and
/// `runtime::invite` decide whether it stands.
fn invitation(f: &Field, form: &FormData) -> Option<Value> {
    let get = |k: &str| {
        form.get(&format!("invite.{}.{k}", f.id))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let name = get("name");
    let contact = get("contact");
    if name.is_none() && contact.is_none() {
        return None;
    }
    let key = if contact.is_some_and(|c| c.contains('@')) {
        "email"
    } else {
        "phone"
    };
    let mut inv = json!({"name": name.unwrap_or("")});
    if let Some(c) = contact {
        inv[key] = json!(c);
    }
    Some(json!({ "invite": inv }))
}

/// `2026-01-05T14:30` (what `<input type=datetime-local>` sends) → RFC 3339 in the server's
/// zone.
fn local_datetime(s: &str, offset: i32) -> Option<String> {
    if DateTime::parse(s).is_some() {
        return Some(s.to_string());
    }
    let (date, time) = s.split_once('T')?;
    let time = if time.len() == 5 {
        format!("{time}:00")
    } else {
        time.to_string()
    };
    let sign = if offset < 0 { '-' } else { '+' };
    let m = offset.unsigned_abs() / 60;
    let text = format!("{date}T{time}{sign}{:02}:{:02}", m / 60, m % 60);
    DateTime::parse(&text).map(|_| text)
}

/// What a template needs to draw the inputs of `ids`: kind, title, options, the value to show
/// (what was typed, else the record's), and the error for it.
pub fn inputs(
    p: &Process,
    ids: &[String],
    record: Option<&BTreeMap<String, Value>>,
    typed: Option<&FormData>,
    errors: &BTreeMap<String, String>,
    offset: i32,
) -> Vec<Value> {
    ids.iter()
        .filter_map(|id| p.fields.iter().find(|f| &f.id == id))
        .map(|f| {
            let name = format!("f.{}", f.id);
            let shown = match typed {
                Some(t) => t.get(&name).unwrap_or("").to_string(),
                None => record
                    .and_then(|r| r.get(&f.id))
                    .map(|v| show(f, v, offset))
                    .unwrap_or_default(),
            };
            json!({
                "id": f.id, "name": name, "title": f.title, "type": f.ty,
                "kind": kind(&f.ty), "options": f.options, "required": f.required,
                "value": shown, "checked": shown == "on" || shown == "true",
                "error": errors.get(&f.id),
                "files": typed.and_then(|t| t.files.get(&name)),
                "invite": invite_inputs(f, typed),
            })
        })
        .collect()
}

/// The inputs that invite a new person into a person field: only where the SOP gives the
/// field a role (an invited person gets it; without one the server refuses the invitation).
fn invite_inputs(f: &Field, typed: Option<&FormData>) -> Value {
    if !matches!(f.ty.as_str(), "user" | "users") || f.role.is_none() {
        return Value::Null;
    }
    let name = format!("invite.{}.name", f.id);
    let contact = format!("invite.{}.contact", f.id);
    let typed_of = |n: &str| typed.and_then(|t| t.get(n)).unwrap_or("").to_string();
    let (nv, cv) = (typed_of(&name), typed_of(&contact));
    let open = !nv.is_empty() || !cv.is_empty();
    json!({"name": name, "contact": contact, "name_value": nv, "contact_value": cv, "open": open})
}

/// The HTML input type for a field type.
fn kind(ty: &str) -> &'static str {
    match ty {
        "longtext" => "textarea",
        "number" => "number",
        "money" => "money",
        "bool" => "checkbox",
        "date" => "date",
        "datetime" => "datetime-local",
        "choice" => "select",
        "file" => "file",
        "files" => "files",
        "users" => "users",
        "user" => "user",
        _ => "text",
    }
}

/// A stored value as a page lists it: people by their directory name, else as an input
/// shows it.
pub fn display(f: &Field, v: &Value, offset: i32, dir: &Directory) -> String {
    match (f.ty.as_str(), v) {
        ("user", Value::String(u)) => data::name_of(dir, u),
        ("users", Value::Array(a)) => a
            .iter()
            .map(|u| {
                u.as_str()
                    .map_or_else(|| u.to_string(), |u| data::name_of(dir, u))
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => show(f, v, offset),
    }
}

/// A stored value as an input shows it (user ids stay ids: the input takes ids).
pub fn show(f: &Field, v: &Value, offset: i32) -> String {
    match (f.ty.as_str(), v) {
        ("datetime", Value::String(s)) if f.ty == "datetime" => DateTime::parse(s)
            .map(|d| {
                let t = super::due_words::when(d.secs, offset);
                t.replace(' ', "T")
            })
            .unwrap_or_else(|| s.clone()),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::Bool(b)) => {
            if *b {
                "true".into()
            } else {
                String::new()
            }
        }
        (_, Value::Null) => String::new(),
        (_, v) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_local_inputs_get_the_servers_offset() {
        assert_eq!(
            local_datetime("2026-01-05T14:30", 8 * 3600).as_deref(),
            Some("2026-01-05T14:30:00+08:00")
        );
        assert_eq!(local_datetime("yesterday", 0), None);
    }
}
