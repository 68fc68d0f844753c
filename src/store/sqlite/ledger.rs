//! The hours ledger on SQLite.

use super::{SqliteStore, audit};
use crate::domain::ledger::Review;
use crate::error::{Error, Result};
use crate::store::NewAudit;
use crate::store::activities::Activity;
use crate::store::ledger::{
    self, EntryView, LedgerEntry, LedgerRules, LedgerStore, LedgerTx, NewEntry, NewReport,
    PendingActivity, RecordReport, ReviewOutcome, ReviewTarget, YearTotals,
};
use async_trait::async_trait;
use chrono::{DateTime, Datelike, Utc};
use sqlx::SqliteConnection;

const ENTRY: &str =
    "e.id, e.volunteer_id, e.activity_id, e.attendance_id, e.unit_id, e.service_date,
    e.year, e.minutes, e.source, e.corrects_id, e.reason, e.actor_id, e.created_at";
const REPORT: &str = "SELECT r.id, r.volunteer_id, r.activity_id, r.entry_id, r.kind, r.minutes_claimed,
    r.message, r.status, r.resolution_reason, r.correction_entry_id, r.resolved_by, r.resolved_at,
    r.created_at, u.path AS unit_path
    FROM record_reports r JOIN activities a ON a.id = r.activity_id JOIN units u ON u.id = a.unit_id";

#[async_trait]
impl LedgerTx for SqliteConnection {
    async fn review_target(&mut self, attendance_id: i64) -> Result<Option<ReviewTarget>> {
        Ok(sqlx::query_as(
            "SELECT id, activity_id, volunteer_id, state, credited_minutes, review FROM attendances WHERE id = ?",
        )
        .bind(attendance_id)
        .fetch_optional(self)
        .await?)
    }

    async fn set_review(&mut self, attendance_id: i64, review: &Review, actor: i64) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE attendances SET review = ?, review_reason = ?, fraudulent = ?, reviewed_by = ?, reviewed_at = ?
             WHERE id = ? AND review IS NULL",
        )
        .bind(review.name())
        .bind(review.reason())
        .bind(matches!(review, Review::Reject { fraudulent: true, .. }))
        .bind(actor)
        .bind(Utc::now())
        .bind(attendance_id)
        .execute(self)
        .await?
        .rows_affected();
        if changed == 1 {
            Ok(())
        } else {
            Err(Error::conflict(
                "already_reviewed",
                "this attendance was reviewed meanwhile",
            ))
        }
    }

    async fn append(&mut self, e: &NewEntry) -> Result<LedgerEntry> {
        let year = e.service_date.year();
        let first_for_activity = match e.activity_id {
            Some(activity) => !sqlx::query_scalar::<_, bool>(
                "SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE volunteer_id = ? AND activity_id = ? AND year = ?)",
            )
            .bind(e.volunteer_id)
            .bind(activity)
            .bind(year)
            .fetch_one(&mut *self)
            .await?,
            None => false,
        };
        let entry: LedgerEntry = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO ledger_entries (volunteer_id, activity_id, attendance_id, unit_id, service_date,
                 year, minutes, source, corrects_id, reason, actor_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            ENTRY.replace("e.", "")
        )))
        .bind(e.volunteer_id)
        .bind(e.activity_id)
        .bind(e.attendance_id)
        .bind(e.unit_id)
        .bind(e.service_date)
        .bind(year)
        .bind(e.minutes as i32)
        .bind(e.source)
        .bind(e.corrects_id)
        .bind(&e.reason)
        .bind(e.actor_id)
        .bind(Utc::now())
        .fetch_one(&mut *self)
        .await?;
        sqlx::query(
            "INSERT INTO volunteer_year_totals (volunteer_id, year, minutes, activities, points) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (volunteer_id, year) DO UPDATE SET
                 minutes = volunteer_year_totals.minutes + excluded.minutes,
                 activities = volunteer_year_totals.activities + excluded.activities,
                 points = volunteer_year_totals.points + excluded.points",
        )
        .bind(e.volunteer_id)
        .bind(year)
        .bind(e.minutes)
        .bind(i32::from(first_for_activity))
        .bind(e.points)
        .execute(&mut *self)
        .await?;
        if e.points > 0 {
            sqlx::query(
                "INSERT INTO points_entries (volunteer_id, points, source, ledger_entry_id, actor_id, created_at)
                 VALUES (?, ?, 'service', ?, ?, ?)",
            )
            .bind(e.volunteer_id)
            .bind(e.points)
            .bind(entry.id)
            .bind(e.actor_id)
            .bind(Utc::now())
            .execute(&mut *self)
            .await?;
            sqlx::query(
                "INSERT INTO points_balances (volunteer_id, balance) VALUES (?, ?)
                 ON CONFLICT (volunteer_id) DO UPDATE SET balance = points_balances.balance + excluded.balance",
            )
            .bind(e.volunteer_id)
            .bind(e.points)
            .execute(&mut *self)
            .await?;
        }
        Ok(entry)
    }

    async fn effective_minutes(&mut self, entry_id: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(SUM(minutes), 0) FROM ledger_entries WHERE id = ? OR corrects_id = ?",
        )
        .bind(entry_id)
        .bind(entry_id)
        .fetch_one(self)
        .await?)
    }

    async fn has_entry(&mut self, volunteer_id: i64, activity_id: i64) -> Result<bool> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE volunteer_id = ? AND activity_id = ? AND source <> 'correction')",
        )
        .bind(volunteer_id)
        .bind(activity_id)
        .fetch_one(self)
        .await?)
    }

    async fn resolve(
        &mut self,
        report_id: i64,
        status: &str,
        reason: Option<&str>,
        entry: Option<i64>,
        actor: i64,
    ) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE record_reports SET status = ?, resolution_reason = ?, correction_entry_id = ?, resolved_by = ?,
                 resolved_at = ? WHERE id = ? AND status = 'open'",
        )
        .bind(status)
        .bind(reason)
        .bind(entry)
        .bind(actor)
        .bind(Utc::now())
        .bind(report_id)
        .execute(self)
        .await?
        .rows_affected();
        if changed == 1 {
            Ok(())
        } else {
            Err(Error::conflict(
                "already_resolved",
                "this report was resolved meanwhile",
            ))
        }
    }

    async fn audit(&mut self, entry: NewAudit<'_>) -> Result<()> {
        audit(self, entry).await
    }
}

#[async_trait]
impl LedgerStore for SqliteStore {
    async fn review_attendances(
        &self,
        activity: &Activity,
        reviews: &[(i64, Review)],
        actor: i64,
        rules: &LedgerRules,
    ) -> Result<Vec<ReviewOutcome>> {
        let mut tx = self.write().await?;
        let outcomes = ledger::review(&mut *tx, activity, reviews, actor, rules).await?;
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn add_manual_entry(
        &self,
        activity: &Activity,
        volunteer_id: i64,
        minutes: i64,
        reason: &str,
        actor: i64,
        rules: &LedgerRules,
    ) -> Result<LedgerEntry> {
        let mut tx = self.write().await?;
        let entry = ledger::manual_entry(
            &mut *tx,
            activity,
            volunteer_id,
            minutes,
            reason,
            actor,
            rules,
        )
        .await?;
        tx.commit().await?;
        Ok(entry)
    }

    async fn entry(&self, id: i64) -> Result<Option<(LedgerEntry, String)>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT u.path FROM ledger_entries e JOIN units u ON u.id = e.unit_id WHERE e.id = ?",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await?;
        let Some((path,)) = row else { return Ok(None) };
        let entry = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY} FROM ledger_entries e WHERE e.id = ?"
        )))
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        Ok(Some((entry, path)))
    }

    async fn correct_entry(
        &self,
        entry: &LedgerEntry,
        unit_path: &str,
        minutes: i64,
        reason: &str,
        actor: i64,
    ) -> Result<LedgerEntry> {
        let mut tx = self.write().await?;
        let corrected =
            ledger::correction(&mut *tx, entry, unit_path, minutes, reason, actor).await?;
        tx.commit().await?;
        Ok(corrected)
    }

    async fn volunteer_entries(&self, volunteer_id: i64, year: i32) -> Result<Vec<EntryView>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY}, a.title AS activity_title, a.organiser FROM ledger_entries e
             LEFT JOIN activities a ON a.id = e.activity_id
             WHERE e.volunteer_id = ? AND e.year = ? ORDER BY e.service_date, e.id"
        )))
        .bind(volunteer_id)
        .bind(year)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn year_totals(&self, volunteer_id: i64, year: i32) -> Result<YearTotals> {
        Ok(sqlx::query_as("SELECT minutes, activities, points FROM volunteer_year_totals WHERE volunteer_id = ? AND year = ?")
            .bind(volunteer_id)
            .bind(year)
            .fetch_optional(&self.reader)
            .await?
            .unwrap_or_default())
    }

    async fn lifetime_minutes(&self, volunteer_id: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(SUM(minutes), 0) FROM volunteer_year_totals WHERE volunteer_id = ?",
        )
        .bind(volunteer_id)
        .fetch_one(&self.reader)
        .await?)
    }

    async fn points_balance(&self, volunteer_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT balance FROM points_balances WHERE volunteer_id = ?")
                .bind(volunteer_id)
                .fetch_optional(&self.reader)
                .await?
                .unwrap_or(0),
        )
    }

    async fn file_report(&self, volunteer_id: i64, r: &NewReport) -> Result<RecordReport> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO record_reports (volunteer_id, activity_id, entry_id, kind, minutes_claimed, message, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(volunteer_id)
        .bind(r.activity_id)
        .bind(r.entry_id)
        .bind(&r.kind)
        .bind(r.minutes_claimed)
        .bind(&r.message)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        self.record_report(id)
            .await?
            .ok_or(Error::NotFound("report"))
    }

    async fn record_report(&self, id: i64) -> Result<Option<RecordReport>> {
        Ok(
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{REPORT} WHERE r.id = ?")))
                .bind(id)
                .fetch_optional(&self.writer)
                .await?,
        )
    }

    async fn reports_of(&self, volunteer_id: i64) -> Result<Vec<RecordReport>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{REPORT} WHERE r.volunteer_id = ? ORDER BY r.id DESC"
        )))
        .bind(volunteer_id)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn reports_within(&self, path: &str, open_only: bool) -> Result<Vec<RecordReport>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{REPORT} WHERE u.path >= ? AND u.path < ? AND (r.status = 'open' OR NOT ?) ORDER BY r.id"
        )))
        .bind(path)
        .bind(format!("{path}\u{10FFFF}"))
        .bind(open_only)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn resolve_report(
        &self,
        report: &RecordReport,
        accept: Option<i64>,
        reason: &str,
        actor: i64,
        rules: &LedgerRules,
    ) -> Result<RecordReport> {
        let activity = self.activity_for(report.activity_id).await?;
        let mut tx = self.write().await?;
        ledger::resolution(&mut *tx, report, &activity, accept, reason, actor, rules).await?;
        tx.commit().await?;
        self.record_report(report.id)
            .await?
            .ok_or(Error::NotFound("report"))
    }

    async fn pending_reviews(
        &self,
        path: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<PendingActivity>> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.unit_id, a.title, a.ends_at, COUNT(t.id) AS unreviewed
             FROM activities a JOIN units u ON u.id = a.unit_id
             JOIN attendances t ON t.activity_id = a.id AND t.review IS NULL
             WHERE u.path >= ? AND u.path < ? AND a.status = 'scheduled' AND a.ends_at >= ? AND a.ends_at < ?
             GROUP BY a.id, a.unit_id, a.title, a.ends_at ORDER BY a.ends_at, a.id",
        )
        .bind(path)
        .bind(format!("{path}\u{10FFFF}"))
        .bind(from)
        .bind(to)
        .fetch_all(&self.reader)
        .await?)
    }
}

impl SqliteStore {
    async fn activity_for(&self, id: i64) -> Result<Activity> {
        use crate::store::activities::ActivityStore;
        self.activity(id).await?.ok_or(Error::NotFound("activity"))
    }
}
