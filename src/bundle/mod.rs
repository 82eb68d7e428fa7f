//! The bundle (SPEC section 8): a validated project compiled into one JSON file that a runtime
//! executes without parsing anything again. `compile` builds it from the model, `canonical`
//! defines the bytes its `hash` covers, and the types here read it back (`Bundle::from_json`)
//! for the stages that start from a bundle file: `diff --base bundle.json`, `apply`, `serve`.
//!
//! Shape rules, so that a runtime (and `schemas/bundle.schema.json`) can rely on them:
//! - every key is always present; an absent optional value is `null`, an absent list `[]`;
//! - lists keep the source order where the order means something (fields, statuses, tasks,
//!   checklists, notifications, …); roles are sorted by id, processes by name, transitions by
//!   the display order of their `from` status, then of their `to` status;
//! - mappings whose order means nothing (`start.with`, `renames`) are sorted by key;
//! - nothing depends on file names, YAML formatting or comments, and there are no positions;
//! - keys added in v1.1 (rights, `each`, `for_each`, approval steps as work) are left out when
//!   absent or at their default, so a v1 project that does not use them keeps its bytes and
//!   its hash, and a v1 bundle reads back unchanged.

pub mod canonical;
pub mod compile;
pub mod source;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::expr::{Due, Duration, DurationUnit, Expr};

pub use compile::compile;

/// The value of `format`.
pub const FORMAT: &str = "sopctl-bundle/1";

/// The file name inside the output folder.
pub const FILE_NAME: &str = "bundle.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`FORMAT`].
    pub format: String,
    /// `"sha256:<hex>"` over the canonical JSON of `roles` and `processes`: see
    /// [`canonical::hash`].
    pub hash: String,
    /// Where the sources came from; not hashed.
    pub source: Source,
    pub roles: Vec<Role>,
    pub processes: Vec<Process>,
}

/// The git state of the sources when the bundle was built (outside the hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The commit checked out (`HEAD`), or null outside a repository or before the first commit.
    pub commit: Option<String>,
    /// True when an input of the build (a source file, a media file, `sopctl.yaml`) differs
    /// from that commit: modified, staged, untracked, or a deleted source file.
    pub dirty: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub bot: bool,
    pub external: bool,
}

/// `role:<id>` as `{"role":"<id>"}`, `field:<id>` as `{"field":"<id>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Ref {
    Role(String),
    Field(String),
}

/// A duration: `{"amount":2,"unit":"h","minutes":120}`; `minutes` is null for business days,
/// whose length depends on the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dur {
    pub amount: u64,
    pub unit: DurationUnit,
    pub minutes: Option<u64>,
}

impl Dur {
    pub fn duration(&self) -> Duration {
        Duration {
            amount: self.amount,
            unit: self.unit,
        }
    }
}

impl From<Duration> for Dur {
    fn from(d: Duration) -> Dur {
        Dur {
            amount: d.amount,
            unit: d.unit,
            minutes: d.as_minutes(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub every: Dur,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub owner: Option<Ref>,
    pub review: Option<Review>,
    pub language: Option<String>,
    pub tags: Vec<String>,
    pub purpose: Option<String>,
    pub scope: Option<String>,
    pub record: Option<String>,
    /// In source order.
    pub fields: Vec<Field>,
    /// In display order; the initial status is the one with `initial: true`.
    pub statuses: Vec<Status>,
    /// One per (from, to) pair, `"*"` expanded.
    pub transitions: Vec<Transition>,
    /// Former ids (`was`) to current ids, for moving live records.
    pub renames: Renames,
    /// `spec.create.by`: who may start a record; absent: any user whose roles are not all
    /// external.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_by: Option<Vec<Ref>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renames {
    pub statuses: BTreeMap<String, String>,
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub title: String,
    pub description: Option<String>,
    pub required: bool,
    pub options: Vec<String>,
    /// Canonical JSON value (sorted keys, whole numbers as integers), or null.
    pub default: Option<serde_json::Value>,
    pub was: Vec<String>,
    /// Who may change it by hand while the record is not terminal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edit: Vec<Ref>,
    /// For a person field: the role its people must hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub initial: bool,
    pub terminal: bool,
    pub requires: Vec<String>,
    pub tasks: Vec<Task>,
    pub notify: Vec<Notification>,
    pub start: Vec<StartLink>,
    pub move_parent: Option<String>,
    pub was: Vec<String>,
    /// `move_parent: { when: all }`: the parent waits for every sibling.
    #[serde(default, skip_serializing_if = "is_false")]
    pub move_parent_all: bool,
}

fn is_false(b: &bool) -> bool {
    !b
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartLink {
    pub process: String,
    /// Child field ← parent field.
    pub with: BTreeMap<String, String>,
    /// `for_each`: the users field whose people get one child each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    /// The child fields that receive that person (`each` in `with`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub each: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    pub to: Vec<Ref>,
    pub channel: String,
    /// The MiniJinja template as written.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub assignee: Ref,
    pub on_behalf_of: Option<Ref>,
    pub due: Option<DueRule>,
    pub remind_before: Vec<Dur>,
    pub escalate: Option<Escalation>,
    pub guide: Option<String>,
    pub media: Vec<Media>,
    pub checklist: Vec<String>,
    pub complete: Complete,
    /// One task per person of the users assignee field.
    #[serde(default, skip_serializing_if = "is_false")]
    pub each: bool,
}

/// A due rule: its normalized text and the parsed rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueRule {
    pub source: String,
    pub rule: Due,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    pub after: Dur,
    pub to: Ref,
}

/// A file of the project (`{"path":…,"sha256":…}`) or a link (`{"url":…}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Media {
    File(MediaFile),
    Link(MediaLink),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaFile {
    /// Project-relative, with `/`.
    pub path: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaLink {
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complete {
    pub fill: Vec<String>,
    pub then: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// `"<from>-><to>"`: unique within the process.
    pub id: String,
    pub from: String,
    pub to: String,
    /// True when written as `from: "*"`.
    pub from_any: bool,
    /// The button label; the target status's title when none is written.
    pub title: String,
    /// Who may trigger it by hand: null when `by` is not written (any participant); `[]` when
    /// written empty (only through a task's `complete.then`).
    pub by: Option<Vec<Ref>>,
    pub requires: Vec<String>,
    pub approval: Vec<ApprovalStep>,
    /// Makes the transition automatic.
    pub when: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalStep {
    pub role: String,
    /// `any` (one holder decides) or `all` (every holder).
    pub mode: String,
    /// Shown to approvers; the transition's title when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guide: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DueRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remind_before: Vec<Dur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate: Option<Escalation>,
    /// The requester may decide this step (four-eyes lifted).
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_self_approval: bool,
}

/// A `when` condition: normalized text, the tree to evaluate, and whether it reads the clock
/// (then it must be re-evaluated as time passes, not only when the record changes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub source: String,
    pub expr: Expr,
    pub uses_now: bool,
}

impl Bundle {
    /// Reads a bundle file back into the same types, refusing other formats and any key the
    /// schema does not know.
    pub fn from_json(text: &str) -> Result<Bundle, String> {
        let b: Bundle = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if b.format != FORMAT {
            return Err(format!(
                "format is `{}`, and this sopctl reads `{FORMAT}`",
                b.format
            ));
        }
        Ok(b)
    }

    /// The file's text: pretty-printed with a 2-space indent, keys in the order of the types,
    /// a newline at the end. The same bundle always gives the same bytes.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a bundle always serializes");
        s.push('\n');
        s
    }

    /// The hash of this bundle's contents, computed again (not read from `hash`).
    pub fn content_hash(&self) -> String {
        canonical::hash(&self.roles, &self.processes)
    }

    /// A bundle with no roles and no processes: what an empty runtime runs, and the "before"
    /// side of a process that did not exist yet.
    pub fn empty() -> Bundle {
        Bundle {
            format: FORMAT.into(),
            hash: String::new(),
            source: Source {
                commit: None,
                dirty: false,
            },
            roles: vec![],
            processes: vec![],
        }
    }

    pub fn process(&self, name: &str) -> Option<&Process> {
        self.processes.iter().find(|p| p.name == name)
    }

    /// (processes, statuses, tasks)
    pub fn counts(&self) -> (usize, usize, usize) {
        let statuses = self.processes.iter().map(|p| p.statuses.len()).sum();
        let tasks = self
            .processes
            .iter()
            .flat_map(|p| &p.statuses)
            .map(|s| s.tasks.len())
            .sum();
        (self.processes.len(), statuses, tasks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Bundle {
        let roles = vec![Role {
            id: "sales".into(),
            title: "销售".into(),
            description: None,
            bot: false,
            external: false,
        }];
        Bundle {
            format: FORMAT.into(),
            hash: canonical::hash(&roles, &[]),
            source: Source {
                commit: None,
                dirty: false,
            },
            roles,
            processes: vec![],
        }
    }

    #[test]
    fn writes_a_fixed_key_order_and_a_final_newline() {
        let text = minimal().to_json();
        assert!(text.starts_with("{\n  \"format\": \"sopctl-bundle/1\",\n  \"hash\": \"sha256:"));
        assert!(text.ends_with("]\n}\n"), "{text}");
        assert_eq!(Bundle::from_json(&text).unwrap(), minimal());
    }

    #[test]
    fn refuses_other_formats_and_unknown_keys() {
        let text = minimal().to_json();
        let other = text.replace("sopctl-bundle/1", "sopctl-bundle/2");
        assert!(Bundle::from_json(&other)
            .unwrap_err()
            .contains("sopctl-bundle/2"));
        let extra = text.replacen("\"format\"", "\"extra\": 1, \"format\"", 1);
        assert!(Bundle::from_json(&extra).is_err());
        assert!(Bundle::from_json("[]").is_err());
    }

    #[test]
    fn references_and_media_have_their_json_shapes() {
        let r = serde_json::to_string(&Ref::Field("owner".into())).unwrap();
        assert_eq!(r, r#"{"field":"owner"}"#);
        assert_eq!(
            serde_json::from_str::<Ref>(&r).unwrap(),
            Ref::Field("owner".into())
        );
        let link: Media = serde_json::from_str(r#"{"url":"https://x"}"#).unwrap();
        assert_eq!(
            link,
            Media::Link(MediaLink {
                url: "https://x".into()
            })
        );
        assert!(serde_json::from_str::<Media>(r#"{"url":"https://x","path":"a"}"#).is_err());
        let d = Dur::from(crate::expr::parse_duration("3bd").unwrap());
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"amount":3,"unit":"bd","minutes":null}"#
        );
        assert_eq!(d.duration().to_string(), "3bd");
    }
}
