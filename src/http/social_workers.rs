//! Social workers lead volunteers 社工引领志愿者: staff accounts' social-work qualifications,
//! each volunteer's social worker, and a social worker's list of volunteers with who has gone
//! quiet — through `app::social_workers`, which checks access per account and volunteer.

use super::access::visible_volunteer;
use super::extract::{Json, Path, Query};
use crate::app::AppState;
use crate::app::social_workers::{self, LedQuery, LedVolunteerRow};
use crate::domain::roles::{Caller, Role};
use crate::domain::social_workers::Qualification;
use crate::error::codes::{INVALID_QUALIFICATION, INVALID_QUERY, INVALID_SOCIAL_WORKER};
use crate::error::{Error, ErrorBody, Result};
use crate::store::social_workers::{Assignment, StaffMember};
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_qualification))
        .routes(routes!(social_worker_of, assign_social_worker))
        .routes(routes!(led_volunteers))
}

#[derive(Deserialize, ToSchema)]
pub struct QualificationBody {
    /// `assistant` 助理社会工作师, `intermediate` 社会工作师, `senior` 高级社会工作师, or `null`
    /// to clear the qualification.
    #[serde(default)]
    level: Option<String>,
    /// The certificate's number, 1 to 50 characters; required with a level.
    #[serde(default)]
    certificate_no: Option<String>,
}

/// A staff account with its qualification.
#[derive(Serialize, ToSchema)]
pub struct StaffAccountView {
    id: i64,
    login: String,
    name: String,
    /// `null` when the account holds none.
    qualification: Option<Qualification>,
}

impl From<StaffMember> for StaffAccountView {
    fn from(m: StaffMember) -> Self {
        StaffAccountView {
            id: m.id,
            login: m.login,
            name: m.name,
            qualification: m.qualification,
        }
    }
}

/// Records (or clears) the social-work qualification 社会工作职业资格 of a staff account, which
/// makes a social worker professional in the targets report. The caller must be an admin of a
/// unit where the account holds a role; audited.
#[utoipa::path(put, path = "/api/v1/users/{id}/qualification", tag = "users",
    params(("id" = i64, Path, description = "a staff account")), request_body = QualificationBody,
    responses((status = 200, body = StaffAccountView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = INVALID_QUALIFICATION, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_qualification(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<QualificationBody>,
) -> Result<Json<StaffAccountView>> {
    let member = social_workers::set_qualification(
        &state,
        &caller,
        id,
        body.level.as_deref(),
        body.certificate_no.as_deref(),
    )
    .await?;
    Ok(Json(member.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct AssignmentBody {
    /// A staff account holding the social worker role on the volunteer's community or a unit
    /// above it; `null` to leave the volunteer without one.
    #[serde(default)]
    social_worker_id: Option<i64>,
}

/// A volunteer's social worker; the fields are `null` when none is assigned.
#[derive(Serialize, ToSchema)]
pub struct AssignmentView {
    volunteer_id: i64,
    social_worker_id: Option<i64>,
    social_worker_name: Option<String>,
    assigned_by: Option<i64>,
    assigned_at: Option<DateTime<Utc>>,
}

impl AssignmentView {
    fn new(volunteer_id: i64, a: Option<Assignment>) -> Self {
        AssignmentView {
            volunteer_id,
            social_worker_id: a.as_ref().map(|a| a.social_worker_id),
            assigned_by: a.as_ref().map(|a| a.assigned_by),
            assigned_at: a.as_ref().map(|a| a.assigned_at),
            social_worker_name: a.map(|a| a.social_worker_name),
        }
    }
}

/// The social worker who leads a volunteer, for the volunteer (`me`) and staff over them.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/social_worker", tag = "volunteers",
    params(("id" = String, Path, description = "a volunteer id or `me`")),
    responses((status = 200, body = AssignmentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn social_worker_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AssignmentView>> {
    let v = visible_volunteer(&state, &caller, &id, &Role::ALL).await?;
    let assignment = state.store.assignment(v.id).await?;
    Ok(Json(AssignmentView::new(v.id, assignment)))
}

/// Assigns a volunteer to a social worker 社工引领志愿者 (or to none), for a unit admin or social
/// worker whose roles cover the volunteer's community; audited.
#[utoipa::path(put, path = "/api/v1/volunteers/{id}/social_worker", tag = "volunteers",
    params(("id" = i64, Path, description = "a volunteer")), request_body = AssignmentBody,
    responses((status = 200, body = AssignmentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = INVALID_SOCIAL_WORKER, body = ErrorBody)),
    security(("bearer" = [])))]
async fn assign_social_worker(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<AssignmentBody>,
) -> Result<Json<AssignmentView>> {
    let v = state
        .store
        .volunteer(id)
        .await?
        .ok_or(Error::NotFound("volunteer"))?;
    let assignment = social_workers::assign(&state, &caller, &v, body.social_worker_id).await?;
    Ok(Json(AssignmentView::new(v.id, assignment)))
}

#[derive(Deserialize, IntoParams)]
pub struct LedVolunteersQuery {
    /// `true`: only those who have gone quiet (no service in the last `quiet_months` months);
    /// `false`: only the others; left out: all.
    quiet: Option<bool>,
}

/// The volunteers a social worker leads (`me`: the caller), by volunteer number, with this
/// year's hours, the last service, backbone status and whether they have gone quiet. For that
/// social worker, and for an admin over them (the volunteers of the admin's units).
#[utoipa::path(get, path = "/api/v1/social_workers/{id}/volunteers", tag = "volunteers",
    params(("id" = String, Path, description = "a social worker's account id or `me`"), LedVolunteersQuery),
    responses((status = 200, body = Vec<LedVolunteerRow>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = INVALID_QUERY, body = ErrorBody)),
    security(("bearer" = [])))]
async fn led_volunteers(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<LedVolunteersQuery>,
) -> Result<Json<Vec<LedVolunteerRow>>> {
    let asked = LedQuery {
        quiet: q.quiet,
        page: None,
    };
    Ok(Json(
        social_workers::led_volunteers(&state, &caller, &id, asked).await?,
    ))
}
