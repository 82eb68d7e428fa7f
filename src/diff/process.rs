//! Processes as a whole: added, removed, and their metadata.

use super::{named, show_ref, Impact, Out, Pair};
use crate::bundle::Process;

pub(crate) fn added(h: &Process, out: &mut Out) {
    out.push(
        "process-added",
        Impact::Behavioral,
        format!("process:{}", h.name),
        format!(
            "process {} added, with {} statuses",
            named(&h.title, &h.name),
            h.statuses.len()
        ),
    );
}

pub(crate) fn removed(b: &Process, out: &mut Out) {
    out.push(
        "process-removed",
        Impact::Breaking,
        format!("process:{}", b.name),
        format!(
            "process {} removed: its running records would be stranded",
            named(&b.title, &b.name)
        ),
    );
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

pub(crate) fn changed(p: &Pair, out: &mut Out) {
    let (b, h) = (p.base, p.head);
    let subject = || format!("process:{}", h.name);
    let this = named(&h.title, &h.name);
    if b.title != h.title {
        out.push(
            "process-title-changed",
            Impact::Cosmetic,
            subject(),
            format!(
                "process `{}` renamed from {} to {}",
                h.name, b.title, h.title
            ),
        );
    }
    if b.owner != h.owner {
        let show = |o: &Option<crate::bundle::Ref>| o.as_ref().map_or("nobody".into(), show_ref);
        out.push(
            "process-owner-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "owner of {this} changed from {} to {}",
                show(&b.owner),
                show(&h.owner)
            ),
        );
    }
    if b.create_by != h.create_by {
        let show = |c: &Option<Vec<crate::bundle::Ref>>| {
            c.as_ref()
                .map_or("any internal user".into(), |v| super::show_refs(v))
        };
        out.push(
            "process-create-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "who may start a record of {this} changed from {} to {}",
                show(&b.create_by),
                show(&h.create_by)
            ),
        );
    }
    texts_changed(p, &this, out);
    if b.review != h.review {
        let show = |r: &Option<crate::bundle::Review>| {
            r.as_ref()
                .map_or("never".into(), |r| format!("every {}", r.every.duration()))
        };
        out.push(
            "process-review-changed",
            Impact::Cosmetic,
            subject(),
            format!(
                "review cadence of {this} changed from {} to {}",
                show(&b.review),
                show(&h.review)
            ),
        );
    }
    if b.tags != h.tags || b.language != h.language {
        out.push(
            "process-metadata-changed",
            Impact::Cosmetic,
            subject(),
            format!("tags or language of {this} changed"),
        );
    }
}

/// The process's descriptive texts: description, purpose, scope and record name.
fn texts_changed(p: &Pair, this: &str, out: &mut Out) {
    let (b, h) = (p.base, p.head);
    let subject = || format!("process:{}", h.name);
    let texts: [(&'static str, &str, &Option<String>, &Option<String>); 4] = [
        (
            "process-description-changed",
            "description",
            &b.description,
            &h.description,
        ),
        ("process-purpose-changed", "purpose", &b.purpose, &h.purpose),
        ("process-scope-changed", "scope", &b.scope, &h.scope),
        (
            "process-record-changed",
            "record name",
            &b.record,
            &h.record,
        ),
    ];
    for (kind, what, old, new) in texts {
        if old != new {
            let message = match (old, new) {
                (None, Some(_)) => format!("{what} of {this} added"),
                (Some(_), None) => format!("{what} of {this} removed"),
                _ if kind == "process-record-changed" => {
                    format!("{what} of {this} changed from {} to {}", opt(old), opt(new))
                }
                _ => format!("{what} of {this} reworded"),
            };
            out.push(kind, Impact::Cosmetic, subject(), message);
        }
    }
}
