//! The page of one process: its statuses with their tasks, exits and notifications, the
//! responsibility matrix, the review dates.

use std::collections::BTreeMap;

use super::*;

/// Attachments (Markdown `media` files) longer than this are linked, not inlined.
const MAX_ATTACHMENT_BYTES: u64 = 64 * 1024;

pub(super) fn step_views(
    env: &Env,
    p: &Process,
    t: &Transition,
    page: Page,
    lang: Lang,
) -> Vec<StepView> {
    let table = lang.table();
    t.approval
        .iter()
        .enumerate()
        .map(|(i, s)| StepView {
            number: i + 1,
            label: table["approval_step"].replace("{n}", &(i + 1).to_string()),
            party: party(
                env,
                p,
                &Ref {
                    kind: RefKind::Role,
                    id: s.role.v.clone(),
                    span: s.role.span,
                },
                page,
                lang,
            ),
            mode: match s.mode {
                ApprovalMode::Any => "any",
                ApprovalMode::All => "all",
            },
            mode_words: lang.approval_mode(s.mode),
            title: s.title.clone(),
            guide: s.guide.as_ref().map(|g| markdown::embed(&g.v, 5)),
            guide_html: s.guide.as_ref().map(|g| markdown::to_html(&g.v, 5)),
            checklist: s.checklist.iter().map(|c| c.v.clone()).collect(),
        })
        .collect()
}

pub(super) fn transition_requires(p: &Process, t: &Transition) -> Vec<String> {
    let target = p.status(&t.to.v);
    field_titles(
        p,
        t.requires.iter().map(|f| f.v.as_str()).chain(
            target
                .into_iter()
                .flat_map(|s| s.requires.iter().map(|f| f.v.as_str())),
        ),
    )
}

/// The transition from `from` to `to`, if there is one.
pub(super) fn transition<'a>(p: &'a Process, from: &str, to: &str) -> Option<&'a Transition> {
    p.edges()
        .into_iter()
        .find(|(f, t, _)| *f == from && *t == to)
        .map(|(_, _, tr)| tr)
}

pub(super) fn read_attachment(root: &Path, rel: &Path) -> Option<String> {
    let abs = root.join(rel);
    let meta = std::fs::metadata(&abs).ok()?;
    if !meta.is_file() || meta.len() > MAX_ATTACHMENT_BYTES {
        return None;
    }
    std::fs::read_to_string(abs).ok()
}

pub fn task_view(env: &Env, p: &Process, s: &Status, t: &Task, page: Page, lang: Lang) -> TaskView {
    let (due, due_rule) = match &t.due_parsed {
        Some(Ok(d)) => {
            let ft = d.field().map(|f| field_title(p, f));
            (
                Some(lang.due(d, ft.as_deref())),
                t.due.as_ref().map(|x| x.v.clone()),
            )
        }
        _ => (None, t.due.as_ref().map(|x| x.v.clone())),
    };
    let reminders = t
        .remind_before
        .iter()
        .filter_map(|r| r.parsed.as_ref().ok())
        .map(|d| lang.reminder(d))
        .collect();
    let escalate_to = t
        .escalate
        .as_ref()
        .map(|e| party(env, p, &e.to, page, lang));
    let escalation = t.escalate.as_ref().and_then(|e| {
        let after = e.after.parsed.as_ref().ok()?;
        Some(lang.escalation(after, &escalate_to.as_ref()?.label))
    });
    let (media, attachments) = media_views(env, p, t, page);
    let then_status = t.then.as_ref().map(|x| status_ref(p, &x.v, page));
    let then = Some(then_sentence(env, p, s, t, page, lang));
    let assignee = party(env, p, &t.assignee, page, lang);
    let record = record_noun(p, lang);
    TaskView {
        id: t.id.v.clone(),
        anchor: format!("task-{}", t.id.v),
        when: lang.when_enters(&record, &s.title.v),
        link: format!("{}#task-{}", page.process(&p.name.v), t.id.v),
        title: t.title.v.clone(),
        process: process_ref(p, page, lang),
        status: status_ref(p, &s.id.v, page),
        bot: assignee.bot,
        assignee,
        on_behalf_of: t
            .on_behalf_of
            .as_ref()
            .map(|r| party(env, p, r, page, lang)),
        due,
        due_rule,
        reminders,
        escalation,
        escalate_to,
        description: t.description.clone(),
        guide: t.guide.as_ref().map(|g| markdown::embed(&g.v, 5)),
        guide_html: t.guide.as_ref().map(|g| markdown::to_html(&g.v, 5)),
        media,
        attachments,
        checklist: t.checklist.iter().map(|c| c.v.clone()).collect(),
        fill: field_titles(p, t.fill.iter().map(|f| f.v.as_str())),
        then,
        then_status,
    }
}

/// The task's `media`: links to each (relative to the page), and the Markdown ones inlined.
fn media_views(env: &Env, p: &Process, t: &Task, page: Page) -> (Vec<Media>, Vec<Attachment>) {
    let mut media = Vec::new();
    let mut attachments = Vec::new();
    for m in &t.media {
        let text = m.v.as_str();
        let name = text.rsplit('/').next().unwrap_or(text).to_string();
        if text.contains("://") {
            media.push(Media {
                name,
                href: text.to_string(),
            });
            continue;
        }
        let rel = normalize(
            &Path::new(&*p.file)
                .parent()
                .unwrap_or(Path::new(""))
                .join(text),
        );
        let link = match &env.out_dir {
            Some(out) => {
                let page_dir = if page.prefix.is_empty() {
                    out.clone()
                } else {
                    out.join("roles")
                };
                href(&relative(&page_dir, &env.root.join(&rel)))
            }
            None => href(&rel),
        };
        media.push(Media {
            name: name.clone(),
            href: link,
        });
        if text.ends_with(".md") || text.ends_with(".markdown") {
            if let Some(md) = read_attachment(env.root, &rel) {
                let title = name
                    .trim_end_matches(".md")
                    .trim_end_matches(".markdown")
                    .to_string();
                attachments.push(Attachment {
                    name: title,
                    markdown: markdown::embed(&md, 5),
                    html: markdown::to_html(&md, 5),
                });
            }
        }
    }
    (media, attachments)
}

/// Where the record goes when the task is done, in words.
fn then_sentence(env: &Env, p: &Process, s: &Status, t: &Task, page: Page, lang: Lang) -> String {
    t.then.as_ref().map_or_else(
        || lang.stays(&record_noun(p, lang)),
        |target| {
            let record = record_noun(p, lang);
            let to = p
                .status(&target.v)
                .map_or_else(|| target.v.clone(), |x| x.title.v.clone());
            let approvals: Vec<String> = transition(p, &s.id.v, &target.v)
                .map(|tr| {
                    step_views(env, p, tr, page, lang)
                        .into_iter()
                        .map(|x| x.party.label)
                        .collect()
                })
                .unwrap_or_default();
            let next: Vec<String> = p
                .status(&target.v)
                .map(|x| {
                    let mut v: Vec<String> = Vec::new();
                    for task in &x.tasks {
                        let l = party(env, p, &task.assignee, page, lang).label;
                        if !v.contains(&l) {
                            v.push(l);
                        }
                    }
                    v
                })
                .unwrap_or_default();
            then_words(lang, &record, &to, &approvals, &next)
        },
    )
}

pub(super) fn exit_views(
    env: &Env,
    p: &Process,
    s: &Status,
    page: Page,
    lang: Lang,
) -> Vec<ExitView> {
    let mut out = Vec::new();
    for t in &p.transitions {
        if !p.from_ids(t).contains(&s.id.v.as_str()) {
            continue;
        }
        let to = status_ref(p, &t.to.v, page);
        let (kind, marker) = if t.when.is_some() {
            ("automatic", "⚡")
        } else if !t.approval.is_empty() {
            ("approval", "✔")
        } else {
            ("manual", "")
        };
        out.push(ExitView {
            title: t.title.clone().unwrap_or_else(|| to.title.clone()),
            kind,
            marker,
            by: t.by.iter().map(|r| party(env, p, r, page, lang)).collect(),
            requires: transition_requires(p, t),
            approval: step_views(env, p, t, page, lang),
            condition: t
                .when
                .as_ref()
                .map(|c| condition_words(p, &c.source.v, lang)),
            condition_source: t.when.as_ref().map(|c| c.source.v.clone()),
            by_tasks: s
                .tasks
                .iter()
                .filter(|task| task.then.as_ref().is_some_and(|x| x.v == t.to.v))
                .map(|task| task.title.v.clone())
                .collect(),
            to,
        });
    }
    out
}

pub(super) fn notify_views(
    env: &Env,
    p: &Process,
    s: &Status,
    page: Page,
    lang: Lang,
) -> Vec<NotifyView> {
    s.notify
        .iter()
        .map(|n| NotifyView {
            status: status_ref(p, &s.id.v, page),
            to: n.to.iter().map(|r| party(env, p, r, page, lang)).collect(),
            channel: lang.channel(n.channel),
            message: message_words(p, s, &n.message.v, lang),
            template: n.message.v.clone(),
        })
        .collect()
}

pub(super) fn start_views(
    env: &Env,
    p: &Process,
    s: &Status,
    page: Page,
    lang: Lang,
) -> Vec<StartView> {
    s.start
        .iter()
        .filter_map(|link| {
            let child = env.project.process(&link.process.v)?;
            Some(StartView {
                process: process_ref(child, page, lang),
                status: s.title.v.clone(),
                with: link
                    .with
                    .iter()
                    .map(|(c, pf)| FieldPair {
                        child: field_title(child, &c.v),
                        parent: field_title(p, &pf.v),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The processes that start `p`, with the status they start it in.
pub(super) fn parents<'a>(env: &Env<'a>, p: &Process) -> Vec<(&'a Process, &'a Status)> {
    let mut out = Vec::new();
    for q in &env.project.processes {
        for s in &q.statuses {
            if s.start.iter().any(|l| l.process.v == p.name.v) {
                out.push((&**q, s));
            }
        }
    }
    out
}

type Marks = HashMap<(RefKind, String), Vec<Vec<&'static str>>>;

/// The responsibility marks of each role or field, per status, and the parties in the order
/// first seen.
fn raci_marks(
    p: &Process,
    table: &BTreeMap<&'static str, &'static str>,
) -> (Vec<(RefKind, String)>, Marks) {
    // (kind, id) → marks per status, in first-seen order of roles then fields.
    let mut parties: Vec<(RefKind, String)> = Vec::new();
    let mut marks: Marks = HashMap::new();
    let mut mark = |r: (RefKind, String), si: usize, what: &'static str| {
        if !parties.contains(&r) {
            parties.push(r.clone());
        }
        let cells = marks
            .entry(r)
            .or_insert_with(|| vec![Vec::new(); p.statuses.len()]);
        if !cells[si].contains(&what) {
            cells[si].push(what);
        }
    };
    let role = |id: &str| (RefKind::Role, id.to_string());
    let of = |r: &Ref| (r.kind, r.id.clone());
    for (si, s) in p.statuses.iter().enumerate() {
        for t in &s.tasks {
            mark(of(&t.assignee), si, table["raci_do"]);
        }
        for t in &p.transitions {
            if !p.from_ids(t).contains(&s.id.v.as_str()) {
                continue;
            }
            for step in &t.approval {
                mark(role(&step.role.v), si, table["raci_approve"]);
            }
            for b in &t.by {
                mark(of(b), si, table["raci_move"]);
            }
        }
        for n in &s.notify {
            for r in &n.to {
                mark(of(r), si, table["raci_notified"]);
            }
        }
        for t in &s.tasks {
            if let Some(e) = &t.escalate {
                mark(of(&e.to), si, table["raci_escalation"]);
            }
        }
    }
    (parties, marks)
}

/// Roles in project order, then fields in field order.
fn raci_order(env: &Env, p: &Process, parties: &[(RefKind, String)]) -> Vec<(RefKind, String)> {
    let role = |id: &str| (RefKind::Role, id.to_string());
    let mut ordered: Vec<(RefKind, String)> = Vec::new();
    for r in &env.project.roles {
        let key = role(&r.id.v);
        if parties.contains(&key) {
            ordered.push(key);
        }
    }
    for key in parties {
        if key.0 == RefKind::Role && !ordered.contains(key) {
            ordered.push(key.clone());
        }
    }
    for f in &p.fields {
        let key = (RefKind::Field, f.id.v.clone());
        if parties.contains(&key) {
            ordered.push(key);
        }
    }
    ordered
}

pub(super) fn raci(env: &Env, p: &Process, page: Page, lang: Lang) -> RaciView {
    let table = lang.table();
    let statuses: Vec<StatusRef> = p
        .statuses
        .iter()
        .map(|s| status_ref(p, &s.id.v, page))
        .collect();
    let (parties, marks) = raci_marks(p, table);
    let ordered = raci_order(env, p, &parties);
    let order = [
        table["raci_do"],
        table["raci_approve"],
        table["raci_move"],
        table["raci_notified"],
        table["raci_escalation"],
    ];
    let rows = ordered
        .into_iter()
        .map(|key| {
            let r = Ref {
                kind: key.0,
                id: key.1.clone(),
                span: p.metadata_span,
            };
            let cells = marks
                .get(&key)
                .map(|cells| {
                    cells
                        .iter()
                        .map(|c| {
                            let mut c = c.clone();
                            c.sort_by_key(|w| order.iter().position(|o| o == w));
                            c.join(if lang == Lang::Zh { "、" } else { ", " })
                        })
                        .collect()
                })
                .unwrap_or_default();
            RaciRow {
                party: party(env, p, &r, page, lang),
                cells,
            }
        })
        .collect();
    RaciView { statuses, rows }
}

pub(super) fn review_view(env: &Env, p: &Process, lang: Lang) -> Option<ReviewView> {
    let every = p.review_every.as_ref()?.parsed.as_ref().ok()?;
    let last = env
        .histories
        .get(&*p.file)
        .and_then(|h| h.first())
        .map(|r| r.date.clone());
    let next_due = last
        .as_deref()
        .and_then(Date::parse)
        .map(|d| d.plus(every).to_string());
    Some(ReviewView {
        every: lang.every(every),
        last_changed: last,
        next_due,
    })
}

/// One status of the process page: its tasks, notifications, starts and exits.
fn status_view(
    env: &Env,
    p: &Process,
    (i, s): (usize, &Status),
    creation: &[String],
    parent_list: &[(&Process, &Status)],
) -> StatusView {
    let lang = env.lang_of(p);
    let page = Page::top(env.format);
    StatusView {
        id: s.id.v.clone(),
        anchor: format!("status-{}", s.id.v),
        number: i + 1,
        title: s.title.v.clone(),
        initial: s.initial,
        terminal: s.terminal,
        description: s.description.clone(),
        requires: field_titles(p, s.requires.iter().map(|f| f.v.as_str())),
        creation_requires: if s.initial { creation.to_vec() } else { vec![] },
        tasks: s
            .tasks
            .iter()
            .map(|t| task_view(env, p, s, t, page, lang))
            .collect(),
        notify: notify_views(env, p, s, page, lang),
        start: start_views(env, p, s, page, lang),
        move_parent: s
            .move_parent
            .iter()
            .flat_map(|target| {
                parent_list.iter().map(move |(q, _)| MoveParentView {
                    process: process_ref(q, page, lang),
                    status: q
                        .status(&target.v)
                        .map_or_else(|| target.v.clone(), |x| x.title.v.clone()),
                })
            })
            .collect(),
        exits: exit_views(env, p, s, page, lang),
    }
}

pub fn process_view(env: &Env, p: &Process) -> ProcessView {
    let lang = env.lang_of(p);
    let page = Page::top(env.format);
    let graph = Graph::of(p);
    let creation: Vec<String> = p
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.title.clone())
        .collect();
    let parent_list = parents(env, p);
    let statuses: Vec<StatusView> = p
        .statuses
        .iter()
        .enumerate()
        .map(|(i, s)| status_view(env, p, (i, s), &creation, &parent_list))
        .collect();
    let notifications = statuses.iter().flat_map(|s| s.notify.clone()).collect();
    let starts = statuses.iter().flat_map(|s| s.start.clone()).collect();
    let started_by = parent_list
        .iter()
        .map(|(q, s)| StartView {
            process: process_ref(q, page, lang),
            status: s.title.v.clone(),
            with: s
                .start
                .iter()
                .filter(|l| l.process.v == p.name.v)
                .flat_map(|l| {
                    l.with.iter().map(|(c, pf)| FieldPair {
                        child: field_title(p, &c.v),
                        parent: field_title(q, &pf.v),
                    })
                })
                .collect(),
        })
        .collect();
    let history = env.histories.get(&*p.file).cloned().unwrap_or_default();
    ProcessView {
        name: p.name.v.clone(),
        title: p.title.v.clone(),
        link: page.process(&p.name.v),
        file: p.file.to_string(),
        lang: lang.code(),
        record: record_noun(p, lang),
        description: p.description.clone(),
        tags: p.tags.clone(),
        owner: p.owner.as_ref().map(|r| party(env, p, r, page, lang)),
        review: review_view(env, p, lang),
        purpose: p.purpose.as_ref().map(|x| markdown::embed(&x.v, 3)),
        purpose_html: p.purpose.as_ref().map(|x| markdown::to_html(&x.v, 3)),
        scope: p.scope.as_ref().map(|x| markdown::embed(&x.v, 3)),
        scope_html: p.scope.as_ref().map(|x| markdown::to_html(&x.v, 3)),
        mermaid: mermaid::diagram(&graph),
        svg: svg::draw(&graph, &format!("sd-{}", p.name.v), &p.title.v),
        raci: raci(env, p, page, lang),
        task_count: p.statuses.iter().map(|s| s.tasks.len()).sum(),
        kpis: crate::render::kpis::views(p, &record_noun(p, lang), lang),
        statuses,
        notifications,
        starts,
        started_by,
        fields: p
            .fields
            .iter()
            .map(|f| FieldView {
                id: f.id.v.clone(),
                title: f.title.clone(),
                kind: lang.field_type(f.ty),
                required: f.required,
                options: f.options.clone(),
                description: f.description.clone(),
            })
            .collect(),
        git: env.git,
        history,
    }
}
