//! Withdrawal 注销: erasing a volunteer's personal data while their row, number and community
//! stay, the anonymous key of their ledger entries and of the unit's statistics. The steps run in
//! the caller's transaction; `app::withdrawal` combines them.

use super::db::{Tx, query, query_scalar};
use super::{NewAudit, Volunteer, audit};
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde_json::json;

/// The name a withdrawn volunteer's row and account keep.
pub const WITHDRAWN_NAME: &str = "已注销志愿者";

/// Erases the volunteer's personal data — name, ID number (sealed, hashed and masked), gender,
/// birth date, phone, skills and categories — and marks them withdrawn at `at`; their account
/// loses its name, its password and every session. Their certificates go too: each holds their
/// name and masked ID number. Audited with the volunteer number only. False when the volunteer
/// had withdrawn already.
pub async fn erase(tx: &mut Tx, v: &Volunteer, at: DateTime<Utc>) -> Result<bool> {
    let erased = query(
        "UPDATE volunteers SET name = $1, id_number_enc = NULL, id_number_hash = NULL,
             id_number_masked = NULL, gender = NULL, birth_date = NULL, phone = NULL,
             skills = $2, service_categories = $2, status = 'withdrawn', withdrawn_at = $3
         WHERE id = $4 AND status <> 'withdrawn'",
    )
    .bind(WITHDRAWN_NAME)
    .bind(json!([]))
    .bind(at)
    .bind(v.id)
    .execute(&mut *tx)
    .await?;
    if erased == 0 {
        return Ok(false);
    }
    query("UPDATE users SET name = $1, password_hash = NULL WHERE id = $2")
        .bind(WITHDRAWN_NAME)
        .bind(v.id)
        .execute(&mut *tx)
        .await?;
    query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
        .bind(at)
        .bind(v.id)
        .execute(&mut *tx)
        .await?;
    let certificates = query("DELETE FROM certificates WHERE volunteer_id = $1")
        .bind(v.id)
        .execute(&mut *tx)
        .await?;
    let entry = NewAudit {
        actor_id: Some(v.id),
        action: "withdraw",
        entity: "volunteer",
        entity_id: v.id.to_string(),
        unit_id: Some(v.community_id),
        unit_path: Some(&v.community_path),
        before: None,
        after: Some(json!({"volunteer_no": v.volunteer_no, "certificates_deleted": certificates})),
    };
    audit(tx, entry).await?;
    Ok(true)
}

/// The activities not started by `now` that the volunteer has signed up for, by id.
pub async fn upcoming_signups(
    tx: &mut Tx,
    volunteer_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    Ok(query_scalar(
        "SELECT s.activity_id FROM signups s JOIN activities a ON a.id = s.activity_id
         WHERE s.volunteer_id = $1 AND a.starts_at > $2 ORDER BY s.activity_id",
    )
    .bind(volunteer_id)
    .bind(now)
    .all(tx)
    .await?)
}
