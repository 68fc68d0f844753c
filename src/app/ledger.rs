//! The ledger's use cases: reviewing attendances into append-only entries and manual entries
//! 补录. Each runs its rules over the store's transaction steps, all or nothing; corrections are
//! in [`super::corrections`].

use crate::domain::attendance::AttendanceState;
use crate::domain::evaluation::Rating;
use crate::domain::ledger::{EntrySource, Review, service_points};
use crate::domain::roles::{Caller, Role};
use crate::domain::text::EVALUATION_COMMENT;
use crate::error::codes::{
    ALREADY_RECORDED, ALREADY_REVIEWED, DUPLICATE_ATTENDANCE, INVALID_EVALUATION, INVALID_MINUTES,
    NOTHING_TO_REVIEW, STILL_CHECKED_IN,
};
use crate::error::{Error, Result};
use crate::store::activities::Activity;
use crate::store::db::Tx;
use crate::store::ledger::{LedgerEntry, LedgerRules, NewEntry, ReviewOutcome, steps};
use crate::store::{NewAudit, Store, audit};
use chrono::NaiveDate;
use std::collections::HashSet;

pub(super) fn service_date(activity: &Activity, rules: &LedgerRules) -> NaiveDate {
    activity.starts_at.with_timezone(&rules.offset).date_naive()
}

pub(super) fn audit_for<'a>(
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

/// What an organizer asks of one activity's attendances: reviews of those listed, and perhaps
/// confirmation of every checked-out one not yet reviewed.
pub struct ReviewRequest {
    pub reviews: Vec<(i64, Review)>,
    pub confirm_all_checked_out: bool,
    /// Ratings of the service, given with the review (or of attendances confirmed before).
    pub evaluations: Vec<Evaluation>,
}

/// An organizer's rating 服务评价 of one attendance's service, with an optional comment.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub attendance_id: i64,
    pub rating: Rating,
    pub comment: Option<String>,
}

/// Applies `asked`, all or nothing: refuses an attendance listed twice and a request that leaves
/// nothing to review; "confirm all" adds every checked-out attendance not yet reviewed or listed.
pub async fn review_as_asked(
    store: &Store,
    activity: &Activity,
    asked: ReviewRequest,
    actor: i64,
    rules: &LedgerRules,
) -> Result<Vec<ReviewOutcome>> {
    let mut reviews = asked.reviews;
    let mut listed = HashSet::new();
    if let Some((dup, _)) = reviews.iter().find(|(a, _)| !listed.insert(*a)) {
        return Err(Error::invalid(
            DUPLICATE_ATTENDANCE,
            format!("attendance {dup} is listed twice"),
        ));
    }
    if asked.confirm_all_checked_out {
        let rows = store.attendances_of(activity.id).await?;
        reviews.extend(
            rows.iter()
                .filter(|r| r.review.is_none() && r.attendance.state == AttendanceState::CheckedOut)
                .filter(|r| !listed.contains(&r.attendance.id))
                .map(|r| (r.attendance.id, Review::Confirm)),
        );
    }
    if reviews.is_empty() && asked.evaluations.is_empty() {
        return Err(Error::invalid(
            NOTHING_TO_REVIEW,
            "list attendances to confirm, adjust, reject or rate",
        ));
    }
    let mut rated = HashSet::new();
    if let Some(dup) = asked
        .evaluations
        .iter()
        .find(|e| !rated.insert(e.attendance_id))
    {
        return Err(Error::invalid(
            DUPLICATE_ATTENDANCE,
            format!("attendance {} is rated twice", dup.attendance_id),
        ));
    }
    review_attendances(store, activity, &reviews, &asked.evaluations, actor, rules).await
}

/// Applies an organizer's reviews of one activity's attendances, all or nothing.
pub async fn review_attendances(
    store: &Store,
    activity: &Activity,
    reviews: &[(i64, Review)],
    evaluations: &[Evaluation],
    actor: i64,
    rules: &LedgerRules,
) -> Result<Vec<ReviewOutcome>> {
    let mut tx = store.begin().await?;
    let scheduled = activity.window().scheduled_minutes();
    let mut outcomes = Vec::with_capacity(reviews.len());
    for (attendance_id, review) in reviews {
        let target = steps::review_target(&mut tx, *attendance_id)
            .await?
            .filter(|t| t.activity_id == activity.id)
            .ok_or(Error::NotFound("attendance"))?;
        if target.review.is_some() {
            return Err(Error::conflict(
                ALREADY_REVIEWED,
                format!(
                    "attendance {attendance_id} was already reviewed; correct its entry instead"
                ),
            ));
        }
        if target.state == AttendanceState::CheckedIn {
            return Err(Error::conflict(
                STILL_CHECKED_IN,
                format!("attendance {attendance_id} has not checked out yet"),
            ));
        }
        if let Review::Adjust { minutes, .. } = review
            && !(0..=scheduled).contains(minutes)
        {
            return Err(Error::invalid(
                INVALID_MINUTES,
                format!("adjusted time is between 0 and the scheduled {scheduled} minutes"),
            ));
        }
        steps::set_review(&mut tx, target.id, review, actor).await?;
        let minutes = review.minutes(i64::from(target.credited_minutes.unwrap_or(0)));
        let mut outcome = ReviewOutcome {
            attendance_id: target.id,
            review: review.name().to_owned(),
            entry_id: None,
            minutes,
            points: 0,
        };
        if let Some(minutes) = minutes {
            let source = EntrySource::of_reviewed(target.state);
            let points = if source.earns_points() {
                service_points(minutes, rules.points_per_hour)
            } else {
                0
            };
            let entry = steps::append(
                &mut tx,
                &NewEntry {
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
                },
            )
            .await?;
            outcome.entry_id = Some(entry.id);
            outcome.points = points;
        }
        let after = serde_json::json!({"review": review.name(), "reason": review.reason(), "minutes": minutes,
            "fraudulent": matches!(review, Review::Reject { fraudulent: true, .. })});
        audit(
            &mut tx,
            audit_for(
                activity,
                actor,
                review.name(),
                "attendance",
                target.id,
                after,
            ),
        )
        .await?;
        outcomes.push(outcome);
    }
    for e in evaluations {
        evaluate(&mut tx, activity, e, actor).await?;
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Rates the service of a confirmed or adjusted attendance of `activity`, superseding any rating
/// before it, and audits it.
async fn evaluate(tx: &mut Tx, activity: &Activity, e: &Evaluation, actor: i64) -> Result<()> {
    let target = steps::review_target(tx, e.attendance_id)
        .await?
        .filter(|t| t.activity_id == activity.id)
        .ok_or(Error::NotFound("attendance"))?;
    if !matches!(target.review.as_deref(), Some("confirmed" | "adjusted")) {
        return Err(Error::invalid(
            INVALID_EVALUATION,
            format!(
                "attendance {} has no confirmed service to rate",
                e.attendance_id
            ),
        ));
    }
    let comment = match e.comment.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => Some(EVALUATION_COMMENT.parse(c)?),
        _ => None,
    };
    steps::evaluate(tx, &target, e.rating, comment.as_deref(), actor).await?;
    let after = serde_json::json!({"rating": e.rating.as_str(), "comment": comment});
    audit(
        tx,
        audit_for(activity, actor, "evaluate", "attendance", target.id, after),
    )
    .await
}

/// A manual entry 补录 for a volunteer who could not scan: capped at the scheduled duration,
/// earns no points, one per volunteer and activity. It is for a volunteer who attended the
/// activity or belongs to a unit the caller runs activities for; any other id answers as an
/// unknown one does, so that the answer does not tell which ids exist.
pub async fn add_manual_entry(
    store: &Store,
    activity: &Activity,
    volunteer_id: i64,
    minutes: i64,
    reason: &str,
    caller: &Caller,
    rules: &LedgerRules,
) -> Result<LedgerEntry> {
    let scheduled = activity.window().scheduled_minutes();
    if !(1..=scheduled).contains(&minutes) {
        return Err(Error::invalid(
            INVALID_MINUTES,
            format!("a manual entry is between 1 and the scheduled {scheduled} minutes"),
        ));
    }
    let volunteer = store
        .volunteer(volunteer_id)
        .await?
        .ok_or(Error::NotFound("volunteer"))?;
    if !caller.may(&Role::ORGANIZERS, &volunteer.community_path)
        && !store.has_attended(activity.id, volunteer_id).await?
    {
        return Err(Error::NotFound("volunteer"));
    }
    let actor = caller.user_id;
    let mut tx = store.begin().await?;
    if steps::has_entry(&mut tx, volunteer_id, activity.id).await? {
        return Err(Error::conflict(
            ALREADY_RECORDED,
            "this volunteer already has a record for this activity; correct it instead",
        ));
    }
    let entry = steps::append(
        &mut tx,
        &NewEntry {
            volunteer_id,
            activity_id: Some(activity.id),
            attendance_id: None,
            unit_id: activity.unit_id,
            service_date: service_date(activity, rules),
            minutes,
            source: EntrySource::Manual,
            corrects_id: None,
            reason: Some(reason.to_owned()),
            actor_id: actor,
            points: 0,
        },
    )
    .await?;
    let after =
        serde_json::json!({"volunteer_id": volunteer_id, "minutes": minutes, "reason": reason});
    audit(
        &mut tx,
        audit_for(
            activity,
            actor,
            "manual_entry",
            "ledger_entry",
            entry.id,
            after,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(entry)
}
