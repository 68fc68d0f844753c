//! Confirming hours, manual entries 补录, corrections, overdue activities and a volunteer's
//! hours.

use super::access::{require, run_activity, scoped_unit, visible_volunteer};
use super::extract::{Json, Path, Query};
use crate::app::AppState;
use crate::app::corrections::correct_entry;
use crate::app::ledger::{Evaluation, ReviewRequest, add_manual_entry, review_as_asked};
use crate::domain::evaluation::Rating;
use crate::domain::hours::hours;
use crate::domain::ledger::{Review, confirmation_deadline, stars};
use crate::domain::roles::{Caller, Role};
use crate::domain::text::REASON;
use crate::error::codes::{
    ALREADY_RECORDED, ALREADY_REVIEWED, DUPLICATE_ATTENDANCE, INVALID_ENTRY, INVALID_EVALUATION,
    INVALID_MINUTES, INVALID_RATING, INVALID_YEAR, NOTHING_TO_REVIEW, REASON_REQUIRED,
    STILL_CHECKED_IN,
};
use crate::error::{Error, ErrorBody, Result};
use crate::store::ledger::{EntryView, LedgerEntry, ReviewOutcome};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
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
    /// Ratings 服务评价 of confirmed or adjusted service (reviewed now or before); a rating
    /// supersedes the attendance's earlier one.
    #[serde(default)]
    evaluate: Vec<EvaluationBody>,
}

#[derive(Deserialize, ToSchema)]
pub struct EvaluationBody {
    attendance_id: i64,
    /// `excellent` 优秀, `good` 良好, `pass` 合格 or `fail` 不合格.
    rating: String,
    comment: Option<String>,
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
              (status = 422, description = [NOTHING_TO_REVIEW, DUPLICATE_ATTENDANCE, REASON_REQUIRED, INVALID_MINUTES, INVALID_RATING, INVALID_EVALUATION].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn confirmations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ConfirmationBody>,
) -> Result<Json<ConfirmationAnswer>> {
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
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
    let evaluations = body
        .evaluate
        .into_iter()
        .map(|e| {
            let rating = Rating::parse(&e.rating).ok_or_else(|| {
                Error::invalid(
                    INVALID_RATING,
                    "rating is excellent, good, pass or fail (优秀, 良好, 合格, 不合格)",
                )
            })?;
            Ok(Evaluation {
                attendance_id: e.attendance_id,
                rating,
                comment: e.comment,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let asked = ReviewRequest {
        reviews,
        confirm_all_checked_out: body.confirm_all_checked_out,
        evaluations,
    };
    let reviewed = review_as_asked(
        &state.store,
        &activity,
        asked,
        caller.user_id,
        &state.ledger_rules(),
    )
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
/// most the scheduled duration, and it earns no points. The volunteer attended the activity or
/// belongs to a unit the caller runs activities for; any other id is not found.
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
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
    let reason = REASON.parse(&body.reason)?;
    let entry = add_manual_entry(
        &state.store,
        &activity,
        body.volunteer_id,
        body.minutes,
        &reason,
        &caller,
        &state.ledger_rules(),
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
    require(&caller, &Role::ORGANIZERS, &path)?;
    let reason = REASON.parse(&body.reason)?;
    let corrected = correct_entry(
        &state.store,
        &entry,
        &path,
        body.minutes,
        &reason,
        caller.user_id,
    )
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
