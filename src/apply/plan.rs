//! The plan `apply` prints before it uploads: the semantic diff from what the runtime runs to
//! the new bundle (exactly as `sopctl diff` shows it), then the live records that sit in the
//! statuses those changes touch, so that an admin sees whom a change reaches.
//!
//! Which statuses a change touches, on the runtime's side (its ids, before any rename):
//! - cosmetic changes touch none: they change no record's path;
//! - project-wide changes (roles) touch none here: a process that uses a changed role changes
//!   too, and its own changes say where;
//! - `status:ID` changes touch that status (a renamed status: its old id; an added status has
//!   no live records yet);
//! - `transition:FROM->TO` changes touch `FROM`, where the records that would take it wait;
//! - `task:ID` changes touch the status holding the task, before and after (a moved task);
//! - `process:…` and `field:…` changes, and any change without a subject, touch every status
//!   of the process: an owner or a field concerns every record.
//!
//! Live records in a status the new bundle does not have are listed whatever the diff says:
//! records an earlier `--force` left on an older version sit in statuses the running bundle
//! no longer has either, and the runtime would refuse to strand them again.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::client::Live;
use crate::bundle::{Bundle, Process};
use crate::diff::{Change, Impact};

/// One status the plan touches, with its live records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touched {
    pub process: String,
    pub status: String,
    pub records: u64,
    /// The worst severity among the changes that touch it.
    pub severity: Impact,
    /// The kinds of those changes, in the order of the diff, without repeats.
    pub kinds: Vec<&'static str>,
}

/// Where a change reaches, on the base (runtime) side.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reach {
    Nothing,
    Statuses(BTreeSet<String>),
    WholeProcess,
}

/// The base status a head-side (or base-side) id stands for: the same id, or the old id of
/// a rename (`was`).
fn base_status(base: &Process, head: Option<&Process>, id: &str) -> Option<String> {
    if base.statuses.iter().any(|s| s.id == id) {
        return Some(id.to_string());
    }
    let head = head?;
    if let Some(old) = head
        .renames
        .statuses
        .iter()
        .find(|(old, new)| *new == id && base.statuses.iter().any(|s| &s.id == *old))
        .map(|(old, _)| old.clone())
    {
        return Some(old);
    }
    head.statuses
        .iter()
        .find(|s| s.id == id)
        .and_then(|s| {
            s.was
                .iter()
                .find(|old| base.statuses.iter().any(|b| &b.id == *old))
        })
        .cloned()
}

fn reach(base: &Process, head: Option<&Process>, c: &Change) -> Reach {
    if c.severity == Impact::Cosmetic {
        return Reach::Nothing;
    }
    let Some(subject) = c.subject.as_deref() else {
        return Reach::WholeProcess;
    };
    let (what, id) = subject.split_once(':').unwrap_or((subject, ""));
    let mut set = BTreeSet::new();
    match what {
        "status" => set.extend(base_status(base, head, id)),
        "transition" => {
            let from = id.split_once("->").map_or(id, |(f, _)| f);
            set.extend(base_status(base, head, from));
        }
        "task" => {
            let holder = |p: &Process| {
                p.statuses
                    .iter()
                    .find(|s| s.tasks.iter().any(|t| t.id == id))
                    .map(|s| s.id.clone())
            };
            set.extend(holder(base));
            if let Some(h) = head.and_then(holder) {
                set.extend(base_status(base, head, &h));
            }
        }
        "role" => return Reach::Nothing,
        _ => return Reach::WholeProcess,
    }
    Reach::Statuses(set)
}

/// The statuses of the runtime's bundle that `changes` touch, as (process, status) → (worst
/// severity, kinds).
pub fn touched_statuses(
    base: &Bundle,
    head: &Bundle,
    changes: &[Change],
) -> BTreeMap<(String, String), (Impact, Vec<&'static str>)> {
    let mut out: BTreeMap<(String, String), (Impact, Vec<&'static str>)> = BTreeMap::new();
    // An empty status id stands for the whole process.
    let mut add = |process: &str, status: String, c: &Change| {
        let e = out
            .entry((process.to_string(), status))
            .or_insert((c.severity, Vec::new()));
        e.0 = e.0.min(c.severity);
        if !e.1.contains(&c.kind) {
            e.1.push(c.kind);
        }
    };
    for c in changes {
        let Some(b) = base.process(&c.process) else {
            continue;
        };
        match reach(b, head.process(&c.process), c) {
            Reach::Nothing => {}
            Reach::Statuses(set) => {
                for s in set {
                    add(&c.process, s, c);
                }
            }
            Reach::WholeProcess => add(&c.process, String::new(), c),
        }
    }
    out
}

/// What the plan says of live records in a status the new bundle does not have, when no change
/// of the diff covers it: records left on an older version (by an earlier `--force`) sit there.
pub const NOT_IN_BUNDLE: &str = "no such status in the new bundle";

/// Whether the new bundle has `status` of `process`, under its id or as a former id (`was`).
fn head_has(head: &Bundle, process: &str, status: &str) -> bool {
    head.process(process).is_some_and(|p| {
        p.renames.statuses.contains_key(status)
            || p.statuses
                .iter()
                .any(|s| s.id == status || s.was.iter().any(|w| w == status))
    })
}

/// Joins the touched statuses with the runtime's live counts: one line per status with live
/// records, in the runtime's display order. A whole-process change (status `""`) covers every
/// live status of the process, including statuses of older versions still running. Live
/// records in a status the new bundle lacks are always listed (the runtime would refuse to
/// strand them), as [`NOT_IN_BUNDLE`] when no change covers them.
pub fn live_in_touched(
    base: &Bundle,
    head: &Bundle,
    touched: &BTreeMap<(String, String), (Impact, Vec<&'static str>)>,
    live: &[Live],
) -> Vec<Touched> {
    let mut out: Vec<Touched> = Vec::new();
    for l in live.iter().filter(|l| l.records > 0) {
        let whole = touched.get(&(l.process.clone(), String::new()));
        let one = touched.get(&(l.process.clone(), l.status.clone()));
        let (severity, kinds) = match (whole, one) {
            (None, None) if !head_has(head, &l.process, &l.status) => {
                (Impact::Breaking, vec![NOT_IN_BUNDLE])
            }
            (None, None) => continue,
            (Some(w), None) => (w.0, w.1.clone()),
            (None, Some(o)) => (o.0, o.1.clone()),
            (Some(w), Some(o)) => {
                let mut kinds = o.1.clone();
                for k in &w.1 {
                    if !kinds.contains(k) {
                        kinds.push(k);
                    }
                }
                (w.0.min(o.0), kinds)
            }
        };
        out.push(Touched {
            process: l.process.clone(),
            status: l.status.clone(),
            records: l.records,
            severity,
            kinds,
        });
    }
    let order = |t: &Touched| {
        base.process(&t.process)
            .and_then(|p| p.statuses.iter().position(|s| s.id == t.status))
            .unwrap_or(usize::MAX)
    };
    out.sort_by(|a, b| {
        (a.process.as_str(), order(a), a.status.as_str()).cmp(&(
            b.process.as_str(),
            order(b),
            b.status.as_str(),
        ))
    });
    out
}

fn records(n: u64) -> String {
    format!("{n} live record{}", if n == 1 { "" } else { "s" })
}

/// `已发货 (`shipped`)` when the runtime's bundle knows the status's title.
fn status_label(base: &Bundle, process: &str, status: &str) -> String {
    base.process(process)
        .and_then(|p| p.statuses.iter().find(|s| s.id == status))
        .map(|s| s.title.as_str())
        .filter(|t| !t.is_empty() && *t != status)
        .map_or(String::new(), |t| format!(" ({t})"))
}

/// The "live records" part of the plan, for stderr. `live` is `None` when the runtime does not
/// report counts.
pub fn human_live(base: &Bundle, touched: Option<&[Touched]>, color: bool) -> String {
    let mut s = String::new();
    let Some(touched) = touched else {
        s.push_str(
            "live records in affected statuses: unknown (the server does not report /v1/stats)\n",
        );
        return s;
    };
    if touched.is_empty() {
        s.push_str("live records in affected statuses: none\n");
        return s;
    }
    let total: u64 = touched.iter().map(|t| t.records).sum();
    s.push_str(&format!(
        "live records in affected statuses: {} in {} status{}\n",
        records(total),
        touched.len(),
        if touched.len() == 1 { "" } else { "es" }
    ));
    for t in touched {
        let sev = format!("{:<10}", t.severity.as_str());
        let sev = if color {
            let code = match t.severity {
                Impact::Breaking => "1;31",
                Impact::Behavioral => "33",
                Impact::Cosmetic => "2",
            };
            format!("\x1b[{code}m{sev}\x1b[0m")
        } else {
            sev
        };
        s.push_str(&format!(
            "  {sev} {}/{}: {}{}  ({})\n",
            t.process,
            t.status,
            records(t.records),
            status_label(base, &t.process, &t.status),
            t.kinds.join(", ")
        ));
    }
    s
}

/// The stranded statuses of a `would-strand` refusal, one line each.
pub fn human_stranded(base: &Bundle, stranded: &[Live]) -> String {
    stranded
        .iter()
        .map(|l| {
            format!(
                "  {}/{}: {}{}\n",
                l.process,
                l.status,
                records(l.records),
                status_label(base, &l.process, &l.status)
            )
        })
        .collect()
}

/// The `live` items of the JSON output.
pub fn json_live(touched: &[Touched]) -> Value {
    Value::Array(
        touched
            .iter()
            .map(|t| {
                Live {
                    process: t.process.clone(),
                    status: t.status.clone(),
                    records: t.records,
                }
                .to_json()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(process: &str, kind: &'static str, sev: Impact, subject: &str) -> Change {
        Change {
            process: process.into(),
            kind,
            severity: sev,
            message: String::new(),
            subject: Some(subject.into()),
        }
    }

    fn bundle() -> Bundle {
        Bundle::empty()
    }

    #[test]
    fn cosmetic_and_unknown_processes_touch_nothing() {
        let b = bundle();
        let c = vec![
            change("p", "status-title-changed", Impact::Cosmetic, "status:a"),
            change("p", "status-removed", Impact::Breaking, "status:a"),
        ];
        assert!(touched_statuses(&b, &b, &c).is_empty());
    }

    #[test]
    fn whole_process_changes_cover_every_live_status() {
        let b = bundle();
        let mut touched = BTreeMap::new();
        touched.insert(
            ("p".to_string(), String::new()),
            (Impact::Breaking, vec!["process-removed"]),
        );
        touched.insert(
            ("p".to_string(), "b".to_string()),
            (Impact::Behavioral, vec!["task-added"]),
        );
        let live = vec![
            Live {
                process: "p".into(),
                status: "a".into(),
                records: 2,
            },
            Live {
                process: "p".into(),
                status: "b".into(),
                records: 1,
            },
            Live {
                process: "p".into(),
                status: "c".into(),
                records: 0,
            },
            Live {
                process: "q".into(),
                status: "a".into(),
                records: 5,
            },
        ];
        let t = live_in_touched(&b, &b, &touched, &live);
        // `q` is in no change, but the new bundle has no `q` at all: listed too.
        assert_eq!(t.len(), 3);
        assert_eq!(t[2].kinds, vec![NOT_IN_BUNDLE]);
        assert_eq!((t[0].status.as_str(), t[0].records), ("a", 2));
        assert_eq!(t[1].kinds, vec!["task-added", "process-removed"]);
        assert_eq!(t[1].severity, Impact::Breaking);
        let text = human_live(&b, Some(&t), false);
        assert!(text.contains("8 live records in 3 statuses"), "{text}");
        assert!(
            text.contains("p/b: 1 live record  (task-added, process-removed)"),
            "{text}"
        );
        assert!(human_live(&b, None, false).contains("unknown"));
        assert!(human_live(&b, Some(&[]), false).contains("none"));
    }
}
