//! Statuses: added, removed, renamed (`was`), made terminal, initial, requirements, titles.

use super::{named, show_list, Impact, Out, Pair};
use crate::bundle::Status;

pub(crate) fn diff(p: &Pair, out: &mut Out) {
    for h in &p.head.statuses {
        changed(p, h, out);
    }
    removed(p, out);
}

/// What became of one status of the new side: added, or changed from its old self.
fn changed(p: &Pair, h: &Status, out: &mut Out) {
    let this = named(&h.title, &h.id);
    let subject = || format!("status:{}", h.id);
    let Some(b) = p.base_status_of(&h.id) else {
        out.push(
            "status-added",
            Impact::Behavioral,
            subject(),
            format!(
                "status {this} added{}",
                if h.tasks.is_empty() {
                    String::new()
                } else {
                    format!(" with {} task(s)", h.tasks.len())
                }
            ),
        );
        return;
    };
    if b.id != h.id {
        out.push(
            "status-renamed",
            Impact::Behavioral,
            subject(),
            format!(
                "status {} renamed to `{}` (records in it move through `was`)",
                named(&b.title, &b.id),
                h.id
            ),
        );
    }
    if h.terminal && !b.terminal {
        out.push(
            "status-made-terminal",
            Impact::Breaking,
            subject(),
            format!("status {this} is now terminal: records in it can no longer move on"),
        );
    } else if b.terminal && !h.terminal {
        out.push(
            "status-made-non-terminal",
            Impact::Behavioral,
            subject(),
            format!("status {this} is no longer terminal: finished records in it may move on"),
        );
    }
    if b.initial != h.initial && h.initial {
        out.push(
            "status-initial-changed",
            Impact::Behavioral,
            subject(),
            format!("new records now start in status {this}"),
        );
    }
    let old_requires = p.renames.fields(&b.requires);
    if old_requires != h.requires {
        out.push(
            "status-requires-changed",
            Impact::Behavioral,
            subject(),
            format!(
                "fields required to enter status {this} changed from [{}] to [{}]",
                show_list(&old_requires),
                show_list(&h.requires)
            ),
        );
    }
    if b.title != h.title {
        out.push(
            "status-title-changed",
            Impact::Cosmetic,
            subject(),
            format!("status `{}` retitled from {} to {}", h.id, b.title, h.title),
        );
    }
    if b.description != h.description {
        out.push(
            "status-description-changed",
            Impact::Cosmetic,
            subject(),
            format!("description of status {this} changed"),
        );
    }
}

/// The statuses of the old side that the new one no longer has.
fn removed(p: &Pair, out: &mut Out) {
    for b in &p.base.statuses {
        if p.head_status(&b.id).is_none() && b.terminal {
            // Records in a terminal status are finished and never migrate: nothing strands.
            out.push(
                "status-removed",
                Impact::Behavioral,
                format!("status:{}", b.id),
                format!(
                    "terminal status {} removed: records that ended there stay as they are, and no record can end there any more",
                    named(&b.title, &b.id)
                ),
            );
        } else if p.head_status(&b.id).is_none() {
            out.push(
                "status-removed",
                Impact::Breaking,
                format!("status:{}", b.id),
                format!(
                    "status {} removed: records in it would be stranded",
                    named(&b.title, &b.id)
                ),
            );
        }
    }
}
