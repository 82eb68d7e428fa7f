//! Process links of each status kept on both sides: child processes started (`start`) and the
//! parent's move (`move_parent`).

use super::{named, Impact, Out, Pair};
use crate::bundle::StartLink;

fn starts(v: &[StartLink]) -> String {
    if v.is_empty() {
        return "nothing".into();
    }
    v.iter()
        .map(|l| format!("`{}`", l.process))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn diff(p: &Pair, out: &mut Out) {
    for hs in &p.head.statuses {
        let Some(bs) = p.base_status_of(&hs.id) else {
            continue;
        };
        let this = named(&hs.title, &hs.id);
        let subject = || format!("status:{}", hs.id);
        let old_start: Vec<StartLink> = bs
            .start
            .iter()
            .map(|l| StartLink {
                process: l.process.clone(),
                with: l
                    .with
                    .iter()
                    .map(|(c, parent)| (c.clone(), p.renames.field(parent).to_string()))
                    .collect(),
                for_each: l.for_each.as_ref().map(|f| p.renames.field(f).to_string()),
                each: l.each.clone(),
            })
            .collect();
        if old_start != hs.start {
            out.push(
                "link-start-changed",
                Impact::Behavioral,
                subject(),
                format!(
                    "entering status {this} now starts {} (was {})",
                    starts(&hs.start),
                    starts(&bs.start)
                ),
            );
        }
        if bs.move_parent != hs.move_parent || bs.move_parent_all != hs.move_parent_all {
            let show = |m: &Option<String>| {
                let when = if m == &hs.move_parent && hs.move_parent_all
                    || m == &bs.move_parent && bs.move_parent_all && m != &hs.move_parent
                {
                    " once every sibling is there"
                } else {
                    ""
                };
                m.as_ref()
                    .map_or("nowhere".into(), |m| format!("`{m}`{when}"))
            };
            out.push(
                "link-move-parent-changed",
                Impact::Behavioral,
                subject(),
                format!(
                    "entering status {this} now moves the parent record to {} (was {})",
                    show(&hs.move_parent),
                    show(&bs.move_parent)
                ),
            );
        }
    }
}
