//! Staff accounts and the roles granted to them.

use super::access::scoped_unit;
use super::extract::Json;
use crate::app::AppState;
use crate::app::registration::check_password;
use crate::domain::roles::{Caller, Role};
use crate::domain::text::NAME;
use crate::domain::units::UnitKind;
use crate::error::codes::{
    DUPLICATE_LOGIN, FORBIDDEN, INVALID_LOGIN, INVALID_NAME, INVALID_UNIT, WEAK_PASSWORD,
};
use crate::error::{Error, ErrorBody, Result};
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
    if !caller.is_admin() {
        return Err(Error::denied(FORBIDDEN, "only unit admins create accounts"));
    }
    let login = body.login.trim();
    let login_ok = (3..=64).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
    if !login_ok {
        return Err(Error::invalid(
            INVALID_LOGIN,
            "a login has 3 to 64 letters, digits or ._@-",
        ));
    }
    check_password(&body.password)?;
    let name = NAME.parse(&body.name)?;
    let hash = state.passwords.hash(body.password).await?;
    let id = state.store.create_user(login, Some(&hash), &name).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewUserAnswer {
            id,
            login: login.to_owned(),
            name,
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
    if body.role == Role::DistrictAdmin {
        if !caller.may(&[Role::DistrictAdmin], &unit.path) {
            return Err(Error::denied(
                FORBIDDEN,
                "only a district admin grants district_admin",
            ));
        }
        if unit.kind != UnitKind::District {
            return Err(Error::invalid(
                INVALID_UNIT,
                "district_admin is granted on the district",
            ));
        }
    }
    state
        .store
        .add_grant(body.user_id, body.role, &unit, Some(caller.user_id))
        .await?;
    Ok((StatusCode::CREATED, Json(body)))
}
