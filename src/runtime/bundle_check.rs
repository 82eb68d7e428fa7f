//! What a bundle must hold before a runtime runs it. `sopctl build` only writes bundles that
//! passed `validate`, but `PUT /v1/bundle` takes any JSON of the right shape: a hand-made or
//! edited bundle with no initial status, a transition to nowhere or a condition on an unknown
//! field would make the engine fail on every later request. [`check`] refuses such a bundle at
//! upload and names the first problem, so no bad bundle ever becomes active.

use std::collections::HashSet;

use crate::bundle::{Bundle, Process, Ref, Status};
use crate::expr::check_condition;
use crate::model::field_type::FieldType;

/// The first structural problem of `b`, in words that name the process and what is wrong.
pub fn check(b: &Bundle) -> Result<(), String> {
    unique(b.roles.iter().map(|r| r.id.as_str()), "role")?;
    unique(b.processes.iter().map(|p| p.name.as_str()), "process")?;
    for p in &b.processes {
        process(b, p).map_err(|e| format!("process `{}`: {e}", p.name))?;
    }
    Ok(())
}

fn unique<'a>(ids: impl Iterator<Item = &'a str>, what: &str) -> Result<(), String> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(format!("the {what} id `{id}` is defined twice"));
        }
    }
    Ok(())
}

fn process(b: &Bundle, p: &Process) -> Result<(), String> {
    unique(p.fields.iter().map(|f| f.id.as_str()), "field")?;
    unique(p.statuses.iter().map(|s| s.id.as_str()), "status")?;
    let tasks = p.statuses.iter().flat_map(|s| s.tasks.iter());
    unique(tasks.map(|t| t.id.as_str()), "task")?;
    match p.statuses.iter().filter(|s| s.initial).count() {
        1 => {}
        0 => return Err("no status is `initial: true`; exactly one must be".into()),
        n => return Err(format!("{n} statuses are initial; exactly one must be")),
    }
    if !p.statuses.iter().any(|s| s.terminal) {
        return Err("no status is `terminal: true`; at least one must be".into());
    }
    for f in &p.fields {
        let Some(ty) = FieldType::parse(&f.ty) else {
            return Err(format!("field `{}` has the unknown type `{}`", f.id, f.ty));
        };
        if ty == FieldType::Choice && f.options.is_empty() {
            return Err(format!("choice field `{}` has no options", f.id));
        }
    }
    if let Some(owner) = &p.owner {
        reference(b, p, owner, "the owner")?;
    }
    for s in &p.statuses {
        status(b, p, s).map_err(|e| format!("status `{}`: {e}", s.id))?;
    }
    transitions(b, p)?;
    for (old, new) in p.renames.statuses.iter().chain(&p.renames.fields) {
        if !has_status(p, new) && !has_field(p, new) {
            return Err(format!(
                "the rename `{old}` → `{new}` names nothing in the process"
            ));
        }
    }
    Ok(())
}

fn has_field(p: &Process, id: &str) -> bool {
    p.fields.iter().any(|f| f.id == id)
}

fn has_status(p: &Process, id: &str) -> bool {
    p.statuses.iter().any(|s| s.id == id)
}

fn field_type(p: &Process, id: &str) -> Option<FieldType> {
    p.fields
        .iter()
        .find(|f| f.id == id)
        .and_then(|f| FieldType::parse(&f.ty))
}

fn fields_exist<'a>(
    p: &Process,
    ids: impl IntoIterator<Item = &'a String>,
    what: &str,
) -> Result<(), String> {
    for id in ids {
        if !has_field(p, id) {
            return Err(format!("{what} names the unknown field `{id}`"));
        }
    }
    Ok(())
}

/// A `role:` ref names a role of the bundle; a `field:` ref a `user`/`users` field.
fn reference(b: &Bundle, p: &Process, r: &Ref, what: &str) -> Result<(), String> {
    match r {
        Ref::Role(id) if b.roles.iter().any(|x| &x.id == id) => Ok(()),
        Ref::Role(id) => Err(format!("{what} names the unknown role `{id}`")),
        Ref::Field(id) => match field_type(p, id) {
            Some(FieldType::User | FieldType::Users) => Ok(()),
            Some(_) => Err(format!("{what} names field `{id}`, which holds no people")),
            None => Err(format!("{what} names the unknown field `{id}`")),
        },
    }
}

fn status(b: &Bundle, p: &Process, s: &Status) -> Result<(), String> {
    fields_exist(p, &s.requires, "`requires`")?;
    for t in &s.tasks {
        let what = format!("task `{}`", t.id);
        reference(b, p, &t.assignee, &what)?;
        if let Some(r) = &t.on_behalf_of {
            reference(b, p, r, &what)?;
        }
        if let Some(e) = &t.escalate {
            reference(b, p, &e.to, &what)?;
        }
        fields_exist(p, &t.complete.fill, &what)?;
        if let Some(f) = t.due.as_ref().and_then(|d| d.rule.field()) {
            if !matches!(
                field_type(p, f),
                Some(FieldType::Date | FieldType::Datetime)
            ) {
                return Err(format!(
                    "{what}: its due date counts from `{f}`, not a date field"
                ));
            }
        }
        if let Some(then) = &t.complete.then {
            if !p
                .transitions
                .iter()
                .any(|x| x.from == s.id && &x.to == then)
            {
                return Err(format!(
                    "{what}: `complete.then: {then}` has no transition from here"
                ));
            }
        }
    }
    for n in &s.notify {
        for r in &n.to {
            reference(b, p, r, "a notification")?;
        }
        crate::runtime::render_bounded::parses(&n.message, &|path| numeric_name(p, path))
            .map_err(|e| format!("a notification message does not parse: {e}"))?;
    }
    for l in &s.start {
        let Some(child) = b.process(&l.process) else {
            return Err(format!("`start` names the unknown process `{}`", l.process));
        };
        for (to, from) in &l.with {
            if !has_field(child, to) {
                return Err(format!(
                    "`start.with` names `{to}`, not a field of `{}`",
                    child.name
                ));
            }
            if !has_field(p, from) {
                return Err(format!("`start.with` names the unknown field `{from}`"));
            }
        }
    }
    Ok(())
}

fn transitions(b: &Bundle, p: &Process) -> Result<(), String> {
    let mut pairs = HashSet::new();
    for t in &p.transitions {
        let what = format!("transition `{}`", t.id);
        if !has_status(p, &t.from) || !has_status(p, &t.to) {
            return Err(format!("{what} goes between statuses that do not exist"));
        }
        if !pairs.insert((t.from.as_str(), t.to.as_str())) {
            return Err(format!("{what} is defined twice"));
        }
        if p.statuses.iter().any(|s| s.id == t.from && s.terminal) {
            return Err(format!("{what} leaves a terminal status"));
        }
        fields_exist(p, &t.requires, &what)?;
        for r in t.by.iter().flatten() {
            reference(b, p, r, &what)?;
        }
        for step in &t.approval {
            if !b.roles.iter().any(|r| r.id == step.role) {
                return Err(format!(
                    "{what}: an approval step names the unknown role `{}`",
                    step.role
                ));
            }
            if step.mode != "any" && step.mode != "all" {
                return Err(format!(
                    "{what}: approval mode `{}` is neither any nor all",
                    step.mode
                ));
            }
        }
        if let Some(w) = &t.when {
            check_condition(&w.expr, &|f| field_type(p, f)).map_err(|errs| {
                let first = errs.first().map(|e| e.message.clone()).unwrap_or_default();
                format!("{what}: `when: {}` does not check: {first}", w.source)
            })?;
        }
    }
    Ok(())
}

/// Whether `record.<field>` names a number in messages: `record.id` or a number or money field.
pub fn numeric_name(p: &Process, path: &[&str]) -> bool {
    match path {
        ["record", "id"] => true,
        ["record", f] => p
            .fields
            .iter()
            .any(|x| x.id == *f && (x.ty == "number" || x.ty == "money")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(yaml: &str) -> Bundle {
        let dir = tempfile::tempdir().unwrap();
        let sops = dir.path().join("sops");
        std::fs::create_dir_all(&sops).unwrap();
        std::fs::write(sops.join("p.yaml"), yaml).unwrap();
        let config = crate::config::find(dir.path(), None).unwrap();
        let (files, _) = crate::project::discover(&config, dir.path(), &[]).unwrap();
        let loaded = crate::project::load(&config, &files, &Default::default());
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        crate::bundle::compile(&loaded.project, &loaded.root).unwrap()
    }

    const OK: &str = "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: r }\nspec:\n  roles:\n    boss: { title: B }\n---\napiVersion: sopctl/v1\nkind: Process\nmetadata: { name: p, title: P, owner: role:boss }\nspec:\n  fields:\n    n: { type: number, title: N }\n  statuses:\n    draft: { title: D, initial: true }\n    done: { title: F, terminal: true }\n  transitions:\n    - { from: draft, to: done, when: 'n > 1' }\n";

    #[test]
    fn a_built_bundle_passes_and_broken_ones_name_the_problem() {
        let good = bundle(OK);
        assert_eq!(check(&good), Ok(()));
        let mut b = good.clone();
        b.processes[0].statuses[0].initial = false;
        assert!(check(&b)
            .unwrap_err()
            .contains("no status is `initial: true`"));
        let mut b = good.clone();
        b.processes[0].transitions[0].to = "nowhere".into();
        assert!(check(&b).unwrap_err().contains("do not exist"));
        let mut b = good.clone();
        b.processes[0].fields[0].ty = "text".into();
        assert!(
            check(&b).unwrap_err().contains("does not check"),
            "{:?}",
            check(&b)
        );
        let mut b = good.clone();
        b.processes[0].owner = Some(Ref::Role("ghost".into()));
        assert!(check(&b).unwrap_err().contains("unknown role `ghost`"));
    }
}
