//! Confirming hours, manual entries 补录, corrections, reports 纠错, overdue activities and a
//! volunteer's hours.

use super::activities::{ORGANIZERS, run_activity};
use super::extract::{Json, Path, Query};
use super::units::scoped_unit;
use super::volunteers::visible_volunteer;
use crate::app::AppState;
use crate::domain::hours::hours;
use crate::domain::ledger::{Review, confirmation_deadline, stars};
use crate::domain::roles::{Caller, Role};
use crate::domain::text::{REASON, REPORT_MESSAGE};
use crate::error::codes::{
    ALREADY_RECORDED, ALREADY_RESOLVED, ALREADY_REVIEWED, DUPLICATE_ATTENDANCE, INVALID_ENTRY,
    INVALID_KIND, INVALID_MESSAGE, INVALID_MINUTES, INVALID_YEAR, NOTHING_TO_REVIEW,
    REASON_REQUIRED, STILL_CHECKED_IN,
};
use crate::error::{Error, ErrorBody, Result};
use crate::store::ledger::{
    EntryView, LedgerEntry, LedgerRules, NewReport, RecordReport, ReviewOutcome,
};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(confirmations))
        .routes(routes!(manual_entry))
        .routes(routes!(correct))
        .routes(routes!(overdue))
        .routes(routes!(volunteer_hours))
        .routes(routes!(file_report, volunteer_reports))
        .routes(routes!(unit_reports))
        .routes(routes!(resolve_report))
}

fn rules(state: &AppState) -> LedgerRules {
    LedgerRules {
        points_per_hour: state.settings.points_per_hour,
        offset: state.settings.display_offset(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct Adjustment {
    attendance_id: i64,
    minutes: i64,
    reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct Rejection {
    attendance_id: i64,
    reason: String,
    /// Marks the attendance as fraudulent (barred from that year's selection).
    #[serde(default)]
    fraudulent: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct ConfirmationBody {
    #[serde(default)]
    confirm: Vec<i64>,
    #[serde(default)]
    adjust: Vec<Adjustment>,
    #[serde(default)]
    reject: Vec<Rejection>,
    /// Also confirm every checked-out attendance not otherwise listed or reviewed.
    #[serde(default)]
    confirm_all_checked_out: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ConfirmationAnswer {
    reviewed: Vec<ReviewOutcome>,
}

/// Confirms, adjusts (with a reason) or rejects (with a reason, optionally as fraudulent)
/// attendances of an activity, all or nothing; confirmed time goes into the ledger.
#[utoipa::path(post, path = "/api/v1/activities/{id}/confirmations", tag = "ledger", params(("id" = i64, Path)),
    request_body = ConfirmationBody,
    responses((status = 200, body = ConfirmationAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = [ALREADY_REVIEWED, STILL_CHECKED_IN].join(", "), body = ErrorBody),
              (status = 422, description = [NOTHING_TO_REVIEW, DUPLICATE_ATTENDANCE, REASON_REQUIRED, INVALID_MINUTES].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn confirmations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ConfirmationBody>,
) -> Result<Json<ConfirmationAnswer>> {
    let activity = run_activity(&state, &caller, id, &ORGANIZERS).await?;
    let mut reviews: Vec<(i64, Review)> =
        body.confirm.iter().map(|&a| (a, Review::Confirm)).collect();
    for a in body.adjust {
        reviews.push((
            a.attendance_id,
            Review::Adjust {
                minutes: a.minutes,
                reason: REASON.parse(&a.reason)?,
            },
        ));
    }
    for r in body.reject {
        reviews.push((
            r.attendance_id,
            Review::Reject {
                reason: REASON.parse(&r.reason)?,
                fraudulent: r.fraudulent,
            },
        ));
    }
    let mut listed = HashSet::new();
    if let Some((dup, _)) = reviews.iter().find(|(a, _)| !listed.insert(*a)) {
        return Err(Error::invalid(
            DUPLICATE_ATTENDANCE,
            format!("attendance {dup} is listed twice"),
        ));
    }
    if body.confirm_all_checked_out {
        let rows = state.store.attendances_of(activity.id).await?;
        reviews.extend(
            rows.iter()
                .filter(|r| r.review.is_none() && r.attendance.state.as_str() == "checked_out")
                .filter(|r| !listed.contains(&r.attendance.id))
                .map(|r| (r.attendance.id, Review::Confirm)),
        );
    }
    if reviews.is_empty() {
        return Err(Error::invalid(
            NOTHING_TO_REVIEW,
            "list attendances to confirm, adjust or reject",
        ));
    }
    let reviewed = state
        .store
        .review_attendances(&activity, &reviews, caller.user_id, &rules(&state))
        .await?;
    Ok(Json(ConfirmationAnswer { reviewed }))
}

#[derive(Deserialize, ToSchema)]
pub struct ManualEntryBody {
    volunteer_id: i64,
    minutes: i64,
    reason: String,
}

/// Records hours for a volunteer who could not scan 补录: a reason is required, the time is at
/// most the scheduled duration, and it earns no points.
#[utoipa::path(post, path = "/api/v1/activities/{id}/manual-entries", tag = "ledger", params(("id" = i64, Path)),
    request_body = ManualEntryBody,
    responses((status = 201, body = LedgerEntry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = ALREADY_RECORDED, body = ErrorBody),
              (status = 422, description = [INVALID_MINUTES, REASON_REQUIRED].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn manual_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ManualEntryBody>,
) -> Result<(StatusCode, Json<LedgerEntry>)> {
    let activity = run_activity(&state, &caller, id, &ORGANIZERS).await?;
    let reason = REASON.parse(&body.reason)?;
    state
        .store
        .volunteer(body.volunteer_id)
        .await?
        .ok_or(Error::NotFound("volunteer"))?;
    let entry = state
        .store
        .add_manual_entry(
            &activity,
            body.volunteer_id,
            body.minutes,
            &reason,
            caller.user_id,
            &rules(&state),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

#[derive(Deserialize, ToSchema)]
pub struct CorrectionBody {
    /// What the entry should count, in minutes, with this correction applied.
    minutes: i64,
    reason: String,
}

/// Corrects an entry: a new entry referencing it brings it to `minutes`.
#[utoipa::path(post, path = "/api/v1/ledger/{id}/corrections", tag = "ledger", params(("id" = i64, Path)),
    request_body = CorrectionBody,
    responses((status = 201, body = LedgerEntry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = [INVALID_MINUTES, INVALID_ENTRY, REASON_REQUIRED].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<CorrectionBody>,
) -> Result<(StatusCode, Json<LedgerEntry>)> {
    let (entry, path) = state
        .store
        .entry(id)
        .await?
        .ok_or(Error::NotFound("entry"))?;
    if !caller.may(&ORGANIZERS, &path) {
        return Err(Error::forbidden());
    }
    let reason = REASON.parse(&body.reason)?;
    let corrected = state
        .store
        .correct_entry(&entry, &path, body.minutes, &reason, caller.user_id)
        .await?;
    Ok((StatusCode::CREATED, Json(corrected)))
}

#[derive(Deserialize, IntoParams)]
pub struct UnitQuery {
    unit_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OverdueActivity {
    id: i64,
    unit_id: i64,
    title: String,
    ends_at: DateTime<Utc>,
    /// The last day on which it could be confirmed in time.
    deadline: NaiveDate,
    unreviewed: i64,
}

/// Activities of the unit's subtree still unconfirmed 10 working days after they ended.
#[utoipa::path(get, path = "/api/v1/activities/overdue", tag = "ledger", params(UnitQuery),
    responses((status = 200, body = Vec<OverdueActivity>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn overdue(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Vec<OverdueActivity>>> {
    let unit = scoped_unit(&state, &caller, q.unit_id, &Role::ALL).await?;
    let s = &state.settings;
    let now = Utc::now();
    let today = now.with_timezone(&s.display_offset()).date_naive();
    let pending = state
        .store
        .pending_reviews(&unit.path, now - Duration::days(400), now)
        .await?;
    let overdue = pending
        .into_iter()
        .map(|p| {
            let ended_on = p.ends_at.with_timezone(&s.display_offset()).date_naive();
            let deadline =
                confirmation_deadline(ended_on, s.confirmation_working_days, &s.public_holidays);
            OverdueActivity {
                id: p.id,
                unit_id: p.unit_id,
                title: p.title,
                ends_at: p.ends_at,
                deadline,
                unreviewed: p.unreviewed,
            }
        })
        .filter(|o| o.deadline < today)
        .collect();
    Ok(Json(overdue))
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// Defaults to this year.
    year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryLine {
    #[serde(flatten)]
    entry: EntryView,
    #[schema(value_type = String)]
    hours: Decimal,
}

#[derive(Serialize, ToSchema)]
pub struct HoursAnswer {
    volunteer_id: i64,
    year: i32,
    /// Confirmed service hours in the year (`"12.50"`).
    #[schema(value_type = String)]
    total_hours: Decimal,
    /// Distinct activities served in the year.
    activities: i32,
    /// Study hours of trainings in the year: shown apart, never counted as service.
    #[schema(value_type = String)]
    study_hours: Decimal,
    /// All confirmed service hours, every year: what stars are earned on.
    #[schema(value_type = String)]
    lifetime_hours: Decimal,
    /// 星级, 0 to 5.
    stars: u8,
    /// The points balance now.
    points: i64,
    /// Points earned in the year.
    points_earned: i64,
    entries: Vec<EntryLine>,
}

/// A volunteer's hours in a year (`me` for one's own): totals, stars, points and every entry with
/// its source.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/hours", tag = "ledger", params(("id" = String, Path), YearQuery),
    responses((status = 200, body = HoursAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn volunteer_hours(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<HoursAnswer>> {
    let v = visible_volunteer(&state, &caller, &id, &Role::ALL).await?;
    let year = q.year.unwrap_or_else(|| {
        Utc::now()
            .with_timezone(&state.settings.display_offset())
            .year()
    });
    if !(1949..=2100).contains(&year) {
        return Err(Error::invalid(
            INVALID_YEAR,
            "the year must be between 1949 and 2100",
        ));
    }
    let store = &state.store;
    let totals = store.year_totals(v.id, year).await?;
    let lifetime = store.lifetime_minutes(v.id).await?;
    let entries = store
        .volunteer_entries(v.id, year)
        .await?
        .into_iter()
        .map(|e| EntryLine {
            hours: hours(i64::from(e.entry.minutes)),
            entry: e,
        })
        .collect();
    Ok(Json(HoursAnswer {
        volunteer_id: v.id,
        year,
        total_hours: hours(totals.minutes),
        activities: totals.activities,
        study_hours: hours(store.study_minutes(v.id, year).await?),
        lifetime_hours: hours(lifetime),
        stars: stars(lifetime, &state.settings.star_thresholds_hours),
        points: store.points_balance(v.id).await?,
        points_earned: totals.points,
        entries,
    }))
}

/// A volunteer reports a wrong or missing record of an activity they served in.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/reports", tag = "ledger", params(("id" = String, Path, description = "`me`")),
    request_body = NewReport,
    responses((status = 201, body = RecordReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = [INVALID_KIND, INVALID_ENTRY, INVALID_MESSAGE].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn file_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<NewReport>,
) -> Result<(StatusCode, Json<RecordReport>)> {
    // No staff role passes: volunteers report their own records.
    let v = visible_volunteer(&state, &caller, &id, &[]).await?;
    state
        .store
        .activity(body.activity_id)
        .await?
        .ok_or(Error::NotFound("activity"))?;
    let message = REPORT_MESSAGE.parse(&body.message)?;
    match (body.kind.as_str(), body.entry_id) {
        ("missing", None) => {}
        ("wrong", Some(entry_id)) => {
            let (entry, _) = state
                .store
                .entry(entry_id)
                .await?
                .ok_or(Error::NotFound("entry"))?;
            if entry.volunteer_id != v.id || entry.activity_id != Some(body.activity_id) {
                return Err(Error::invalid(
                    INVALID_ENTRY,
                    "the entry is not yours for this activity",
                ));
            }
        }
        ("wrong", None) => {
            return Err(Error::invalid(
                INVALID_ENTRY,
                "name the entry that is wrong",
            ));
        }
        ("missing", Some(_)) => {
            return Err(Error::invalid(
                INVALID_ENTRY,
                "a missing record has no entry",
            ));
        }
        _ => return Err(Error::invalid(INVALID_KIND, "kind is missing or wrong")),
    }
    if body
        .minutes_claimed
        .is_some_and(|m| !(0..=24 * 60).contains(&m))
    {
        return Err(Error::invalid(
            INVALID_MINUTES,
            "claimed time is between 0 and 1440 minutes",
        ));
    }
    let report = NewReport { message, ..body };
    Ok((
        StatusCode::CREATED,
        Json(state.store.file_report(v.id, &report).await?),
    ))
}

/// A volunteer's reports and their outcomes.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/reports", tag = "ledger", params(("id" = String, Path)),
    responses((status = 200, body = Vec<RecordReport>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn volunteer_reports(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<RecordReport>>> {
    let v = visible_volunteer(&state, &caller, &id, &ORGANIZERS).await?;
    Ok(Json(state.store.reports_of(v.id).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct ReportQuery {
    unit_id: i64,
    /// Only open reports (default true).
    open: Option<bool>,
}

/// Reports about activities of the unit's subtree.
#[utoipa::path(get, path = "/api/v1/reports", tag = "ledger", params(ReportQuery),
    responses((status = 200, body = Vec<RecordReport>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn unit_reports(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReportQuery>,
) -> Result<Json<Vec<RecordReport>>> {
    let unit = scoped_unit(&state, &caller, q.unit_id, &ORGANIZERS).await?;
    Ok(Json(
        state
            .store
            .reports_within(&unit.path, q.open.unwrap_or(true))
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ResolutionBody {
    accept: bool,
    /// With `accept`: the time to record for the activity, in minutes.
    minutes: Option<i64>,
    reason: String,
}

/// Accepts a report (recording a correction entry) or declines it with a reason.
#[utoipa::path(post, path = "/api/v1/reports/{id}/resolution", tag = "ledger", params(("id" = i64, Path)),
    request_body = ResolutionBody,
    responses((status = 200, body = RecordReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = ALREADY_RESOLVED, body = ErrorBody),
              (status = 422, description = [INVALID_MINUTES, REASON_REQUIRED].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn resolve_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ResolutionBody>,
) -> Result<Json<RecordReport>> {
    let report = state
        .store
        .record_report(id)
        .await?
        .ok_or(Error::NotFound("report"))?;
    if !caller.may(&ORGANIZERS, &report.unit_path) {
        return Err(Error::forbidden());
    }
    let reason = REASON.parse(&body.reason)?;
    let accept = match (body.accept, body.minutes) {
        (true, Some(m)) => Some(m),
        (true, None) => {
            return Err(Error::invalid(
                INVALID_MINUTES,
                "give the minutes to record",
            ));
        }
        (false, _) => None,
    };
    let resolved = state
        .store
        .resolve_report(&report, accept, &reason, caller.user_id, &rules(&state))
        .await?;
    Ok(Json(resolved))
}
