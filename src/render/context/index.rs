//! The index page: every process and every role.

use super::*;

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
