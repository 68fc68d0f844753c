//! Corrections of the ledger: an organizer's correction of an entry, and the resolution of a
//! volunteer's report 纠错 of a wrong or missing record. A correction is a new entry that names
//! the one it corrects; nothing is ever changed in place.

use super::ledger::{audit_for, service_date};
use crate::domain::ledger::{EntrySource, ReportStatus};
use crate::domain::roles::{Caller, Role};
use crate::domain::text::REASON;
use crate::error::codes::{ALREADY_RESOLVED, INVALID_ENTRY, INVALID_MINUTES};
use crate::error::{Error, Result};
use crate::store::ledger::{LedgerEntry, LedgerRules, NewEntry, RecordReport, steps};
use crate::store::{NewAudit, Store, audit};

/// A correction bringing `entry` (with its earlier corrections) to `minutes`. Corrections change
/// hours, not points: points once earned may already be spent.
pub async fn correct_entry(
    store: &Store,
    entry: &LedgerEntry,
    unit_path: &str,
    minutes: i64,
    reason: &str,
    actor: i64,
) -> Result<LedgerEntry> {
    if entry.source == EntrySource::Correction {
        return Err(Error::invalid(
            INVALID_ENTRY,
            "correct the original entry, not a correction",
        ));
    }
    if minutes < 0 {
        return Err(Error::invalid(
            INVALID_MINUTES,
            "minutes cannot be negative",
        ));
    }
    let mut tx = store.begin().await?;
    let current = steps::effective_minutes(&mut tx, entry.id).await?;
    let corrected = steps::append(
        &mut tx,
        &NewEntry {
            volunteer_id: entry.volunteer_id,
            activity_id: entry.activity_id,
            attendance_id: entry.attendance_id,
            unit_id: entry.unit_id,
            service_date: entry.service_date,
            minutes: minutes - current,
            source: EntrySource::Correction,
            corrects_id: Some(entry.id),
            reason: Some(reason.to_owned()),
            actor_id: actor,
            points: 0,
        },
    )
    .await?;
    audit(&mut tx, NewAudit {
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
    tx.commit().await?;
    Ok(corrected)
}

/// A staff member's answer to a report: accept it, recording `minutes` for the activity, or
/// decline it; with a reason either way.
pub struct Resolution<'a> {
    pub accept: bool,
    pub minutes: Option<i64>,
    pub reason: &'a str,
}

/// Resolves report `report_id` as `caller` answers it, if they organize for its activity's unit.
pub async fn resolve_as_asked(
    store: &Store,
    caller: &Caller,
    report_id: i64,
    answer: Resolution<'_>,
    rules: &LedgerRules,
) -> Result<RecordReport> {
    let report = store
        .record_report(report_id)
        .await?
        .ok_or(Error::NotFound("report"))?;
    if !caller.may(&Role::ORGANIZERS, &report.unit_path) {
        return Err(Error::forbidden());
    }
    let reason = REASON.parse(answer.reason)?;
    let accept = match (answer.accept, answer.minutes) {
        (true, Some(m)) => Some(m),
        (true, None) => {
            return Err(Error::invalid(
                INVALID_MINUTES,
                "give the minutes to record",
            ));
        }
        (false, _) => None,
    };
    resolve_report(store, &report, accept, &reason, caller.user_id, rules).await
}

/// Accepting a report records what it claims as a correction (of the named entry, or a new record
/// of the activity); declining records the reason. Either way the volunteer sees the outcome.
pub async fn resolve_report(
    store: &Store,
    report: &RecordReport,
    accept: Option<i64>,
    reason: &str,
    actor: i64,
    rules: &LedgerRules,
) -> Result<RecordReport> {
    if report.status != ReportStatus::Open {
        return Err(Error::conflict(
            ALREADY_RESOLVED,
            "this report was already resolved",
        ));
    }
    let activity = store
        .activity(report.activity_id)
        .await?
        .ok_or(Error::NotFound("activity"))?;
    let mut tx = store.begin().await?;
    let (action, after) = match accept {
        None => {
            steps::resolve(
                &mut tx,
                report.id,
                ReportStatus::Declined,
                Some(reason),
                None,
                actor,
            )
            .await?;
            let after = serde_json::json!({"status": "declined", "reason": reason});
            ("decline_report", after)
        }
        Some(minutes) => {
            let scheduled = activity.window().scheduled_minutes();
            if !(0..=scheduled).contains(&minutes) {
                return Err(Error::invalid(
                    INVALID_MINUTES,
                    format!("the time is between 0 and the scheduled {scheduled} minutes"),
                ));
            }
            let current = match report.entry_id {
                Some(id) => steps::effective_minutes(&mut tx, id).await?,
                None => 0,
            };
            let entry = steps::append(
                &mut tx,
                &NewEntry {
                    volunteer_id: report.volunteer_id,
                    activity_id: Some(activity.id),
                    attendance_id: None,
                    unit_id: activity.unit_id,
                    service_date: service_date(&activity, rules),
                    minutes: minutes - current,
                    source: EntrySource::Correction,
                    corrects_id: report.entry_id,
                    reason: Some(format!("纠错 #{}: {reason}", report.id)),
                    actor_id: actor,
                    points: 0,
                },
            )
            .await?;
            steps::resolve(
                &mut tx,
                report.id,
                ReportStatus::Accepted,
                Some(reason),
                Some(entry.id),
                actor,
            )
            .await?;
            let after = serde_json::json!({"status": "accepted", "minutes": minutes, "correction_id": entry.id});
            ("accept_report", after)
        }
    };
    let record = audit_for(&activity, actor, action, "record_report", report.id, after);
    audit(&mut tx, record).await?;
    tx.commit().await?;
    store
        .record_report(report.id)
        .await?
        .ok_or(Error::NotFound("report"))
}
