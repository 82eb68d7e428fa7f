//! The runtime's operations, independent of HTTP: act on records through the engine, fire due
//! timers, accept a bundle (migrating live records), and answer queries. Every change is one
//! SQLite transaction (records, timers, assignments, inbox, outbox, audit) committed before
//! the caller answers, so an acknowledged action survives a crash.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::auth::{bearer, Caller, Tokens, User};
use super::clock::Clock;
use super::directory::{Directory, DirectoryHandle};
use super::effects::{self, is_terminal, next_timer};
use super::error::from_engine;
use super::error::ApiError;
use super::files::{self, FileStore};
use super::invite::{self, Invited};
use super::migrate::{migrate, Migration};
use super::storage::{Commit, NewAudit, RecordWrite, Store, StoredRecord, IDEMPOTENCY_TTL};
use super::storage_approvals::approval_role;
use super::visibility;
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
    /// How long one API request may take (`serve --request-timeout`).
    pub request_timeout: std::time::Duration,
    /// Uploaded files (`--data DIR`).
    pub files: FileStore,
    bundles: Mutex<HashMap<String, Arc<Bundle>>>,
    /// Who the people are (`--users`, invited people, the tokens file's users).
    directory: DirectoryHandle,
    /// A second connection for token lookups and the invited people, so that checking a
    /// request's token never waits for the store's lock.
    people: Option<Mutex<Store>>,
    /// A read-only connection for long reads (`GET /v1/kpis`), so they never hold the store's
    /// lock while actions wait to commit.
    reader: Option<Mutex<Store>>,
}

/// Records loaded for one action: state, version and the bundle each runs on.
struct Loaded {
    world: World,
    versions: BTreeMap<RecordId, i64>,
    hashes: BTreeMap<RecordId, String>,
    /// The people the action invites (added to the directory with its commit).
    invited: Vec<Invited>,
}

impl AppState {
    pub fn new(store: Store, tokens: Tokens, clock: Clock, files: FileStore) -> AppState {
        AppState {
            store: tokio::sync::Mutex::new(store),
            tokens,
            clock,
            request_timeout: super::api::bounds::REQUEST_TIMEOUT,
            files,
            bundles: Mutex::new(HashMap::new()),
            directory: DirectoryHandle::empty(),
            people: None,
            reader: None,
        }
    }

    /// With the directory file and a second connection to the same database (API tokens,
    /// invited people).
    pub fn with_people(mut self, directory: DirectoryHandle, people: Store) -> AppState {
        self.directory = directory;
        self.people = Some(Mutex::new(people));
        self.refresh_directory();
        self
    }

    /// With a read-only connection for long reads (see [`AppState::reading`]).
    pub fn with_reader(mut self, reader: Store) -> AppState {
        self.reader = Some(Mutex::new(reader));
        self
    }

    /// Runs a read on the read-only connection when there is one, else on the store.
    pub fn reading<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        f(&self.read_store())
    }

    /// The read-only connection when there is one, else the store: reads that need no
    /// write (a record, its history, a list, KPIs) never wait behind commits. WAL gives each
    /// read what was committed before it began, so a client reads its own answered writes.
    pub fn read_store(&self) -> ReadStore<'_> {
        match &self.reader {
            Some(r) => ReadStore::Reader(r.lock().unwrap_or_else(|e| e.into_inner())),
            None => ReadStore::Writer(self.store()),
        }
    }

    /// Keeps the KPI aggregates of the active bundle's measures (filling new ones from the
    /// KPI tables): at start, for a database made by an older version.
    pub fn keep_kpis(&self) -> Result<usize, ApiError> {
        let mut store = self.store();
        if store.active_hash()?.is_none() {
            return Ok(0);
        }
        let b = self.active(&store)?;
        Ok(store.ensure_kpis(&b, self.clock.offset)?)
    }

    /// Rebuilds the index of pending approvals by deciding role (at start).
    pub fn index_approvals(&self) -> Result<usize, ApiError> {
        let mut store = self.store();
        let mut bundles = BTreeMap::new();
        for sr in store.awaiting_approval()? {
            if !bundles.contains_key(&sr.bundle_hash) {
                let b = self.bundle(&store, &sr.bundle_hash)?;
                bundles.insert(sr.bundle_hash.clone(), b);
            }
        }
        Ok(store.index_approvals(|sr| approval_role(bundles.get(&sr.bundle_hash)?, &sr.record))?)
    }

    /// The directory as it is now.
    pub fn directory(&self) -> Arc<Directory> {
        self.directory.get()
    }

    /// Re-reads the directory file if it changed (always with `force`, on SIGHUP) and the
    /// invited people from the database. A bad file keeps the last good directory.
    pub fn refresh_directory_file(&self, force: bool) {
        self.directory.reload(force);
        self.refresh_directory();
    }

    /// Re-reads the invited people (call after inserting one).
    pub fn refresh_directory(&self) {
        let mut extra = self.tokens.directory_users();
        if let Some(people) = &self.people {
            let db = people.lock().unwrap_or_else(|e| e.into_inner());
            match db.invited_users() {
                Ok(invited) => extra.extend(invited),
                Err(e) => eprintln!("directory: cannot read the invited people: {e}"),
            }
        }
        self.directory.set_extra(extra);
    }

    /// The caller an `Authorization` header names: the admin, a static token's user or an
    /// API token's user, with their roles from the directory.
    pub fn caller(&self, header: Option<&str>) -> Result<Caller, ApiError> {
        let unauthorized = |why: &str| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                format!("a valid `Authorization: Bearer TOKEN` header is required{why}"),
            )
        };
        let token = bearer(header).ok_or_else(|| unauthorized(""))?;
        let id = match self.tokens.caller(token) {
            Some(Caller::Admin) => return Ok(Caller::Admin),
            Some(Caller::User(u)) => u.id,
            None => self.api_token_user(token).map_err(|w| unauthorized(&w))?,
        };
        let roles = match self.directory().get(&id) {
            Some(d) => d.roles.clone(),
            None => {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "not-allowed",
                    format!(
                        "the token belongs to `{id}`, who is not in the directory; add them to \
                         the --users file"
                    ),
                ))
            }
        };
        Ok(Caller::User(User { id, roles }))
    }

    /// The user of a valid API token; Err says why it is not (without the token).
    fn api_token_user(&self, token: &str) -> Result<String, String> {
        let Some(people) = &self.people else {
            return Err(String::new());
        };
        let h = super::tokens::hash(token);
        let found = people
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .token_by_hash(&h)
            .map_err(|e| format!(" (the token store failed: {e})"))?;
        let Some((t, stored)) = found else {
            return Err(String::new());
        };
        if !super::tokens::ct_eq(stored.as_bytes(), h.as_bytes()) {
            return Err(String::new());
        }
        if t.revoked.is_some() {
            return Err(format!("; token {} was revoked", t.id));
        }
        if !t.valid_at(self.clock.secs()) {
            return Err(format!(
                "; token {} has expired: make a new one with `sopctl token create`",
                t.id
            ));
        }
        Ok(t.user)
    }

    /// External people may not read bundles or statistics: 403 for them.
    pub fn deny_outsider(&self, c: &Caller, what: &str) -> Result<(), ApiError> {
        let Caller::User(u) = c else { return Ok(()) };
        let store = self.store();
        if store.active_hash()?.is_none() {
            return Ok(());
        }
        let b = self.active(&store)?;
        if visibility::is_external(&b, &u.roles) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "not-allowed",
                format!("external people see only their own records and tasks, not {what}"),
            ));
        }
        Ok(())
    }

    /// The store, for blocking code (handlers run store work on the blocking pool).
    pub fn store(&self) -> tokio::sync::MutexGuard<'_, Store> {
        self.store.blocking_lock()
    }

    /// A stored bundle version, parsed once per hash.
    pub fn bundle(&self, store: &Store, hash: &str) -> Result<Arc<Bundle>, ApiError> {
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

    /// The active bundle; `no-bundle` when none was uploaded.
    pub fn active(&self, store: &Store) -> Result<Arc<Bundle>, ApiError> {
        let Some(hash) = store.active_hash()? else {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "no-bundle",
                "no bundle is active; upload one with `sopctl apply` (PUT /v1/bundle)",
            ));
        };
        self.bundle(store, &hash)
    }

    /// An empty world with the directory and the server's UTC offset.
    pub fn world(&self) -> World {
        World::new(self.directory().roles_map(), self.clock.offset)
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
            invited: vec![],
        };
        let mut related: Vec<RecordId> = main.record.children.clone();
        related.extend(main.record.parent);
        for r in related {
            if let Some(sr) = store.record(r)? {
                // A child's siblings too: `move_parent: { when: all }` waits for every one.
                if Some(sr.record.id) == main.record.parent {
                    for sibling in &sr.record.children {
                        if *sibling != id {
                            if let Some(s) = store.record(*sibling)? {
                                l.add(s);
                            }
                        }
                    }
                }
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
        if let Some(answer) = replay(&store, u, key, &request)? {
            return Ok(answer);
        }
        let (mut l, bundle) = self.prepare(&store, u, id, expected_version)?;
        let mut action = action;
        l.invited = invite::resolve(&bundle, &self.directory(), &mut action, &mut l.world, id)?;
        let before = l.world.records.clone();
        let now = self.clock.now();
        let events = self.run_engine(&store, &bundle, &mut l.world, u, id, action, now)?;
        let main_id = id.unwrap_or_else(|| created_id(&events, &l.world));
        let events_json = effects::events_json(
            &effects::Context {
                bundle: &bundle,
                world: &l.world,
                directory: &self.directory(),
                actor: Some(&u.id),
                reason: request.get("reason").and_then(Value::as_str),
            },
            &events,
        );
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
        let detail = super::audit::detail(
            &request,
            before.get(&main_id),
            l.world.get(main_id),
            &events_json,
        );
        let audit = NewAudit {
            at: now.secs,
            actor: &u.id,
            action: name,
            record_id: Some(main_id),
            bundle_hash: Some(&bundle.hash),
            detail,
        };
        self.commit(&mut store, &l, &before, &bundle, &events, audit, remember)?;
        Ok((main_id, out))
    }

    /// What an action acts on: the record with its relatives and the bundle it runs on (the
    /// active one for a create), after checking the caller may see it and its version.
    fn prepare(
        &self,
        store: &Store,
        u: &User,
        id: Option<RecordId>,
        expected_version: Option<i64>,
    ) -> Result<(Loaded, Arc<Bundle>), ApiError> {
        let (mut l, bundle) = match id {
            Some(id) => {
                let (l, main) = self.load(store, id)?;
                let b = self.bundle(store, &main.bundle_hash)?;
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
                    invited: vec![],
                },
                self.active(store)?,
            ),
        };
        l.world.next_id = store.next_record_id()?;
        Ok((l, bundle))
    }

    /// The engine's answer to the action, its refusal worded for the API: the engine decides.
    #[allow(clippy::too_many_arguments)]
    fn run_engine(
        &self,
        store: &Store,
        bundle: &Bundle,
        world: &mut World,
        u: &User,
        id: Option<RecordId>,
        action: Action,
        now: crate::engine::DateTime,
    ) -> Result<Vec<Event>, ApiError> {
        let actor = Actor {
            user: u.id.clone(),
            roles: u.roles.clone(),
        };
        let task = match &action {
            Action::Complete { task, .. } => Some(task.clone()),
            _ => None,
        };
        let process = check_files(store, bundle, world, id, &action)?;
        Engine::new(bundle)
            .apply(world, &actor, action, now)
            .map_err(|e| {
                // Two people completing one task: the second finds it closed. Say so.
                if let (ecode::NO_SUCH_TASK, Some(id), Some(task)) = (e.code, id, &task) {
                    match store.last_completion(id, task) {
                        Ok(Some((who, at))) => {
                            return ApiError::conflict(format!(
                                "task `{task}` was already completed by {who} at {}",
                                crate::engine::DateTime {
                                    secs: at,
                                    offset: self.clock.offset
                                }
                            ))
                        }
                        Err(err) => return err.into(),
                        Ok(None) => {}
                    }
                }
                from_engine(e, process)
            })
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
                    approval_role: approval_role(b, r),
                }
            })
            .collect();
        let directory = self.directory();
        let ctx = effects::Context {
            bundle,
            world: &l.world,
            directory: &directory,
            actor: Some(audit.actor),
            reason: audit.detail["request"]["reason"].as_str(),
        };
        let (mut inbox, mut outbox) = effects::messages(&ctx, events);
        if let (false, Some(record)) = (l.invited.is_empty(), audit.record_id) {
            let by = directory
                .get(audit.actor)
                .map_or(audit.actor, |u| u.name.as_str());
            let (i, o) = invite::messages(&l.invited, by, bundle, &l.world, record);
            inbox.extend(i);
            outbox.extend(o);
        }
        let record_files: Vec<(RecordId, String)> = l
            .world
            .records
            .values()
            .filter(|r| before.get(&r.id) != Some(r))
            .flat_map(|r| {
                let b = bundles.get(&r.id).unwrap_or(bundle);
                let ids = b
                    .process(&r.process)
                    .map(|p| files::file_ids(p, &r.fields))
                    .unwrap_or_default();
                ids.into_iter().map(move |f| (r.id, f))
            })
            .collect();
        let mut c = Commit::new(writes, audit);
        c.record_files = record_files;
        c.inbox = inbox;
        c.outbox = outbox;
        c.idempotency = idempotency;
        c.kpi = super::kpi_store::rows(bundle, &l.world, events, now);
        c.invited = l
            .invited
            .iter()
            .map(|i| (i.id.clone(), i.user.clone()))
            .collect();
        store.commit(&c)?;
        if !l.invited.is_empty() {
            self.refresh_directory();
        }
        Ok(())
    }

    /// Fires the timers that are due: reminders, overdue marks, escalations and time-based
    /// automatic transitions. The store is locked per record, not per batch, so requests get
    /// in between. Returns how many records were looked at.
    pub fn tick_due(&self, limit: usize) -> Result<usize, ApiError> {
        let now = self.clock.now();
        // Claimed (leased) on PostgreSQL, so of several nodes only one fires each timer.
        let due =
            self.store()
                .claim_due_timers(now.secs, limit, super::storage_claims::TIMER_LEASE)?;
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
        let directory = self.directory();
        let events_json = effects::events_json(
            &effects::Context {
                bundle: &bundle,
                world: &l.world,
                directory: &directory,
                actor: None,
                reason: None,
            },
            &events,
        );
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
        let (b, hash) = verified_bundle(body)?;
        let mut store = self.store();
        let unheld = self.unheld_roles(&b);
        if store.active_hash()?.is_some_and(|h| h == hash) {
            return Ok((
                StatusCode::OK,
                json!({"status": "unchanged", "hash": hash, "unheld_roles": unheld}),
            ));
        }
        if !unheld.is_empty() {
            eprintln!(
                "bundle {hash}: no one in the directory holds the role(s) {}",
                unheld.join(", ")
            );
        }
        let new = Arc::new(b);
        let now = self.clock.secs();
        let (moved, stranded) = self.plan_migration(&store, &new, &hash)?;
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
                approval_role: approval_role(&new, r),
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
        // Under the same lock, before any action can run on it: its KPIs' aggregates.
        store.ensure_kpis(&new, self.clock.offset)?;
        self.cache().insert(hash.clone(), new);
        let (status, word) = if inserted {
            (StatusCode::CREATED, "created")
        } else {
            (StatusCode::OK, "activated")
        };
        Ok((
            status,
            json!({"status": word, "hash": hash, "migrated": moved.len(), "pinned": pinned, "stranded": stranded_json, "unheld_roles": unheld}),
        ))
    }

    /// The live records a new bundle carries over (record, version it was read at, whether
    /// terminal there) and the (process, status) counts it would strand.
    fn plan_migration(
        &self,
        store: &Store,
        new: &Bundle,
        hash: &str,
    ) -> Result<(Vec<Carried>, Stranded), ApiError> {
        let mut moved = vec![];
        let mut stranded: BTreeMap<(String, String), i64> = BTreeMap::new();
        for sr in &store.live_records()? {
            if sr.bundle_hash == hash {
                continue;
            }
            let old = self.bundle(store, &sr.bundle_hash)?;
            match migrate(&sr.record, &old, new) {
                Migration::Moved { record, .. } => {
                    let terminal = is_terminal(new, &record);
                    moved.push((*record, sr.version, terminal));
                }
                Migration::Stranded { .. } => {
                    *stranded
                        .entry((sr.record.process.clone(), sr.record.status.clone()))
                        .or_default() += 1;
                }
            }
        }
        Ok((moved, stranded))
    }

    /// A record as a user may see it: external users only see records they take part in.
    pub fn read_record(&self, u: Option<&User>, id: RecordId) -> Result<StoredRecord, ApiError> {
        let store = self.read_store();
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
        let unheld = match &active {
            Some(_) => self.unheld_roles(&*self.active(&store)?),
            None => vec![],
        };
        let live: Vec<Value> = store
            .live_counts()?
            .into_iter()
            .map(|c| json!({"process": c.process, "status": c.status, "records": c.records}))
            .collect();
        Ok(json!({"bundle": active, "live": live, "unheld_roles": unheld}))
    }

    /// The bundle's roles nobody in the directory holds: reported, never refused.
    fn unheld_roles(&self, b: &Bundle) -> Vec<String> {
        self.directory()
            .unheld(b.roles.iter().map(|r| r.id.as_str()))
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
            if !visibility::may_read(&b, u, &r) {
                continue;
            }
            let p = b.process(&r.process);
            for t in r.tasks.iter().filter(|t| visibility::is_their_task(u, t)) {
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

/// Whether `u` may read record `r`: the one place the API and the list ask.
pub fn may_read(b: &Bundle, u: &User, r: &crate::engine::Record) -> bool {
    check_external(b, u, r).is_ok()
}

/// The first answer to a request sent again with the same `Idempotency-Key`.
fn replay(
    store: &Store,
    u: &User,
    key: Option<&str>,
    request: &Value,
) -> Result<Option<(RecordId, Value)>, ApiError> {
    let Some(key) = key else { return Ok(None) };
    let Some(answer) = store.idempotent(&u.id, key)? else {
        return Ok(None);
    };
    let v: Value = serde_json::from_str(&answer)
        .map_err(|e| ApiError::internal(format!("a stored answer: {e}")))?;
    if &v["request"] != request {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            format!("the Idempotency-Key `{key}` was used for another request"),
        ));
    }
    Ok(Some((v["id"].as_u64().unwrap_or(0), v["out"].clone())))
}

/// The process an action runs in; its `file`/`files` values must name stored files.
fn check_files<'b>(
    store: &Store,
    bundle: &'b Bundle,
    world: &World,
    id: Option<RecordId>,
    action: &Action,
) -> Result<Option<&'b crate::bundle::Process>, ApiError> {
    let name = match (action, id) {
        (Action::Create { process, .. }, _) => Some(process.clone()),
        (_, Some(id)) => world.get(id).map(|r| r.process.clone()),
        _ => None,
    };
    let process = name.as_deref().and_then(|p| bundle.process(p));
    if let (Some(p), Some(fields)) = (process, written(action)) {
        files::check_values(store, p, fields).map_err(|e| from_engine(e, Some(p)))?;
    }
    Ok(process)
}

/// The fields an action writes, when it writes any.
fn written(a: &Action) -> Option<&BTreeMap<String, Value>> {
    match a {
        Action::Create { fields, .. } | Action::Set { fields, .. } => Some(fields),
        Action::Complete { fill, .. } | Action::Move { fields: fill, .. } => Some(fill),
        _ => None,
    }
}

/// SPEC 12: external people read and act only on the records they take part in.
fn check_external(b: &Bundle, u: &User, r: &crate::engine::Record) -> Result<(), ApiError> {
    if visibility::may_read(b, u, r) {
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

/// The record a create made (the first `Created` event), else the id it would have had.
fn created_id(events: &[Event], world: &World) -> RecordId {
    events
        .iter()
        .find_map(|e| match e {
            Event::Created { record, .. } => Some(*record),
            _ => None,
        })
        .unwrap_or(world.next_id.saturating_sub(1))
}

/// A connection to read from (see [`AppState::read_store`]).
pub enum ReadStore<'a> {
    Reader(MutexGuard<'a, Store>),
    Writer(tokio::sync::MutexGuard<'a, Store>),
}

impl std::ops::Deref for ReadStore<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        match self {
            ReadStore::Reader(g) => g,
            ReadStore::Writer(g) => g,
        }
    }
}

/// A live record a new bundle carries over: the record on it, the version it was read at,
/// and whether it is terminal there.
type Carried = (crate::engine::Record, i64, bool);
/// Live records a new bundle would strand, counted by (process, status).
type Stranded = BTreeMap<(String, String), i64>;

/// A bundle upload parsed, checked and its hash verified against its contents.
fn verified_bundle(body: &str) -> Result<(Bundle, String), ApiError> {
    let b = Bundle::from_json(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid-bundle", e))?;
    super::bundle_check::check(&b)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-bundle", e))?;
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
    Ok((b, hash))
}
