//! Selection rounds 优秀志愿者评选 for the awards committee: opening a unit's round for a year by
//! hand (the scheduled job opens them too), reading it with its candidates, and recomputing a
//! draft after late changes to its inputs.

use super::access::{committee_round, scoped_unit};
use super::extract::{Json, Path};
use crate::app::AppState;
use crate::app::selections::{self, Recomputation, RoundView};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{INVALID_UNIT, INVALID_YEAR, SELECTION_EXISTS, SELECTION_NOT_DRAFT};
use crate::error::{Error, ErrorBody, Result};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_round))
        .routes(routes!(get_round))
        .routes(routes!(recompute_round))
}

#[derive(Deserialize, ToSchema)]
pub struct OpenBody {
    unit_id: i64,
    year: i32,
}

/// Opens the unit's round for the year: the draft, with every eligible volunteer ranked (score and
/// breakdown) and those the rules left out near the line, with why.
#[utoipa::path(post, path = "/api/v1/selections", tag = "selections", request_body = OpenBody,
    responses((status = 201, body = RoundView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = SELECTION_EXISTS, body = ErrorBody),
              (status = 422, description = [INVALID_UNIT, INVALID_YEAR].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn open_round(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<OpenBody>,
) -> Result<(StatusCode, Json<RoundView>)> {
    let unit = scoped_unit(&state, &caller, body.unit_id, &Role::COMMITTEE).await?;
    let id = selections::open(&state, &unit, body.year, Some(caller.user_id)).await?;
    let round = state
        .store
        .selection(id)
        .await?
        .ok_or(Error::NotFound("selection"))?;
    Ok((
        StatusCode::CREATED,
        Json(selections::view(&state, round).await?),
    ))
}

/// A round with its rule set, input digest and candidates.
#[utoipa::path(get, path = "/api/v1/selections/{id}", tag = "selections", params(("id" = i64, Path)),
    responses((status = 200, body = RoundView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_round(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<RoundView>> {
    let (round, _) = committee_round(&state, &caller, id).await?;
    Ok(Json(selections::view(&state, round).await?))
}

/// Recomputes a draft with the rule set it was opened with, on the inputs as they are now (a late
/// correction, say): `changed: false` and an empty diff when they are as they were; otherwise the
/// list is replaced and the diff says who entered or left it, whose rank or score changed, and
/// who moved into or out of the quota.
#[utoipa::path(post, path = "/api/v1/selections/{id}/recomputation", tag = "selections",
    params(("id" = i64, Path)),
    responses((status = 200, body = Recomputation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = SELECTION_NOT_DRAFT, body = ErrorBody)),
    security(("bearer" = [])))]
async fn recompute_round(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Recomputation>> {
    let (round, unit) = committee_round(&state, &caller, id).await?;
    Ok(Json(
        selections::recompute(&state, round, &unit, caller.user_id).await?,
    ))
}
