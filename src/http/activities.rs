//! Activities for organizers: create, list, edit, cancel; their QR code, poster and live
//! attendance list.

use super::access::{run_activity, scoped_unit};
use super::extract::{Json, Path, Query};
use crate::app::AppState;
use crate::app::activities::{self, ActivityDraft};
use crate::app::check_in::code_url;
use crate::app::poster::{poster_svg, qr_svg};
use crate::domain::attendance::Geofence;
use crate::domain::qr::QrMode;
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{
    ACTIVITY_CANCELLED, INVALID_BODY, INVALID_CAPACITY, INVALID_FIELD, INVALID_GEOFENCE,
    INVALID_TIME,
};
use crate::error::{ErrorBody, Result};
use crate::store::activities::{Activity, AttendanceRow};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_activities, create_activity))
        .routes(routes!(get_activity, update_activity))
        .routes(routes!(cancel_activity))
        .routes(routes!(current_qr))
        .routes(routes!(qr_image))
        .routes(routes!(poster))
        .routes(routes!(attendances))
}

#[derive(Deserialize, Serialize, ToSchema, Clone, Copy)]
pub struct GeofenceBody {
    lat: f64,
    lon: f64,
    /// 10 to 50,000 metres.
    radius_m: f64,
}

#[derive(Deserialize, ToSchema)]
pub struct ActivityBody {
    title: String,
    /// The unit that runs the activity (ignored when editing).
    unit_id: i64,
    place: String,
    /// 服务内容
    content: String,
    category: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    /// `static` for a printed poster, `rotating` for a screen at the door.
    qr_mode: QrMode,
    /// 组织单位 as printed; defaults to the unit's name.
    organiser: Option<String>,
    /// 负责人; defaults to the caller's name.
    person_in_charge: Option<String>,
    capacity: Option<i32>,
    geofence: Option<GeofenceBody>,
    /// Whether volunteers sign up first 需报名 (a check-in without a place is then flagged).
    #[serde(default)]
    signup_required: bool,
}

impl ActivityBody {
    fn draft(&self) -> ActivityDraft {
        ActivityDraft {
            title: self.title.clone(),
            place: self.place.clone(),
            content: self.content.clone(),
            category: self.category.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            qr_mode: self.qr_mode,
            organiser: self.organiser.clone(),
            person_in_charge: self.person_in_charge.clone(),
            capacity: self.capacity,
            geofence: self.geofence.map(|g| Geofence {
                lat: g.lat,
                lon: g.lon,
                radius_m: g.radius_m,
            }),
            signup_required: self.signup_required,
        }
    }
}

/// Creates an activity in a unit where the caller is an organizer or admin.
#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", request_body = ActivityBody,
    responses((status = 201, body = Activity), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = [INVALID_TIME, INVALID_FIELD, INVALID_CAPACITY, INVALID_GEOFENCE, INVALID_BODY].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_activity(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ActivityBody>,
) -> Result<(StatusCode, Json<Activity>)> {
    let unit = scoped_unit(&state, &caller, body.unit_id, &Role::ORGANIZERS).await?;
    let activity = activities::create(&state, &caller, &unit, &body.draft()).await?;
    Ok((StatusCode::CREATED, Json(activity)))
}

#[derive(Deserialize, IntoParams)]
pub struct ActivityQuery {
    unit_id: i64,
    /// Activities ending after this time (default: 30 days ago).
    from: Option<DateTime<Utc>>,
    /// Activities starting before this time (default: 90 days ahead).
    to: Option<DateTime<Utc>>,
}

/// Activities of the units under `unit_id`, by start time.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities", params(ActivityQuery),
    responses((status = 200, body = Vec<Activity>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_activities(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ActivityQuery>,
) -> Result<Json<Vec<Activity>>> {
    let unit = scoped_unit(&state, &caller, q.unit_id, &Role::ALL).await?;
    let now = Utc::now();
    // Activities lie within 1949 to 2100; PostgreSQL refuses times before 4713 BC.
    let span = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
    let clamp = |t: DateTime<Utc>| t.clamp(span(1949), span(2101));
    let from = clamp(q.from.unwrap_or(now - Duration::days(30)));
    let to = clamp(q.to.unwrap_or(now + Duration::days(90)));
    Ok(Json(
        state
            .store
            .activities_within(&unit.path, from, to, 1000)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", params(("id" = i64, Path)),
    responses((status = 200, body = Activity), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Activity>> {
    Ok(Json(run_activity(&state, &caller, id, &Role::ALL).await?))
}

/// Replaces an activity's fields (its unit stays).
#[utoipa::path(put, path = "/api/v1/activities/{id}", tag = "activities", params(("id" = i64, Path)), request_body = ActivityBody,
    responses((status = 200, body = Activity), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = ACTIVITY_CANCELLED, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ActivityBody>,
) -> Result<Json<Activity>> {
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
    let updated = activities::update(&state, &caller, &activity, &body.draft()).await?;
    Ok(Json(updated))
}

/// Cancels an activity: its codes stop working.
#[utoipa::path(post, path = "/api/v1/activities/{id}/cancel", tag = "activities", params(("id" = i64, Path)),
    responses((status = 200, body = Activity), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn cancel_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Activity>> {
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
    Ok(Json(activities::cancel(&state, &caller, &activity).await?))
}

#[derive(Serialize, ToSchema)]
pub struct QrAnswer {
    /// The text to encode in the QR code now.
    url: String,
    /// When this URL stops being accepted.
    expires_at: DateTime<Utc>,
    mode: QrMode,
}

/// The URL to put in the QR code now (a fresh one each 30 s in rotating mode).
#[utoipa::path(get, path = "/api/v1/activities/{id}/qr", tag = "activities", params(("id" = i64, Path)),
    responses((status = 200, body = QrAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn current_qr(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse> {
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
    let code = code_url(&state, &activity, Utc::now());
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(QrAnswer {
            url: code.url,
            expires_at: code.expires_at,
            mode: activity.qr_mode,
        }),
    ))
}

/// The current code as an SVG image (what the door screen shows).
#[utoipa::path(get, path = "/api/v1/activities/{id}/qr.svg", tag = "activities", params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn qr_image(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse> {
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
    let svg = qr_svg(&code_url(&state, &activity, Utc::now()).url, 480);
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    ))
}

/// A printable A4 poster with the activity's static code (a rotating activity's poster holds the
/// current code, which soon expires: print posters for static activities).
#[utoipa::path(get, path = "/api/v1/activities/{id}/poster.svg", tag = "activities", params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn poster(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse> {
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
    let url = code_url(&state, &activity, Utc::now()).url;
    let svg = poster_svg(&activity, &url, state.settings.display_offset());
    let disposition = format!("inline; filename=\"activity-{}-poster.svg\"", activity.id);
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        svg,
    ))
}

/// The live attendance list: who checked in and out, when, credited minutes and location flags.
#[utoipa::path(get, path = "/api/v1/activities/{id}/attendances", tag = "activities", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttendanceRow>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn attendances(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<AttendanceRow>>> {
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
    Ok(Json(state.store.attendances_of(activity.id).await?))
}
