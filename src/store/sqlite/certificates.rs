//! Certificates 志愿服务记录证明 and their verification. (SQLite)

use super::{SqliteStore, audit};
use crate::domain::certificate::Entry;
use crate::error::Result;
use crate::store::certificates::{
    CertificateStore, EntryRow, NewCertificate, StoredCertificate, entry, issue_audit,
};
use crate::store::conflict_on;
use async_trait::async_trait;
use chrono::NaiveDate;

#[async_trait]
impl CertificateStore for SqliteStore {
    async fn service_entries(
        &self,
        volunteer_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Entry>> {
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT a.id, a.title, a.organiser, u.name, e.source, e.service_date, e.minutes
             FROM ledger_entries e
             LEFT JOIN ledger_entries c ON c.id = e.corrects_id
             LEFT JOIN activities a ON a.id = COALESCE(e.activity_id, c.activity_id)
             JOIN units u ON u.id = e.unit_id
             WHERE e.volunteer_id = ? AND e.service_date BETWEEN ? AND ?
             ORDER BY e.service_date, e.id",
        )
        .bind(volunteer_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(entry).collect())
    }

    async fn insert_certificate(&self, c: &NewCertificate<'_>) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO certificates (number, volunteer_id, period_from, period_to, content,
                 signature, issued_by, issued_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(c.number)
        .bind(c.volunteer.id)
        .bind(c.period_from)
        .bind(c.period_to)
        .bind(c.content)
        .bind(c.signature)
        .bind(c.issued_by)
        .bind(c.issued_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            conflict_on(
                e,
                "duplicate_certificate",
                "the certificate number is taken",
            )
        })?;
        audit(&mut tx, issue_audit(c)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn certificate(&self, number: &str) -> Result<Option<StoredCertificate>> {
        Ok(sqlx::query_as(
            "SELECT number, volunteer_id, content, signature, issued_at
             FROM certificates WHERE number = ?",
        )
        .bind(number)
        .fetch_optional(&self.reader)
        .await?)
    }
}
