//! Helpers several validation codes share: suggestions for unknown names, the people
//! references of a process, the status graph, media paths.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Component, Path, PathBuf};

use crate::model::{Process, Ref, Sp};
use crate::suggest::did_you_mean;

/// "did you mean `x`? " or nothing, then a list of what exists.
pub(crate) fn suggestion<'a>(
    name: &str,
    known: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    let mut help = match did_you_mean(name, known.clone()) {
        Some(s) => format!("did you mean `{s}`? "),
        None => String::new(),
    };
    let list: Vec<&str> = known.into_iter().collect();
    if list.is_empty() {
        help.push_str(&format!("no {what} is defined yet"));
    } else {
        let shown: Vec<&str> = list.iter().take(12).copied().collect();
        help.push_str(&format!("{what}: {}", shown.join(", ")));
        if list.len() > 12 {
            help.push_str(", …");
        }
    }
    help
}

/// The id an item has now when its `was:` lists `name`: a reference to an old id.
pub(crate) fn renamed<'a>(
    name: &str,
    items: impl IntoIterator<Item = (&'a str, &'a [crate::model::Sp<String>])>,
) -> Option<&'a str> {
    items
        .into_iter()
        .find(|(_, was)| was.iter().any(|w| w.v == name))
        .map(|(id, _)| id)
}

/// Help for a status id the process does not have: the status renamed from it, else the
/// closest id and the list.
pub(crate) fn status_suggestion(p: &Process, name: &str) -> String {
    let items = p
        .statuses
        .iter()
        .map(|s| (s.id.v.as_str(), s.was.as_slice()));
    match renamed(name, items) {
        Some(now) => {
            format!("`{name}` was renamed to `{now}` (its `was:` lists `{name}`): write `{now}`")
        }
        None => suggestion(
            name,
            p.statuses.iter().map(|s| s.id.v.as_str()),
            "statuses of this process",
        ),
    }
}

/// Help for a field id the process does not define, like [`status_suggestion`].
pub(crate) fn field_suggestion(p: &Process, name: &str) -> String {
    let items = p.fields.iter().map(|f| (f.id.v.as_str(), f.was.as_slice()));
    match renamed(name, items) {
        Some(now) => {
            format!("`{name}` was renamed to `{now}` (its `was:` lists `{name}`): write `{now}`")
        }
        None => suggestion(
            name,
            p.fields.iter().map(|f| f.id.v.as_str()),
            "fields of this process",
        ),
    }
}

/// Every `role:`/`field:` reference of a process, with words saying where it is.
pub(crate) fn people_refs(p: &Process) -> Vec<(&Ref, String)> {
    let mut out: Vec<(&Ref, String)> = Vec::new();
    if let Some(o) = &p.owner {
        out.push((o, "the process owner".into()));
    }
    for (s, t) in p.tasks() {
        out.push((
            &t.assignee,
            format!("the assignee of task `{}` in status `{}`", t.id.v, s.id.v),
        ));
        if let Some(r) = &t.on_behalf_of {
            out.push((r, format!("`on_behalf_of` of task `{}`", t.id.v)));
        }
        if let Some(e) = &t.escalate {
            out.push((&e.to, format!("the escalation of task `{}`", t.id.v)));
        }
    }
    for s in &p.statuses {
        for n in &s.notify {
            for r in &n.to {
                out.push((r, format!("a notification of status `{}`", s.id.v)));
            }
        }
    }
    for t in &p.transitions {
        for r in &t.by {
            out.push((r, format!("`by` of the transition to `{}`", t.to.v)));
        }
        for (i, step) in t.approval.iter().enumerate() {
            if let Some(e) = &step.escalate {
                let what = format!(
                    "the escalation of approval step {} of the transition to `{}`",
                    i + 1,
                    t.to.v
                );
                out.push((&e.to, what));
            }
        }
    }
    for f in &p.fields {
        for r in &f.edit {
            out.push((r, format!("`edit` of field `{}`", f.id.v)));
        }
    }
    for r in p.create_by.iter().flatten() {
        out.push((r, "`create.by`".into()));
    }
    out
}

pub(crate) fn field_ids(p: &Process) -> Vec<&str> {
    p.fields.iter().map(|f| f.id.v.as_str()).collect()
}

pub(crate) fn record_word(p: &Process) -> &str {
    p.record.as_deref().unwrap_or("record")
}

/// Statuses reachable from `starts` following edges (or reversed edges).
pub(crate) fn reach<'a>(p: &'a Process, starts: Vec<&'a str>, reverse: bool) -> HashSet<&'a str> {
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for (f, t, _) in p.edges() {
        let (a, b) = if reverse { (t, f) } else { (f, t) };
        next.entry(a).or_default().push(b);
    }
    let mut seen: HashSet<&str> = starts.iter().copied().collect();
    let mut queue: VecDeque<&str> = starts.into_iter().collect();
    while let Some(s) = queue.pop_front() {
        for &n in next.get(s).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(n) {
                queue.push_back(n);
            }
        }
    }
    seen
}

pub(crate) fn is_link(s: &str) -> bool {
    s.contains("://")
}

/// The project-relative path of a media entry, or None when it leaves the project.
pub(crate) fn resolve(file: &str, media: &str) -> Option<PathBuf> {
    if Path::new(media).is_absolute() || media.starts_with('/') || media.starts_with('\\') {
        return None;
    }
    let mut parts: Vec<String> = Path::new(file)
        .parent()
        .map(|d| {
            d.components()
                .filter_map(|c| c.as_os_str().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for c in Path::new(media).components() {
        match c {
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.iter().collect())
}

pub(crate) fn media(p: &Process) -> impl Iterator<Item = (&str, &Sp<String>)> {
    p.tasks().flat_map(|(_, t)| {
        t.media
            .iter()
            .filter(|m| !is_link(&m.v))
            .map(move |m| (t.id.v.as_str(), m))
    })
}
