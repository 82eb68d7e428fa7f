//! `sopctl diff`: a semantic diff of two bundles (SPEC section 8). Both sides are first turned
//! into a [`Bundle`] (the model a runtime sees, see [`source`]), then compared subject by
//! subject, one module each. Every change has a `kind` (subject then constraint, e.g.
//! `status-removed`), a [`Impact`] and an English message quoting the titles users know.
//!
//! Rules shared by every subject:
//! - `was` turns a removal plus an addition into one `*-renamed` change; everything else about
//!   a renamed field or status is compared through the rename map (a renamed status keeps its
//!   transitions, tasks and notifications; a renamed field keeps its `requires`/`fill` uses).
//! - What an added or removed status carries (its tasks, notifications, links and the
//!   transitions into and out of it) is not reported again: the status change says it all.
//! - Role changes are project-wide: their `process` is `"*"`.
//! - Media hashes and the bundle's `source` are never compared; a media list change is cosmetic.
//! - Order is deterministic: by process name (`"*"` first), then subject by subject in a fixed
//!   order (process, fields, statuses, transitions, tasks, notifications, links), each in the
//!   head's display order with removals after.

pub mod field;
pub mod kpi;
pub mod link;
pub mod notification;
pub mod process;
pub mod render;
pub mod role;
pub mod source;
pub mod status;
pub mod task;
pub mod transition;

use std::collections::BTreeMap;

use crate::bundle::{Bundle, Ref};

/// How much a change matters to running records and to people: the `severity` of a change in
/// SPEC section 8, named apart from `diagnostic::Severity` (how bad a finding is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    /// Can strand running records or break integrations.
    Breaking,
    /// Changes what people must do.
    Behavioral,
    /// Titles, guides, wording.
    Cosmetic,
}

impl Impact {
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Breaking => "breaking",
            Impact::Behavioral => "behavioral",
            Impact::Cosmetic => "cosmetic",
        }
    }
    pub const ALL: [Impact; 3] = [Impact::Breaking, Impact::Behavioral, Impact::Cosmetic];
}

/// One semantic change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The process name, or `"*"` for project-wide changes (roles).
    pub process: String,
    /// Subject then constraint, kebab-case: `status-removed`, `field-type-changed`, …
    pub kind: &'static str,
    pub severity: Impact,
    pub message: String,
    /// What changed, e.g. `status:shipped`, `transition:a->b` (not printed in JSON).
    pub subject: Option<String>,
}

/// Collects the changes of one process.
pub(crate) struct Out<'a> {
    process: String,
    changes: &'a mut Vec<Change>,
}

impl Out<'_> {
    pub(crate) fn push(
        &mut self,
        kind: &'static str,
        severity: Impact,
        subject: impl Into<Option<String>>,
        message: String,
    ) {
        self.changes.push(Change {
            process: self.process.clone(),
            kind,
            severity,
            message,
            subject: subject.into(),
        });
    }
}

/// `已发货 (`shipped`)`: the title users know, with the id.
pub(crate) fn named(title: &str, id: &str) -> String {
    if title.is_empty() || title == id {
        format!("`{id}`")
    } else {
        format!("{title} (`{id}`)")
    }
}

pub(crate) fn show_ref(r: &Ref) -> String {
    match r {
        Ref::Role(id) => format!("role:{id}"),
        Ref::Field(id) => format!("field:{id}"),
    }
}

pub(crate) fn show_refs(rs: &[Ref]) -> String {
    if rs.is_empty() {
        return "nobody".into();
    }
    rs.iter().map(show_ref).collect::<Vec<_>>().join(", ")
}

pub(crate) fn show_list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// The rename maps of the head side (old id → new id), applied to base-side ids.
#[derive(Debug, Default)]
pub(crate) struct Renames {
    pub statuses: BTreeMap<String, String>,
    pub fields: BTreeMap<String, String>,
}

impl Renames {
    /// Only the renames whose old id exists in the base and not in the head: a `was` naming
    /// an id that is still there (or never was) is not a rename of this change.
    fn of(base: &crate::bundle::Process, head: &crate::bundle::Process) -> Renames {
        let mut r = Renames::default();
        for s in &head.statuses {
            for old in &s.was {
                if base.statuses.iter().any(|b| &b.id == old)
                    && !head.statuses.iter().any(|h| &h.id == old)
                    && !base.statuses.iter().any(|b| b.id == s.id)
                {
                    r.statuses.insert(old.clone(), s.id.clone());
                }
            }
        }
        for f in &head.fields {
            for old in &f.was {
                if base.fields.iter().any(|b| &b.id == old)
                    && !head.fields.iter().any(|h| &h.id == old)
                    && !base.fields.iter().any(|b| b.id == f.id)
                {
                    r.fields.insert(old.clone(), f.id.clone());
                }
            }
        }
        r
    }
    pub fn status<'a>(&'a self, id: &'a str) -> &'a str {
        self.statuses.get(id).map_or(id, String::as_str)
    }
    pub fn field<'a>(&'a self, id: &'a str) -> &'a str {
        self.fields.get(id).map_or(id, String::as_str)
    }
    pub fn fields(&self, ids: &[String]) -> Vec<String> {
        ids.iter().map(|f| self.field(f).to_string()).collect()
    }
    pub fn reference(&self, r: &Ref) -> Ref {
        match r {
            Ref::Field(f) => Ref::Field(self.field(f).to_string()),
            other => other.clone(),
        }
    }
}

/// Everything a subject module needs about one process present on both sides.
pub(crate) struct Pair<'a> {
    pub base: &'a crate::bundle::Process,
    pub head: &'a crate::bundle::Process,
    pub renames: Renames,
}

impl Pair<'_> {
    /// The head status a base status became (same id, or renamed), if any.
    pub fn head_status(&self, base_id: &str) -> Option<&crate::bundle::Status> {
        let id = self.renames.status(base_id);
        self.head.statuses.iter().find(|s| s.id == id)
    }
    pub fn base_status_of(&self, head_id: &str) -> Option<&crate::bundle::Status> {
        self.base
            .statuses
            .iter()
            .find(|s| self.renames.status(&s.id) == head_id)
    }
    pub fn status_title(&self, head_or_base_id: &str) -> String {
        let t = self
            .head
            .statuses
            .iter()
            .chain(&self.base.statuses)
            .find(|s| s.id == head_or_base_id)
            .map(|s| s.title.as_str())
            .unwrap_or("");
        named(t, head_or_base_id)
    }
}

/// The semantic changes from `base` to `head`, in a deterministic order.
pub fn diff(base: &Bundle, head: &Bundle) -> Vec<Change> {
    let mut changes = Vec::new();
    role::diff(base, head, &mut changes);
    let mut names: Vec<&str> = base
        .processes
        .iter()
        .chain(&head.processes)
        .map(|p| p.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        one(base, head, name, &mut changes);
    }
    changes
}

/// The changes of one process only (for `log`).
pub fn diff_process(base: &Bundle, head: &Bundle, name: &str) -> Vec<Change> {
    let mut changes = Vec::new();
    one(base, head, name, &mut changes);
    changes
}

fn one(base: &Bundle, head: &Bundle, name: &str, changes: &mut Vec<Change>) {
    let mut out = Out {
        process: name.to_string(),
        changes,
    };
    match (base.process(name), head.process(name)) {
        (None, Some(h)) => process::added(h, &mut out),
        (Some(b), None) => process::removed(b, &mut out),
        (Some(b), Some(h)) => {
            let pair = Pair {
                base: b,
                head: h,
                renames: Renames::of(b, h),
            };
            process::changed(&pair, &mut out);
            field::diff(&pair, &mut out);
            status::diff(&pair, &mut out);
            transition::diff(&pair, &mut out);
            task::diff(&pair, &mut out);
            notification::diff(&pair, &mut out);
            link::diff(&pair, &mut out);
            kpi::diff(&pair, &mut out);
        }
        (None, None) => {}
    }
}

/// The highest severity present, if any change.
pub fn worst(changes: &[Change]) -> Option<Impact> {
    changes.iter().map(|c| c.severity).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(severity: Impact) -> Change {
        Change {
            process: "p".into(),
            kind: "x",
            severity,
            message: String::new(),
            subject: None,
        }
    }

    #[test]
    fn breaking_is_the_worst() {
        assert_eq!(worst(&[]), None);
        let v = [change(Impact::Cosmetic), change(Impact::Breaking)];
        assert_eq!(worst(&v), Some(Impact::Breaking));
        assert!(Impact::Breaking < Impact::Behavioral);
    }

    #[test]
    fn names_quote_titles_with_ids() {
        assert_eq!(named("已发货", "shipped"), "已发货 (`shipped`)");
        assert_eq!(named("", "shipped"), "`shipped`");
    }

    #[test]
    fn identical_bundles_have_no_changes() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/diff/task-due-changed/expected.txt"
        ))
        .unwrap();
        assert!(!text.is_empty());
        let empty = Bundle::empty();
        assert!(diff(&empty, &empty).is_empty());
    }
}
