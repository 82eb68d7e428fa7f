//! Task cards (A6, one per task a person does) and, with a server address, a "scan to start"
//! poster per process. The cards of a process go into `cards/<process>.pdf`; with `--role`,
//! the role's cards across processes into `cards/roles/<role>.pdf`. Tasks a bot does get no
//! card: nobody works from it.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::{data, qr, Job, Meta};
use crate::render::context::{self, Env, ProcessView, TaskView};
use crate::render::RenderError;

/// The jobs of `sopctl render --format cards`.
pub fn jobs(env: &Env, role: Option<&str>, meta: &Meta) -> Result<Vec<Job>, RenderError> {
    if let Some(id) = role {
        let Some(r) = env.project.role(id) else {
            return Ok(vec![]);
        };
        let view = context::role_view(env, r);
        let mut cards = Vec::new();
        for rp in &view.processes {
            let Some(p) = env.processes.iter().find(|p| p.name.v == rp.process.name) else {
                continue;
            };
            let pv = context::process_view(env, p);
            for t in rp.tasks.iter().filter(|t| !t.bot) {
                cards.push(card(t, &pv, meta)?);
            }
        }
        if cards.is_empty() {
            return Ok(vec![]);
        }
        let doc = data::document(
            meta.parts(env.site_lang)
                .into_iter()
                .chain([
                    (
                        "title",
                        json!(format!(
                            "{} · {}",
                            view.title,
                            meta.word(env.site_lang, "pdf_cards")
                        )),
                    ),
                    ("posters", json!([])),
                    ("cards", Value::Array(cards)),
                ])
                .collect(),
        );
        return Ok(vec![Job::new(
            PathBuf::from("cards")
                .join("roles")
                .join(format!("{id}.pdf")),
            "cards.typ",
            doc,
        )]);
    }
    let mut jobs = Vec::new();
    for p in &env.processes {
        let pv = context::process_view(env, p);
        let lang = env.lang_of(p);
        let cards: Vec<Value> = pv
            .statuses
            .iter()
            .flat_map(|s| s.tasks.iter())
            .filter(|t| !t.bot)
            .map(|t| card(t, &pv, meta))
            .collect::<Result<_, _>>()?;
        let posters = match &meta.server {
            Some(server) => vec![poster(&pv, server)?],
            None => vec![],
        };
        if cards.is_empty() && posters.is_empty() {
            continue;
        }
        let doc = data::document(
            meta.parts(lang)
                .into_iter()
                .chain([
                    (
                        "title",
                        json!(format!("{} · {}", pv.title, meta.word(lang, "pdf_cards"))),
                    ),
                    ("posters", Value::Array(posters)),
                    ("cards", Value::Array(cards)),
                ])
                .collect(),
        );
        jobs.push(Job::new(
            PathBuf::from("cards").join(format!("{}.pdf", p.name.v)),
            "cards.typ",
            doc,
        ));
    }
    Ok(jobs)
}

/// One card: the task's view, who to ask (the escalation target, then the process owner),
/// and the QR code to the work list when a server is known.
fn card(t: &TaskView, p: &ProcessView, meta: &Meta) -> Result<Value, RenderError> {
    let mut ask: Vec<String> = Vec::new();
    for party in t.escalate_to.iter().chain(p.owner.iter()) {
        if !ask.contains(&party.label) && party.label != t.assignee.label {
            ask.push(party.label.clone());
        }
    }
    let mut v = data::of(t);
    v["ask"] = json!(ask);
    v["owner"] = json!(p.owner.as_ref().map(|o| &o.label));
    if let Some(server) = &meta.server {
        let url = qr::task_url(server);
        v["qr"] = json!(qr_svg(&url)?);
        v["url"] = json!(url);
    }
    Ok(v)
}

/// The poster that starts a record: big QR code to `/new/{process}`, what creating asks for,
/// and the first tasks.
fn poster(p: &ProcessView, server: &str) -> Result<Value, RenderError> {
    let url = qr::new_record_url(server, &p.name);
    let first = p.statuses.iter().find(|s| s.initial);
    let first_tasks: Vec<Value> = first
        .map(|s| {
            s.tasks
                .iter()
                .map(|t| json!({"title": t.title, "assignee": t.assignee.label}))
                .collect()
        })
        .unwrap_or_default();
    Ok(json!({
        "process": p.name,
        "title": p.title,
        "record": p.record,
        "url": url,
        "qr": qr_svg(&url)?,
        "needs": first.map(|s| s.creation_requires.clone()).unwrap_or_default(),
        "first": first_tasks,
    }))
}

fn qr_svg(url: &str) -> Result<String, RenderError> {
    qr::svg(url).map_err(|message| RenderError::Setup {
        message,
        help: "use a shorter server address".into(),
    })
}
