//! Trainings 培训记录 and who attended them: social workers record them, volunteers see their
//! own with their study hours (which are not service hours).

use super::access::{scoped_training, scoped_unit, visible_volunteer};
use super::extract::{Json, Path, Query};
use crate::app::AppState;
use crate::app::trainings::{self, StudyHours, TrainingDraft, today};
use crate::domain::hours::hours;
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{
    INVALID_BODY, INVALID_FIELD, INVALID_HELD_ON, INVALID_STUDY_HOURS, INVALID_YEAR,
    TOO_MANY_VOLUNTEERS, UNKNOWN_VOLUNTEER,
};
use crate::error::{Error, ErrorBody, Result};
use crate::store::trainings::{Attendee, StudyRecord, Training, year_span};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_trainings, create_training))
        .routes(routes!(get_training))
        .routes(routes!(add_attendees))
        .routes(routes!(volunteer_trainings))
}

#[derive(Deserialize, ToSchema)]
pub struct TrainingBody {
    unit_id: i64,
    /// 培训名称
    name: String,
    /// 培训内容
    content: String,
    /// 学时: a decimal string or number, kept to the minute.
    #[schema(value_type = String, example = "2.5")]
    study_hours: StudyHours,
    /// 主办单位
    host: String,
    held_on: NaiveDate,
    #[serde(default)]
    volunteer_ids: Vec<i64>,
}

/// A year named in a query, or this year.
fn year_or_this(state: &AppState, year: Option<i32>) -> Result<i32> {
    let year = year.unwrap_or_else(|| today(state).year());
    if !(1949..=2100).contains(&year) {
        return Err(Error::invalid(
            INVALID_YEAR,
            "the year must be between 1949 and 2100",
        ));
    }
    Ok(year)
}

#[derive(Serialize, ToSchema)]
pub struct TrainingDetail {
    #[serde(flatten)]
    training: Training,
    attendees: Vec<Attendee>,
}

async fn detail(state: &AppState, training: Training) -> Result<TrainingDetail> {
    let attendees = state.store.training_attendees(training.id).await?;
    Ok(TrainingDetail {
        training,
        attendees,
    })
}

/// Records a training of a unit and who attended; every volunteer must be registered in a
/// community within the unit. Audited.
#[utoipa::path(post, path = "/api/v1/trainings", tag = "trainings", request_body = TrainingBody,
    responses((status = 201, body = Training), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = [INVALID_FIELD, INVALID_STUDY_HOURS, INVALID_HELD_ON, UNKNOWN_VOLUNTEER, TOO_MANY_VOLUNTEERS, INVALID_BODY].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_training(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<TrainingBody>,
) -> Result<(StatusCode, Json<Training>)> {
    let unit = scoped_unit(&state, &caller, body.unit_id, &Role::RECORDERS).await?;
    let draft = TrainingDraft {
        name: body.name,
        content: body.content,
        study_hours: body.study_hours,
        host: body.host,
        held_on: body.held_on,
    };
    let created =
        trainings::record(&state, &unit, &draft, &body.volunteer_ids, caller.user_id).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize, IntoParams)]
pub struct TrainingQuery {
    unit_id: i64,
    /// Only trainings held in this year (default: all).
    year: Option<i32>,
}

/// Trainings of the units under `unit_id`, newest first.
#[utoipa::path(get, path = "/api/v1/trainings", tag = "trainings", params(TrainingQuery),
    responses((status = 200, body = Vec<Training>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = INVALID_YEAR, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_trainings(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TrainingQuery>,
) -> Result<Json<Vec<Training>>> {
    let unit = scoped_unit(&state, &caller, q.unit_id, &Role::ALL).await?;
    let (from, to) = match q.year {
        Some(year) => year_span(year_or_this(&state, Some(year))?),
        None => (year_span(1949).0, year_span(2101).0),
    };
    Ok(Json(
        state
            .store
            .trainings_within(&unit.path, from, to, (1000, 0))
            .await?,
    ))
}

/// A training with its attendees.
#[utoipa::path(get, path = "/api/v1/trainings/{id}", tag = "trainings", params(("id" = i64, Path)),
    responses((status = 200, body = TrainingDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_training(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<TrainingDetail>> {
    let training = scoped_training(&state, &caller, id, &Role::ALL).await?;
    Ok(Json(detail(&state, training).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AttendeesBody {
    volunteer_ids: Vec<i64>,
}

/// Adds volunteers to a training; naming one already on the list changes nothing.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/attendees", tag = "trainings", params(("id" = i64, Path)),
    request_body = AttendeesBody,
    responses((status = 200, body = TrainingDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = [UNKNOWN_VOLUNTEER, TOO_MANY_VOLUNTEERS, INVALID_BODY].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_attendees(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<AttendeesBody>,
) -> Result<Json<TrainingDetail>> {
    let training = scoped_training(&state, &caller, id, &Role::RECORDERS).await?;
    let training =
        trainings::add_attendees(&state, &training, &body.volunteer_ids, caller.user_id).await?;
    Ok(Json(detail(&state, training).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// Default: this year.
    year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct VolunteerTrainings {
    year: i32,
    /// Total study hours 学时 of the year, e.g. `"2.50"` (not service hours).
    #[schema(value_type = String)]
    study_hours: Decimal,
    trainings: Vec<StudyRecord>,
}

/// The trainings a volunteer attended in a year, with their study hours.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/trainings", tag = "trainings",
    params(("id" = String, Path, description = "a volunteer id or `me`"), YearQuery),
    responses((status = 200, body = VolunteerTrainings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = INVALID_YEAR, body = ErrorBody)),
    security(("bearer" = [])))]
async fn volunteer_trainings(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<VolunteerTrainings>> {
    let v = visible_volunteer(&state, &caller, &id, &Role::ALL).await?;
    let year = year_or_this(&state, q.year)?;
    let trainings = state.store.trainings_of(v.id, year).await?;
    let minutes = state.store.study_minutes(v.id, year).await?;
    Ok(Json(VolunteerTrainings {
        year,
        study_hours: hours(minutes),
        trainings,
    }))
}
