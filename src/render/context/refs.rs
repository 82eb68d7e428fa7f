//! References between pages: roles, statuses and processes by their titles, with links.

use super::*;

pub(super) fn field_title(p: &Process, id: &str) -> String {
    p.field(id)
        .map_or_else(|| id.to_string(), |f| f.title.clone())
}

pub(super) fn field_titles<'a>(p: &Process, ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let t = field_title(p, id);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

pub(super) fn record_noun(p: &Process, lang: Lang) -> String {
    p.record
        .clone()
        .unwrap_or_else(|| lang.default_record().to_string())
}

pub(super) fn role_party(project: &Project, id: &str, page: Page) -> Party {
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

pub(super) fn party(env: &Env, p: &Process, r: &Ref, page: Page, lang: Lang) -> Party {
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

pub(super) fn status_ref(p: &Process, id: &str, page: Page) -> StatusRef {
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

pub(super) fn process_ref(p: &Process, page: Page, lang: Lang) -> ProcessRef {
    ProcessRef {
        name: p.name.v.clone(),
        title: p.title.v.clone(),
        link: page.process(&p.name.v),
        record: record_noun(p, lang),
    }
}
