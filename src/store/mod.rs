//! Storage, named after the use cases it serves. One trait, implemented for SQLite (the embedded
//! default) and PostgreSQL (several instances), each with its own migrations and SQL.

pub mod activities;
pub mod certificates;
pub mod ledger;
mod model;
pub mod postgres;
pub mod rewards;
pub mod sqlite;
pub mod trainings;

pub use model::*;

use crate::domain::roles::{Caller, Grant, Role};
use crate::domain::units::{OrganisationType, UnitKind};
use crate::error::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[async_trait]
pub trait Store:
    activities::ActivityStore
    + ledger::LedgerStore
    + rewards::RewardStore
    + trainings::TrainingStore
    + certificates::CertificateStore
    + Send
    + Sync
    + 'static
{
    /// Answers when the database does (readiness).
    async fn ping(&self) -> Result<()>;

    /// Stores `fingerprint` on first use and returns the one stored, so that a service started with
    /// another secret key can refuse to run.
    async fn key_fingerprint(&self, fingerprint: &str) -> Result<String>;

    // --- the unit tree ---
    async fn create_unit(
        &self,
        name: &str,
        kind: UnitKind,
        parent: Option<&Unit>,
        actor: Option<i64>,
    ) -> Result<Unit>;
    async fn unit(&self, id: i64) -> Result<Option<Unit>>;
    /// The district (the root), if it exists.
    async fn root_unit(&self) -> Result<Option<Unit>>;
    /// Every unit whose path starts with one of `paths`, ordered by path.
    async fn units_within(&self, paths: &[String]) -> Result<Vec<Unit>>;
    async fn set_population(
        &self,
        unit: &Unit,
        year: i32,
        resident_population: i64,
        actor: Option<i64>,
    ) -> Result<()>;
    async fn populations(&self, unit_id: i64) -> Result<Vec<Population>>;
    async fn create_organisation(
        &self,
        unit: &Unit,
        name: &str,
        org_type: OrganisationType,
        actor: Option<i64>,
    ) -> Result<Organisation>;
    async fn organisations_within(&self, path: &str) -> Result<Vec<Organisation>>;

    // --- accounts ---
    /// A new account; `duplicate_login` conflict when the login is taken.
    async fn create_user(
        &self,
        login: &str,
        password_hash: Option<&str>,
        name: &str,
    ) -> Result<i64>;
    async fn credentials(&self, login: &str) -> Result<Option<Credentials>>;
    /// Counts a login attempt against the account before its password is checked, in one atomic
    /// step, so that parallel attempts cannot slip past the limit. Refused (`false`) while the
    /// account has `max_failures` attempts in a row, the last less than `lockout` ago; after a
    /// lock has passed the count starts again. A successful login resets it (`start_session`).
    async fn count_login_attempt(
        &self,
        user_id: i64,
        at: DateTime<Utc>,
        max_failures: i32,
        lockout: chrono::Duration,
    ) -> Result<bool>;
    /// Opens a session and clears the account's failed-login count.
    async fn start_session(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The holder of a live session, with the grants that hold for them.
    async fn session_caller(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Caller>>;
    async fn end_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()>;
    async fn add_grant(
        &self,
        user_id: i64,
        role: Role,
        unit: &Unit,
        actor: Option<i64>,
    ) -> Result<()>;

    // --- volunteers ---
    /// Registers each volunteer unless the same person (ID number) or phone is already there;
    /// one outcome per input, in order, all in one transaction.
    async fn register_volunteers(&self, batch: &[NewVolunteer]) -> Result<Vec<Registration>>;
    async fn volunteer(&self, id: i64) -> Result<Option<Volunteer>>;
    /// Volunteers whose community is within `path`, by id, after `after_id`.
    async fn volunteers_within(
        &self,
        path: &str,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Volunteer>>;
    /// The encrypted ID number, with an audit entry naming who asked, in one transaction.
    async fn reveal_id_number(&self, volunteer: &Volunteer, actor: i64) -> Result<Vec<u8>>;
    /// Audit entries about units within `path`, newest first.
    async fn audit_within(&self, path: &str, before_id: i64, limit: i64)
    -> Result<Vec<AuditEntry>>;
}

/// Opens the store named by the URL scheme and brings its schema up to date.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(
            sqlite::SqliteStore::connect(url, max_connections).await?,
        ))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(
            postgres::PgStore::connect(url, max_connections).await?,
        ))
    } else {
        anyhow::bail!("unsupported database URL {url:?}: use sqlite://FILE or postgres://…")
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

/// A row of the session lookup: the account, and one of its grants (if any).
#[derive(sqlx::FromRow)]
pub(crate) struct CallerRow {
    id: i64,
    name: String,
    is_volunteer: bool,
    role: Option<String>,
    unit_id: Option<i64>,
    path: Option<String>,
}

pub(crate) fn caller_from_rows(rows: Vec<CallerRow>) -> Result<Option<Caller>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let (user_id, name, is_volunteer) = (first.id, first.name.clone(), first.is_volunteer);
    let mut grants = Vec::new();
    for row in rows {
        if let (Some(role), Some(unit_id), Some(unit_path)) = (row.role, row.unit_id, row.path) {
            let role = Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("unknown role {role:?} in grants"))?;
            grants.push(Grant {
                role,
                unit_id,
                unit_path,
            });
        }
    }
    Ok(Some(Caller {
        user_id,
        name,
        grants,
        is_volunteer,
    }))
}
