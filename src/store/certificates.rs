//! Certificates 志愿服务记录证明 and their verification.

use crate::domain::certificate::Entry;
use crate::error::Result;
use crate::store::{NewAudit, Volunteer};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// A certificate about to be stored: its signed canonical content and who issued it.
pub struct NewCertificate<'a> {
    pub number: &'a str,
    pub volunteer: &'a Volunteer,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
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
        })),
    }
}

#[async_trait]
pub trait CertificateStore {
    /// A volunteer's ledger entries dated from `from` to `to` (both included), oldest first, each
    /// with its activity or, for a correction without one, the activity of the entry it corrects.
    async fn service_entries(
        &self,
        volunteer_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Entry>>;
    /// Stores a certificate with its audit entry; `duplicate_certificate` conflict when the number
    /// is taken.
    async fn insert_certificate(&self, c: &NewCertificate<'_>) -> Result<()>;
    async fn certificate(&self, number: &str) -> Result<Option<StoredCertificate>>;
}

/// A row of [`CertificateStore::service_entries`], in [`Entry`] order.
pub(crate) type EntryRow = (
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
    String,
    NaiveDate,
    i64,
);

pub(crate) fn entry(
    (activity_id, title, organiser, unit_name, source, date, minutes): EntryRow,
) -> Entry {
    Entry {
        activity_id,
        title,
        organiser,
        unit_name,
        source,
        date,
        minutes,
    }
}
