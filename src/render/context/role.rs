//! The page of one role: what it does in every process.

use super::*;

pub(super) fn is_role(r: &Ref, id: &str) -> bool {
    r.kind == RefKind::Role && r.id == id
}

/// A task assigned to a person named in the record (`field:…`) belongs on a role's page when
/// completing it takes a transition that only that role (among others) may take: whoever
/// completes it holds the role. E.g. "customer acceptance" goes to the record's owner, and
/// completing it takes `delivered → accepted`, which `role:sales` may take.
/// A task assigned to a person field that says `role: <id>` belongs there too (SPEC 10).
pub(super) fn holder_task(p: &Process, s: &Status, t: &Task, id: &str) -> bool {
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
pub(super) fn role_task_count(env: &Env, id: &str) -> usize {
    env.processes
        .iter()
        .flat_map(|p| p.tasks().map(move |(s, t)| (*p, s, t)))
        .filter(|(p, s, t)| is_role(&t.assignee, id) || holder_task(p, s, t, id))
        .count()
}

/// What the role does in one process: its tasks, approvals, moves, escalations and messages.
fn role_process(env: &Env, p: &Process, id: &str, page: Page) -> RoleProcess {
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
    role_moves(env, p, id, page, &mut rp);
    for s in &p.statuses {
        // Only statuses that notify the role need their notification views.
        if !s.notify.iter().any(|n| n.to.iter().any(|r| is_role(r, id))) {
            continue;
        }
        for n in notify_views(env, p, s, page, plang) {
            if n.to.iter().any(|x| x.kind == "role" && x.id == id) {
                rp.notifications.push(n);
            }
        }
    }
    rp
}

/// The approvals and moves of one process that the role takes part in.
fn role_moves(env: &Env, p: &Process, id: &str, page: Page, rp: &mut RoleProcess) {
    let plang = env.lang_of(p);
    for t in &p.transitions {
        // Most transitions of most processes are not the role's: skip them before building
        // their views (role pages look at every process once per role).
        let approves = t.approval.iter().any(|step| step.role.v == id);
        let moves = t.by.iter().any(|b| is_role(b, id));
        if !(approves || moves) {
            continue;
        }
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
        if moves {
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
}

pub fn role_view(env: &Env, role: &Role) -> RoleView {
    let lang = env.site_lang;
    let page = Page::role(env.format);
    let id = role.id.v.as_str();
    let mut processes = Vec::new();
    for p in &env.processes {
        let rp = role_process(env, p, id, page);
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
