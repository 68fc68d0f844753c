//! Sign-up 招募报名 over the API: the public list of activities taking sign-ups, a volunteer's
//! sign-up and its cancellation, and for the activity's organizers the sign-up list and opening
//! or closing recruitment.

use super::access::{run_activity, visible_volunteer};
use super::extract::{Json, Path, Query};
use crate::app::AppState;
use crate::app::signups::{self, Listing};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{
    ACTIVITY_CANCELLED, ACTIVITY_STARTED, ALREADY_SIGNED_UP, INVALID_QUERY, NOT_A_VOLUNTEER,
    RECRUITMENT_CLOSED,
};
use crate::error::{Error, ErrorBody, Result};
use crate::store::activities::Activity;
use crate::store::signups::{ListedActivity, OwnSignup, Placed, SignupRow};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_activities))
        .routes(routes!(public_activity))
        .routes(routes!(sign_up, signups_of))
        .routes(routes!(my_signup, cancel))
        .routes(routes!(set_recruitment))
        .routes(routes!(signups_of_volunteer))
}

/// The most activities one page of the public list holds.
const MAX_PAGE: i64 = 100;

#[derive(Deserialize, IntoParams)]
pub struct OpenQuery {
    /// Activities of this unit and the units under it.
    unit_id: Option<i64>,
    /// Activities starting on this day (`YYYY-MM-DD`) or at this time (RFC 3339) or later.
    from: Option<String>,
    /// Activities starting up to this day (included) or before this time.
    to: Option<String>,
    /// 服务类别, exactly.
    category: Option<String>,
    /// 1 to 100; 20 unless given.
    limit: Option<i64>,
    /// How many to skip.
    offset: Option<i64>,
}

/// Activities still to start whose recruitment is open. For a logged-in volunteer, their own
/// community's first, then their street's, then the rest (each by start), with their own
/// sign-up state in `mine`.
#[utoipa::path(get, path = "/api/v1/public/activities", tag = "signups", params(OpenQuery),
    responses((status = 200, body = Vec<ListedActivity>), (status = 404, body = ErrorBody),
              (status = 422, description = INVALID_QUERY, body = ErrorBody)))]
async fn open_activities(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(q): Query<OpenQuery>,
) -> Result<Json<Vec<ListedActivity>>> {
    let asked = Listing {
        unit_id: q.unit_id,
        from: q.from.as_deref(),
        to: q.to.as_deref(),
        category: q.category.as_deref(),
        limit: q.limit.unwrap_or(20).clamp(1, MAX_PAGE),
        offset: q.offset.unwrap_or(0).max(0),
    };
    let listed = signups::open_activities(&state, caller.as_ref(), &asked, Utc::now()).await?;
    Ok(Json(listed))
}

/// One activity as anyone may see it (cancelled, closed or started ones too).
#[utoipa::path(get, path = "/api/v1/public/activities/{id}", tag = "signups", params(("id" = i64, Path)),
    responses((status = 200, body = ListedActivity), (status = 404, body = ErrorBody)))]
async fn public_activity(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(id): Path<i64>,
) -> Result<Json<ListedActivity>> {
    Ok(Json(
        signups::public_activity(&state, caller.as_ref(), id).await?,
    ))
}

/// Signs the caller up: `confirmed` while places remain, else `waitlisted`; `position` is the
/// place in that list, from 1.
#[utoipa::path(post, path = "/api/v1/activities/{id}/signups", tag = "signups", params(("id" = i64, Path)),
    responses((status = 201, body = Placed), (status = 401, body = ErrorBody),
              (status = 403, description = NOT_A_VOLUNTEER, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = [ALREADY_SIGNED_UP, RECRUITMENT_CLOSED, ACTIVITY_CANCELLED].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn sign_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<Placed>)> {
    let placed = signups::sign_up(&state, &caller, id, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(placed)))
}

/// The caller's own sign-up to the activity, with its place.
#[utoipa::path(get, path = "/api/v1/activities/{id}/signups/me", tag = "signups", params(("id" = i64, Path)),
    responses((status = 200, body = Placed), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn my_signup(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Placed>> {
    let placed = state.store.signup(id, caller.user_id).await?;
    Ok(Json(placed.ok_or(Error::NotFound("sign-up"))?))
}

/// A volunteer's sign-ups to activities not yet over (cancelled activities too, by their
/// `status`), by start: their own (`me`) or, for staff, those of volunteers of their units.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/signups", tag = "signups",
    params(("id" = String, Path, description = "a volunteer id or `me`")),
    responses((status = 200, body = Vec<OwnSignup>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn signups_of_volunteer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<OwnSignup>>> {
    let volunteer = visible_volunteer(&state, &caller, &id, &Role::ALL).await?;
    let now = Utc::now();
    Ok(Json(
        state.store.signups_of_volunteer(volunteer.id, now).await?,
    ))
}

/// Cancels the caller's sign-up before the activity starts; the first on the waiting list moves
/// up into a place it held.
#[utoipa::path(delete, path = "/api/v1/activities/{id}/signups/me", tag = "signups", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, description = NOT_A_VOLUNTEER, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = ACTIVITY_STARTED, body = ErrorBody)),
    security(("bearer" = [])))]
async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    signups::cancel(&state, &caller, id, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The activity's sign-ups, for its organizers: the confirmed, then the waiting list, each with
/// its place and the volunteer's attendance once checked in.
#[utoipa::path(get, path = "/api/v1/activities/{id}/signups", tag = "signups", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<SignupRow>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn signups_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<SignupRow>>> {
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
    Ok(Json(state.store.signups_of(activity.id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RecruitmentBody {
    /// `true` to take sign-ups again, `false` to stop taking them.
    open: bool,
}

/// Opens or closes the activity's recruitment; cancelling a sign-up stays possible until the
/// start either way.
#[utoipa::path(post, path = "/api/v1/activities/{id}/recruitment", tag = "signups", params(("id" = i64, Path)),
    request_body = RecruitmentBody,
    responses((status = 200, body = Activity), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = ACTIVITY_CANCELLED, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_recruitment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<RecruitmentBody>,
) -> Result<Json<Activity>> {
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
    let changed = signups::set_recruitment(&state, &caller, &activity, body.open).await?;
    Ok(Json(changed))
}
