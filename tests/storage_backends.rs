//! The two backends' schemas and PostgreSQL's opening: both hold the same tables and columns,
//! migrations apply once (also with nodes starting together), and each way of failing to open
//! is named with a hint. The store's behaviour on both is in `storage_contract.rs`. Each
//! PostgreSQL test has its own fresh database; with `CI=true` a missing server fails them,
//! elsewhere they say so and pass only the SQLite half.

mod pg_support;

use std::collections::BTreeMap;

use pg_support::FreshPg;
use sopctl::runtime::storage::{schema_version_known, Store};
use sopctl::runtime::storage_pg::{self, PgOpenError};

type Columns = BTreeMap<String, Vec<String>>;

/// Every table's column names, as SQLite has them after `Store::open`.
fn sqlite_columns() -> Columns {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.sort();
    let mut out = Columns::new();
    for t in tables {
        let mut cols: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        cols.sort();
        out.insert(t, cols);
    }
    out
}

/// Every table's column names in PostgreSQL's public schema, less the version table and the
/// `rowid` columns that stand in for SQLite's implicit rowid (see `storage_pg_dialect`).
fn pg_columns(client: &mut postgres::Client) -> Columns {
    let mut out = Columns::new();
    for row in client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'sopctl_schema'
               AND column_name <> 'rowid'
             ORDER BY 1, 2",
            &[],
        )
        .unwrap()
    {
        out.entry(row.get(0)).or_default().push(row.get(1));
    }
    out
}

#[test]
fn both_backends_hold_the_same_tables_and_columns() {
    let sqlite = sqlite_columns();
    assert!(sqlite.contains_key("records") && sqlite.contains_key("outbox"));
    let Some(db) = FreshPg::new() else { return };
    let mut client = storage_pg::open(&db.url()).unwrap();
    assert_eq!(pg_columns(&mut client), sqlite);
}

#[test]
fn a_fresh_database_is_migrated_to_this_binarys_version_and_reopening_changes_nothing() {
    let Some(db) = FreshPg::new() else { return };
    let mut first = storage_pg::open(&db.url()).unwrap();
    assert_eq!(
        storage_pg::schema_version(&mut first).unwrap(),
        schema_version_known()
    );
    let before = pg_columns(&mut first);
    let mut again = storage_pg::open(&db.url()).unwrap();
    assert_eq!(
        storage_pg::schema_version(&mut again).unwrap(),
        schema_version_known()
    );
    assert_eq!(pg_columns(&mut again), before);
}

#[test]
fn nodes_starting_together_migrate_once() {
    let Some(db) = FreshPg::new() else { return };
    let url = db.url();
    let nodes: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || storage_pg::open(&url).map(|_| ()))
        })
        .collect();
    for n in nodes {
        n.join()
            .unwrap()
            .expect("every node opens the shared database");
    }
    let mut c = storage_pg::connect(&url).unwrap();
    let rows: i64 = c
        .query_one("SELECT count(*) FROM sopctl_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
    assert_eq!(
        storage_pg::schema_version(&mut c).unwrap(),
        schema_version_known()
    );
}

#[test]
fn record_ids_come_from_one_sequence_across_connections() {
    let Some(db) = FreshPg::new() else { return };
    let url = db.url();
    drop(storage_pg::open(&url).unwrap());
    let writers: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut c = storage_pg::connect(&url).unwrap();
                (0..20)
                    .map(|_| {
                        c.query_one(
                            "INSERT INTO records (process, bundle_hash, state_json, version)
                             VALUES ('p', 'h', '{}', 1) RETURNING id",
                            &[],
                        )
                        .unwrap()
                        .get::<_, i64>(0)
                    })
                    .collect::<Vec<i64>>()
            })
        })
        .collect();
    let mut ids: Vec<i64> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 60, "every record got its own id");
}

#[test]
fn a_schema_newer_than_this_binary_is_refused_with_a_hint() {
    let Some(db) = FreshPg::new() else { return };
    let mut c = storage_pg::open(&db.url()).unwrap();
    c.execute(
        "UPDATE sopctl_schema SET version = $1",
        &[&(schema_version_known() + 1)],
    )
    .unwrap();
    let e = storage_pg::open(&db.url())
        .err()
        .expect("a newer schema is refused");
    assert!(matches!(e, PgOpenError::SchemaNewer { .. }), "{e:?}");
    assert!(e.to_string().contains("newer than this sopctl"), "{e}");
    assert!(e.hint().contains("newer sopctl"));
}

#[test]
fn a_missing_database_is_named_with_a_hint() {
    // Only to know a server answers (and to fail under CI=true when none does).
    let Some(db) = FreshPg::new() else { return };
    let url = db.url().replace(&db.name, "sopctl_no_such_database");
    let e = storage_pg::connect(&url).err().expect("no such database");
    assert!(matches!(e, PgOpenError::DatabaseMissing { .. }), "{e:?}");
    assert!(e.to_string().contains("sopctl_no_such_database"), "{e}");
    assert!(e.hint().contains("createdb"));
}

#[test]
fn an_unknown_role_is_an_auth_failure() {
    let Some(db) = FreshPg::new() else { return };
    let url = db.url().replacen("postgres@", "sopctl_no_such_role@", 1);
    let e = storage_pg::connect(&url).err().expect("no such role");
    assert!(matches!(e, PgOpenError::AuthFailed { .. }), "{e:?}");
    assert!(e.hint().contains("pg_hba.conf"));
}

#[test]
fn a_server_that_does_not_answer_is_unreachable() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = storage_pg::connect(&format!("postgres://u@127.0.0.1:{port}/d"))
        .err()
        .expect("nothing listens there");
    assert!(matches!(e, PgOpenError::Unreachable { .. }), "{e:?}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
    assert!(e.hint().contains("PostgreSQL is running"));
}

#[test]
fn a_malformed_url_is_named() {
    let e = storage_pg::connect("postgres://u@127.0.0.1:notaport/d")
        .err()
        .expect("not a port");
    assert!(matches!(e, PgOpenError::BadUrl { .. }), "{e:?}");
    assert!(e.hint().contains("postgres://"));
}
