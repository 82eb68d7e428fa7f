//! The views: plain data for the templates. Their field names are the template variables
//! the README documents.

use super::*;

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
    pub kpis: Vec<crate::render::kpis::KpiView>,
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
