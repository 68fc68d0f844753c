//! The unit tree: streets and communities, resident populations and organisations.

use super::access::scoped_unit;
use super::extract::{Json, Path, Query};
use crate::app::AppState;
use crate::app::units::{self, NewOrganisation, NewUnit};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{
    DUPLICATE_ORGANISATION, DUPLICATE_UNIT, FORBIDDEN, INVALID_KIND, INVALID_NAME,
    INVALID_ORG_TYPE, INVALID_PARENT, INVALID_POPULATION, INVALID_YEAR, NOT_A_COMMUNITY,
};
use crate::error::{Error, ErrorBody, Result};
use crate::store::{Organisation, Population, Unit};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit))
        .routes(routes!(set_population))
        .routes(routes!(list_organisations, create_organisation))
}

/// The units the caller may see: the subtrees of their grants.
#[utoipa::path(get, path = "/api/v1/units", tag = "units",
    responses((status = 200, body = Vec<Unit>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn list_units(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<Unit>>> {
    if !caller.is_staff() {
        return Err(Error::denied(FORBIDDEN, "only staff see the unit tree"));
    }
    Ok(Json(
        state.store.units_within(&caller.visible_roots()).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUnitBody {
    name: String,
    /// `street` under the district, `community` under a street.
    kind: String,
    parent_id: i64,
}

/// Creates a street or a community; the caller must be an admin of the parent.
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = NewUnitBody,
    responses((status = 201, body = Unit), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = DUPLICATE_UNIT, body = ErrorBody),
              (status = 422, description = [INVALID_KIND, INVALID_PARENT, INVALID_NAME].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_unit(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewUnitBody>,
) -> Result<(StatusCode, Json<Unit>)> {
    let new = NewUnit::parse(&body.kind, &body.name)?;
    let parent = scoped_unit(&state, &caller, body.parent_id, &Role::ADMINS).await?;
    let unit = units::create_unit(&state, &caller, &parent, &new).await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

#[derive(Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    unit: Unit,
    /// 常住人口 per year (communities).
    populations: Vec<Population>,
}

/// One unit with its resident population by year.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = UnitDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_unit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<UnitDetail>> {
    let unit = scoped_unit(&state, &caller, id, &Role::ALL).await?;
    let populations = state.store.populations(unit.id).await?;
    Ok(Json(UnitDetail { unit, populations }))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct PopulationBody {
    resident_population: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PopulationAnswer {
    unit_id: i64,
    year: i32,
    resident_population: i64,
}

/// Sets a community's resident population 常住人口 for a year.
#[utoipa::path(put, path = "/api/v1/units/{id}/population/{year}", tag = "units",
    params(("id" = i64, Path), ("year" = i32, Path)), request_body = PopulationBody,
    responses((status = 200, body = PopulationAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = [NOT_A_COMMUNITY, INVALID_YEAR, INVALID_POPULATION].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_population(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, year)): Path<(i64, i32)>,
    Json(body): Json<PopulationBody>,
) -> Result<Json<PopulationAnswer>> {
    let unit = scoped_unit(&state, &caller, id, &Role::ADMINS).await?;
    units::set_population(&state, &caller, &unit, year, body.resident_population).await?;
    Ok(Json(PopulationAnswer {
        unit_id: unit.id,
        year,
        resident_population: body.resident_population,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct UnitFilter {
    /// The unit whose subtree to list.
    unit_id: i64,
}

/// Organisations registered to the communities under a unit.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "units", params(UnitFilter),
    responses((status = 200, body = Vec<Organisation>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn list_organisations(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UnitFilter>,
) -> Result<Json<Vec<Organisation>>> {
    let unit = scoped_unit(&state, &caller, q.unit_id, &Role::ALL).await?;
    Ok(Json(state.store.organisations_within(&unit.path).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewOrganisationBody {
    unit_id: i64,
    name: String,
    /// `volunteer_service` (志愿服务组织) or `community_social` (社区社会组织).
    org_type: String,
}

/// Registers an organisation to a community.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "units", request_body = NewOrganisationBody,
    responses((status = 201, body = Organisation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = DUPLICATE_ORGANISATION, body = ErrorBody),
              (status = 422, description = [INVALID_ORG_TYPE, NOT_A_COMMUNITY, INVALID_NAME].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_organisation(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewOrganisationBody>,
) -> Result<(StatusCode, Json<Organisation>)> {
    let new = NewOrganisation::parse(&body.org_type, &body.name)?;
    let unit = scoped_unit(&state, &caller, body.unit_id, &Role::ADMINS).await?;
    let org = units::create_organisation(&state, &caller, &unit, &new).await?;
    Ok((StatusCode::CREATED, Json(org)))
}
