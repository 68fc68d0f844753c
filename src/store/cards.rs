//! Volunteers' printed cards 志愿者卡: which card is current, and issuing a new one, which makes
//! the code of every earlier card invalid.

use super::db::{query_as, query_scalar};
use super::{NewAudit, Store, Volunteer, audit};
use crate::error::Result;
use serde_json::json;

/// Who a personal code names, as checking it in needs them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeHolder {
    pub id: i64,
    /// 志愿者编号
    pub volunteer_no: String,
    pub name: String,
    /// `active`, or a volunteer no longer serving, whose codes are refused.
    pub status: String,
    /// The serial of the volunteer's current card.
    pub card_serial: i64,
}

impl Store {
    pub async fn code_holder(&self, volunteer_id: i64) -> Result<Option<CodeHolder>> {
        Ok(query_as(
            "SELECT id, volunteer_no, name, status, card_serial FROM volunteers WHERE id = $1",
        )
        .bind(volunteer_id)
        .fetch_optional(&self.db)
        .await?)
    }

    /// Issues the volunteer a new card in place of the current one, by `actor`: the new card's
    /// serial. Audited.
    pub async fn issue_card(&self, volunteer: &Volunteer, actor: i64) -> Result<i64> {
        let mut tx = self.db.begin().await?;
        let serial: i64 = query_scalar(
            "UPDATE volunteers SET card_serial = card_serial + 1 WHERE id = $1 RETURNING card_serial",
        )
        .bind(volunteer.id)
        .one(&mut tx)
        .await?;
        audit(
            &mut tx,
            NewAudit {
                actor_id: Some(actor),
                action: "issue_card",
                entity: "volunteer",
                entity_id: volunteer.id.to_string(),
                unit_id: Some(volunteer.community_id),
                unit_path: Some(&volunteer.community_path),
                before: Some(json!({"card_serial": serial - 1})),
                after: Some(json!({"card_serial": serial})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(serial)
    }
}
