//! Storage, named after the use cases it serves: one [`Store`] over SQLite (the embedded
//! default) or PostgreSQL (several instances), each with its own migrations. Every statement both
//! backends share is written once ([`db`]); the few real differences are matched on the backend
//! where they occur (the PostgreSQL scan batch, advisory locks, id lists).
//!
//! A unit's path (`/1/4/17/`) holds only digits and slashes and compares byte by byte on both
//! backends, so a subtree is the index range `path >= $1 AND path < $1 || '~'`.

pub mod accounts;
pub mod activities;
pub mod attendances;
mod audit;
pub mod backbone;
pub mod backup;
pub mod bulk;
pub mod cards;
pub mod certificates;
mod check_ins;
pub mod db;
mod jobs;
pub mod ledger;
mod model;
pub mod profiles;
pub mod rewards;
pub mod selection_reviews;
pub mod selections;
pub mod signups;
pub mod social_workers;
pub mod targets;
pub mod trainings;
pub mod units;
pub mod volunteers;
pub mod withdrawals;

pub use audit::{AuditFilter, AuditLine, audit};
pub use model::*;

use crate::error::Result;
use db::{Db, Tx, query, query_scalar};

/// The database behind the service; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Opens the store named by the URL scheme and brings its schema up to date.
    pub async fn connect(
        url: &str,
        max_connections: u32,
        busy_timeout: std::time::Duration,
    ) -> anyhow::Result<Store> {
        Ok(Store {
            db: Db::connect(url, max_connections, busy_timeout).await?,
        })
    }

    pub fn backend(&self) -> db::Backend {
        self.db.backend()
    }

    /// A write transaction, for the use cases that combine several steps.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.db.begin().await?)
    }

    /// Answers when the database does (readiness).
    pub async fn ping(&self) -> Result<()> {
        query("SELECT 1").execute(&self.db).await?;
        Ok(())
    }

    /// Stores `fingerprint` on first use and returns the one stored, so that a service started with
    /// another secret key can refuse to run.
    pub async fn key_fingerprint(&self, fingerprint: &str) -> Result<String> {
        let mut tx = self.db.begin().await?;
        query(
            "INSERT INTO meta (key, value) VALUES ('key_fingerprint', $1) ON CONFLICT DO NOTHING",
        )
        .bind(fingerprint)
        .execute(&mut tx)
        .await?;
        let stored = query_scalar("SELECT value FROM meta WHERE key = 'key_fingerprint'")
            .one(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(stored)
    }
}

/// Turns a unique-constraint violation into a 409 with `code`; anything else stays internal.
pub(crate) fn conflict_on(e: sqlx::Error, code: &'static str, message: &str) -> crate::Error {
    match e.as_database_error() {
        Some(db) if db.is_unique_violation() => crate::Error::conflict(code, message),
        _ => e.into(),
    }
}

/// Turns a foreign-key violation into a 404 for `what`; anything else stays internal.
pub(crate) fn not_found_on_fk(e: sqlx::Error, what: &'static str) -> crate::Error {
    match e.as_database_error() {
        Some(db) if db.is_foreign_key_violation() => crate::Error::NotFound(what),
        _ => e.into(),
    }
}

/// `text` for a `LIKE … ESCAPE '\'` pattern: its `%`, `_` and `\` match only themselves.
fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
