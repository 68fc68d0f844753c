//! Staff accounts and the roles granted to them.

use super::access::scoped_unit;
use super::extract::Json;
use crate::app::{AppState, staff};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{DUPLICATE_LOGIN, INVALID_LOGIN, INVALID_NAME, WEAK_PASSWORD};
use crate::error::{ErrorBody, Result};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_user))
        .routes(routes!(create_grant))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    /// 3 to 64 letters, digits and `._@-`.
    login: String,
    password: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct NewUserAnswer {
    id: i64,
    login: String,
    name: String,
}

/// Creates a staff account (no roles yet: grant them next). Any unit admin may do this.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody,
    responses((status = 201, body = NewUserAnswer), (status = 403, body = ErrorBody),
              (status = 409, description = DUPLICATE_LOGIN, body = ErrorBody),
              (status = 422, description = [INVALID_LOGIN, WEAK_PASSWORD, INVALID_NAME].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewUserBody>,
) -> Result<(StatusCode, Json<NewUserAnswer>)> {
    let account =
        staff::create_account(&state, &caller, &body.login, body.password, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewUserAnswer {
            id: account.id,
            login: account.login,
            name: account.name,
        }),
    ))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct GrantBody {
    user_id: i64,
    role: Role,
    unit_id: i64,
}

/// Grants a role on a unit (and so on its subtree). The caller must be an admin of the unit;
/// `district_admin` is granted only by a district admin, on the district.
#[utoipa::path(post, path = "/api/v1/grants", tag = "users", request_body = GrantBody,
    responses((status = 201, body = GrantBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_grant(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<GrantBody>,
) -> Result<(StatusCode, Json<GrantBody>)> {
    let unit = scoped_unit(&state, &caller, body.unit_id, &Role::ADMINS).await?;
    staff::grant(&state, &caller, body.user_id, body.role, &unit).await?;
    Ok((StatusCode::CREATED, Json(body)))
}
