//! `model`: typed, resolved SOPs. Every name and reference keeps the span of the YAML node it
//! came from, so that later stages (check, lint, diff) can point at it.

pub mod build;
pub mod field_type;
pub mod index;
pub mod kpi;
pub mod scenario;

use std::sync::Arc;

use crate::diagnostic::Span;
use crate::expr::{Due, Duration, Expr, ExprError};
use crate::load::node::{sub_span, Style};
pub use field_type::FieldType;
pub use index::IdIndex;
pub use kpi::{Kpi, KpiMeasure};

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Sp<T> {
    pub v: T,
    pub span: Span,
    pub style: Style,
}

impl<T> Sp<T> {
    pub fn new(v: T, span: Span, style: Style) -> Sp<T> {
        Sp { v, span, style }
    }
}

impl Sp<String> {
    pub fn as_str(&self) -> &str {
        &self.v
    }
    /// The span of characters `start..end` inside this text.
    pub fn sub_span(&self, start: usize, end: usize) -> Span {
        sub_span(self.span, self.style, start, end)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    Role,
    Field,
}

/// `role:<id>` or `field:<id>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    pub kind: RefKind,
    pub id: String,
    pub span: Span,
}

impl Ref {
    pub fn parse(text: &str, span: Span) -> Option<Ref> {
        let (kind, id) = if let Some(id) = text.strip_prefix("role:") {
            (RefKind::Role, id)
        } else if let Some(id) = text.strip_prefix("field:") {
            (RefKind::Field, id)
        } else {
            return None;
        };
        Some(Ref {
            kind,
            id: id.to_string(),
            span,
        })
    }
}

impl std::fmt::Display for Ref {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            RefKind::Role => write!(f, "role:{}", self.id),
            RefKind::Field => write!(f, "field:{}", self.id),
        }
    }
}

/// A duration as written and as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationText {
    pub text: Sp<String>,
    pub parsed: Result<Duration, ExprError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub id: Sp<String>,
    pub title: String,
    pub description: Option<String>,
    pub bot: bool,
    pub external: bool,
    pub file: Arc<str>,
}

/// One `Roles` document (its roles are merged into the project's).
#[derive(Debug, Clone, PartialEq)]
pub struct RolesDoc {
    pub name: Sp<String>,
    pub file: Arc<str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LintAllow {
    pub rule: Sp<String>,
    pub reason: Option<Sp<String>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub id: Sp<String>,
    pub ty: FieldType,
    pub ty_span: Span,
    pub title: String,
    pub description: Option<String>,
    pub required: bool,
    pub options: Vec<String>,
    pub default: Option<serde_json::Value>,
    pub was: Vec<Sp<String>>,
    /// Who may change it by hand while the record is not terminal (SPEC 10).
    pub edit: Vec<Ref>,
    /// For a person field: the role its people must hold.
    pub role: Option<Sp<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StartLink {
    pub process: Sp<String>,
    /// `child_field: parent_field` pairs; the parent side may be the word `each` (with
    /// `for_each`: the person the child is for).
    pub with: Vec<(Sp<String>, Sp<String>)>,
    /// `for_each: field:<users field>`: one child per person.
    pub for_each: Option<Ref>,
    pub span: Span,
}

/// The word that stands for the person in `start.with` when `for_each` is given.
pub const EACH: &str = "each";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Inbox,
    Email,
    Feishu,
    Dingtalk,
    Webhook,
}

impl Channel {
    pub fn parse(s: &str) -> Option<Channel> {
        Some(match s {
            "inbox" => Channel::Inbox,
            "email" => Channel::Email,
            "feishu" => Channel::Feishu,
            "dingtalk" => Channel::Dingtalk,
            "webhook" => Channel::Webhook,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Inbox => "inbox",
            Channel::Email => "email",
            Channel::Feishu => "feishu",
            Channel::Dingtalk => "dingtalk",
            Channel::Webhook => "webhook",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub to: Vec<Ref>,
    pub channel: Channel,
    pub message: Sp<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    pub after: DurationText,
    pub to: Ref,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: Sp<String>,
    pub title: Sp<String>,
    pub description: Option<String>,
    pub assignee: Ref,
    pub on_behalf_of: Option<Ref>,
    pub due: Option<Sp<String>>,
    pub due_parsed: Option<Result<Due, ExprError>>,
    pub remind_before: Vec<DurationText>,
    pub escalate: Option<Escalation>,
    pub guide: Option<Sp<String>>,
    pub media: Vec<Sp<String>>,
    pub checklist: Vec<Sp<String>>,
    pub fill: Vec<Sp<String>>,
    pub then: Option<Sp<String>>,
    /// `each: true`: one task per person of the `users` assignee field.
    pub each: Option<Sp<bool>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub id: Sp<String>,
    pub title: Sp<String>,
    pub description: Option<String>,
    pub initial: bool,
    pub terminal: bool,
    pub requires: Vec<Sp<String>>,
    pub tasks: Vec<Task>,
    pub notify: Vec<Notification>,
    pub start: Vec<StartLink>,
    pub move_parent: Option<Sp<String>>,
    /// `move_parent: { to, when: all }`: wait for every sibling.
    pub move_parent_all: bool,
    pub was: Vec<Sp<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApprovalMode {
    Any,
    All,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalStep {
    pub role: Sp<String>,
    pub mode: ApprovalMode,
    /// What the approver is asked; the transition's title when absent.
    pub title: Option<String>,
    pub guide: Option<Sp<String>>,
    pub checklist: Vec<Sp<String>>,
    pub due: Option<Sp<String>>,
    pub due_parsed: Option<Result<Due, ExprError>>,
    pub remind_before: Vec<DurationText>,
    pub escalate: Option<Escalation>,
    /// Lifts four-eyes: the requester may decide this step.
    pub allow_self_approval: bool,
    pub span: Span,
}

/// Where a transition may start.
#[derive(Debug, Clone, PartialEq)]
pub enum From {
    /// `"*"`: every non-terminal status.
    Any(Span),
    List(Vec<Sp<String>>),
}

/// An automatic transition's condition, as written and as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    pub source: Sp<String>,
    pub parsed: Result<Expr, ExprError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub from: From,
    pub to: Sp<String>,
    pub title: Option<String>,
    pub by: Vec<Ref>,
    pub requires: Vec<Sp<String>>,
    pub approval: Vec<ApprovalStep>,
    pub when: Option<Cond>,
    pub span: Span,
    /// Where the `by` and `approval` keys are, if written.
    pub by_key: Option<Span>,
    pub approval_key: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Process {
    pub file: Arc<str>,
    pub name: Sp<String>,
    pub title: Sp<String>,
    pub description: Option<String>,
    pub owner: Option<Ref>,
    pub review_every: Option<DurationText>,
    pub language: Option<String>,
    pub tags: Vec<String>,
    pub lint_allow: Vec<LintAllow>,
    pub purpose: Option<Sp<String>>,
    pub scope: Option<Sp<String>>,
    pub record: Option<String>,
    /// `spec.create.by`: who may start a record; None when not written.
    pub create_by: Option<Vec<Ref>>,
    pub fields: Vec<Field>,
    pub statuses: Vec<Status>,
    pub transitions: Vec<Transition>,
    pub kpis: Vec<Kpi>,
    /// Where the `statuses` key is (for problems of the status set as a whole).
    pub statuses_span: Span,
    /// Where the `metadata` key is (for problems of the process as a whole).
    pub metadata_span: Span,
    /// False when the document failed the schema: its contents are not checked further.
    pub checked: bool,
    pub status_index: IdIndex,
    pub field_index: IdIndex,
}

impl Process {
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.field_index.find(&self.fields, id, |f| &f.id.v)
    }
    pub fn status(&self, id: &str) -> Option<&Status> {
        self.status_index.find(&self.statuses, id, |s| &s.id.v)
    }
    pub fn initial(&self) -> Option<&Status> {
        self.statuses.iter().find(|s| s.initial)
    }
    /// The ids of the statuses a transition leaves from, with `"*"` expanded to every
    /// non-terminal status other than the target (a status never moves to itself).
    pub fn from_ids<'a>(&'a self, t: &'a Transition) -> Vec<&'a str> {
        match &t.from {
            From::Any(_) => self
                .statuses
                .iter()
                .filter(|s| !s.terminal && s.id.v != t.to.v)
                .map(|s| s.id.v.as_str())
                .collect(),
            From::List(ids) => ids.iter().map(|s| s.v.as_str()).collect(),
        }
    }
    /// Every (from, to) edge with the transition it comes from; unknown ids included.
    pub fn edges(&self) -> Vec<(&str, &str, &Transition)> {
        let mut out = Vec::new();
        for t in &self.transitions {
            for f in self.from_ids(t) {
                out.push((f, t.to.v.as_str(), t));
            }
        }
        out
    }
    /// All tasks with the status they belong to.
    pub fn tasks(&self) -> impl Iterator<Item = (&Status, &Task)> {
        self.statuses
            .iter()
            .flat_map(|s| s.tasks.iter().map(move |t| (s, t)))
    }
}

/// A `Scenario` document; its steps are read by `sopctl test`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioDoc {
    pub file: Arc<str>,
    pub name: Sp<String>,
    pub process: Sp<String>,
    pub doc_index: usize,
}

/// Everything loaded from a project.
#[derive(Debug, Clone, Default)]
pub struct Project {
    pub roles: Vec<Role>,
    pub roles_docs: Vec<RolesDoc>,
    /// Shared, so that a project rebuilt after an edit reuses the processes that did not change.
    pub processes: Vec<Arc<Process>>,
    pub scenarios: Vec<ScenarioDoc>,
    pub role_index: IdIndex,
    pub process_index: IdIndex,
}

impl Project {
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.role_index.find(&self.roles, id, |r| &r.id.v)
    }
    pub fn process(&self, name: &str) -> Option<&Process> {
        self.process_index
            .find(&self.processes, name, |p| &p.name.v)
            .map(|p| &**p)
    }
}
