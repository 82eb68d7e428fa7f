//! What a person may see (SPEC 12): internal people see every record; external people (all of
//! whose roles are `external: true`) only the records they take part in, and only their own
//! tasks. One rule, used by the record reads, the task list, the record list and the pages.

use crate::bundle::{Bundle, Ref};
use crate::engine::{OpenTask, Record};

use super::auth::User;

/// Whether someone with these roles is an outsider: at least one role, every one external.
pub fn is_external(b: &Bundle, roles: &[String]) -> bool {
    !roles.is_empty()
        && roles
            .iter()
            .all(|x| b.roles.iter().any(|r| &r.id == x && r.external))
}

/// The user ids a `user` or `users` field holds.
fn people_in(r: &Record, field: &str) -> Vec<String> {
    match r.fields.get(field) {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => vec![],
    }
}

/// Whether a task is this person's: assigned to them, or to a role they hold.
pub fn is_their_task(u: &User, t: &OpenTask) -> bool {
    t.users.contains(&u.id) || t.roles.iter().any(|x| u.roles.contains(x))
}

/// Whether the pending approval step of `r` asks one of the person's roles.
fn asked_to_approve(b: &Bundle, u: &User, r: &Record) -> bool {
    let Some(pa) = &r.approval else { return false };
    b.process(&r.process)
        .and_then(|p| p.transitions.get(pa.transition))
        .and_then(|t| t.approval.get(pa.step))
        .is_some_and(|step| u.roles.contains(&step.role))
}

/// Whether the person takes part in the record: named in a person field, assigned an open
/// task, asked to approve, the process owner, or someone who moved it.
pub fn takes_part(b: &Bundle, u: &User, r: &Record) -> bool {
    let Some(p) = b.process(&r.process) else {
        return false;
    };
    let named = p
        .fields
        .iter()
        .filter(|f| f.ty == "user" || f.ty == "users")
        .any(|f| people_in(r, &f.id).contains(&u.id));
    let owner = match &p.owner {
        Some(Ref::Role(role)) => u.roles.contains(role),
        Some(Ref::Field(f)) => people_in(r, f).contains(&u.id),
        None => false,
    };
    named
        || owner
        || r.tasks.iter().any(|t| is_their_task(u, t))
        || asked_to_approve(b, u, r)
        || r.history.iter().any(|h| h.by.as_deref() == Some(&u.id))
}

/// Whether the person may read the record (and act on it, as far as the engine allows).
pub fn may_read(b: &Bundle, u: &User, r: &Record) -> bool {
    !is_external(b, &u.roles) || takes_part(b, u, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> Bundle {
        let mut b = Bundle::empty();
        let role = |id: &str, external: bool| crate::bundle::Role {
            id: id.into(),
            title: id.into(),
            description: None,
            bot: false,
            external,
        };
        b.roles = vec![role("sales", false), role("ext", true)];
        b
    }

    #[test]
    fn outsiders_are_those_with_only_external_roles() {
        let b = bundle();
        let v = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_external(&b, &v(&["ext"])));
        assert!(!is_external(&b, &v(&["ext", "sales"])));
        assert!(!is_external(&b, &v(&[])));
        assert!(!is_external(&b, &v(&["unknown"])));
    }
}
