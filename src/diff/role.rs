//! Roles are project-wide: their changes have the process `"*"`.

use super::{named, Change, Impact};
use crate::bundle::Bundle;

/// The `process` of project-wide changes.
pub const PROJECT: &str = "*";

pub(crate) fn diff(base: &Bundle, head: &Bundle, out: &mut Vec<Change>) {
    let mut push = |kind, severity, id: &str, message| {
        out.push(Change {
            process: PROJECT.into(),
            kind,
            severity,
            message,
            subject: Some(format!("role:{id}")),
        })
    };
    for h in &head.roles {
        let this = named(&h.title, &h.id);
        match base.roles.iter().find(|b| b.id == h.id) {
            None => push(
                "role-added",
                Impact::Behavioral,
                &h.id,
                format!("role {this} added"),
            ),
            Some(b) => {
                if b.bot != h.bot || b.external != h.external {
                    let kind = |r: &crate::bundle::Role| match (r.bot, r.external) {
                        (true, _) => "a bot",
                        (_, true) => "external",
                        _ => "internal",
                    };
                    push(
                        "role-kind-changed",
                        Impact::Behavioral,
                        &h.id,
                        format!("role {this} is now {} (was {})", kind(h), kind(b)),
                    );
                }
                if b.title != h.title {
                    push(
                        "role-title-changed",
                        Impact::Cosmetic,
                        &h.id,
                        format!("role `{}` retitled from {} to {}", h.id, b.title, h.title),
                    );
                }
                if b.description != h.description {
                    push(
                        "role-description-changed",
                        Impact::Cosmetic,
                        &h.id,
                        format!("description of role {this} changed"),
                    );
                }
            }
        }
    }
    for b in &base.roles {
        if !head.roles.iter().any(|h| h.id == b.id) {
            push(
                "role-removed",
                Impact::Breaking,
                &b.id,
                format!(
                    "role {} removed: its people lose the tasks and approvals given to it",
                    named(&b.title, &b.id)
                ),
            );
        }
    }
}
