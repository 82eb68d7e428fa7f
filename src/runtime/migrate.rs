//! Moving a live record from the bundle it runs on to a newly uploaded one. `was` renames carry
//! it across (its status and field ids are renamed); a record whose process or status is gone
//! without a `was` would be stranded, so the upload is refused unless forced, and a forced
//! upload leaves such records on the version they started on (every version is kept).

use crate::bundle::Bundle;
use crate::engine::Record;

#[derive(Debug, Clone, PartialEq)]
pub enum Migration {
    /// The record runs on the new version (possibly renamed); `changed` when its state changed.
    Moved { record: Box<Record>, changed: bool },
    /// Its process or status has no counterpart in the new version.
    Stranded { why: String },
}

/// Where `record` (running on `old`) lands in `new`.
pub fn migrate(record: &Record, old: &Bundle, new: &Bundle) -> Migration {
    let Some(np) = new.process(&record.process) else {
        return Migration::Stranded {
            why: format!("process `{}` was removed", record.process),
        };
    };
    let rename_status = |s: &str| -> Option<String> {
        if np.statuses.iter().any(|x| x.id == s) {
            Some(s.to_string())
        } else {
            np.renames.statuses.get(s).cloned()
        }
    };
    let Some(status) = rename_status(&record.status) else {
        return Migration::Stranded {
            why: format!("status `{}` was removed", record.status),
        };
    };
    let mut r = record.clone();
    r.status = status;
    r.fields = record
        .fields
        .iter()
        .map(|(k, v)| {
            let k = if np.fields.iter().any(|f| &f.id == k) {
                k.clone()
            } else {
                np.renames
                    .fields
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| k.clone())
            };
            (k, v.clone())
        })
        .collect();
    // Open tasks the new status no longer defines are dropped; new ones open on the next entry.
    if let Some(st) = np.statuses.iter().find(|s| s.id == r.status) {
        r.tasks.retain(|t| st.tasks.iter().any(|d| d.id == t.id));
    }
    // A pending approval is kept when its transition (from, to) still exists, by index in the
    // new version; a step past the new chain's end, or a removed transition, drops it.
    if let Some(a) = r.approval.take() {
        let old_t = old
            .process(&record.process)
            .and_then(|p| p.transitions.get(a.transition));
        let found = old_t.and_then(|t| {
            let (from, to) = (rename_status(&t.from)?, rename_status(&t.to)?);
            np.transitions
                .iter()
                .position(|n| n.from == from && n.to == to)
        });
        if let Some(i) = found {
            if a.step < np.transitions[i].approval.len() {
                r.approval = Some(crate::engine::PendingApproval { transition: i, ..a });
            }
        }
    }
    let changed = &r != record
        || old.process(&record.process).map(|p| &p.transitions) != Some(&np.transitions);
    Migration::Moved {
        record: Box::new(r),
        changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(yaml: &str) -> Bundle {
        let dir = tempfile::tempdir().unwrap();
        let sops = dir.path().join("sops");
        std::fs::create_dir_all(&sops).unwrap();
        std::fs::write(
            sops.join("roles.yaml"),
            "apiVersion: sopctl/v1\nkind: Roles\nmetadata: { name: r }\nspec:\n  roles:\n    boss: { title: 主管 }\n",
        )
        .unwrap();
        std::fs::write(sops.join("p.yaml"), yaml).unwrap();
        let config = crate::config::find(dir.path(), None).unwrap();
        let (files, _) = crate::project::discover(&config, dir.path(), &[]).unwrap();
        let loaded = crate::project::load(&config, &files, &Default::default());
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        crate::bundle::compile(&loaded.project, &loaded.root).unwrap()
    }

    const V1: &str = "apiVersion: sopctl/v1\nkind: Process\nmetadata: { name: p, title: P, owner: role:boss }\nspec:\n  fields:\n    note: { type: text, title: N }\n  statuses:\n    draft: { title: D, initial: true }\n    sent: { title: S }\n    done: { title: F, terminal: true }\n  transitions:\n    - { from: draft, to: sent }\n    - { from: sent, to: done }\n";

    fn rec(status: &str) -> Record {
        Record {
            fields: [("note".to_string(), serde_json::json!("x"))].into(),
            ..Record::new(1, "p", status)
        }
    }

    #[test]
    fn renames_carry_records_and_removals_strand_them() {
        let v1 = bundle(V1);
        let renamed = V1
            .replace("sent: { title: S }", "delivered: { title: S, was: [sent] }")
            .replace(
                "note: { type: text, title: N }",
                "memo: { type: text, title: N, was: [note] }",
            )
            .replace("from: draft, to: sent", "from: draft, to: delivered")
            .replace("from: sent, to: done", "from: delivered, to: done");
        let v2 = bundle(&renamed);
        match migrate(&rec("sent"), &v1, &v2) {
            Migration::Moved { record, changed } => {
                assert!(changed);
                assert_eq!(record.status, "delivered");
                assert_eq!(record.fields["memo"], "x");
            }
            m => panic!("{m:?}"),
        }
        let removed = V1.replace("    sent: { title: S }\n", "").replace(
            "    - { from: draft, to: sent }\n    - { from: sent, to: done }\n",
            "    - { from: draft, to: done }\n",
        );
        let v3 = bundle(&removed);
        assert!(matches!(
            migrate(&rec("sent"), &v1, &v3),
            Migration::Stranded { .. }
        ));
        assert!(matches!(
            migrate(&rec("draft"), &v1, &v3),
            Migration::Moved { .. }
        ));
        match migrate(&rec("draft"), &v1, &v1) {
            Migration::Moved { changed, .. } => assert!(!changed),
            m => panic!("{m:?}"),
        }
    }
}
