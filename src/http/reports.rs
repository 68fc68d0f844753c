//! Record reports 纠错: a volunteer reports a wrong or missing record of an activity they served
//! in, and an organizer of its unit accepts it (recording a correction) or declines it.

use super::access::{scoped_unit, visible_volunteer};
use super::extract::{Json, Path, Query};
use crate::app::AppState;
use crate::app::corrections::{self, Resolution};
use crate::domain::ledger::{InvalidReportTarget, ReportTarget};
use crate::domain::roles::{Caller, Role};
use crate::domain::text::REPORT_MESSAGE;
use crate::error::codes::{
    ALREADY_RESOLVED, INVALID_ENTRY, INVALID_KIND, INVALID_MESSAGE, INVALID_MINUTES,
    REASON_REQUIRED,
};
use crate::error::{Error, ErrorBody, Result};
use crate::store::ledger::{NewReport, RecordReport, UnrecordedActivity};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file_report, volunteer_reports))
        .routes(routes!(unrecorded_activities))
        .routes(routes!(unit_reports))
        .routes(routes!(resolve_report))
}

/// A volunteer's report of a wrong or missing record 纠错.
#[derive(Debug, Deserialize, ToSchema)]
struct ReportBody {
    activity_id: i64,
    /// `missing` (no record at all) or `wrong` (name the entry).
    kind: String,
    entry_id: Option<i64>,
    /// The service time the volunteer believes is right, in minutes.
    minutes_claimed: Option<i32>,
    message: String,
}

/// A volunteer reports a wrong or missing record of an activity they served in.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/reports", tag = "ledger", params(("id" = String, Path, description = "`me`")),
    request_body = ReportBody,
    responses((status = 201, body = RecordReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = [INVALID_KIND, INVALID_ENTRY, INVALID_MESSAGE].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn file_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ReportBody>,
) -> Result<(StatusCode, Json<RecordReport>)> {
    // No staff role passes: volunteers report their own records.
    let v = visible_volunteer(&state, &caller, &id, &[]).await?;
    state
        .store
        .activity(body.activity_id)
        .await?
        .ok_or(Error::NotFound("activity"))?;
    let message = REPORT_MESSAGE.parse(&body.message)?;
    let target = ReportTarget::parse(&body.kind, body.entry_id).map_err(|e| match e {
        InvalidReportTarget::UnknownKind => {
            Error::invalid(INVALID_KIND, "kind is missing or wrong")
        }
        InvalidReportTarget::EntryNeeded => {
            Error::invalid(INVALID_ENTRY, "name the entry that is wrong")
        }
        InvalidReportTarget::EntryGiven => {
            Error::invalid(INVALID_ENTRY, "a missing record has no entry")
        }
    })?;
    if let ReportTarget::Wrong { entry_id } = target {
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
    if body
        .minutes_claimed
        .is_some_and(|m| !(0..=24 * 60).contains(&m))
    {
        return Err(Error::invalid(
            INVALID_MINUTES,
            "claimed time is between 0 and 1440 minutes",
        ));
    }
    let report = NewReport {
        activity_id: body.activity_id,
        target,
        minutes_claimed: body.minutes_claimed,
        message,
    };
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
    let v = visible_volunteer(&state, &caller, &id, &Role::ORGANIZERS).await?;
    Ok(Json(state.store.reports_of(v.id).await?))
}

/// How far back a volunteer is offered activities to report missing from their records.
const UNRECORDED_DAYS: i64 = 180;

/// The activities of the last 180 days that hold no record of the volunteer's, the latest first
/// (at most 50): those of their community, its street and the district, and any other they signed
/// up for or checked in to. What a report of a missing record names.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/unrecorded-activities", tag = "ledger", params(("id" = String, Path)),
    responses((status = 200, body = Vec<UnrecordedActivity>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn unrecorded_activities(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<UnrecordedActivity>>> {
    let v = visible_volunteer(&state, &caller, &id, &Role::ORGANIZERS).await?;
    let now = Utc::now();
    let since = now - Duration::days(UNRECORDED_DAYS);
    Ok(Json(
        state
            .store
            .unrecorded_activities(v.id, &v.community_path, (since, now))
            .await?,
    ))
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
    let unit = scoped_unit(&state, &caller, q.unit_id, &Role::ORGANIZERS).await?;
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
    let answer = Resolution {
        accept: body.accept,
        minutes: body.minutes,
        reason: &body.reason,
    };
    let rules = state.ledger_rules();
    let resolved = corrections::resolve_as_asked(&state.store, &caller, id, answer, &rules).await?;
    Ok(Json(resolved))
}
