//! Builds the typed model from documents that passed the schema. Written defensively anyway:
//! a value of the wrong shape is skipped, never a panic.

use std::sync::Arc;

use super::*;
use crate::expr::{parse_due, parse_duration, parse_expr};
use crate::load::{Document, Node};

/// What one document contributes to the project.
#[derive(Clone)]
pub enum Piece {
    Roles(RolesDoc, Vec<Role>),
    /// Shared: the project and every cache of it hold the same process.
    Process(Arc<Process>),
    Scenario(ScenarioDoc),
}

fn text(n: &Node) -> Option<Sp<String>> {
    Some(Sp::new(n.as_str()?.to_string(), n.span, n.style))
}

fn key_text(k: &Node) -> Sp<String> {
    Sp::new(k.key_text().unwrap_or_default(), k.span, k.style)
}

fn get_text(n: &Node, key: &str) -> Option<Sp<String>> {
    n.get(key).and_then(text)
}

fn get_string(n: &Node, key: &str) -> Option<String> {
    n.get(key).and_then(Node::as_str).map(str::to_string)
}

fn get_bool(n: &Node, key: &str) -> bool {
    n.get(key).and_then(Node::as_bool).unwrap_or(false)
}

fn texts(n: Option<&Node>) -> Vec<Sp<String>> {
    n.and_then(Node::as_seq)
        .map(|items| items.iter().filter_map(text).collect())
        .unwrap_or_default()
}

fn reference(n: Option<&Node>) -> Option<Ref> {
    let n = n?;
    Ref::parse(n.as_str()?, n.span)
}

fn refs(n: Option<&Node>) -> Vec<Ref> {
    n.and_then(Node::as_seq)
        .map(|items| items.iter().filter_map(|i| reference(Some(i))).collect())
        .unwrap_or_default()
}

fn duration(n: &Node) -> Option<DurationText> {
    let t = text(n)?;
    let parsed = parse_duration(&t.v);
    Some(DurationText { text: t, parsed })
}

/// The key node and value node of each entry of a mapping.
fn entries(n: Option<&Node>) -> &[(Node, Node)] {
    n.and_then(Node::as_map).unwrap_or(&[])
}

pub fn build(doc: &Document) -> Option<Piece> {
    let root = &doc.root;
    let meta = root.get("metadata")?;
    let name = get_text(meta, "name")?;
    let spec = root.get("spec");
    match doc.kind()? {
        "Roles" => {
            let roles = entries(spec.and_then(|s| s.get("roles")))
                .iter()
                .map(|(k, v)| Role {
                    id: key_text(k),
                    title: get_string(v, "title").unwrap_or_default(),
                    description: get_string(v, "description"),
                    bot: get_bool(v, "bot"),
                    external: get_bool(v, "external"),
                    file: doc.file.clone(),
                })
                .collect();
            Some(Piece::Roles(
                RolesDoc {
                    name,
                    file: doc.file.clone(),
                },
                roles,
            ))
        }
        "Process" => Some(Piece::Process(Arc::new(process(doc, meta, name, spec?)?))),
        "Scenario" => Some(Piece::Scenario(ScenarioDoc {
            file: doc.file.clone(),
            name,
            process: get_text(spec?, "process")?,
            doc_index: doc.index,
        })),
        _ => None,
    }
}

fn process(doc: &Document, meta: &Node, name: Sp<String>, spec: &Node) -> Option<Process> {
    let title = get_text(meta, "title").unwrap_or_else(|| name.clone());
    let lint_allow = meta
        .get("lint")
        .and_then(|l| l.get("allow"))
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|a| {
            Some(LintAllow {
                rule: get_text(a, "rule")?,
                reason: get_text(a, "reason"),
                span: a.span,
            })
        })
        .collect();
    let fields = entries(spec.get("fields"))
        .iter()
        .filter_map(|(k, v)| field(k, v))
        .collect();
    let statuses = entries(spec.get("statuses"))
        .iter()
        .filter_map(|(k, v)| status(k, v))
        .collect();
    let transitions = spec
        .get("transitions")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(transition)
        .collect();
    let metadata_span = doc
        .root
        .entry("metadata")
        .map(|(k, _)| k.span)
        .unwrap_or(doc.root.span);
    let statuses_span = spec
        .entry("statuses")
        .map(|(k, _)| k.span)
        .unwrap_or(metadata_span);
    Some(Process {
        file: Arc::clone(&doc.file),
        name,
        title,
        description: get_string(meta, "description"),
        owner: reference(meta.get("owner")),
        review_every: meta
            .get("review")
            .and_then(|r| r.get("every"))
            .and_then(duration),
        language: get_string(meta, "language"),
        tags: texts(meta.get("tags")).into_iter().map(|t| t.v).collect(),
        lint_allow,
        purpose: get_text(spec, "purpose"),
        scope: get_text(spec, "scope"),
        record: get_string(spec, "record"),
        create_by: spec
            .get("create")
            .and_then(|c| c.get("by"))
            .map(|b| refs(Some(b))),
        fields,
        statuses,
        transitions,
        kpis: super::kpi::build_all(spec),
        statuses_span,
        metadata_span,
        checked: true,
        status_index: Default::default(),
        field_index: Default::default(),
    })
}

fn field(k: &Node, v: &Node) -> Option<Field> {
    let ty_node = v.get("type")?;
    Some(Field {
        id: key_text(k),
        ty: FieldType::parse(ty_node.as_str()?)?,
        ty_span: ty_node.span,
        title: get_string(v, "title").unwrap_or_default(),
        description: get_string(v, "description"),
        required: get_bool(v, "required"),
        options: texts(v.get("options")).into_iter().map(|t| t.v).collect(),
        default: v.get("default").map(Node::to_json),
        was: texts(v.get("was")),
        edit: refs(v.get("edit")),
        role: get_text(v, "role"),
    })
}

fn status(k: &Node, v: &Node) -> Option<Status> {
    let id = key_text(k);
    Some(Status {
        title: get_text(v, "title").unwrap_or_else(|| id.clone()),
        id,
        description: get_string(v, "description"),
        initial: get_bool(v, "initial"),
        terminal: get_bool(v, "terminal"),
        requires: texts(v.get("requires")),
        tasks: v
            .get("tasks")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(task)
            .collect(),
        notify: v
            .get("notify")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(notification)
            .collect(),
        start: v
            .get("start")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|s| {
                Some(StartLink {
                    process: get_text(s, "process")?,
                    with: entries(s.get("with"))
                        .iter()
                        .filter_map(|(c, p)| Some((key_text(c), text(p)?)))
                        .collect(),
                    for_each: reference(s.get("for_each")),
                    span: s.span,
                })
            })
            .collect(),
        move_parent: get_text(v, "move_parent")
            .or_else(|| v.get("move_parent").and_then(|m| get_text(m, "to"))),
        move_parent_all: v
            .get("move_parent")
            .and_then(|m| m.get("when"))
            .and_then(Node::as_str)
            == Some("all"),
        was: texts(v.get("was")),
    })
}

fn task(v: &Node) -> Option<Task> {
    let due = get_text(v, "due");
    let due_parsed = due.as_ref().map(|d| parse_due(&d.v));
    let complete = v.get("complete");
    Some(Task {
        id: get_text(v, "id")?,
        title: get_text(v, "title")?,
        description: get_string(v, "description"),
        assignee: reference(v.get("assignee"))?,
        on_behalf_of: reference(v.get("on_behalf_of")),
        due,
        due_parsed,
        remind_before: durations(v.get("remind_before")),
        escalate: escalation(v),
        guide: get_text(v, "guide"),
        media: texts(v.get("media")),
        checklist: texts(v.get("checklist")),
        fill: texts(complete.and_then(|c| c.get("fill"))),
        then: complete.and_then(|c| get_text(c, "then")),
        each: v
            .get("each")
            .and_then(|n| Some(Sp::new(n.as_bool()?, n.span, n.style))),
        span: v.span,
    })
}

fn escalation(v: &Node) -> Option<Escalation> {
    let e = v.get("escalate")?;
    Some(Escalation {
        after: duration(e.get("after")?)?,
        to: reference(e.get("to"))?,
    })
}

fn durations(n: Option<&Node>) -> Vec<DurationText> {
    n.and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(duration)
        .collect()
}

fn approval_step(s: &Node) -> Option<ApprovalStep> {
    let due = get_text(s, "due");
    Some(ApprovalStep {
        role: get_text(s, "role")?,
        mode: match s.get("mode").and_then(Node::as_str) {
            Some("all") => ApprovalMode::All,
            _ => ApprovalMode::Any,
        },
        title: get_string(s, "title"),
        guide: get_text(s, "guide"),
        checklist: texts(s.get("checklist")),
        due_parsed: due.as_ref().map(|d| parse_due(&d.v)),
        due,
        remind_before: durations(s.get("remind_before")),
        escalate: escalation(s),
        allow_self_approval: get_bool(s, "allow_self_approval"),
        span: s.span,
    })
}

fn notification(v: &Node) -> Option<Notification> {
    Some(Notification {
        to: refs(v.get("to")),
        channel: v
            .get("channel")
            .and_then(Node::as_str)
            .and_then(Channel::parse)
            .unwrap_or(Channel::Inbox),
        message: get_text(v, "message")?,
        span: v.span,
    })
}

fn transition(v: &Node) -> Option<Transition> {
    let from_node = v.get("from")?;
    let from = match from_node.as_str() {
        Some("*") => From::Any(from_node.span),
        Some(_) => From::List(vec![text(from_node)?]),
        None => From::List(texts(Some(from_node))),
    };
    let when = get_text(v, "when").map(|source| {
        let parsed = parse_expr(&source.v);
        Cond { source, parsed }
    });
    Some(Transition {
        from,
        to: get_text(v, "to")?,
        title: get_string(v, "title"),
        by: refs(v.get("by")),
        requires: texts(v.get("requires")),
        approval: v
            .get("approval")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(approval_step)
            .collect(),
        when,
        span: v.span,
        by_key: v.entry("by").map(|(k, _)| k.span),
        approval_key: v.entry("approval").map(|(k, _)| k.span),
    })
}
