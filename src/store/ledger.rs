//! The hours ledger: reviewing attendances into append-only entries, manual entries 补录,
//! corrections, volunteers' reports 纠错, and what a volunteer's hours look like.
//!
//! The rules run once, here, over a small set of transactional steps ([`LedgerTx`]) that each
//! backend implements; the database itself refuses any UPDATE or DELETE of an entry.

use crate::domain::ledger::{Review, service_points};
use crate::error::{Error, Result};
use crate::store::NewAudit;
use crate::store::activities::Activity;
use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Settings the ledger applies.
#[derive(Debug, Clone, Copy)]
pub struct LedgerRules {
    pub points_per_hour: i64,
    /// The local time in which an activity's date is read.
    pub offset: FixedOffset,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct LedgerEntry {
    pub id: i64,
    pub volunteer_id: i64,
    pub activity_id: Option<i64>,
    pub attendance_id: Option<i64>,
    pub unit_id: i64,
    pub service_date: NaiveDate,
    pub year: i32,
    /// Negative only for a correction that lowers an earlier entry.
    pub minutes: i32,
    /// `qr`, `auto_close`, `manual`, `correction` or `import`.
    pub source: String,
    pub corrects_id: Option<i64>,
    pub reason: Option<String>,
    pub actor_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// An entry about to be appended, with the points it earns.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub volunteer_id: i64,
    pub activity_id: Option<i64>,
    pub attendance_id: Option<i64>,
    pub unit_id: i64,
    pub service_date: NaiveDate,
    pub minutes: i64,
    pub source: &'static str,
    pub corrects_id: Option<i64>,
    pub reason: Option<String>,
    pub actor_id: i64,
    pub points: i64,
}

/// An attendance as a review finds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewTarget {
    pub id: i64,
    pub activity_id: i64,
    pub volunteer_id: i64,
    pub state: String,
    pub credited_minutes: Option<i32>,
    pub review: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewOutcome {
    pub attendance_id: i64,
    /// `confirmed`, `adjusted` or `rejected`.
    pub review: String,
    pub entry_id: Option<i64>,
    pub minutes: Option<i64>,
    pub points: i64,
}

/// A volunteer's report of a wrong or missing record 纠错.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct RecordReport {
    pub id: i64,
    pub volunteer_id: i64,
    pub activity_id: i64,
    pub entry_id: Option<i64>,
    /// `missing` or `wrong`.
    pub kind: String,
    pub minutes_claimed: Option<i32>,
    pub message: String,
    /// `open`, `accepted` or `declined`.
    pub status: String,
    pub resolution_reason: Option<String>,
    pub correction_entry_id: Option<i64>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub unit_path: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewReport {
    pub activity_id: i64,
    /// `missing` (no record at all) or `wrong` (name the entry).
    pub kind: String,
    pub entry_id: Option<i64>,
    /// The service time the volunteer believes is right, in minutes.
    pub minutes_claimed: Option<i32>,
    pub message: String,
}

/// A row of a volunteer's hours view.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct EntryView {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub entry: LedgerEntry,
    pub activity_title: Option<String>,
    pub organiser: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, sqlx::FromRow, ToSchema)]
pub struct YearTotals {
    pub minutes: i64,
    pub activities: i32,
    pub points: i64,
}

/// An activity whose attendances still wait for review.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct PendingActivity {
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub ends_at: DateTime<Utc>,
    pub unreviewed: i64,
}

/// The steps of a ledger transaction, one implementation per backend.
#[async_trait]
pub trait LedgerTx: Send {
    async fn review_target(&mut self, attendance_id: i64) -> Result<Option<ReviewTarget>>;
    async fn set_review(&mut self, attendance_id: i64, review: &Review, actor: i64) -> Result<()>;
    /// Appends an entry and, in the same transaction, its points and the volunteer's totals.
    async fn append(&mut self, entry: &NewEntry) -> Result<LedgerEntry>;
    /// An entry with its corrections applied, in minutes.
    async fn effective_minutes(&mut self, entry_id: i64) -> Result<i64>;
    /// Whether the volunteer already has an entry (other than a correction) for the activity.
    async fn has_entry(&mut self, volunteer_id: i64, activity_id: i64) -> Result<bool>;
    async fn resolve(
        &mut self,
        report_id: i64,
        status: &str,
        reason: Option<&str>,
        entry: Option<i64>,
        actor: i64,
    ) -> Result<()>;
    async fn audit(&mut self, entry: NewAudit<'_>) -> Result<()>;
}

#[async_trait]
pub trait LedgerStore {
    /// Applies an organizer's reviews of one activity's attendances, all or nothing.
    async fn review_attendances(
        &self,
        activity: &Activity,
        reviews: &[(i64, Review)],
        actor: i64,
        rules: &LedgerRules,
    ) -> Result<Vec<ReviewOutcome>>;
    async fn add_manual_entry(
        &self,
        activity: &Activity,
        volunteer_id: i64,
        minutes: i64,
        reason: &str,
        actor: i64,
        rules: &LedgerRules,
    ) -> Result<LedgerEntry>;
    /// An entry and the path of its unit.
    async fn entry(&self, id: i64) -> Result<Option<(LedgerEntry, String)>>;
    async fn correct_entry(
        &self,
        entry: &LedgerEntry,
        unit_path: &str,
        minutes: i64,
        reason: &str,
        actor: i64,
    ) -> Result<LedgerEntry>;
    async fn volunteer_entries(&self, volunteer_id: i64, year: i32) -> Result<Vec<EntryView>>;
    async fn year_totals(&self, volunteer_id: i64, year: i32) -> Result<YearTotals>;
    async fn lifetime_minutes(&self, volunteer_id: i64) -> Result<i64>;
    async fn points_balance(&self, volunteer_id: i64) -> Result<i64>;
    async fn file_report(&self, volunteer_id: i64, report: &NewReport) -> Result<RecordReport>;
    async fn record_report(&self, id: i64) -> Result<Option<RecordReport>>;
    async fn reports_of(&self, volunteer_id: i64) -> Result<Vec<RecordReport>>;
    /// Reports about activities within `path`, open ones only when asked.
    async fn reports_within(&self, path: &str, open_only: bool) -> Result<Vec<RecordReport>>;
    /// Accepts a report with the minutes to record (a correction entry), or declines it.
    async fn resolve_report(
        &self,
        report: &RecordReport,
        accept: Option<i64>,
        reason: &str,
        actor: i64,
        rules: &LedgerRules,
    ) -> Result<RecordReport>;
    /// Activities within `path` that ended in [from, to) and still have unreviewed attendances.
    async fn pending_reviews(
        &self,
        path: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<PendingActivity>>;
}

fn service_date(activity: &Activity, rules: &LedgerRules) -> NaiveDate {
    activity.starts_at.with_timezone(&rules.offset).date_naive()
}

fn audit_for<'a>(
    activity: &'a Activity,
    actor: i64,
    action: &'static str,
    entity: &'static str,
    id: i64,
    after: serde_json::Value,
) -> NewAudit<'a> {
    NewAudit {
        actor_id: Some(actor),
        action,
        entity,
        entity_id: id.to_string(),
        unit_id: Some(activity.unit_id),
        unit_path: Some(&activity.unit_path),
        before: None,
        after: Some(after),
    }
}

/// The rules of a review, run inside the caller's transaction.
pub async fn review(
    tx: &mut dyn LedgerTx,
    activity: &Activity,
    reviews: &[(i64, Review)],
    actor: i64,
    rules: &LedgerRules,
) -> Result<Vec<ReviewOutcome>> {
    let scheduled = activity.window().scheduled_minutes();
    let mut outcomes = Vec::with_capacity(reviews.len());
    for (attendance_id, review) in reviews {
        let target = tx
            .review_target(*attendance_id)
            .await?
            .filter(|t| t.activity_id == activity.id)
            .ok_or(Error::NotFound("attendance"))?;
        if target.review.is_some() {
            return Err(Error::conflict(
                "already_reviewed",
                format!(
                    "attendance {attendance_id} was already reviewed; correct its entry instead"
                ),
            ));
        }
        if target.state == "checked_in" {
            return Err(Error::conflict(
                "still_checked_in",
                format!("attendance {attendance_id} has not checked out yet"),
            ));
        }
        if let Review::Adjust { minutes, .. } = review
            && !(0..=scheduled).contains(minutes)
        {
            return Err(Error::invalid(
                "invalid_minutes",
                format!("adjusted time is between 0 and the scheduled {scheduled} minutes"),
            ));
        }
        tx.set_review(target.id, review, actor).await?;
        let minutes = review.minutes(i64::from(target.credited_minutes.unwrap_or(0)));
        let mut outcome = ReviewOutcome {
            attendance_id: target.id,
            review: review.name().to_owned(),
            entry_id: None,
            minutes,
            points: 0,
        };
        if let Some(minutes) = minutes {
            let source = if target.state == "auto_closed" {
                "auto_close"
            } else {
                "qr"
            };
            let points = if source == "qr" {
                service_points(minutes, rules.points_per_hour)
            } else {
                0
            };
            let entry = tx
                .append(&NewEntry {
                    volunteer_id: target.volunteer_id,
                    activity_id: Some(activity.id),
                    attendance_id: Some(target.id),
                    unit_id: activity.unit_id,
                    service_date: service_date(activity, rules),
                    minutes,
                    source,
                    corrects_id: None,
                    reason: review.reason().map(str::to_owned),
                    actor_id: actor,
                    points,
                })
                .await?;
            outcome.entry_id = Some(entry.id);
            outcome.points = points;
        }
        let after = serde_json::json!({"review": review.name(), "reason": review.reason(), "minutes": minutes,
            "fraudulent": matches!(review, Review::Reject { fraudulent: true, .. })});
        tx.audit(audit_for(
            activity,
            actor,
            review.name(),
            "attendance",
            target.id,
            after,
        ))
        .await?;
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// A manual entry 补录 for a volunteer who could not scan: capped at the scheduled duration,
/// earns no points, one per volunteer and activity.
pub async fn manual_entry(
    tx: &mut dyn LedgerTx,
    activity: &Activity,
    volunteer_id: i64,
    minutes: i64,
    reason: &str,
    actor: i64,
    rules: &LedgerRules,
) -> Result<LedgerEntry> {
    let scheduled = activity.window().scheduled_minutes();
    if !(1..=scheduled).contains(&minutes) {
        return Err(Error::invalid(
            "invalid_minutes",
            format!("a manual entry is between 1 and the scheduled {scheduled} minutes"),
        ));
    }
    if tx.has_entry(volunteer_id, activity.id).await? {
        return Err(Error::conflict(
            "already_recorded",
            "this volunteer already has a record for this activity; correct it instead",
        ));
    }
    let entry = tx
        .append(&NewEntry {
            volunteer_id,
            activity_id: Some(activity.id),
            attendance_id: None,
            unit_id: activity.unit_id,
            service_date: service_date(activity, rules),
            minutes,
            source: "manual",
            corrects_id: None,
            reason: Some(reason.to_owned()),
            actor_id: actor,
            points: 0,
        })
        .await?;
    let after =
        serde_json::json!({"volunteer_id": volunteer_id, "minutes": minutes, "reason": reason});
    tx.audit(audit_for(
        activity,
        actor,
        "manual_entry",
        "ledger_entry",
        entry.id,
        after,
    ))
    .await?;
    Ok(entry)
}

/// A correction bringing `entry` (with its earlier corrections) to `minutes`. Corrections change
/// hours, not points: points once earned may already be spent.
pub async fn correction(
    tx: &mut dyn LedgerTx,
    entry: &LedgerEntry,
    unit_path: &str,
    minutes: i64,
    reason: &str,
    actor: i64,
) -> Result<LedgerEntry> {
    if entry.source == "correction" {
        return Err(Error::invalid(
            "invalid_entry",
            "correct the original entry, not a correction",
        ));
    }
    if minutes < 0 {
        return Err(Error::invalid(
            "invalid_minutes",
            "minutes cannot be negative",
        ));
    }
    let current = tx.effective_minutes(entry.id).await?;
    let corrected = tx
        .append(&NewEntry {
            volunteer_id: entry.volunteer_id,
            activity_id: entry.activity_id,
            attendance_id: entry.attendance_id,
            unit_id: entry.unit_id,
            service_date: entry.service_date,
            minutes: minutes - current,
            source: "correction",
            corrects_id: Some(entry.id),
            reason: Some(reason.to_owned()),
            actor_id: actor,
            points: 0,
        })
        .await?;
    tx.audit(NewAudit {
        actor_id: Some(actor),
        action: "correct",
        entity: "ledger_entry",
        entity_id: entry.id.to_string(),
        unit_id: Some(entry.unit_id),
        unit_path: Some(unit_path),
        before: Some(serde_json::json!({"minutes": current})),
        after: Some(serde_json::json!({"minutes": minutes, "reason": reason, "correction_id": corrected.id})),
    })
    .await?;
    Ok(corrected)
}

/// Accepting a report records what it claims as a correction (of the named entry, or a new record
/// of the activity); declining records the reason. Either way the volunteer sees the outcome.
pub async fn resolution(
    tx: &mut dyn LedgerTx,
    report: &RecordReport,
    activity: &Activity,
    accept: Option<i64>,
    reason: &str,
    actor: i64,
    rules: &LedgerRules,
) -> Result<()> {
    if report.status != "open" {
        return Err(Error::conflict(
            "already_resolved",
            "this report was already resolved",
        ));
    }
    let Some(minutes) = accept else {
        tx.resolve(report.id, "declined", Some(reason), None, actor)
            .await?;
        let after = serde_json::json!({"status": "declined", "reason": reason});
        return tx
            .audit(audit_for(
                activity,
                actor,
                "decline_report",
                "record_report",
                report.id,
                after,
            ))
            .await;
    };
    let scheduled = activity.window().scheduled_minutes();
    if !(0..=scheduled).contains(&minutes) {
        return Err(Error::invalid(
            "invalid_minutes",
            format!("the time is between 0 and the scheduled {scheduled} minutes"),
        ));
    }
    let current = match report.entry_id {
        Some(id) => tx.effective_minutes(id).await?,
        None => 0,
    };
    let entry = tx
        .append(&NewEntry {
            volunteer_id: report.volunteer_id,
            activity_id: Some(activity.id),
            attendance_id: None,
            unit_id: activity.unit_id,
            service_date: service_date(activity, rules),
            minutes: minutes - current,
            source: "correction",
            corrects_id: report.entry_id,
            reason: Some(format!("纠错 #{}: {reason}", report.id)),
            actor_id: actor,
            points: 0,
        })
        .await?;
    tx.resolve(report.id, "accepted", Some(reason), Some(entry.id), actor)
        .await?;
    let after =
        serde_json::json!({"status": "accepted", "minutes": minutes, "correction_id": entry.id});
    tx.audit(audit_for(
        activity,
        actor,
        "accept_report",
        "record_report",
        report.id,
        after,
    ))
    .await
}
