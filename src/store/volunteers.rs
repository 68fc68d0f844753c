//! Volunteers: real-name registration (one person, one phone), lookups and the audited reveals of
//! an ID number or a phone number.

use super::db::{Backend, Tx, query, query_as, query_scalar};
use super::{NewAudit, NewVolunteer, Registration, Store, Volunteer, audit};
use crate::domain::volunteer_no::volunteer_no;
use crate::error::{Error, Result};

const VOLUNTEER_COLUMNS: &str = "v.id, v.volunteer_no, v.name, v.id_number_masked, v.gender, \
    v.birth_date, v.phone, v.community_id, v.skills, v.service_categories, v.status, \
    v.registered_via, v.registered_at, u.path AS community_path";

/// Registers one volunteer inside an open transaction.
async fn register_one(tx: &mut Tx, v: &NewVolunteer) -> Result<Registration> {
    let known: Option<i64> = query_scalar("SELECT id FROM volunteers WHERE id_number_hash = $1")
        .bind(&v.id_number_hash)
        .optional(&mut *tx)
        .await?;
    if known.is_some() {
        return Ok(Registration::DuplicateIdNumber);
    }
    let phone_taken: Option<i64> = query_scalar("SELECT id FROM volunteers WHERE phone = $1")
        .bind(&v.phone)
        .optional(&mut *tx)
        .await?;
    if phone_taken.is_some() {
        return Ok(Registration::DuplicatePhone);
    }
    // A volunteer logs in with their phone, so their account has no staff login.
    let id: i64 = query_scalar(
        "INSERT INTO users (password_hash, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(&v.password_hash)
    .bind(&v.name)
    .bind(v.registered_at)
    .one(&mut *tx)
    .await?;
    let no = volunteer_no(id);
    let inserted = query(
        "INSERT INTO volunteers (id, volunteer_no, name, id_number_enc, id_number_hash,
             id_number_masked, gender, birth_date, phone, community_id, skills, service_categories,
             registered_via, consent_recorded_by, registered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT DO NOTHING",
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
    .bind(serde_json::json!(&v.skills))
    .bind(serde_json::json!(&v.service_categories))
    .bind(v.registered_via)
    .bind(v.recorded_by)
    .bind(v.registered_at)
    .execute(&mut *tx)
    .await?;
    if inserted == 0 {
        // Another instance registered the same person between our check and this insert.
        query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        return Ok(Registration::DuplicateIdNumber);
    }
    // Registrations made by staff (on a volunteer's behalf, or by import) are audited; a
    // volunteer registering themselves is the record itself.
    if let Some(actor) = v.recorded_by {
        query(
            "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, unit_id, unit_path, after)
             SELECT $1, $2, 'register', 'volunteer', $3, id, path, $4 FROM units WHERE id = $5",
        )
        .bind(v.registered_at)
        .bind(actor)
        .bind(id.to_string())
        .bind(serde_json::json!({"volunteer_no": no, "registered_via": v.registered_via}))
        .bind(v.community_id)
        .execute(&mut *tx)
        .await?;
    }
    Ok(Registration::Registered {
        id,
        volunteer_no: no,
    })
}

impl Store {
    pub async fn register_volunteers(&self, batch: &[NewVolunteer]) -> Result<Vec<Registration>> {
        let mut tx = self.db.begin().await?;
        // Registrations from all instances take turns, as on SQLite: two imports of overlapping
        // files then neither deadlock nor misreport a person already registered.
        if tx.backend() == Backend::Postgres {
            query("SELECT pg_advisory_xact_lock(7001)")
                .execute(&mut tx)
                .await?;
        }
        let mut outcomes = Vec::with_capacity(batch.len());
        for v in batch {
            outcomes.push(register_one(&mut tx, v).await?);
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    pub async fn volunteer(&self, id: i64) -> Result<Option<Volunteer>> {
        let sql = format!(
            "SELECT {VOLUNTEER_COLUMNS} FROM volunteers v JOIN units u ON u.id = v.community_id
             WHERE v.id = $1"
        );
        Ok(query_as(sql).bind(id).fetch_optional(&self.db).await?)
    }

    pub async fn volunteers_within(
        &self,
        path: &str,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Volunteer>> {
        let sql = format!(
            "SELECT {VOLUNTEER_COLUMNS} FROM volunteers v JOIN units u ON u.id = v.community_id
             WHERE u.path >= $1 AND u.path < $1 || '~' AND v.id > $2 ORDER BY v.id LIMIT $3"
        );
        Ok(query_as(sql)
            .bind(path)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.db)
            .await?)
    }

    /// Writes to the audit log that `actor` was shown the volunteer's full phone number.
    pub async fn log_phone_reveal(&self, volunteer: &Volunteer, actor: i64) -> Result<()> {
        let mut tx = self.db.begin().await?;
        audit(&mut tx, reveal(volunteer, actor, "reveal_phone")).await?;
        Ok(tx.commit().await?)
    }

    pub async fn reveal_id_number(&self, volunteer: &Volunteer, actor: i64) -> Result<Vec<u8>> {
        let mut tx = self.db.begin().await?;
        let enc: Vec<u8> = query_scalar("SELECT id_number_enc FROM volunteers WHERE id = $1")
            .bind(volunteer.id)
            .optional(&mut tx)
            .await?
            .ok_or(Error::NotFound("volunteer"))?;
        audit(&mut tx, reveal(volunteer, actor, "reveal_id_number")).await?;
        tx.commit().await?;
        Ok(enc)
    }
}

/// The audit entry of a piece of the volunteer's personal data shown to `actor` in full.
fn reveal<'a>(volunteer: &'a Volunteer, actor: i64, action: &'static str) -> NewAudit<'a> {
    NewAudit {
        actor_id: Some(actor),
        action,
        entity: "volunteer",
        entity_id: volunteer.id.to_string(),
        unit_id: Some(volunteer.community_id),
        unit_path: Some(&volunteer.community_path),
        before: None,
        after: None,
    }
}
