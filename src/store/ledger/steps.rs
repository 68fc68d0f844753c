//! The steps of a ledger transaction, each one statement or a few, run inside the caller's
//! [`Tx`]. Appending an entry updates the volunteer's yearly totals and points in the same
//! transaction.

use super::{LedgerEntry, NewEntry, ReviewTarget};
use crate::domain::evaluation::Rating;
use crate::domain::ledger::{ReportStatus, Review};
use crate::domain::targets::active_change;
use crate::error::codes::{ALREADY_RESOLVED, ALREADY_REVIEWED};
use crate::error::{Error, Result};
use crate::store::db::{Tx, query, query_as, query_scalar};
use crate::store::targets;
use chrono::{Datelike, Months, NaiveDate, Utc};

pub(super) const ENTRY: &str =
    "e.id, e.volunteer_id, e.activity_id, e.attendance_id, e.unit_id, e.service_date,
    e.year, e.minutes, e.source, e.corrects_id, e.reason, e.actor_id, e.created_at";

pub async fn review_target(tx: &mut Tx, attendance_id: i64) -> Result<Option<ReviewTarget>> {
    Ok(query_as(
        "SELECT id, activity_id, volunteer_id, state, credited_minutes, review FROM attendances WHERE id = $1",
    )
    .bind(attendance_id)
    .fetch_optional(tx)
    .await?)
}

pub async fn set_review(
    tx: &mut Tx,
    attendance_id: i64,
    review: &Review,
    actor: i64,
) -> Result<()> {
    let changed = query(
        "UPDATE attendances SET review = $1, review_reason = $2, fraudulent = $3, reviewed_by = $4, reviewed_at = $5
         WHERE id = $6 AND review IS NULL",
    )
    .bind(review.name())
    .bind(review.reason())
    .bind(matches!(review, Review::Reject { fraudulent: true, .. }))
    .bind(actor)
    .bind(Utc::now())
    .bind(attendance_id)
    .execute(tx)
    .await?;
    if changed == 1 {
        Ok(())
    } else {
        Err(Error::conflict(
            ALREADY_REVIEWED,
            "this attendance was reviewed meanwhile",
        ))
    }
}

pub async fn append(tx: &mut Tx, e: &NewEntry) -> Result<LedgerEntry> {
    let year = e.service_date.year();
    let year_start = e.service_date.with_ordinal(1).expect("day 1 exists");
    let month_start = e.service_date.with_day(1).expect("day 1 exists");
    let first_for_activity = first_since(tx, e, year_start, Months::new(12)).await?;
    let first_in_month = first_since(tx, e, month_start, Months::new(1)).await?;
    let entry: LedgerEntry = query_as(format!(
        "INSERT INTO ledger_entries (volunteer_id, activity_id, attendance_id, unit_id, service_date,
             year, minutes, source, corrects_id, reason, actor_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {}",
        ENTRY.replace("e.", "")
    ))
    .bind(e.volunteer_id)
    .bind(e.activity_id)
    .bind(e.attendance_id)
    .bind(e.unit_id)
    .bind(e.service_date)
    .bind(year)
    .bind(e.minutes as i32)
    .bind(e.source.as_str())
    .bind(e.corrects_id)
    .bind(&e.reason)
    .bind(e.actor_id)
    .bind(Utc::now())
    .fetch_one(&mut *tx)
    .await?;
    let minutes_now: i64 = query_scalar(
        "INSERT INTO volunteer_year_totals (volunteer_id, year, minutes, activities, points) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (volunteer_id, year) DO UPDATE SET
             minutes = volunteer_year_totals.minutes + excluded.minutes,
             activities = volunteer_year_totals.activities + excluded.activities,
             points = volunteer_year_totals.points + excluded.points
         RETURNING CAST(minutes AS BIGINT)",
    )
    .bind(e.volunteer_id)
    .bind(year)
    .bind(e.minutes)
    .bind(i32::from(first_for_activity))
    .bind(e.points)
    .one(&mut *tx)
    .await?;
    query(
        "INSERT INTO volunteer_month_totals (volunteer_id, month, minutes, activities) VALUES ($1, $2, $3, $4)
         ON CONFLICT (volunteer_id, month) DO UPDATE SET
             minutes = volunteer_month_totals.minutes + excluded.minutes,
             activities = volunteer_month_totals.activities + excluded.activities",
    )
    .bind(e.volunteer_id)
    .bind(year * 100 + e.service_date.month() as i32)
    .bind(e.minutes)
    .bind(i32::from(first_in_month))
    .execute(&mut *tx)
    .await?;
    let change = active_change(minutes_now - e.minutes, minutes_now);
    if change != 0 {
        targets::add_active(tx, e.volunteer_id, year, change).await?;
    }
    if e.points > 0 {
        query(
            "INSERT INTO points_entries (volunteer_id, points, source, ledger_entry_id, actor_id, created_at)
             VALUES ($1, $2, 'service', $3, $4, $5)",
        )
        .bind(e.volunteer_id)
        .bind(e.points)
        .bind(entry.id)
        .bind(e.actor_id)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        query(
            "INSERT INTO points_balances (volunteer_id, balance) VALUES ($1, $2)
             ON CONFLICT (volunteer_id) DO UPDATE SET balance = points_balances.balance + excluded.balance",
        )
        .bind(e.volunteer_id)
        .bind(e.points)
        .execute(&mut *tx)
        .await?;
    }
    Ok(entry)
}

/// Whether `e` is the volunteer's first entry for its activity in the `span` from `start` (the
/// entry is not yet appended): an activity counts once in the yearly and monthly totals.
async fn first_since(tx: &mut Tx, e: &NewEntry, start: NaiveDate, span: Months) -> Result<bool> {
    let Some(activity) = e.activity_id else {
        return Ok(false);
    };
    Ok(!query_scalar::<bool>(
        "SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE volunteer_id = $1 AND activity_id = $2
             AND service_date >= $3 AND service_date < $4)",
    )
    .bind(e.volunteer_id)
    .bind(activity)
    .bind(start)
    .bind(start + span)
    .one(tx)
    .await?)
}

pub async fn effective_minutes(tx: &mut Tx, entry_id: i64) -> Result<i64> {
    Ok(query_scalar("SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM ledger_entries WHERE id = $1 OR corrects_id = $2")
        .bind(entry_id)
        .bind(entry_id)
        .one(tx)
        .await?)
}

pub async fn has_entry(tx: &mut Tx, volunteer_id: i64, activity_id: i64) -> Result<bool> {
    Ok(query_scalar(
        "SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE volunteer_id = $1 AND activity_id = $2 AND source <> 'correction')",
    )
    .bind(volunteer_id)
    .bind(activity_id)
    .one(tx)
    .await?)
}

pub async fn resolve(
    tx: &mut Tx,
    report_id: i64,
    status: ReportStatus,
    reason: Option<&str>,
    entry: Option<i64>,
    actor: i64,
) -> Result<()> {
    let changed = query(
        "UPDATE record_reports SET status = $1, resolution_reason = $2, correction_entry_id = $3, resolved_by = $4,
             resolved_at = $5 WHERE id = $6 AND status = 'open'",
    )
    .bind(status.as_str())
    .bind(reason)
    .bind(entry)
    .bind(actor)
    .bind(Utc::now())
    .bind(report_id)
    .execute(tx)
    .await?;
    if changed == 1 {
        Ok(())
    } else {
        Err(Error::conflict(
            ALREADY_RESOLVED,
            "this report was resolved meanwhile",
        ))
    }
}

/// Keeps a rating of the attendance's service, superseding the one before it, if any.
pub async fn evaluate(
    tx: &mut Tx,
    target: &ReviewTarget,
    rating: Rating,
    comment: Option<&str>,
    actor: i64,
) -> Result<i64> {
    let before: Option<i64> =
        query_scalar("SELECT MAX(id) FROM evaluations WHERE attendance_id = $1")
            .bind(target.id)
            .one(&mut *tx)
            .await?;
    Ok(query_scalar(
        "INSERT INTO evaluations (attendance_id, volunteer_id, activity_id, rating, comment,
             supersedes_id, evaluated_by, evaluated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(target.id)
    .bind(target.volunteer_id)
    .bind(target.activity_id)
    .bind(rating.as_str())
    .bind(comment)
    .bind(before)
    .bind(actor)
    .bind(Utc::now())
    .one(tx)
    .await?)
}
