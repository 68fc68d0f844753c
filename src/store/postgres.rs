//! The PostgreSQL store, for deployments that run several instances on one database.

use super::{
    AuditEntry, CallerRow, Credentials, NewAudit, NewVolunteer, Organisation, Population,
    Registration, Store, Unit, Volunteer, caller_from_rows, conflict_on, not_found_on_fk,
};
use crate::domain::roles::{Caller, Role};
use crate::domain::units::{OrganisationType, UnitKind, child_path};
use crate::domain::volunteer_no::volunteer_no;
use crate::error::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;

mod activities;
mod certificates;
mod ledger;
mod rewards;
mod scans;
mod trainings;

pub struct PgStore {
    pool: PgPool,
}

const VOLUNTEER_COLUMNS: &str = "v.id, v.volunteer_no, v.name, v.id_number_masked, v.gender, \
    v.birth_date, v.phone, v.community_id, v.skills, v.service_categories, v.status, \
    v.registered_via, v.registered_at, u.path AS community_path";

impl PgStore {
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool })
    }

    async fn write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }
}

async fn audit(conn: &mut PgConnection, a: NewAudit<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, unit_id, unit_path, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Utc::now())
    .bind(a.actor_id)
    .bind(a.action)
    .bind(a.entity)
    .bind(a.entity_id)
    .bind(a.unit_id)
    .bind(a.unit_path)
    .bind(a.before.map(Json))
    .bind(a.after.map(Json))
    .execute(conn)
    .await?;
    Ok(())
}

/// Registers one volunteer inside an open transaction.
async fn register_one(conn: &mut PgConnection, v: &NewVolunteer) -> Result<Registration> {
    let known: Option<i64> =
        sqlx::query_scalar("SELECT id FROM volunteers WHERE id_number_hash = $1")
            .bind(&v.id_number_hash)
            .fetch_optional(&mut *conn)
            .await?;
    if known.is_some() {
        return Ok(Registration::DuplicateIdNumber);
    }
    let user_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (login, password_hash, name, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (login) DO NOTHING RETURNING id",
    )
    .bind(&v.phone)
    .bind(&v.password_hash)
    .bind(&v.name)
    .bind(v.registered_at)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = user_id else {
        return Ok(Registration::DuplicatePhone);
    };
    let no = volunteer_no(id);
    let inserted = sqlx::query(
        "INSERT INTO volunteers (id, volunteer_no, name, id_number_enc, id_number_hash,
             id_number_masked, gender, birth_date, phone, community_id, skills, service_categories,
             registered_via, consent_recorded_by, registered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (id_number_hash) DO NOTHING",
    )
    .bind(id)
    .bind(&no)
    .bind(&v.name)
    .bind(&v.id_number_enc)
    .bind(&v.id_number_hash)
    .bind(&v.id_number_masked)
    .bind(v.gender)
    .bind(v.birth_date)
    .bind(&v.phone)
    .bind(v.community_id)
    .bind(Json(&v.skills))
    .bind(Json(&v.service_categories))
    .bind(v.registered_via)
    .bind(v.recorded_by)
    .bind(v.registered_at)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        // Another instance registered the same person between our check and this insert.
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        return Ok(Registration::DuplicateIdNumber);
    }
    // Registrations made by staff (on a volunteer's behalf, or by import) are audited; a
    // volunteer registering themselves is the record itself.
    if let Some(actor) = v.recorded_by {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, unit_id, unit_path, after)
             SELECT $1, $2, 'register', 'volunteer', $3, id, path, $4 FROM units WHERE id = $5",
        )
        .bind(v.registered_at)
        .bind(actor)
        .bind(id.to_string())
        .bind(Json(serde_json::json!({"volunteer_no": no, "registered_via": v.registered_via})))
        .bind(v.community_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(Registration::Registered {
        id,
        volunteer_no: no,
    })
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn key_fingerprint(&self, fingerprint: &str) -> Result<String> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('key_fingerprint', $1) ON CONFLICT DO NOTHING",
        )
        .bind(fingerprint)
        .execute(&mut *tx)
        .await?;
        let stored = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'key_fingerprint'")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn create_unit(
        &self,
        name: &str,
        kind: UnitKind,
        parent: Option<&Unit>,
        actor: Option<i64>,
    ) -> Result<Unit> {
        let mut tx = self.write().await?;
        // The path holds the new id, which is known only after the insert.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO units (name, kind, parent_id, path, created_at)
             VALUES ($1, $2, $3, 'new:' || gen_random_uuid(), $4) RETURNING id",
        )
        .bind(name)
        .bind(kind.as_str())
        .bind(parent.map(|p| p.id))
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            conflict_on(
                e,
                "duplicate_unit",
                "a unit of that name already exists here",
            )
        })?;
        let path = child_path(parent.map_or("/", |p| p.path.as_str()), id);
        sqlx::query("UPDATE units SET path = $1 WHERE id = $2")
            .bind(&path)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let unit = Unit {
            id,
            name: name.to_owned(),
            kind,
            parent_id: parent.map(|p| p.id),
            path,
        };
        audit(
            &mut tx,
            NewAudit {
                actor_id: actor,
                action: "create",
                entity: "unit",
                entity_id: id.to_string(),
                unit_id: Some(unit.id),
                unit_path: Some(&unit.path),
                before: None,
                after: Some(serde_json::json!({"name": name, "kind": kind})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(unit)
    }

    async fn unit(&self, id: i64) -> Result<Option<Unit>> {
        Ok(
            sqlx::query_as("SELECT id, name, kind, parent_id, path FROM units WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn root_unit(&self) -> Result<Option<Unit>> {
        Ok(sqlx::query_as(
            "SELECT id, name, kind, parent_id, path FROM units WHERE parent_id IS NULL",
        )
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn units_within(&self, paths: &[String]) -> Result<Vec<Unit>> {
        let mut units: Vec<Unit> = Vec::new();
        for path in paths {
            let found: Vec<Unit> = sqlx::query_as(
                "SELECT id, name, kind, parent_id, path FROM units
                 WHERE path LIKE $1 || '%' ORDER BY path",
            )
            .bind(path)
            .fetch_all(&self.pool)
            .await?;
            units.extend(found);
        }
        units.sort_by(|a, b| a.path.cmp(&b.path));
        units.dedup_by_key(|u| u.id);
        Ok(units)
    }

    async fn set_population(
        &self,
        unit: &Unit,
        year: i32,
        resident_population: i64,
        actor: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let before: Option<i64> = sqlx::query_scalar(
            "SELECT resident_population FROM unit_populations WHERE unit_id = $1 AND year = $2",
        )
        .bind(unit.id)
        .bind(year)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO unit_populations (unit_id, year, resident_population) VALUES ($1, $2, $3)
             ON CONFLICT (unit_id, year) DO UPDATE SET resident_population = excluded.resident_population",
        )
        .bind(unit.id)
        .bind(year)
        .bind(resident_population)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            NewAudit {
                actor_id: actor,
                action: "set_population",
                entity: "unit",
                entity_id: unit.id.to_string(),
                unit_id: Some(unit.id),
                unit_path: Some(&unit.path),
                before: before.map(|p| serde_json::json!({"year": year, "resident_population": p})),
                after: Some(
                    serde_json::json!({"year": year, "resident_population": resident_population}),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn populations(&self, unit_id: i64) -> Result<Vec<Population>> {
        Ok(sqlx::query_as(
            "SELECT year, resident_population FROM unit_populations WHERE unit_id = $1 ORDER BY year",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn create_organisation(
        &self,
        unit: &Unit,
        name: &str,
        org_type: OrganisationType,
        actor: Option<i64>,
    ) -> Result<Organisation> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (unit_id, name, org_type, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(unit.id)
        .bind(name)
        .bind(org_type.as_str())
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on(e, "duplicate_organisation", "this unit already has an organisation of that name"))?;
        audit(
            &mut tx,
            NewAudit {
                actor_id: actor,
                action: "create",
                entity: "organisation",
                entity_id: id.to_string(),
                unit_id: Some(unit.id),
                unit_path: Some(&unit.path),
                before: None,
                after: Some(serde_json::json!({"name": name, "org_type": org_type})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Organisation {
            id,
            unit_id: unit.id,
            name: name.to_owned(),
            org_type,
        })
    }

    async fn organisations_within(&self, path: &str) -> Result<Vec<Organisation>> {
        Ok(sqlx::query_as(
            "SELECT o.id, o.unit_id, o.name, o.org_type FROM organisations o
             JOIN units u ON u.id = o.unit_id WHERE u.path LIKE $1 || '%' ORDER BY o.id",
        )
        .bind(path)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn create_user(
        &self,
        login: &str,
        password_hash: Option<&str>,
        name: &str,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let id = sqlx::query_scalar(
            "INSERT INTO users (login, password_hash, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(login)
        .bind(password_hash)
        .bind(name)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on(e, "duplicate_login", "that login is taken"))?;
        tx.commit().await?;
        Ok(id)
    }

    async fn credentials(&self, login: &str) -> Result<Option<Credentials>> {
        Ok(sqlx::query_as(
            "SELECT id AS user_id, password_hash, failed_logins, last_failed_login_at
             FROM users WHERE login = $1",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn count_login_attempt(
        &self,
        user_id: i64,
        at: DateTime<Utc>,
        max_failures: i32,
        lockout: chrono::Duration,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let counted = sqlx::query(
            "UPDATE users SET last_failed_login_at = $1,
                 failed_logins = CASE WHEN failed_logins >= $2 THEN 1 ELSE failed_logins + 1 END
             WHERE id = $3 AND (failed_logins < $2 OR last_failed_login_at IS NULL OR last_failed_login_at <= $4)",
        )
        .bind(at)
        .bind(max_failures)
        .bind(user_id)
        .bind(at - lockout)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(counted == 1)
    }

    async fn start_session(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE users SET failed_logins = 0, last_failed_login_at = NULL WHERE id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(Utc::now())
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session_caller(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Caller>> {
        // One query for the account and its grants: this runs on every request.
        let rows: Vec<CallerRow> = sqlx::query_as(
            "SELECT u.id, u.name, EXISTS (SELECT 1 FROM volunteers v WHERE v.id = u.id) AS is_volunteer,
                 g.role, g.unit_id, un.path
             FROM sessions s JOIN users u ON u.id = s.user_id
             LEFT JOIN grants g ON g.user_id = u.id LEFT JOIN units un ON un.id = g.unit_id
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2
             ORDER BY un.path, g.role",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        caller_from_rows(rows)
    }

    async fn end_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL")
            .bind(at)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_grant(
        &self,
        user_id: i64,
        role: Role,
        unit: &Unit,
        actor: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let added = sqlx::query(
            "INSERT INTO grants (user_id, role, unit_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(role.as_str())
        .bind(unit.id)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await
        .map_err(|e| not_found_on_fk(e, "user"))?
        .rows_affected();
        if added > 0 {
            audit(
                &mut tx,
                NewAudit {
                    actor_id: actor,
                    action: "grant",
                    entity: "user",
                    entity_id: user_id.to_string(),
                    unit_id: Some(unit.id),
                    unit_path: Some(&unit.path),
                    before: None,
                    after: Some(serde_json::json!({"role": role, "unit_id": unit.id})),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn register_volunteers(&self, batch: &[NewVolunteer]) -> Result<Vec<Registration>> {
        let mut tx = self.write().await?;
        // Registrations from all instances take turns, as on SQLite: two imports of overlapping
        // files then neither deadlock nor misreport a person already registered.
        sqlx::query("SELECT pg_advisory_xact_lock(7001)")
            .execute(&mut *tx)
            .await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for v in batch {
            outcomes.push(register_one(&mut tx, v).await?);
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn volunteer(&self, id: i64) -> Result<Option<Volunteer>> {
        let sql = format!(
            "SELECT {VOLUNTEER_COLUMNS} FROM volunteers v JOIN units u ON u.id = v.community_id
             WHERE v.id = $1"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn volunteers_within(
        &self,
        path: &str,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Volunteer>> {
        let sql = format!(
            "SELECT {VOLUNTEER_COLUMNS} FROM volunteers v JOIN units u ON u.id = v.community_id
             WHERE u.path LIKE $1 || '%' AND v.id > $2 ORDER BY v.id LIMIT $3"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(path)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn reveal_id_number(&self, volunteer: &Volunteer, actor: i64) -> Result<Vec<u8>> {
        let mut tx = self.write().await?;
        let enc: Vec<u8> = sqlx::query_scalar("SELECT id_number_enc FROM volunteers WHERE id = $1")
            .bind(volunteer.id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound("volunteer"))?;
        audit(
            &mut tx,
            NewAudit {
                actor_id: Some(actor),
                action: "reveal_id_number",
                entity: "volunteer",
                entity_id: volunteer.id.to_string(),
                unit_id: Some(volunteer.community_id),
                unit_path: Some(&volunteer.community_path),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(enc)
    }

    async fn audit_within(
        &self,
        path: &str,
        before_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT id, at, actor_id, action, entity, entity_id, unit_id, before, after FROM audit_log
             WHERE unit_path LIKE $1 || '%' AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(path)
        .bind(before_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
