//! Fields: added, removed, renamed (`was`), and their type, requirement, options, default and
//! title. A required field without a default added to a process is breaking: the records
//! already running do not have it, and no one was asked for it.

use super::{named, Impact, Out, Pair};
use crate::bundle::Field;

pub(crate) fn diff(p: &Pair, out: &mut Out) {
    for h in &p.head.fields {
        let old = p
            .base
            .fields
            .iter()
            .find(|b| p.renames.field(&b.id) == h.id);
        match old {
            None => added(h, out),
            Some(b) => {
                if b.id != h.id {
                    out.push(
                        "field-renamed",
                        Impact::Behavioral,
                        format!("field:{}", h.id),
                        format!(
                            "field {} renamed to `{}` (records keep their value through `was`)",
                            named(&b.title, &b.id),
                            h.id
                        ),
                    );
                }
                changed(b, h, out);
            }
        }
    }
    for b in &p.base.fields {
        let id = p.renames.field(&b.id);
        if !p.head.fields.iter().any(|h| h.id == id) {
            out.push(
                "field-removed",
                Impact::Breaking,
                format!("field:{}", b.id),
                format!(
                    "field {} removed: the values running records hold in it would be lost",
                    named(&b.title, &b.id)
                ),
            );
        }
    }
}

fn added(h: &Field, out: &mut Out) {
    let this = named(&h.title, &h.id);
    if h.required && h.default.is_none() {
        out.push(
            "field-added",
            Impact::Breaking,
            format!("field:{}", h.id),
            format!(
                "required field {this} ({}) added without a default: running records do not have it",
                h.ty
            ),
        );
    } else {
        out.push(
            "field-added",
            Impact::Behavioral,
            format!("field:{}", h.id),
            format!("field {this} ({}) added", h.ty),
        );
    }
}

fn changed(b: &Field, h: &Field, out: &mut Out) {
    let this = named(&h.title, &h.id);
    let subject = || format!("field:{}", h.id);
    if b.ty != h.ty {
        out.push(
            "field-type-changed",
            Impact::Breaking,
            subject(),
            format!(
                "field {this} changed type from {} to {}: stored values may not convert",
                b.ty, h.ty
            ),
        );
    }
    if b.required != h.required {
        let message = if h.required {
            format!("field {this} is now required")
        } else {
            format!("field {this} is no longer required")
        };
        out.push(
            "field-required-changed",
            Impact::Behavioral,
            subject(),
            message,
        );
    }
    if b.options != h.options {
        let (severity, what) = options_changed(b, h);
        out.push(
            "field-options-changed",
            severity,
            subject(),
            format!("options of field {this}: {what}"),
        );
    }
    if b.default != h.default {
        let show =
            |v: &Option<serde_json::Value>| v.as_ref().map_or("none".into(), |v| v.to_string());
        out.push(
            "field-default-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "default of field {this} changed from {} to {}",
                show(&b.default),
                show(&h.default)
            ),
        );
    }
    if b.edit != h.edit || b.role != h.role {
        out.push(
            "field-rights-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "who may write field {this} changed from {} to {}",
                writers(b),
                writers(h)
            ),
        );
    }
    described(b, h, &this, out);
}

/// The options added and removed, in words; removing one breaks records that hold it.
fn options_changed(b: &Field, h: &Field) -> (Impact, String) {
    let missing = |from: &Field, to: &Field| -> Vec<String> {
        from.options
            .iter()
            .filter(|o| !to.options.contains(o))
            .cloned()
            .collect()
    };
    let (removed, added) = (missing(b, h), missing(h, b));
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("added {}", added.join(", ")));
    }
    if !removed.is_empty() {
        parts.push(format!(
            "removed {} (records holding it keep a value that is no longer an option)",
            removed.join(", ")
        ));
    }
    if parts.is_empty() {
        parts.push("reordered".into());
    }
    let severity = if removed.is_empty() {
        Impact::Behavioral
    } else {
        Impact::Breaking
    };
    (severity, parts.join("; "))
}

/// Who may write a field, in words.
fn writers(f: &Field) -> String {
    let edit = if f.edit.is_empty() {
        "nobody by hand".to_string()
    } else {
        super::show_refs(&f.edit)
    };
    match &f.role {
        Some(r) => format!("{edit}, people with role `{r}`"),
        None => edit,
    }
}

/// The cosmetic changes: title and description.
fn described(b: &Field, h: &Field, this: &str, out: &mut Out) {
    let subject = || format!("field:{}", h.id);
    if b.title != h.title {
        out.push(
            "field-title-changed",
            Impact::Cosmetic,
            subject(),
            format!("field `{}` retitled from {} to {}", h.id, b.title, h.title),
        );
    }
    if b.description != h.description {
        out.push(
            "field-description-changed",
            Impact::Cosmetic,
            subject(),
            format!("description of field {this} changed"),
        );
    }
}
