//! Certificates 志愿服务记录证明 and their verification.

use super::db::{query, query_as};
use super::{Store, audit, conflict_on};
use crate::domain::certificate::Entry;
use crate::domain::evaluation::Rating;
use crate::domain::ledger::EntrySource;
use crate::error::Result;
use crate::error::codes::DUPLICATE_CERTIFICATE;
use crate::store::{NewAudit, Volunteer};
use chrono::{DateTime, NaiveDate, Utc};

/// A certificate about to be stored: its signed canonical content and who issued it.
pub struct NewCertificate<'a> {
    pub number: &'a str,
    pub volunteer: &'a Volunteer,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// The award certified, for a certificate of an award.
    pub award_id: Option<i64>,
    pub content: &'a str,
    pub signature: &'a str,
    pub issued_by: i64,
    pub issued_at: DateTime<Utc>,
}

/// A certificate as stored; its content is checked against the signature before it is believed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredCertificate {
    pub number: String,
    pub volunteer_id: i64,
    pub content: String,
    pub signature: String,
    pub issued_at: DateTime<Utc>,
}

/// The audit entry of an issued certificate, in the volunteer's community.
pub(crate) fn issue_audit<'a>(c: &'a NewCertificate<'a>) -> NewAudit<'a> {
    NewAudit {
        actor_id: Some(c.issued_by),
        action: "issue_certificate",
        entity: "certificate",
        entity_id: c.number.to_owned(),
        unit_id: Some(c.volunteer.community_id),
        unit_path: Some(&c.volunteer.community_path),
        before: None,
        after: Some(serde_json::json!({
            "volunteer_id": c.volunteer.id,
            "period_from": c.period_from,
            "period_to": c.period_to,
            "award_id": c.award_id,
        })),
    }
}

/// A row of [`Store::service_entries`].
#[derive(sqlx::FromRow)]
struct EntryRow {
    activity_id: Option<i64>,
    title: Option<String>,
    organiser: Option<String>,
    unit_name: String,
    #[sqlx(try_from = "String")]
    source: EntrySource,
    date: NaiveDate,
    minutes: i64,
    /// The latest rating of the service the entry recorded (none for a correction).
    evaluation: Option<String>,
}

impl From<EntryRow> for Entry {
    fn from(r: EntryRow) -> Entry {
        Entry {
            activity_id: r.activity_id,
            title: r.title,
            organiser: r.organiser,
            unit_name: r.unit_name,
            source: r.source,
            date: r.date,
            minutes: r.minutes,
            evaluation: r.evaluation.as_deref().and_then(Rating::parse),
        }
    }
}

impl Store {
    pub async fn service_entries(
        &self,
        volunteer_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Entry>> {
        let rows: Vec<EntryRow> = query_as(
            "SELECT a.id AS activity_id, a.title, a.organiser, u.name AS unit_name, e.source,
                 e.service_date AS date, CAST(e.minutes AS BIGINT) AS minutes,
                 (SELECT ev.rating FROM evaluations ev
                  WHERE ev.attendance_id = e.attendance_id AND e.source <> 'correction'
                  ORDER BY ev.id DESC LIMIT 1) AS evaluation
             FROM ledger_entries e
             LEFT JOIN ledger_entries c ON c.id = e.corrects_id
             LEFT JOIN activities a ON a.id = COALESCE(e.activity_id, c.activity_id)
             JOIN units u ON u.id = e.unit_id
             WHERE e.volunteer_id = $1 AND e.service_date BETWEEN $2 AND $3
             ORDER BY e.service_date, e.id",
        )
        .bind(volunteer_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }

    pub async fn insert_certificate(&self, c: &NewCertificate<'_>) -> Result<()> {
        let mut tx = self.db.begin().await?;
        query(
            "INSERT INTO certificates (number, volunteer_id, period_from, period_to, content,
                 signature, issued_by, issued_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(c.number)
        .bind(c.volunteer.id)
        .bind(c.period_from)
        .bind(c.period_to)
        .bind(c.content)
        .bind(c.signature)
        .bind(c.issued_by)
        .bind(c.issued_at)
        .execute(&mut tx)
        .await
        .map_err(|e| conflict_on(e, DUPLICATE_CERTIFICATE, "the certificate number is taken"))?;
        audit(&mut tx, issue_audit(c)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn certificate(&self, number: &str) -> Result<Option<StoredCertificate>> {
        Ok(query_as(
            "SELECT number, volunteer_id, content, signature, issued_at
             FROM certificates WHERE number = $1",
        )
        .bind(number)
        .fetch_optional(&self.db)
        .await?)
    }
}
