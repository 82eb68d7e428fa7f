//! Notifications of each status kept on both sides, compared by position: a different
//! recipient list or channel is behavioral, the message wording alone is cosmetic.

use super::{named, show_refs, Impact, Out, Pair};
use crate::bundle::Notification;

fn show(n: &Notification) -> String {
    format!("{} by {}", show_refs(&n.to), n.channel)
}

pub(crate) fn diff(p: &Pair, out: &mut Out) {
    for hs in &p.head.statuses {
        let Some(bs) = p.base_status_of(&hs.id) else {
            continue;
        };
        let this = named(&hs.title, &hs.id);
        let subject = || format!("status:{}", hs.id);
        for i in 0..bs.notify.len().max(hs.notify.len()) {
            match (bs.notify.get(i), hs.notify.get(i)) {
                (None, Some(h)) => out.push(
                    "notification-added",
                    Impact::Behavioral,
                    subject(),
                    format!("entering status {this} now notifies {}", show(h)),
                ),
                (Some(b), None) => out.push(
                    "notification-removed",
                    Impact::Behavioral,
                    subject(),
                    format!("entering status {this} no longer notifies {}", show(b)),
                ),
                (Some(b), Some(h)) => {
                    let to: Vec<_> = b.to.iter().map(|r| p.renames.reference(r)).collect();
                    if to != h.to || b.channel != h.channel {
                        out.push(
                            "notification-changed",
                            Impact::Behavioral,
                            subject(),
                            format!(
                                "notification {} of status {this} now goes to {} (was {})",
                                i + 1,
                                show(h),
                                show(b)
                            ),
                        );
                    } else if b.message != h.message {
                        out.push(
                            "notification-message-changed",
                            Impact::Cosmetic,
                            subject(),
                            format!("wording of notification {} of status {this} changed", i + 1),
                        );
                    }
                }
                (None, None) => {}
            }
        }
    }
}
