//! Model → bundle. Only called on a project without validation errors: every reference
//! resolves and every condition, due rule and duration parsed. Anything else is reported as an
//! internal error rather than written into a bundle.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path};

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::canonical;
use super::*;
use crate::expr::{Due, ExprError};
use crate::model::{self, DurationText, RefKind};

/// Compiles a validated project. `root` is the project folder (media files are read and hashed
/// from it). The bundle's `source` is left empty (`null`, not dirty): see
/// [`super::source::detect`].
pub fn compile(project: &model::Project, root: &Path) -> Result<Bundle, String> {
    let mut roles: Vec<Role> = project
        .roles
        .iter()
        .map(|r| Role {
            id: r.id.v.clone(),
            title: r.title.clone(),
            description: r.description.as_deref().map(markdown),
            bot: r.bot,
            external: r.external,
        })
        .collect();
    roles.sort_by(|a, b| a.id.cmp(&b.id));
    let media = MediaHashes::new(project, root)?;
    let mut processes = project
        .processes
        .par_iter()
        .map(|p| process(p, &media).map_err(|e| format!("process `{}`: {e}", p.name.v)))
        .collect::<Result<Vec<_>, _>>()?;
    processes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Bundle {
        format: FORMAT.to_string(),
        hash: canonical::hash(&roles, &processes),
        source: Source {
            commit: None,
            dirty: false,
        },
        roles,
        processes,
    })
}

/// Compiles what can be compiled of a project that may have validation errors, for `diff`
/// and `log` (a revision with an invalid file is still compared on the rest). Processes
/// named in `skip` and processes that do not compile are left out (returned with the reason);
/// media files that cannot be read get an empty `sha256` (diff does not compare hashes).
/// `build` never uses this: it stays strict.
pub fn compile_lenient(
    project: &model::Project,
    root: &Path,
    skip: &BTreeSet<String>,
) -> (Bundle, Vec<(String, String)>) {
    let mut roles: Vec<Role> = project
        .roles
        .iter()
        .map(|r| Role {
            id: r.id.v.clone(),
            title: r.title.clone(),
            description: r.description.as_deref().map(markdown),
            bot: r.bot,
            external: r.external,
        })
        .collect();
    roles.sort_by(|a, b| a.id.cmp(&b.id));
    roles.dedup_by(|a, b| a.id == b.id);
    let media = MediaHashes::lenient(project, root);
    let mut processes = Vec::new();
    let mut failed = Vec::new();
    let mut seen = BTreeSet::new();
    for p in &project.processes {
        if skip.contains(&p.name.v) || !seen.insert(p.name.v.clone()) {
            continue;
        }
        match process(p, &media) {
            Ok(c) => processes.push(c),
            Err(e) => failed.push((p.name.v.clone(), e)),
        }
    }
    processes.sort_by(|a, b| a.name.cmp(&b.name));
    let bundle = Bundle {
        format: FORMAT.to_string(),
        hash: canonical::hash(&roles, &processes),
        source: Source {
            commit: None,
            dirty: false,
        },
        roles,
        processes,
    };
    (bundle, failed)
}

/// Markdown texts lose their trailing white space: the final line break of a YAML block
/// scalar (`|` versus `|-` or a quoted string) is formatting, not content.
fn markdown(s: &str) -> String {
    s.trim_end().to_string()
}

fn reference(r: &model::Ref) -> Ref {
    match r.kind {
        RefKind::Role => Ref::Role(r.id.clone()),
        RefKind::Field => Ref::Field(r.id.clone()),
    }
}

fn duration(d: &DurationText) -> Result<Dur, String> {
    d.parsed
        .as_ref()
        .map(|d| Dur::from(*d))
        .map_err(|e| format!("duration `{}` did not parse: {e}", d.text.v))
}

/// The value as a bundle reader sees it: through JSON, so without source offsets.
fn bare<T: Serialize + DeserializeOwned>(v: &T) -> Result<T, String> {
    let json = serde_json::to_value(v).map_err(|e| e.to_string())?;
    serde_json::from_value(json).map_err(|e| e.to_string())
}

fn strings(v: &[model::Sp<String>]) -> Vec<String> {
    v.iter().map(|s| s.v.clone()).collect()
}

fn process(p: &model::Process, media: &MediaHashes) -> Result<Process, String> {
    let mut renames = Renames::default();
    let fields = p
        .fields
        .iter()
        .map(|f| {
            for old in &f.was {
                renames.fields.insert(old.v.clone(), f.id.v.clone());
            }
            Field {
                id: f.id.v.clone(),
                ty: f.ty.as_str().to_string(),
                title: f.title.clone(),
                description: f.description.as_deref().map(markdown),
                required: f.required,
                options: f.options.clone(),
                default: f.default.as_ref().map(canonical::normalize),
                was: strings(&f.was),
                edit: f.edit.iter().map(reference).collect(),
                role: f.role.as_ref().map(|r| r.v.clone()),
            }
        })
        .collect();
    let statuses = p
        .statuses
        .iter()
        .map(|s| {
            for old in &s.was {
                renames.statuses.insert(old.v.clone(), s.id.v.clone());
            }
            status(p, s, media)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Process {
        name: p.name.v.clone(),
        title: p.title.v.clone(),
        description: p.description.as_deref().map(markdown),
        owner: p.owner.as_ref().map(reference),
        review: p
            .review_every
            .as_ref()
            .map(|d| duration(d).map(|every| Review { every }))
            .transpose()?,
        language: p.language.clone(),
        tags: p.tags.clone(),
        purpose: p.purpose.as_ref().map(|s| markdown(&s.v)),
        scope: p.scope.as_ref().map(|s| markdown(&s.v)),
        record: p.record.clone(),
        fields,
        statuses,
        transitions: transitions(p)?,
        renames,
        create_by: p
            .create_by
            .as_ref()
            .map(|by| by.iter().map(reference).collect()),
        kpis: p
            .kpis
            .iter()
            .filter_map(crate::kpi::Kpi::from_model)
            .collect(),
    })
}

fn status(p: &model::Process, s: &model::Status, media: &MediaHashes) -> Result<Status, String> {
    Ok(Status {
        id: s.id.v.clone(),
        title: s.title.v.clone(),
        description: s.description.as_deref().map(markdown),
        initial: s.initial,
        terminal: s.terminal,
        requires: strings(&s.requires),
        tasks: s
            .tasks
            .iter()
            .map(|t| task(p, t, media).map_err(|e| format!("task `{}`: {e}", t.id.v)))
            .collect::<Result<_, _>>()?,
        notify: s
            .notify
            .iter()
            .map(|n| Notification {
                to: n.to.iter().map(reference).collect(),
                channel: n.channel.as_str().to_string(),
                message: n.message.v.clone(),
            })
            .collect(),
        start: s.start.iter().map(start_link).collect(),
        move_parent: s.move_parent.as_ref().map(|m| m.v.clone()),
        was: strings(&s.was),
        move_parent_all: s.move_parent_all,
    })
}

/// `each` in `with` (with `for_each`) is the person, not a parent field.
fn start_link(l: &model::StartLink) -> StartLink {
    let each_word = |p: &model::Sp<String>| l.for_each.is_some() && p.v == model::EACH;
    let mut each: Vec<String> = l
        .with
        .iter()
        .filter(|(_, parent)| each_word(parent))
        .map(|(child, _)| child.v.clone())
        .collect();
    each.sort();
    StartLink {
        process: l.process.v.clone(),
        with: l
            .with
            .iter()
            .filter(|(_, parent)| !each_word(parent))
            .map(|(child, parent)| (child.v.clone(), parent.v.clone()))
            .collect(),
        for_each: l.for_each.as_ref().map(|r| r.id.clone()),
        each,
    }
}

fn due_rule(parsed: &Option<Result<Due, ExprError>>) -> Result<Option<DueRule>, String> {
    match parsed {
        None => Ok(None),
        Some(Ok(rule)) => Ok(Some(DueRule {
            source: rule.to_string(),
            rule: bare(rule)?,
        })),
        Some(Err(e)) => Err(format!("due date did not parse: {e}")),
    }
}

fn escalation(e: &Option<model::Escalation>) -> Result<Option<Escalation>, String> {
    e.as_ref()
        .map(|e| {
            Ok::<_, String>(Escalation {
                after: duration(&e.after)?,
                to: reference(&e.to),
            })
        })
        .transpose()
}

fn approval_step(a: &model::ApprovalStep) -> Result<ApprovalStep, String> {
    Ok(ApprovalStep {
        role: a.role.v.clone(),
        mode: match a.mode {
            model::ApprovalMode::Any => "any".into(),
            model::ApprovalMode::All => "all".into(),
        },
        title: a.title.clone(),
        guide: a.guide.as_ref().map(|g| markdown(&g.v)),
        checklist: strings(&a.checklist),
        due: due_rule(&a.due_parsed)?,
        remind_before: a
            .remind_before
            .iter()
            .map(duration)
            .collect::<Result<_, _>>()?,
        escalate: escalation(&a.escalate)?,
        allow_self_approval: a.allow_self_approval,
    })
}

fn task(p: &model::Process, t: &model::Task, media: &MediaHashes) -> Result<Task, String> {
    let due = due_rule(&t.due_parsed)?;
    Ok(Task {
        id: t.id.v.clone(),
        title: t.title.v.clone(),
        description: t.description.as_deref().map(markdown),
        assignee: reference(&t.assignee),
        on_behalf_of: t.on_behalf_of.as_ref().map(reference),
        due,
        remind_before: t
            .remind_before
            .iter()
            .map(duration)
            .collect::<Result<_, _>>()?,
        escalate: escalation(&t.escalate)?,
        guide: t.guide.as_ref().map(|g| markdown(&g.v)),
        media: t
            .media
            .iter()
            .map(|m| media.entry(&p.file, &m.v))
            .collect::<Result<_, _>>()?,
        checklist: strings(&t.checklist),
        complete: Complete {
            fill: strings(&t.fill),
            then: t.then.as_ref().map(|s| s.v.clone()),
        },
        each: t.each.as_ref().is_some_and(|e| e.v),
    })
}

/// One transition per (from, to) pair, sorted by the display order of `from`, then of `to`.
fn transitions(p: &model::Process) -> Result<Vec<Transition>, String> {
    let index: HashMap<&str, usize> = p
        .statuses
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.v.as_str(), i))
        .collect();
    let position = |id: &str| {
        index
            .get(id)
            .copied()
            .ok_or_else(|| format!("unknown status `{id}`"))
    };
    let mut out = Vec::new();
    for t in &p.transitions {
        let to = p
            .status(&t.to.v)
            .ok_or_else(|| format!("unknown status `{}`", t.to.v))?;
        let when = match &t.when {
            None => None,
            Some(c) => {
                let expr = c
                    .parsed
                    .as_ref()
                    .map_err(|e| format!("condition `{}` did not parse: {e}", c.source.v))?;
                Some(Condition {
                    source: expr.to_string(),
                    uses_now: expr.uses_now(),
                    expr: bare(expr)?,
                })
            }
        };
        for from in p.from_ids(t) {
            let key = (position(from)?, position(&t.to.v)?);
            out.push((
                key,
                Transition {
                    id: format!("{from}->{}", t.to.v),
                    from: from.to_string(),
                    to: t.to.v.clone(),
                    from_any: matches!(t.from, model::From::Any(_)),
                    title: t.title.clone().unwrap_or_else(|| to.title.v.clone()),
                    by: t.by_key.map(|_| t.by.iter().map(reference).collect()),
                    requires: strings(&t.requires),
                    approval: t
                        .approval
                        .iter()
                        .map(approval_step)
                        .collect::<Result<_, _>>()?,
                    when: when.clone(),
                },
            ));
        }
    }
    out.sort_by_key(|(key, _)| *key);
    if let Some(w) = out.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("two transitions for `{}`", w[0].1.id));
    }
    Ok(out.into_iter().map(|(_, t)| t).collect())
}

fn is_link(media: &str) -> bool {
    media.contains("://")
}

/// The SHA-256 of every media file of the project, each file read once.
struct MediaHashes(HashMap<String, String>);

impl MediaHashes {
    fn new(project: &model::Project, root: &Path) -> Result<MediaHashes, String> {
        let mut paths = BTreeSet::new();
        for p in &project.processes {
            for (_, t) in p.tasks() {
                for m in t.media.iter().filter(|m| !is_link(&m.v)) {
                    paths.insert(
                        resolve(&p.file, &m.v)
                            .ok_or_else(|| format!("media `{}` is outside the project", m.v))?,
                    );
                }
            }
        }
        let hashes = paths
            .into_par_iter()
            .map(|path| {
                let abs = root.join(&path);
                if !abs.is_file() {
                    return Err(format!("media `{path}` is not a regular file"));
                }
                let bytes =
                    std::fs::read(abs).map_err(|e| format!("cannot read media `{path}`: {e}"))?;
                Ok((path, canonical::sha256_hex(&bytes)))
            })
            .collect::<Result<_, String>>()?;
        Ok(MediaHashes(hashes))
    }

    /// Every media file that resolves and can be read; the others are left out (and
    /// [`MediaHashes::entry`] gives them an empty hash when lenient).
    fn lenient(project: &model::Project, root: &Path) -> MediaHashes {
        let mut out = HashMap::new();
        for p in &project.processes {
            for (_, t) in p.tasks() {
                for m in t.media.iter().filter(|m| !is_link(&m.v)) {
                    if let Some(path) = resolve(&p.file, &m.v) {
                        let abs = root.join(&path);
                        let hash = (abs.is_file())
                            .then(|| std::fs::read(abs).ok())
                            .flatten()
                            .map(|b| canonical::sha256_hex(&b))
                            .unwrap_or_default();
                        out.insert(path, hash);
                    }
                }
            }
        }
        MediaHashes(out)
    }

    fn entry(&self, sop_file: &str, media: &str) -> Result<Media, String> {
        if is_link(media) {
            return Ok(Media::Link(MediaLink {
                url: media.to_string(),
            }));
        }
        let path = resolve(sop_file, media)
            .ok_or_else(|| format!("media `{media}` is outside the project"))?;
        let sha256 = self
            .0
            .get(&path)
            .cloned()
            .ok_or_else(|| format!("media `{path}` was not hashed"))?;
        Ok(Media::File(MediaFile { path, sha256 }))
    }
}

/// The project-relative path (with `/`) of a media entry written in `sop_file` (itself
/// project-relative), or None when it leaves the project. The same rule as validation uses.
fn resolve(sop_file: &str, media: &str) -> Option<String> {
    if Path::new(media).is_absolute() || media.starts_with('/') || media.starts_with('\\') {
        return None;
    }
    let mut parts: Vec<String> = sop_file.split('/').map(str::to_string).collect();
    parts.pop();
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
    Some(parts.join("/"))
}

/// Project-relative paths of the files a bundle's `media` entries name.
pub fn media_files(bundle: &Bundle) -> Vec<String> {
    let mut out: BTreeMap<&str, ()> = BTreeMap::new();
    for p in &bundle.processes {
        for s in &p.statuses {
            for t in &s.tasks {
                for m in &t.media {
                    if let Media::File(f) = m {
                        out.insert(&f.path, ());
                    }
                }
            }
        }
    }
    out.into_keys().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_media_like_validation() {
        assert_eq!(
            resolve("sops/销售/发货.yaml", "guides/a.md").as_deref(),
            Some("sops/销售/guides/a.md")
        );
        assert_eq!(
            resolve("sops/a.yaml", "./../media/x.png").as_deref(),
            Some("media/x.png")
        );
        assert_eq!(resolve("a.yaml", "../x.png"), None);
        assert_eq!(resolve("sops/a.yaml", "/etc/passwd"), None);
    }

    #[test]
    fn markdown_loses_only_trailing_space() {
        assert_eq!(markdown("  code\n\n"), "  code");
        assert_eq!(markdown("a\nb"), "a\nb");
    }
}
