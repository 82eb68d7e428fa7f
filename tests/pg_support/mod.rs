//! A fresh PostgreSQL database per test, for the tests that run the store on PostgreSQL. With
//! `CI=true` a missing server fails the test; elsewhere the PostgreSQL half is skipped with a
//! note.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

use sopctl::engine::{Record, RecordId};
use sopctl::runtime::storage_pg;

/// The server the tests create their databases on (override with `SOPCTL_TEST_PG`).
pub fn admin_url() -> String {
    std::env::var("SOPCTL_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A database made for one test and dropped when it ends.
pub struct FreshPg {
    pub name: String,
}

impl FreshPg {
    /// None (with a note) when no server answers, unless `CI=true`, where that fails the test.
    pub fn new() -> Option<FreshPg> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "sopctl_t_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = match storage_pg::connect(&admin_url()) {
            Ok(c) => c,
            Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!(
                    "CI=true needs PostgreSQL for the storage tests: {e} ({})",
                    e.hint()
                )
            }
            Err(e) => {
                eprintln!("skipping the PostgreSQL half: {e}");
                return None;
            }
        };
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("the test role may create databases");
        Some(FreshPg { name })
    }

    pub fn url(&self) -> String {
        let admin = admin_url();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        format!("{base}/{}", self.name)
    }
}

impl Drop for FreshPg {
    fn drop(&mut self) {
        if let Ok(mut admin) = storage_pg::connect(&admin_url()) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A bare record of process `orders` in `status`, for the store tests.
pub fn record(id: RecordId, status: &str) -> Record {
    Record::new(id, "orders", status)
}
