//! The audit log: who changed what, when, before → after. Entries are written in the same
//! transaction as the change they describe.

use super::db::{Tx, query, query_as};
use super::{AuditEntry, NewAudit, Store};
use crate::error::Result;
use chrono::Utc;

pub async fn audit(tx: &mut Tx, a: NewAudit<'_>) -> Result<()> {
    query(
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
    .bind(a.before)
    .bind(a.after)
    .execute(tx)
    .await?;
    Ok(())
}

impl Store {
    /// Audit entries about units within `path`, newest first.
    pub async fn audit_within(
        &self,
        path: &str,
        before_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        Ok(query_as(
            "SELECT id, at, actor_id, action, entity, entity_id, unit_id, before, after FROM audit_log
             WHERE unit_path >= $1 AND unit_path < $1 || '~' AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(path)
        .bind(before_id)
        .bind(limit)
        .fetch_all(&self.db)
        .await?)
    }
}
