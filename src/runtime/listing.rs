//! `GET /v1/records`: a page of records, newest first, filtered by process and status in SQL
//! (indexed) and by the rest here (mine, overdue, text), visible to the caller only.

use std::sync::Arc;

use super::auth::User;
use super::error::ApiError;
use super::service::{may_read, AppState};
use super::storage::StoredRecord;
use super::storage_api::RecordQuery;
use crate::bundle::Bundle;
use crate::engine::{Actor, Engine, RecordId};

/// How many stored rows one request looks at, at most: a filter that matches little cannot
/// make a request scan the whole table (the next cursor continues where it stopped).
const SCAN: usize = 2000;
pub const MAX_LIMIT: usize = 200;

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub process: Option<String>,
    pub status: Option<String>,
    /// Only records the caller takes part in.
    pub mine: bool,
    /// Only records with an open task past its due time.
    pub overdue: bool,
    /// Text found in a field value (case-insensitive).
    pub q: Option<String>,
    pub limit: usize,
    /// Records older than this id.
    pub before: Option<RecordId>,
}

/// One record of the list, with the titles a client shows.
pub struct Listed {
    pub record: StoredRecord,
    pub process_title: String,
    pub status_title: String,
    pub overdue: bool,
}

impl AppState {
    /// The page, and the cursor of the next one (None at the end).
    pub fn list_records(
        &self,
        u: Option<&User>,
        f: &ListFilter,
    ) -> Result<(Vec<Listed>, Option<RecordId>), ApiError> {
        let store = self.read_store();
        let now = self.clock.now();
        let world = self.world();
        let limit = f.limit.clamp(1, MAX_LIMIT);
        let mut q = RecordQuery {
            process: f.process.clone(),
            status: f.status.clone(),
            before: f.before,
            limit: 200,
        };
        let (mut out, mut scanned) = (vec![], 0);
        loop {
            let rows = store.records_page(&q)?;
            let end = rows.len() < q.limit;
            for sr in rows {
                scanned += 1;
                q.before = Some(sr.record.id);
                let b = self.bundle(&store, &sr.bundle_hash)?;
                if let Some(l) = keep(&b, u, f, sr, &world, now) {
                    out.push(l);
                    if out.len() == limit {
                        let more = QueryMore(&q).exists(&store)?;
                        return Ok((out, more.then_some(q.before).flatten()));
                    }
                }
            }
            if end {
                return Ok((out, None));
            }
            if scanned >= SCAN {
                return Ok((out, q.before));
            }
        }
    }
}

/// Whether any stored row lies past the cursor (a full last page gets no next cursor).
struct QueryMore<'a>(&'a RecordQuery);

impl QueryMore<'_> {
    fn exists(&self, store: &super::storage::Store) -> Result<bool, ApiError> {
        let one = RecordQuery {
            limit: 1,
            ..self.0.clone()
        };
        Ok(!store.records_page(&one)?.is_empty())
    }
}

fn keep(
    b: &Arc<Bundle>,
    u: Option<&User>,
    f: &ListFilter,
    sr: StoredRecord,
    world: &crate::engine::World,
    now: crate::engine::DateTime,
) -> Option<Listed> {
    let r = &sr.record;
    if let Some(u) = u {
        if !may_read(b, u, r) {
            return None;
        }
    }
    let p = b.process(&r.process)?;
    if f.mine {
        let u = u?;
        let actor = Actor {
            user: u.id.clone(),
            roles: u.roles.clone(),
        };
        let asked = r.approval.as_ref().and_then(|a| a.requester.as_ref()) == Some(&u.id);
        if !asked && !Engine::new(b).is_participant(world, p, r, &actor) {
            return None;
        }
    }
    let overdue = r
        .tasks
        .iter()
        .any(|t| t.overdue || t.due.is_some_and(|d| d < now));
    if f.overdue && !overdue {
        return None;
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        let q = q.to_lowercase();
        let hit = r.id.to_string() == q
            || r.fields.values().any(|v| match v {
                serde_json::Value::String(s) => s.to_lowercase().contains(&q),
                other => other.to_string().to_lowercase().contains(&q),
            });
        if !hit {
            return None;
        }
    }
    let status_title = p
        .statuses
        .iter()
        .find(|s| s.id == r.status)
        .map_or(r.status.clone(), |s| s.title.clone());
    Some(Listed {
        process_title: p.title.clone(),
        status_title,
        overdue,
        record: sr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::auth::Tokens;
    use crate::runtime::clock::Clock;
    use crate::runtime::files::FileStore;
    use crate::runtime::storage::Store;
    use std::time::{Duration, Instant};

    #[test]
    fn records_lists_and_history_read_beside_the_store_lock() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let store = Store::open(&db).unwrap();
        let reader = Store::open_reader(&db).unwrap();
        let files = FileStore::open(&dir.path().join("files"), 1024).unwrap();
        let s = AppState::new(
            store,
            Tokens::load(None).unwrap(),
            Clock::from_env(0).unwrap(),
            files,
        )
        .with_reader(reader);
        // An action holding the store (as a commit does) holds up none of these reads.
        let held = s.store();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let t = Instant::now();
                let record = s.read_record(None, 7).map(|_| ()).unwrap_err();
                let history = s.read_store().history_page(7, 0, 10).unwrap();
                let filter = ListFilter {
                    process: None,
                    status: None,
                    mine: false,
                    overdue: false,
                    q: None,
                    limit: 10,
                    before: None,
                };
                let listed = s.list_records(None, &filter).unwrap();
                tx.send((record.status, history.len(), listed.0.len(), t.elapsed()))
                    .unwrap();
            });
            let got = rx.recv_timeout(Duration::from_secs(5));
            drop(held);
            let (status, history, listed, took) = got.expect("a read waited for the store's lock");
            assert_eq!((status.as_u16(), history, listed), (404, 0, 0));
            assert!(took < Duration::from_secs(1), "{took:?}");
        });
    }
}
