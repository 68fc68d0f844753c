//! What the ledger shows: entries, yearly totals, points balances, reports 纠错 and the
//! activities still waiting for review.

use super::steps::ENTRY;
use super::{
    EntryView, LedgerEntry, NewReport, PendingActivity, RecordReport, ReportInInbox, YearTotals,
};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::db::{query_as, query_scalar};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

const REPORT_COLUMNS: &str =
    "r.id, r.volunteer_id, r.activity_id, a.title AS activity_title, r.entry_id, r.kind,
    r.minutes_claimed, r.message, r.status, r.resolution_reason, r.correction_entry_id,
    r.resolved_by, r.resolved_at, r.created_at, u.path AS unit_path";
const REPORT_FROM: &str = "FROM record_reports r JOIN activities a ON a.id = r.activity_id JOIN units u ON u.id = a.unit_id";

/// An activity whose record the volunteer may report missing 纠错.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct UnrecordedActivity {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl Store {
    /// The activities, not cancelled, that started after `since` and ended by `now` and hold no
    /// record of the volunteer's, the latest first (at most 50): those of their community and the
    /// units above it (`community_path`), and any other they signed up for or checked in to. What
    /// a report of a missing record names.
    pub async fn unrecorded_activities(
        &self,
        volunteer_id: i64,
        community_path: &str,
        (since, now): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<UnrecordedActivity>> {
        Ok(query_as(
            "SELECT a.id, a.title, a.starts_at, a.ends_at
             FROM activities a JOIN units u ON u.id = a.unit_id
             WHERE a.starts_at >= $2 AND a.ends_at <= $3 AND a.status <> 'cancelled'
               AND (substr($4, 1, length(u.path)) = u.path
                    OR a.id IN (SELECT activity_id FROM attendances WHERE volunteer_id = $1
                                UNION SELECT activity_id FROM signups WHERE volunteer_id = $1))
               AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                               WHERE e.volunteer_id = $1 AND e.activity_id = a.id)
             ORDER BY a.ends_at DESC, a.id LIMIT 50",
        )
        .bind(volunteer_id)
        .bind(since)
        .bind(now)
        .bind(community_path)
        .fetch_all(&self.db)
        .await?)
    }

    pub async fn entry(&self, id: i64) -> Result<Option<(LedgerEntry, String)>> {
        let row: Option<(String,)> = query_as(
            "SELECT u.path FROM ledger_entries e JOIN units u ON u.id = e.unit_id WHERE e.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?;
        let Some((path,)) = row else { return Ok(None) };
        let entry = query_as(format!(
            "SELECT {ENTRY} FROM ledger_entries e WHERE e.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.db)
        .await?;
        Ok(Some((entry, path)))
    }

    pub async fn volunteer_entries(&self, volunteer_id: i64, year: i32) -> Result<Vec<EntryView>> {
        Ok(query_as(format!(
            "SELECT {ENTRY}, a.title AS activity_title, a.organiser, ev.rating AS evaluation,
                 ev.comment AS evaluation_comment, ev.evaluated_at
             FROM ledger_entries e
             LEFT JOIN activities a ON a.id = e.activity_id
             LEFT JOIN evaluations ev ON e.source <> 'correction' AND ev.id =
                 (SELECT MAX(id) FROM evaluations WHERE attendance_id = e.attendance_id)
             WHERE e.volunteer_id = $1 AND e.year = $2 ORDER BY e.service_date, e.id"
        ))
        .bind(volunteer_id)
        .bind(year)
        .fetch_all(&self.db)
        .await?)
    }

    pub async fn year_totals(&self, volunteer_id: i64, year: i32) -> Result<YearTotals> {
        Ok(query_as("SELECT minutes, activities, points FROM volunteer_year_totals WHERE volunteer_id = $1 AND year = $2")
            .bind(volunteer_id)
            .bind(year)
            .fetch_optional(&self.db)
            .await?
            .unwrap_or_default())
    }

    pub async fn lifetime_minutes(&self, volunteer_id: i64) -> Result<i64> {
        Ok(query_scalar("SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM volunteer_year_totals WHERE volunteer_id = $1")
            .bind(volunteer_id)
            .one(&self.db)
            .await?)
    }

    pub async fn points_balance(&self, volunteer_id: i64) -> Result<i64> {
        Ok(
            query_scalar("SELECT balance FROM points_balances WHERE volunteer_id = $1")
                .bind(volunteer_id)
                .optional(&self.db)
                .await?
                .unwrap_or(0),
        )
    }

    pub async fn file_report(&self, volunteer_id: i64, r: &NewReport) -> Result<RecordReport> {
        let mut tx = self.db.begin().await?;
        let id: i64 = query_scalar(
            "INSERT INTO record_reports (volunteer_id, activity_id, entry_id, kind, minutes_claimed, message, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(volunteer_id)
        .bind(r.activity_id)
        .bind(r.target.entry_id())
        .bind(r.target.kind().as_str())
        .bind(r.minutes_claimed)
        .bind(&r.message)
        .bind(Utc::now())
        .one(&mut tx)
        .await?;
        tx.commit().await?;
        self.record_report(id)
            .await?
            .ok_or(Error::NotFound("report"))
    }

    pub async fn record_report(&self, id: i64) -> Result<Option<RecordReport>> {
        Ok(query_as(format!(
            "SELECT {REPORT_COLUMNS} {REPORT_FROM} WHERE r.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.db)
        .await?)
    }

    pub async fn reports_of(&self, volunteer_id: i64) -> Result<Vec<RecordReport>> {
        Ok(query_as(format!(
            "SELECT {REPORT_COLUMNS} {REPORT_FROM} WHERE r.volunteer_id = $1 ORDER BY r.id DESC"
        ))
        .bind(volunteer_id)
        .fetch_all(&self.db)
        .await?)
    }

    pub async fn reports_within(&self, path: &str, open_only: bool) -> Result<Vec<RecordReport>> {
        Ok(query_as(format!(
            "SELECT {REPORT_COLUMNS} {REPORT_FROM} WHERE u.path >= $1 AND u.path < $1 || '~' AND (r.status = 'open' OR NOT $2) ORDER BY r.id"
        ))
        .bind(path)
        .bind(open_only)
        .fetch_all(&self.db)
        .await?)
    }

    /// A page of the reports about activities under `path` (only the open ones when
    /// `open_only`), oldest first: the order they are to be answered in.
    pub async fn reports_inbox(
        &self,
        path: &str,
        open_only: bool,
        (limit, offset): (i64, i64),
    ) -> Result<Vec<ReportInInbox>> {
        Ok(query_as(format!(
            "SELECT {REPORT_COLUMNS}, v.name AS volunteer_name, v.volunteer_no,
                 a.title AS activity_title, a.starts_at AS activity_starts_at
             {REPORT_FROM} JOIN volunteers v ON v.id = r.volunteer_id
             WHERE u.path >= $1 AND u.path < $1 || '~' AND (r.status = 'open' OR NOT $2)
             ORDER BY r.id LIMIT $3 OFFSET $4"
        ))
        .bind(path)
        .bind(open_only)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.db)
        .await?)
    }

    pub async fn pending_reviews(
        &self,
        path: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<PendingActivity>> {
        Ok(query_as(
            "SELECT a.id, a.unit_id, a.title, a.ends_at, COUNT(t.id) AS unreviewed
             FROM activities a JOIN units u ON u.id = a.unit_id
             JOIN attendances t ON t.activity_id = a.id AND t.review IS NULL
             WHERE u.path >= $1 AND u.path < $1 || '~' AND a.status = 'scheduled' AND a.ends_at >= $2 AND a.ends_at < $3
             GROUP BY a.id, a.unit_id, a.title, a.ends_at ORDER BY a.ends_at, a.id",
        )
        .bind(path)
        .bind(from)
        .bind(to)
        .fetch_all(&self.db)
        .await?)
    }
}
