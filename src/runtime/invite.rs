//! Inviting people (SPEC 12 "Inviting people"). A `user` or `users` field's value may name a
//! person who is not in the directory yet: `{"invite": {"name": "Lisa", "email": "…"}}` (or
//! `"phone"`), from the API or a page's form. Before the engine decides, each invitation
//! becomes a user id holding the role the SOP gives the field (`role:`; external when that
//! role is), known to this action's world only. The engine then decides as for anyone (may
//! the caller write this field?); only when it accepts does the same commit add the person
//! to the directory and queue their invitation with a sign-in link.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::directory::{DirUser, Directory};
use super::error::{from_engine, ApiError};
use super::storage::{NewInbox, NewOutbox};
use super::wording::{record_label, sentence, Lang, Say};
use crate::bundle::{Bundle, Field, Process};
use crate::engine::{error as ecode, Action, EngineError, RecordId, World};

/// The longest name, email and phone an invitation may give, and the most invitations one
/// action may carry (every input bounded).
const MAX_NAME: usize = 100;
const MAX_EMAIL: usize = 254;
const MAX_PHONE: usize = 32;
const MAX_INVITES: usize = 20;

/// The word every refusal of an invitation says (the pages word those refusals by it).
pub const INVITATION: &str = "invitation";

/// The reason word of an invitation message (`links::page_path` sends it to "my work").
pub const REASON: &str = "invited";

/// A person this action invites: the id given to them and their directory entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Invited {
    pub id: String,
    pub user: DirUser,
}

/// Whether a field value is (or, for `users`, holds) an invitation.
fn is_invite(v: &Value) -> bool {
    v.get("invite").is_some()
}

fn refuse(f: &Field, why: &str) -> EngineError {
    EngineError::new(
        ecode::INVALID_VALUE,
        format!("{} (`{}`): {why}", f.title, f.id),
    )
    .with_fields(vec![f])
}

/// Replaces the invitations among the fields `action` writes by user ids, adding the new
/// people to `world`. Returns the people to add to the directory if the engine accepts.
pub fn resolve(
    b: &Bundle,
    dir: &Directory,
    action: &mut Action,
    world: &mut World,
    id: Option<RecordId>,
) -> Result<Vec<Invited>, ApiError> {
    let process = match &*action {
        Action::Create { process, .. } => Some(process.clone()),
        _ => id.and_then(|id| world.get(id)).map(|r| r.process.clone()),
    };
    let Some(p) = process.as_deref().and_then(|n| b.process(n)) else {
        return Ok(vec![]);
    };
    let fields = match action {
        Action::Create { fields, .. } | Action::Set { fields, .. } => fields,
        Action::Complete { fill, .. } | Action::Move { fields: fill, .. } => fill,
        _ => return Ok(vec![]),
    };
    let mut out = vec![];
    resolve_fields(p, dir, fields, world, &mut out).map_err(|e| from_engine(e, Some(p)))?;
    Ok(out)
}

fn resolve_fields(
    p: &Process,
    dir: &Directory,
    fields: &mut BTreeMap<String, Value>,
    world: &mut World,
    out: &mut Vec<Invited>,
) -> Result<(), EngineError> {
    for (fid, v) in fields.iter_mut() {
        let Some(f) = p.fields.iter().find(|f| &f.id == fid) else {
            continue; // the engine names a field the process does not have
        };
        if let Value::Array(items) = v {
            for item in items.iter_mut().filter(|x| is_invite(x)) {
                let id = one(f, dir, item, world, out)?;
                *item = Value::from(id);
            }
        } else if is_invite(v) {
            let id = one(f, dir, v, world, out)?;
            *v = Value::from(id);
        }
    }
    Ok(())
}

/// The user id for one invitation: someone already known by that email or phone, or a new id.
fn one(
    f: &Field,
    dir: &Directory,
    v: &Value,
    world: &mut World,
    out: &mut Vec<Invited>,
) -> Result<String, EngineError> {
    if !matches!(f.ty.as_str(), "user" | "users") {
        return Err(refuse(f, "only a person field takes an invitation"));
    }
    let Some(role) = f.role.clone() else {
        return Err(refuse(
            f,
            "takes only people in the directory: the SOP gives the field no `role`, so an invited person's rights would be unknown",
        ));
    };
    let user = parse(f, &v["invite"])?;
    let same = |u: &DirUser| {
        (user.email.is_some() && u.email.as_deref().map(str::to_lowercase) == user.email)
            || (user.phone.is_some() && u.phone == user.phone)
    };
    if let Some(known) = out.iter().find(|i| same(&i.user)) {
        return Ok(known.id.clone());
    }
    if let Some((id, _)) = dir.users.iter().find(|(_, u)| same(u)) {
        return Ok(id.clone());
    }
    if out.len() >= MAX_INVITES {
        return Err(refuse(f, "one action invites at most 20 people"));
    }
    let seed = user
        .email
        .as_deref()
        .or(user.phone.as_deref())
        .unwrap_or("");
    let id = mint(seed, |c| {
        dir.get(c).is_some() || world.users.contains_key(c)
    });
    let user = DirUser {
        roles: vec![role.clone()],
        invited: true,
        ..user
    };
    world.users.insert(id.clone(), [role].into_iter().collect());
    out.push(Invited {
        id: id.clone(),
        user,
    });
    Ok(id)
}

/// The name and contact of an invitation, checked and bounded.
fn parse(f: &Field, v: &Value) -> Result<DirUser, EngineError> {
    let Some(o) = v.as_object() else {
        return Err(refuse(
            f,
            "an invitation is {\"name\", \"email\"} or {\"name\", \"phone\"}",
        ));
    };
    if let Some(k) = o
        .keys()
        .find(|k| !["name", "email", "phone"].contains(&k.as_str()))
    {
        return Err(refuse(
            f,
            &format!("an invitation has no `{k}`: give `name` and `email` or `phone`"),
        ));
    }
    let text = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let name = text("name").filter(|n| n.chars().count() <= MAX_NAME);
    let Some(name) = name else {
        return Err(refuse(
            f,
            "an invitation needs the person's name (at most 100 characters)",
        ));
    };
    let email = text("email").map(str::to_lowercase);
    if email.as_deref().is_some_and(|e| !is_email(e)) {
        return Err(refuse(
            f,
            "the invitation's email is not an address like name@example.com",
        ));
    }
    let phone = text("phone").map(str::to_string);
    if phone.as_deref().is_some_and(|p| !is_phone(p)) {
        return Err(refuse(
            f,
            "the invitation's phone is not a number like 13800000000",
        ));
    }
    if email.is_none() && phone.is_none() {
        return Err(refuse(
            f,
            "an invitation needs an email or a phone to reach the person",
        ));
    }
    Ok(DirUser {
        name: name.to_string(),
        email,
        phone,
        ..DirUser::default()
    })
}

fn is_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    e.len() <= MAX_EMAIL
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && e.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '<' && c != '>')
        && !domain.contains('@')
}

fn is_phone(p: &str) -> bool {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    p.len() <= MAX_PHONE
        && (5..=20).contains(&digits)
        && p.chars().all(|c| c.is_ascii_digit() || "+- ()".contains(c))
}

/// A free user id from an email's local part or a phone (`lisa.wang@…` → `lisa-wang`),
/// following the identifier rule, with `-2`, `-3`… when taken.
fn mint(seed: &str, taken: impl Fn(&str) -> bool) -> String {
    let local = seed.split('@').next().unwrap_or("");
    let mut base: String = local
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(32)
        .collect();
    base = base.trim_matches('-').to_string();
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base = format!("guest-{base}").trim_end_matches('-').to_string();
    }
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken(c))
        .unwrap_or(base)
}

/// The invitation messages: an inbox row for each invited person and, for those with an
/// email, an email whose delivery carries their sign-in link.
pub fn messages(
    invited: &[Invited],
    by: &str,
    b: &Bundle,
    world: &World,
    record: RecordId,
) -> (Vec<NewInbox>, Vec<NewOutbox>) {
    let (mut inbox, mut outbox) = (vec![], vec![]);
    let r = world.get(record);
    let p = r.and_then(|r| b.process(&r.process));
    let label = r.map_or(format!("#{record}"), |r| record_label(p, r));
    let title = p.map_or("", |p| p.title.as_str());
    for i in invited {
        let lang = Lang::of(Some(&i.user), p);
        let text = sentence(lang, &Say::Invited { by, process: title }, &label);
        inbox.push(NewInbox {
            user: i.id.clone(),
            record_id: Some(record),
            reason: REASON.into(),
            message: text.clone(),
        });
        if i.user.email.is_some() {
            outbox.push(NewOutbox {
                record_id: Some(record),
                channel: "email".into(),
                payload: json!({"record": record, "process": r.map(|r| r.process.as_str()),
                    "process_title": title, "to": [i.id], "reason": REASON, "message": text}),
            });
        }
    }
    (inbox, outbox)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_the_email_and_stay_free() {
        assert_eq!(mint("Lisa.Wang@example.com", |_| false), "lisa-wang");
        assert_eq!(mint("lisa@example.com", |c| c == "lisa"), "lisa-2");
        assert_eq!(
            mint("+86 138-0000-0000", |_| false),
            "guest-86-138-0000-0000"
        );
        assert_eq!(mint("王@example.com", |_| false), "guest");
    }

    #[test]
    fn contacts_are_checked() {
        assert!(is_email("lisa@example.com"));
        assert!(!is_email("lisa@localhost") && !is_email("a b@example.com") && !is_email("@x.cn"));
        assert!(is_phone("13800000000") && is_phone("+86 138-0000-0000"));
        assert!(!is_phone("12") && !is_phone("call me"));
    }
}
