//! The runtime's operations, independent of HTTP: act on records through the engine, fire due
//! timers, accept a bundle (migrating live records), and answer queries. Every change is one
//! SQLite transaction (records, timers, assignments, inbox, outbox, audit) committed before
//! the caller answers, so an acknowledged action survives a crash.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::auth::{Tokens, User};
use super::clock::Clock;
use super::effects::{self, is_terminal, next_timer};
use super::error::ApiError;
use super::events::event_json;
use super::migrate::{migrate, Migration};
use super::storage::{Commit, NewAudit, RecordWrite, Store, StoredRecord, IDEMPOTENCY_TTL};
use crate::bundle::Bundle;
use crate::engine::{error as ecode, Action, Actor, Engine, EngineError, Event, RecordId, World};

/// The user the background loop acts as, in the audit log.
pub const SYSTEM: &str = "system";

pub struct AppState {
    /// Fair (first come, first served): the timer loop takes the store once per record and
    /// must not starve requests waiting between those turns, as an unfair lock let it.
    store: tokio::sync::Mutex<Store>,
    pub tokens: Tokens,
    pub clock: Clock,
    bundles: Mutex<HashMap<String, Arc<Bundle>>>,
}

/// Records loaded for one action: state, version and the bundle each runs on.
struct Loaded {
    world: World,
    versions: BTreeMap<RecordId, i64>,
    hashes: BTreeMap<RecordId, String>,
}

impl AppState {
    pub fn new(store: Store, tokens: Tokens, clock: Clock) -> AppState {
        AppState {
            store: tokio::sync::Mutex::new(store),
            tokens,
            clock,
            bundles: Mutex::new(HashMap::new()),
        }
    }

    /// The store, for blocking code (handlers run store work on the blocking pool).
    pub fn store(&self) -> tokio::sync::MutexGuard<'_, Store> {
        self.store.blocking_lock()
    }

    /// A stored bundle version, parsed once per hash.
    fn bundle(&self, store: &Store, hash: &str) -> Result<Arc<Bundle>, ApiError> {
        if let Some(b) = self.cache().get(hash) {
            return Ok(b.clone());
        }
        let text = store
            .bundle_json(hash)?
            .ok_or_else(|| ApiError::internal(format!("bundle {hash} is not stored")))?;
        let b = Arc::new(Bundle::from_json(&text).map_err(ApiError::internal)?);
        self.cache().insert(hash.to_string(), b.clone());
        Ok(b)
    }

    fn cache(&self) -> MutexGuard<'_, HashMap<String, Arc<Bundle>>> {
        self.bundles.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn active(&self, store: &Store) -> Result<Arc<Bundle>, ApiError> {
        let Some(hash) = store.active_hash()? else {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "no-bundle",
                "no bundle is active; upload one with `sopctl apply` (PUT /v1/bundle)",
            ));
        };
        self.bundle(store, &hash)
    }

    fn world(&self) -> World {
        World::new(self.tokens.directory(), self.clock.offset)
    }

    /// The record, its parent and its children: what one action can touch.
    fn load(&self, store: &Store, id: RecordId) -> Result<(Loaded, StoredRecord), ApiError> {
        let Some(main) = store.record(id)? else {
            return Err(EngineError::new(ecode::NO_SUCH_RECORD, format!("no record {id}")).into());
        };
        let mut l = Loaded {
            world: self.world(),
            versions: BTreeMap::new(),
            hashes: BTreeMap::new(),
        };
        let mut related: Vec<RecordId> = main.record.children.clone();
        related.extend(main.record.parent);
        for r in related {
            if let Some(sr) = store.record(r)? {
                l.add(sr);
            }
        }
        l.add(main.clone());
        Ok((l, main))
    }

    /// Runs one user action: load, engine, commit. `request` is the body as sent (audited);
    /// `expected_version`, when given, must match the record's stored version. With an
    /// idempotency key, a retry of an action that was committed gets the first answer back
    /// instead of acting again.
    #[allow(clippy::too_many_arguments)]
    pub fn act(
        &self,
        u: &User,
        id: Option<RecordId>,
        action: Action,
        request: Value,
        name: &str,
        expected_version: Option<i64>,
        key: Option<&str>,
    ) -> Result<(RecordId, Value), ApiError> {
        let mut store = self.store();
        if let Some(key) = key {
            if let Some(answer) = store.idempotent(&u.id, key)? {
                let v: Value = serde_json::from_str(&answer)
                    .map_err(|e| ApiError::internal(format!("a stored answer: {e}")))?;
                if v["request"] != request {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "idempotency-key-reused",
                        format!("the Idempotency-Key `{key}` was used for another request"),
                    ));
                }
                let id = v["id"].as_u64().unwrap_or(0);
                return Ok((id, v["out"].clone()));
            }
        }
        let (mut l, bundle) = match id {
            Some(id) => {
                let (l, main) = self.load(&store, id)?;
                let b = self.bundle(&store, &main.bundle_hash)?;
                check_external(&b, u, &main.record)?;
                if let Some(v) = expected_version.filter(|v| *v != main.version) {
                    return Err(ApiError::conflict(format!(
                        "record {id} is at version {}, not {v}; read it again",
                        main.version
                    )));
                }
                (l, b)
            }
            None => (
                Loaded {
                    world: self.world(),
                    versions: BTreeMap::new(),
                    hashes: BTreeMap::new(),
                },
                self.active(&store)?,
            ),
        };
        l.world.next_id = store.next_record_id()?;
        let actor = Actor {
            user: u.id.clone(),
            roles: u.roles.clone(),
        };
        let task = match &action {
            Action::Complete { task, .. } => Some(task.clone()),
            _ => None,
        };
        let before = l.world.records.clone();
        let now = self.clock.now();
        let events = match Engine::new(&bundle).apply(&mut l.world, &actor, action, now) {
            Ok(ev) => ev,
            Err(e) => {
                // Two people completing one task: the second finds it closed. Say so.
                if let (ecode::NO_SUCH_TASK, Some(id), Some(task)) = (e.code, id, &task) {
                    if let Some((who, at)) = store.last_completion(id, task)? {
                        return Err(ApiError::conflict(format!(
                            "task `{task}` was already completed by {who} at {}",
                            crate::engine::DateTime {
                                secs: at,
                                offset: self.clock.offset
                            }
                        )));
                    }
                }
                return Err(e.into());
            }
        };
        let main_id = id.unwrap_or_else(|| {
            events
                .iter()
                .find_map(|e| match e {
                    Event::Created { record, .. } => Some(*record),
                    _ => None,
                })
                .unwrap_or(l.world.next_id.saturating_sub(1))
        });
        let events_json: Vec<Value> = events.iter().map(event_json).collect();
        let state = l
            .world
            .records
            .get(&main_id)
            .map(|r| serde_json::to_value(r).expect("a record serializes"))
            .unwrap_or(Value::Null);
        let out = json!({"state": state, "events": events_json});
        let remember = key.map(|k| {
            let answer = json!({"id": main_id, "out": out, "request": request});
            (u.id.clone(), k.to_string(), answer.to_string())
        });
        self.commit(
            &mut store,
            &l,
            &before,
            &bundle,
            &events,
            NewAudit {
                at: now.secs,
                actor: &u.id,
                action: name,
                record_id: Some(main_id),
                bundle_hash: Some(&bundle.hash),
                detail: json!({"request": request, "events": events_json}),
            },
            remember,
        )?;
        Ok((main_id, out))
    }

    /// Writes the records an action changed (each on the bundle it runs on; new ones on
    /// `bundle`), their timers, the messages and the audit row.
    #[allow(clippy::too_many_arguments)]
    fn commit(
        &self,
        store: &mut Store,
        l: &Loaded,
        before: &BTreeMap<RecordId, crate::engine::Record>,
        bundle: &Arc<Bundle>,
        events: &[Event],
        audit: NewAudit<'_>,
        idempotency: Option<(String, String, String)>,
    ) -> Result<(), ApiError> {
        let now = audit.at;
        let mut bundles: BTreeMap<RecordId, Arc<Bundle>> = BTreeMap::new();
        for (id, h) in &l.hashes {
            bundles.insert(*id, self.bundle(store, h)?);
        }
        let writes: Vec<RecordWrite<'_>> = l
            .world
            .records
            .values()
            .filter(|r| before.get(&r.id) != Some(r))
            .map(|r| {
                let b = bundles.get(&r.id).unwrap_or(bundle);
                RecordWrite {
                    record: r,
                    bundle_hash: &b.hash,
                    expected_version: l.versions.get(&r.id).copied(),
                    terminal: is_terminal(b, r),
                    timer: next_timer(b, r, now),
                }
            })
            .collect();
        let (inbox, outbox) = effects::messages(bundle, &l.world, events);
        let mut c = Commit::new(writes, audit);
        c.inbox = inbox;
        c.outbox = outbox;
        c.idempotency = idempotency;
        c.kpi = super::kpi_store::rows(bundle, &l.world, events, now);
        store.commit(&c)?;
        Ok(())
    }

    /// Fires the timers that are due: reminders, overdue marks, escalations and time-based
    /// automatic transitions. The store is locked per record, not per batch, so requests get
    /// in between. Returns how many records were looked at.
    pub fn tick_due(&self, limit: usize) -> Result<usize, ApiError> {
        let now = self.clock.now();
        let due = self.store().due_timers(now.secs, limit)?;
        for &id in &due {
            if let Err(e) = self.tick_one(id, now) {
                // One broken record must not hold up the others: look at it again later.
                eprintln!("timer of record {id}: {}", e.body["error"]["message"]);
                let later = Commit::timers(vec![(id, Some(now.secs + effects::RECHECK_SECS))]);
                self.store().commit(&later)?;
            }
        }
        Ok(due.len())
    }

    /// Forgets idempotency keys older than [`IDEMPOTENCY_TTL`].
    pub fn forget_old_keys(&self) -> Result<(), ApiError> {
        let before = self.clock.secs() - IDEMPOTENCY_TTL;
        self.store().forget_idempotency(before)?;
        Ok(())
    }

    fn tick_one(&self, id: RecordId, now: crate::engine::DateTime) -> Result<(), ApiError> {
        let mut store = self.store();
        // A request may have moved the record (and its timer) since the batch was read.
        if store.timer(id)?.is_none_or(|t| t > now.secs) {
            return Ok(());
        }
        let (mut l, main) = self.load(&store, id)?;
        let bundle = self.bundle(&store, &main.bundle_hash)?;
        let before = l.world.records.clone();
        let system = Actor {
            user: SYSTEM.into(),
            roles: vec![],
        };
        let events = match Engine::new(&bundle).apply(&mut l.world, &system, Action::Tick, now) {
            Ok(ev) => ev,
            Err(e) => {
                // A broken automatic step must not stop the loop: park the record.
                eprintln!("timer of record {id}: {}", e.message);
                vec![]
            }
        };
        if events.is_empty() {
            // Nothing happened: only move the timer on, or it would fire forever.
            let mut next = next_timer(&bundle, &main.record, now.secs);
            if next.is_some_and(|n| n <= now.secs) {
                next = Some(now.secs + effects::RECHECK_SECS);
            }
            store.commit(&Commit::timers(vec![(id, next)]))?;
            return Ok(());
        }
        let events_json: Vec<Value> = events.iter().map(event_json).collect();
        self.commit(
            &mut store,
            &l,
            &before,
            &bundle,
            &events,
            NewAudit {
                at: now.secs,
                actor: SYSTEM,
                action: "tick",
                record_id: Some(id),
                bundle_hash: Some(&bundle.hash),
                detail: json!({"events": events_json}),
            },
            None,
        )
    }

    /// Stores and activates a bundle. Live records move onto it (`was` renames applied);
    /// records it would strand make it a 409 `would-strand` unless `force`, which leaves them
    /// on the version they run on.
    pub fn put_bundle(&self, body: &str, force: bool) -> Result<(StatusCode, Value), ApiError> {
        let b = Bundle::from_json(body)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid-bundle", e))?;
        let hash = b.content_hash();
        if hash != b.hash {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "hash-mismatch",
                format!(
                    "the bundle says hash {} but its contents hash to {hash}",
                    b.hash
                ),
            ));
        }
        let mut store = self.store();
        if store.active_hash()?.is_some_and(|h| h == hash) {
            return Ok((StatusCode::OK, json!({"status": "unchanged", "hash": hash})));
        }
        let new = Arc::new(b);
        let now = self.clock.secs();
        let mut moved: Vec<(crate::engine::Record, i64, bool)> = vec![];
        let mut stranded: BTreeMap<(String, String), i64> = BTreeMap::new();
        let live = store.live_records()?;
        for sr in &live {
            if sr.bundle_hash == hash {
                continue;
            }
            let old = self.bundle(&store, &sr.bundle_hash)?;
            match migrate(&sr.record, &old, &new) {
                Migration::Moved { record, .. } => {
                    let terminal = is_terminal(&new, &record);
                    moved.push((*record, sr.version, terminal));
                }
                Migration::Stranded { .. } => {
                    *stranded
                        .entry((sr.record.process.clone(), sr.record.status.clone()))
                        .or_default() += 1;
                }
            }
        }
        let stranded_json: Vec<Value> = stranded
            .iter()
            .map(|((p, s), n)| json!({"process": p, "status": s, "records": n}))
            .collect();
        let pinned: i64 = stranded.values().sum();
        if pinned > 0 && !force {
            let mut e = ApiError::new(
                StatusCode::CONFLICT,
                "would-strand",
                format!(
                    "{pinned} live record(s) sit in statuses this bundle removes; rename with \
                     `was:` to carry them over, or force the upload to leave them on their \
                     current version"
                ),
            );
            e.body["error"]["stranded"] = json!(stranded_json);
            return Err(e);
        }
        let writes: Vec<RecordWrite<'_>> = moved
            .iter()
            .map(|(r, v, terminal)| RecordWrite {
                record: r,
                bundle_hash: &hash,
                expected_version: Some(*v),
                terminal: *terminal,
                timer: next_timer(&new, r, now),
            })
            .collect();
        let inserted = store.put_bundle(
            &hash,
            body,
            now,
            NewAudit {
                at: now,
                actor: "admin",
                action: "bundle",
                record_id: None,
                bundle_hash: Some(&hash),
                detail: json!({"migrated": moved.len(), "pinned": pinned, "stranded": stranded_json, "forced": force}),
            },
            &writes,
        )?;
        self.cache().insert(hash.clone(), new);
        let (status, word) = if inserted {
            (StatusCode::CREATED, "created")
        } else {
            (StatusCode::OK, "activated")
        };
        Ok((
            status,
            json!({"status": word, "hash": hash, "migrated": moved.len(), "pinned": pinned, "stranded": stranded_json}),
        ))
    }

    /// A record as a user may see it: external users only see records they take part in.
    pub fn read_record(&self, u: Option<&User>, id: RecordId) -> Result<StoredRecord, ApiError> {
        let store = self.store();
        let Some(sr) = store.record(id)? else {
            return Err(EngineError::new(ecode::NO_SUCH_RECORD, format!("no record {id}")).into());
        };
        if let Some(u) = u {
            let b = self.bundle(&store, &sr.bundle_hash)?;
            check_external(&b, u, &sr.record)?;
        }
        Ok(sr)
    }

    /// The active bundle's hash and the live records per status.
    pub fn stats(&self) -> Result<Value, ApiError> {
        let store = self.store();
        let active = store.active_hash()?;
        let live: Vec<Value> = store
            .live_counts()?
            .into_iter()
            .map(|c| json!({"process": c.process, "status": c.status, "records": c.records}))
            .collect();
        Ok(json!({"bundle": active, "live": live}))
    }

    /// Open tasks assigned to the user (by id) or to one of their roles.
    pub fn my_tasks(&self, u: &User) -> Result<Value, ApiError> {
        let store = self.store();
        let now = self.clock.now();
        let mut who = u.roles.clone();
        who.push(u.id.clone());
        let mut out = vec![];
        for id in store.assigned_records(&who)? {
            let Some(sr) = store.record(id)? else {
                continue;
            };
            let r = sr.record;
            let b = self.bundle(&store, &sr.bundle_hash)?;
            let p = b.process(&r.process);
            for t in &r.tasks {
                if !(t.users.contains(&u.id) || t.roles.iter().any(|x| u.roles.contains(x))) {
                    continue;
                }
                let def = p
                    .and_then(|p| p.statuses.iter().find(|s| s.id == r.status))
                    .and_then(|s| s.tasks.iter().find(|d| d.id == t.id));
                out.push(json!({
                    "record": r.id, "process": r.process, "status": r.status, "task": t.id,
                    "title": def.map(|d| d.title.as_str()),
                    "fill": def.map(|d| &d.complete.fill),
                    "due": t.due.map(|d| d.to_string()),
                    "overdue": t.overdue || t.due.is_some_and(|d| d < now),
                    "version": sr.version,
                }));
            }
        }
        Ok(json!({ "tasks": out }))
    }
}

/// SPEC: external people are "invited, limited to their tasks". A user all of whose roles are
/// `external: true` may only read or act on records they take part in.
fn check_external(b: &Bundle, u: &User, r: &crate::engine::Record) -> Result<(), ApiError> {
    let external = !u.roles.is_empty()
        && u.roles
            .iter()
            .all(|x| b.roles.iter().any(|r| &r.id == x && r.external));
    if !external {
        return Ok(());
    }
    let Some(p) = b.process(&r.process) else {
        return Ok(());
    };
    let actor = Actor {
        user: u.id.clone(),
        roles: u.roles.clone(),
    };
    let world = World::default();
    if Engine::new(b).is_participant(&world, p, r, &actor) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "not-allowed",
        format!(
            "record {} is not one of yours: external people see only the records they work on",
            r.id
        ),
    ))
}

impl Loaded {
    fn add(&mut self, sr: StoredRecord) {
        let id = sr.record.id;
        self.versions.insert(id, sr.version);
        self.hashes.insert(id, sr.bundle_hash);
        self.world.records.insert(id, sr.record);
    }
}
