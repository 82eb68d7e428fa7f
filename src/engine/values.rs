//! Field values: type checks (and the role a person field asks for), and the fields a move or
//! a completion needs.

use serde_json::Value;

use super::error::*;
use super::events::RecordId;
use super::record::World;
use super::step::Step;
use super::time::DateTime;
use super::{Engine, EngineError};
use crate::bundle::{Field, Process};

impl Engine<'_> {
    /// Checks and normalizes a value for a field; `None` unsets it.
    pub(super) fn check_field_value(
        &self,
        f: &Field,
        v: &Value,
        w: &World,
    ) -> Result<Option<Value>, EngineError> {
        let field = &f.id;
        if v.is_null() {
            return Ok(None);
        }
        match normalize(f, v, w) {
            Some(v) => Ok(Some(v)),
            None if matches!(f.ty.as_str(), "user" | "users") && f.role.is_some() => {
                Err(EngineError::new(
                    INVALID_VALUE,
                    format!(
                        "{} (`{field}`) takes people who hold role `{}`, and `{v}` is not one",
                        f.title,
                        f.role.as_deref().unwrap_or("")
                    ),
                ))
            }
            None => Err(EngineError::new(
                INVALID_VALUE,
                format!("`{v}` is not a valid {} for {} (`{field}`)", f.ty, f.title),
            )),
        }
    }
}

/// A request naming a field the process does not have.
pub(super) fn no_such_field(p: &Process, field: &str) -> EngineError {
    EngineError::new(
        INVALID_VALUE,
        format!("`{}` has no field `{field}`", p.name),
    )
}

/// The value as stored, or None when it does not fit the field.
fn normalize(f: &Field, v: &Value, w: &World) -> Option<Value> {
    let person = |u: &Value| {
        u.as_str().is_some_and(|u| match (w.users.get(u), &f.role) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(roles), Some(role)) => roles.contains(role),
        })
    };
    let ok = match f.ty.as_str() {
        "text" | "longtext" => match v {
            Value::String(_) => true,
            Value::Number(n) => return Some(Value::String(n.to_string())),
            Value::Bool(_) => return Some(Value::String(v.to_string())),
            _ => false,
        },
        "number" | "money" => v.is_number(),
        "bool" => v.is_boolean(),
        "date" => v
            .as_str()
            .is_some_and(|s| DateTime::is_date(s) || DateTime::parse(s).is_some()),
        "datetime" => v.as_str().is_some_and(|s| DateTime::parse(s).is_some()),
        "user" => person(v),
        "users" => match v {
            Value::Array(a) => a.iter().all(person),
            _ if person(v) => return Some(Value::Array(vec![v.clone()])),
            _ => false,
        },
        "file" => v.is_string(),
        "files" => match v {
            Value::Array(a) => a.iter().all(Value::is_string),
            Value::String(_) => return Some(Value::Array(vec![v.clone()])),
            _ => false,
        },
        "choice" => v.as_str().is_some_and(|s| f.options.iter().any(|o| o == s)),
        _ => true,
    };
    ok.then(|| v.clone())
}

impl Step<'_, '_> {
    /// `missing-fields` listing the unfilled fields among `a` and `b`.
    pub fn check_requires(
        &self,
        id: RecordId,
        a: &[String],
        b: &[String],
    ) -> Result<(), EngineError> {
        if a.is_empty() && b.is_empty() {
            return Ok(());
        }
        let r = self.rec(id);
        let (_, p) = self.e.index(&r.process)?;
        // The lists are a few names each: scanning them beats building a set per check.
        let missing: Vec<&Field> = p
            .fields
            .iter()
            .filter(|f| (a.contains(&f.id) || b.contains(&f.id)) && !r.is_set(&f.id))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(EngineError::missing(&missing))
        }
    }

    /// Writes checked values (None unsets) and says so.
    pub fn write(&mut self, id: RecordId, values: Vec<(String, Option<Value>)>) {
        if values.is_empty() {
            return;
        }
        let names = values.iter().map(|(k, _)| k.clone()).collect();
        self.save(id);
        for (k, _) in &values {
            self.save_field(id, k);
        }
        let r = self.rec_mut(id);
        for (k, v) in values {
            match v {
                Some(v) => r.fields.insert(k, v),
                None => r.fields.remove(&k),
            };
        }
        self.push(super::Event::FieldsSet {
            record: id,
            fields: names,
        });
    }
}
