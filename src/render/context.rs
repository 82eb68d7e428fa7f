//! The view model: the typed model turned into plain data for the templates. Everything a page
//! says is computed here — deadlines in words, field and role titles, approval steps, where a
//! record goes next, the responsibility matrix, links between pages — so that templates only
//! lay it out. Field names of these structs are the template variables documented in README.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::history::{Date, Revision};
use super::i18n::Lang;
use super::{graph::Graph, markdown, mermaid, svg, OutputFormat};
use crate::expr::lexer::{tokenize, TokenKind};
use crate::model::{ApprovalMode, Process, Project, Ref, RefKind, Role, Status, Task, Transition};

/// Attachments (Markdown `media` files) longer than this are linked, not inlined.
const MAX_ATTACHMENT_BYTES: u64 = 64 * 1024;

/// Where a page sits, for relative links.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// `""` for pages at the top of the handbook, `"../"` for `roles/…`.
    pub prefix: &'static str,
    pub ext: &'static str,
}

impl Page {
    pub fn top(format: OutputFormat) -> Page {
        Page {
            prefix: "",
            ext: format.ext(),
        }
    }
    pub fn role(format: OutputFormat) -> Page {
        Page {
            prefix: "../",
            ext: format.ext(),
        }
    }
    fn process(&self, name: &str) -> String {
        format!("{}{}.{}", self.prefix, name, self.ext)
    }
    fn role_page(&self, id: &str) -> String {
        format!("{}roles/{}.{}", self.prefix, id, self.ext)
    }
    fn index(&self) -> String {
        format!("{}index.{}", self.prefix, self.ext)
    }
}

/// What every builder needs.
pub struct Env<'a> {
    pub project: &'a Project,
    /// The processes being rendered, in project order.
    pub processes: Vec<&'a Process>,
    pub root: &'a Path,
    pub out_dir: Option<PathBuf>,
    pub format: OutputFormat,
    pub histories: &'a HashMap<String, Vec<Revision>>,
    /// Whether git was read (false: no history, no review dates).
    pub git: bool,
    /// The language of pages that span processes (index, roles).
    pub site_lang: Lang,
    pub config_lang: Option<Lang>,
}

impl Env<'_> {
    /// `metadata.language`, else `render.language`, else Chinese.
    pub fn lang_of(&self, p: &Process) -> Lang {
        p.language
            .as_deref()
            .and_then(Lang::parse)
            .or(self.config_lang)
            .unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Views

#[derive(Debug, Clone, Serialize)]
pub struct Party {
    /// `role` or `field`.
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    /// How running text names it: the role's title, or "发货单的归属人" for a user field.
    pub label: String,
    /// The role's handbook page, relative to this page.
    pub link: Option<String>,
    pub bot: bool,
    pub external: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusRef {
    pub id: String,
    pub title: String,
    /// The status's section on its process page (`#status-<id>`), relative to this page.
    pub link: String,
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcessRef {
    pub name: String,
    pub title: String,
    pub link: String,
    pub record: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Media {
    pub name: String,
    /// A URL, or the file relative to this page (project-relative when the output folder is
    /// not known).
    pub href: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub name: String,
    pub markdown: String,
    pub html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub id: String,
    pub anchor: String,
    pub title: String,
    pub process: ProcessRef,
    /// The status in which the task is created.
    pub status: StatusRef,
    /// "发货单进入「已审批」时".
    pub when: String,
    /// The task on its process page, relative to this page.
    pub link: String,
    pub assignee: Party,
    pub on_behalf_of: Option<Party>,
    /// "当天 18:00 前", "实际发货时间后 7 天内".
    pub due: Option<String>,
    /// The due rule as written (`today 18:00`).
    pub due_rule: Option<String>,
    /// "截止前 2 小时提醒", "截止时提醒".
    pub reminders: Vec<String>,
    /// "逾期 1 天仍未完成，升级给销售主管".
    pub escalation: Option<String>,
    pub escalate_to: Option<Party>,
    pub description: Option<String>,
    /// The guide as written (Markdown), headings moved below the page's own.
    pub guide: Option<String>,
    /// The guide as HTML, raw HTML escaped.
    pub guide_html: Option<String>,
    pub media: Vec<Media>,
    /// Markdown media files, inlined.
    pub attachments: Vec<Attachment>,
    pub checklist: Vec<String>,
    /// Titles of the fields asked for when completing.
    pub fill: Vec<String>,
    /// Where completing the task takes the record and who takes over, in words ("发货单转为
    /// 「已发货」，由物流查询机器人接手。"), or that it stays ("发货单状态不变。").
    pub then: Option<String>,
    pub then_status: Option<StatusRef>,
    /// Whether a bot does the task.
    pub bot: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub number: usize,
    /// "第 1 步", "Step 1".
    pub label: String,
    pub party: Party,
    /// `any` or `all`.
    pub mode: &'static str,
    pub mode_words: &'static str,
    /// What the approver is asked (the step's `title`), when written.
    pub title: Option<String>,
    /// What to check before deciding (Markdown), and as HTML.
    pub guide: Option<String>,
    pub guide_html: Option<String>,
    pub checklist: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExitView {
    pub to: StatusRef,
    /// The button label (the target's title when the transition has none).
    pub title: String,
    /// `manual`, `approval` or `automatic`.
    pub kind: &'static str,
    /// ⚡ / ✔ / "".
    pub marker: &'static str,
    /// Who may take it by hand; empty: any participant.
    pub by: Vec<Party>,
    /// Titles of the fields needed (the transition's and the target's).
    pub requires: Vec<String>,
    pub approval: Vec<StepView>,
    /// The condition of an automatic transition, in words (field titles).
    pub condition: Option<String>,
    /// The condition as written.
    pub condition_source: Option<String>,
    /// Titles of the tasks here whose completion takes this transition.
    pub by_tasks: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotifyView {
    pub status: StatusRef,
    pub to: Vec<Party>,
    pub channel: &'static str,
    /// The message with placeholders in words: "〈客户名称〉".
    pub message: String,
    /// The message template as written.
    pub template: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldPair {
    pub child: String,
    pub parent: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StartView {
    pub process: ProcessRef,
    /// The status of the starting process in which it starts.
    pub status: String,
    /// Fields passed down: child field title ← parent field title.
    pub with: Vec<FieldPair>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MoveParentView {
    pub process: ProcessRef,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    pub id: String,
    pub anchor: String,
    pub number: usize,
    pub title: String,
    pub initial: bool,
    pub terminal: bool,
    pub description: Option<String>,
    /// Titles of the fields that must be filled to enter.
    pub requires: Vec<String>,
    /// Titles of the fields needed to create a record (initial status only).
    pub creation_requires: Vec<String>,
    pub tasks: Vec<TaskView>,
    pub notify: Vec<NotifyView>,
    pub start: Vec<StartView>,
    pub move_parent: Vec<MoveParentView>,
    pub exits: Vec<ExitView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RaciRow {
    pub party: Party,
    /// One cell per status, in display order: "执行、知会", or "".
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RaciView {
    pub statuses: Vec<StatusRef>,
    pub rows: Vec<RaciRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    /// "每 180 天".
    pub every: String,
    /// Date of the newest commit that touched the file.
    pub last_changed: Option<String>,
    /// `last_changed` + the cadence.
    pub next_due: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcessView {
    pub name: String,
    pub title: String,
    pub link: String,
    pub file: String,
    pub lang: &'static str,
    pub record: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub owner: Option<Party>,
    pub review: Option<ReviewView>,
    pub purpose: Option<String>,
    pub purpose_html: Option<String>,
    pub scope: Option<String>,
    pub scope_html: Option<String>,
    pub mermaid: String,
    /// The state diagram as inline SVG.
    pub svg: String,
    pub raci: RaciView,
    pub statuses: Vec<StatusView>,
    pub notifications: Vec<NotifyView>,
    pub starts: Vec<StartView>,
    pub started_by: Vec<StartView>,
    pub fields: Vec<FieldView>,
    /// Whether git was read for this page.
    pub git: bool,
    pub history: Vec<Revision>,
    pub task_count: usize,
    /// What good looks like: the KPIs with their targets in words.
    pub kpis: Vec<super::kpis::KpiView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleApproval {
    pub process: ProcessRef,
    /// The button that asks for the approval.
    pub title: String,
    pub from: Vec<StatusRef>,
    pub to: StatusRef,
    pub step: usize,
    pub steps: usize,
    /// "第 1 / 2 步".
    pub step_label: String,
    pub mode_words: &'static str,
    /// Every step, in order (this role's among them).
    pub chain: Vec<StepView>,
    pub requires: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleMove {
    pub process: ProcessRef,
    pub title: String,
    pub from: Vec<StatusRef>,
    pub to: StatusRef,
    pub approval: Vec<StepView>,
    pub requires: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleEscalation {
    pub task: String,
    pub task_link: String,
    pub assignee: Party,
    pub escalation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleProcess {
    pub process: ProcessRef,
    pub tasks: Vec<TaskView>,
    pub approvals: Vec<RoleApproval>,
    pub moves: Vec<RoleMove>,
    pub escalations: Vec<RoleEscalation>,
    pub notifications: Vec<NotifyView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleView {
    pub id: String,
    pub title: String,
    pub link: String,
    pub description: Option<String>,
    pub bot: bool,
    pub external: bool,
    /// "本页列出库管在各流程中的全部任务和审批……".
    pub intro: String,
    pub processes: Vec<RoleProcess>,
    pub task_count: usize,
    pub approval_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcessSummary {
    pub name: String,
    pub title: String,
    pub link: String,
    pub record: String,
    pub description: Option<String>,
    pub owner: Option<Party>,
    pub review: Option<ReviewView>,
    pub status_count: usize,
    pub task_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleSummary {
    pub id: String,
    pub title: String,
    pub link: String,
    pub description: Option<String>,
    pub bot: bool,
    pub external: bool,
    pub task_count: usize,
    pub approval_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndexView {
    pub link: String,
    pub processes: Vec<ProcessSummary>,
    pub roles: Vec<RoleSummary>,
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn field_title(p: &Process, id: &str) -> String {
    p.field(id)
        .map_or_else(|| id.to_string(), |f| f.title.clone())
}

fn field_titles<'a>(p: &Process, ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let t = field_title(p, id);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

fn record_noun(p: &Process, lang: Lang) -> String {
    p.record
        .clone()
        .unwrap_or_else(|| lang.default_record().to_string())
}

fn role_party(project: &Project, id: &str, page: Page) -> Party {
    let role = project.role(id);
    let title = role.map_or_else(|| id.to_string(), |r| r.title.clone());
    Party {
        kind: "role",
        id: id.to_string(),
        label: title.clone(),
        title,
        link: role.map(|_| page.role_page(id)),
        bot: role.is_some_and(|r| r.bot),
        external: role.is_some_and(|r| r.external),
    }
}

fn party(env: &Env, p: &Process, r: &Ref, page: Page, lang: Lang) -> Party {
    match r.kind {
        RefKind::Role => role_party(env.project, &r.id, page),
        RefKind::Field => {
            let title = field_title(p, &r.id);
            let record = record_noun(p, lang);
            let label = match lang {
                Lang::Zh => format!("{record}的{title}"),
                Lang::En => format!("the {record}'s {title}"),
            };
            Party {
                kind: "field",
                id: r.id.clone(),
                title,
                label,
                link: None,
                bot: false,
                external: false,
            }
        }
    }
}

fn status_ref(p: &Process, id: &str, page: Page) -> StatusRef {
    let title = p
        .status(id)
        .map_or_else(|| id.to_string(), |s| s.title.v.clone());
    let anchor = format!("status-{id}");
    StatusRef {
        id: id.to_string(),
        title,
        link: format!("{}#{anchor}", page.process(&p.name.v)),
        anchor,
    }
}

fn process_ref(p: &Process, page: Page, lang: Lang) -> ProcessRef {
    ProcessRef {
        name: p.name.v.clone(),
        title: p.title.v.clone(),
        link: page.process(&p.name.v),
        record: record_noun(p, lang),
    }
}

/// `a/b/../c` → `a/c`, lexically.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `to` relative to the folder `from`, both absolute.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = normalize(from)
        .components()
        .map(|c| c.as_os_str().to_owned())
        .collect();
    let to: Vec<_> = normalize(to)
        .components()
        .map(|c| c.as_os_str().to_owned())
        .collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    out
}

/// A path as a link target: `/` separators, the characters Markdown and URLs give meaning to
/// percent-encoded.
fn href(p: &Path) -> String {
    let s = p
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            '%' => out.push_str("%25"),
            c => out.push(c),
        }
    }
    out
}

/// The condition in words: field ids become their titles, keywords become words.
fn condition_words(p: &Process, source: &str, lang: Lang) -> String {
    let Ok(tokens) = tokenize(source) else {
        return source.to_string();
    };
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    let mut i = 0;
    while let Some(t) = tokens.get(i) {
        if t.kind == TokenKind::Eof {
            break;
        }
        out.extend(chars.get(at..t.start).unwrap_or(&[]));
        // `is_set(field)` → "「field」已填写".
        if let (
            TokenKind::Ident(f),
            Some(TokenKind::LParen),
            Some(TokenKind::Ident(arg)),
            Some(TokenKind::RParen),
        ) = (
            &t.kind,
            tokens.get(i + 1).map(|x| &x.kind),
            tokens.get(i + 2).map(|x| &x.kind),
            tokens.get(i + 3).map(|x| &x.kind),
        ) {
            if f == "is_set" {
                out.push_str(&lang.is_set(&field_title(p, arg)));
                at = tokens[i + 3].end;
                i += 4;
                continue;
            }
        }
        let word = match &t.kind {
            TokenKind::Ident(id) => match p.field(id) {
                Some(f) => lang.quote(&f.title),
                None => lang
                    .condition_word(id)
                    .map_or_else(|| t.text.clone(), str::to_string),
            },
            TokenKind::EqEq => "=".into(),
            TokenKind::Ne => "≠".into(),
            TokenKind::Le => "≤".into(),
            TokenKind::Ge => "≥".into(),
            _ => lang
                .condition_word(&t.text)
                .map_or_else(|| t.text.clone(), str::to_string),
        };
        out.push_str(&word);
        at = t.end;
        i += 1;
    }
    out.extend(chars.get(at..).unwrap_or(&[]));
    out
}

/// A notification template with its placeholders in words: `{{ record.customer }}` →
/// "〈客户名称〉". Never evaluated.
fn message_words(p: &Process, status: &Status, template: &str, lang: Lang) -> String {
    let (open, close) = match lang {
        Lang::Zh => ("〈", "〉"),
        Lang::En => ("‹", "›"),
    };
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let inner = after[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let expr = inner.split('|').next().unwrap_or("").trim();
        let words = match expr {
            "record.id" => format!("{open}{}{close}", lang.record_id(&record_noun(p, lang))),
            "process.title" => p.title.v.clone(),
            "status.title" => status.title.v.clone(),
            e => match e.strip_prefix("record.") {
                Some(f) => format!("{open}{}{close}", field_title(p, f)),
                None => format!("{open}{e}{close}"),
            },
        };
        out.push_str(&words);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn step_views(env: &Env, p: &Process, t: &Transition, page: Page, lang: Lang) -> Vec<StepView> {
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

fn transition_requires(p: &Process, t: &Transition) -> Vec<String> {
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
fn transition<'a>(p: &'a Process, from: &str, to: &str) -> Option<&'a Transition> {
    p.edges()
        .into_iter()
        .find(|(f, t, _)| *f == from && *t == to)
        .map(|(_, _, tr)| tr)
}

fn read_attachment(root: &Path, rel: &Path) -> Option<String> {
    let abs = root.join(rel);
    let meta = std::fs::metadata(&abs).ok()?;
    if !meta.is_file() || meta.len() > MAX_ATTACHMENT_BYTES {
        return None;
    }
    std::fs::read_to_string(abs).ok()
}

// ---------------------------------------------------------------------------------------------
// Builders

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
    let then_status = t.then.as_ref().map(|x| status_ref(p, &x.v, page));
    let then = Some(t.then.as_ref().map_or_else(
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
    ));
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

fn then_words(lang: Lang, record: &str, to: &str, approvals: &[String], next: &[String]) -> String {
    match lang {
        Lang::Zh => {
            let mut s = String::new();
            if approvals.is_empty() {
                s.push_str(&format!("{record}转为{}", lang.quote(to)));
            } else {
                s.push_str(&format!(
                    "提交{}审批，通过后{record}转为{}",
                    approvals.join(" → "),
                    lang.quote(to)
                ));
            }
            if !next.is_empty() {
                s.push_str(&format!("，由{}接手", lang.join(next)));
            }
            s.push('。');
            s
        }
        Lang::En => {
            let mut s = String::new();
            if approvals.is_empty() {
                s.push_str(&format!("the {record} moves to {}", lang.quote(to)));
            } else {
                s.push_str(&format!(
                    "it goes for approval ({}); once approved the {record} moves to {}",
                    approvals.join(" → "),
                    lang.quote(to)
                ));
            }
            if !next.is_empty() {
                s.push_str(&format!("; {} takes over", lang.join(next)));
            }
            s.push('.');
            s
        }
    }
}

fn exit_views(env: &Env, p: &Process, s: &Status, page: Page, lang: Lang) -> Vec<ExitView> {
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

fn notify_views(env: &Env, p: &Process, s: &Status, page: Page, lang: Lang) -> Vec<NotifyView> {
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

fn start_views(env: &Env, p: &Process, s: &Status, page: Page, lang: Lang) -> Vec<StartView> {
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
fn parents<'a>(env: &Env<'a>, p: &Process) -> Vec<(&'a Process, &'a Status)> {
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

fn raci(env: &Env, p: &Process, page: Page, lang: Lang) -> RaciView {
    let table = lang.table();
    let statuses: Vec<StatusRef> = p
        .statuses
        .iter()
        .map(|s| status_ref(p, &s.id.v, page))
        .collect();
    // (kind, id) → marks per status, in first-seen order of roles then fields.
    let mut parties: Vec<(RefKind, String)> = Vec::new();
    let mut marks: HashMap<(RefKind, String), Vec<Vec<&'static str>>> = HashMap::new();
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
    // Roles in project order, then fields in field order.
    let mut ordered: Vec<(RefKind, String)> = Vec::new();
    for r in &env.project.roles {
        let key = role(&r.id.v);
        if parties.contains(&key) {
            ordered.push(key);
        }
    }
    for key in &parties {
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

fn review_view(env: &Env, p: &Process, lang: Lang) -> Option<ReviewView> {
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
        .map(|(i, s)| StatusView {
            id: s.id.v.clone(),
            anchor: format!("status-{}", s.id.v),
            number: i + 1,
            title: s.title.v.clone(),
            initial: s.initial,
            terminal: s.terminal,
            description: s.description.clone(),
            requires: field_titles(p, s.requires.iter().map(|f| f.v.as_str())),
            creation_requires: if s.initial { creation.clone() } else { vec![] },
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
        })
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
        kpis: super::kpis::views(p, &record_noun(p, lang), lang),
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

fn is_role(r: &Ref, id: &str) -> bool {
    r.kind == RefKind::Role && r.id == id
}

/// A task assigned to a person named in the record (`field:…`) belongs on a role's page when
/// completing it takes a transition that only that role (among others) may take: whoever
/// completes it holds the role. E.g. "customer acceptance" goes to the record's owner, and
/// completing it takes `delivered → accepted`, which `role:sales` may take.
/// A task assigned to a person field that says `role: <id>` belongs there too (SPEC 10).
fn holder_task(p: &Process, s: &Status, t: &Task, id: &str) -> bool {
    if t.assignee.kind != RefKind::Field {
        return false;
    }
    let field_role = p.field(&t.assignee.id).and_then(|f| f.role.as_ref());
    if field_role.is_some_and(|r| r.v == id) {
        return true;
    }
    let Some(then) = &t.then else { return false };
    transition(p, &s.id.v, &then.v).is_some_and(|tr| tr.by.iter().any(|b| is_role(b, id)))
}

/// The number of tasks on a role's page, in the processes rendered.
fn role_task_count(env: &Env, id: &str) -> usize {
    env.processes
        .iter()
        .flat_map(|p| p.tasks().map(move |(s, t)| (*p, s, t)))
        .filter(|(p, s, t)| is_role(&t.assignee, id) || holder_task(p, s, t, id))
        .count()
}

pub fn role_view(env: &Env, role: &Role) -> RoleView {
    let lang = env.site_lang;
    let page = Page::role(env.format);
    let id = role.id.v.as_str();
    let mut processes = Vec::new();
    for p in &env.processes {
        // Each process speaks its own language on the role page too.
        let plang = env.lang_of(p);
        let mut rp = RoleProcess {
            process: process_ref(p, page, plang),
            tasks: vec![],
            approvals: vec![],
            moves: vec![],
            escalations: vec![],
            notifications: vec![],
        };
        for (s, t) in p.tasks() {
            if is_role(&t.assignee, id) || holder_task(p, s, t, id) {
                let mut tv = task_view(env, p, s, t, page, plang);
                // One role page holds tasks of several processes: anchors name the process.
                tv.anchor = format!("{}--{}", p.name.v, tv.anchor);
                rp.tasks.push(tv);
            }
            if t.escalate.as_ref().is_some_and(|e| is_role(&e.to, id)) {
                let tv = task_view(env, p, s, t, page, plang);
                rp.escalations.push(RoleEscalation {
                    task: tv.title.clone(),
                    task_link: format!("{}#{}", page.process(&p.name.v), tv.anchor),
                    assignee: tv.assignee.clone(),
                    escalation: tv.escalation.clone().unwrap_or_default(),
                });
            }
        }
        for t in &p.transitions {
            let from: Vec<StatusRef> = p
                .from_ids(t)
                .into_iter()
                .map(|f| status_ref(p, f, page))
                .collect();
            let to = status_ref(p, &t.to.v, page);
            let title = t.title.clone().unwrap_or_else(|| to.title.clone());
            let chain = step_views(env, p, t, page, plang);
            for (i, step) in t.approval.iter().enumerate() {
                if step.role.v == id {
                    let table = plang.table();
                    rp.approvals.push(RoleApproval {
                        process: rp.process.clone(),
                        title: title.clone(),
                        from: from.clone(),
                        to: to.clone(),
                        step: i + 1,
                        steps: t.approval.len(),
                        step_label: table["approve_step_of"]
                            .replace("{n}", &(i + 1).to_string())
                            .replace("{of}", &t.approval.len().to_string()),
                        mode_words: plang.approval_mode(step.mode),
                        chain: chain.clone(),
                        requires: transition_requires(p, t),
                    });
                }
            }
            if t.by.iter().any(|b| is_role(b, id)) {
                rp.moves.push(RoleMove {
                    process: rp.process.clone(),
                    title,
                    from,
                    to,
                    approval: chain,
                    requires: transition_requires(p, t),
                });
            }
        }
        for s in &p.statuses {
            for n in notify_views(env, p, s, page, plang) {
                if n.to.iter().any(|x| x.kind == "role" && x.id == id) {
                    rp.notifications.push(n);
                }
            }
        }
        if !(rp.tasks.is_empty()
            && rp.approvals.is_empty()
            && rp.moves.is_empty()
            && rp.escalations.is_empty()
            && rp.notifications.is_empty())
        {
            processes.push(rp);
        }
    }
    let table = lang.table();
    RoleView {
        id: id.to_string(),
        title: role.title.clone(),
        link: page.role_page(id),
        description: role.description.clone(),
        bot: role.bot,
        external: role.external,
        intro: table["role_intro"].replace("{role}", &role.title),
        task_count: processes.iter().map(|x| x.tasks.len()).sum(),
        approval_count: processes.iter().map(|x| x.approvals.len()).sum(),
        processes,
    }
}

pub fn index_view(env: &Env) -> IndexView {
    let page = Page::top(env.format);
    let processes = env
        .processes
        .iter()
        .map(|p| {
            let lang = env.lang_of(p);
            ProcessSummary {
                name: p.name.v.clone(),
                title: p.title.v.clone(),
                link: page.process(&p.name.v),
                record: record_noun(p, lang),
                description: p.description.clone(),
                owner: p.owner.as_ref().map(|r| party(env, p, r, page, lang)),
                review: review_view(env, p, lang),
                status_count: p.statuses.len(),
                task_count: p.statuses.iter().map(|s| s.tasks.len()).sum(),
            }
        })
        .collect();
    let roles = env
        .project
        .roles
        .iter()
        .map(|r| {
            let id = r.id.v.as_str();
            let task_count = role_task_count(env, id);
            let approval_count = env
                .processes
                .iter()
                .flat_map(|p| p.transitions.iter())
                .flat_map(|t| t.approval.iter())
                .filter(|s| s.role.v == id)
                .count();
            RoleSummary {
                id: id.to_string(),
                title: r.title.clone(),
                link: page.role_page(id),
                description: r.description.clone(),
                bot: r.bot,
                external: r.external,
                task_count,
                approval_count,
            }
        })
        .collect();
    IndexView {
        link: page.index(),
        processes,
        roles,
    }
}

/// The index link as seen from a page.
pub fn index_link(page: Page) -> String {
    page.index()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/p/dist/handbook"), Path::new("/p/sops/a/g.md")),
            PathBuf::from("../../sops/a/g.md")
        );
        assert_eq!(
            relative(
                Path::new("/p/dist/handbook/roles"),
                Path::new("/p/dist/x.md")
            ),
            PathBuf::from("../../x.md")
        );
        assert_eq!(href(Path::new("a b/c(1).md")), "a%20b/c%281%29.md");
    }
}
