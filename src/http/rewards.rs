//! Partners, their rewards and redemptions against points balances.

use super::access::{administered_partner, administered_reward, scoped_unit, visible_volunteer};
use super::extract::{Json, Path, Query};
use crate::app::AppState;
use crate::app::rewards::{self, RewardDraft};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{
    DUPLICATE_PARTNER, FORBIDDEN, INSUFFICIENT_POINTS, INVALID_DESCRIPTION, INVALID_NAME,
    INVALID_POINTS_COST, INVALID_QUERY, INVALID_STOCK, NOT_A_VOLUNTEER, OUT_OF_STOCK,
    REWARD_INACTIVE,
};
use crate::error::{Error, ErrorBody, Result};
use crate::store::rewards::{Partner, Redeemed, Redemption, Reward};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_partner, list_partners))
        .routes(routes!(create_reward, list_rewards))
        .routes(routes!(set_stock))
        .routes(routes!(set_active))
        .routes(routes!(redeem))
        .routes(routes!(list_redemptions))
}

#[derive(Deserialize, ToSchema)]
pub struct PartnerBody {
    unit_id: i64,
    name: String,
}

/// Registers a partner 社会资源 at a unit; unit admins of the unit (or above) only.
#[utoipa::path(post, path = "/api/v1/partners", tag = "rewards", request_body = PartnerBody,
    responses((status = 201, body = Partner), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = DUPLICATE_PARTNER, body = ErrorBody),
              (status = 422, description = INVALID_NAME, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_partner(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PartnerBody>,
) -> Result<(StatusCode, Json<Partner>)> {
    let unit = scoped_unit(&state, &caller, body.unit_id, &Role::ADMINS).await?;
    let partner = rewards::create_partner(&state.store, &unit, &body.name, caller.user_id).await?;
    Ok((StatusCode::CREATED, Json(partner)))
}

#[derive(Deserialize, IntoParams)]
pub struct PartnersQuery {
    unit_id: i64,
}

/// Partners of the units under `unit_id`; staff of the unit.
#[utoipa::path(get, path = "/api/v1/partners", tag = "rewards", params(PartnersQuery),
    responses((status = 200, body = Vec<Partner>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_partners(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PartnersQuery>,
) -> Result<Json<Vec<Partner>>> {
    let unit = scoped_unit(&state, &caller, q.unit_id, &Role::ALL).await?;
    Ok(Json(state.store.partners_within(&unit.path).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RewardBody {
    partner_id: i64,
    name: String,
    #[serde(default)]
    description: String,
    /// 1 to 1,000,000 points.
    points_cost: i64,
    /// 0 to 1,000,000.
    stock: i64,
}

/// Offers a reward from a partner; unit admins of the partner's unit (or above).
#[utoipa::path(post, path = "/api/v1/rewards", tag = "rewards", request_body = RewardBody,
    responses((status = 201, body = Reward), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = [INVALID_NAME, INVALID_DESCRIPTION, INVALID_POINTS_COST, INVALID_STOCK].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_reward(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<RewardBody>,
) -> Result<(StatusCode, Json<Reward>)> {
    let partner = administered_partner(&state, &caller, body.partner_id).await?;
    let draft = RewardDraft {
        name: body.name,
        description: body.description,
        points_cost: body.points_cost,
        stock: body.stock,
    };
    let reward = rewards::create_reward(&state.store, &partner, &draft, caller.user_id).await?;
    Ok((StatusCode::CREATED, Json(reward)))
}

#[derive(Deserialize, IntoParams)]
pub struct RewardsQuery {
    /// Staff: the rewards of partners under this unit. Left out: a volunteer's catalogue.
    unit_id: Option<i64>,
}

/// Staff with `unit_id`: every reward of the partners under the unit. A volunteer without
/// `unit_id`: the active rewards they may redeem, those of partners at their community, its
/// street and the district.
#[utoipa::path(get, path = "/api/v1/rewards", tag = "rewards", params(RewardsQuery),
    responses((status = 200, body = Vec<Reward>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = format!("{INVALID_QUERY}: staff name a unit"), body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_rewards(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RewardsQuery>,
) -> Result<Json<Vec<Reward>>> {
    if let Some(unit_id) = q.unit_id {
        let unit = scoped_unit(&state, &caller, unit_id, &Role::ALL).await?;
        return Ok(Json(
            state
                .store
                .rewards_within(&unit.path, (i64::MAX, 0))
                .await?,
        ));
    }
    if !caller.is_volunteer {
        return Err(Error::invalid(
            INVALID_QUERY,
            "staff list the rewards of a unit: give unit_id",
        ));
    }
    let community_path = own_community_path(&state, &caller).await?;
    Ok(Json(
        state.store.active_rewards_above(&community_path).await?,
    ))
}

async fn own_community_path(state: &AppState, caller: &Caller) -> Result<String> {
    Ok(state
        .store
        .volunteer(caller.user_id)
        .await?
        .ok_or(Error::NotFound("volunteer"))?
        .community_path)
}

#[derive(Deserialize, ToSchema)]
pub struct StockBody {
    /// The stock counted now, 0 to 1,000,000 (replaces the stored one).
    stock: i64,
}

/// Sets a reward's stock (restocking); unit admins of the partner's unit.
#[utoipa::path(put, path = "/api/v1/rewards/{id}/stock", tag = "rewards", params(("id" = i64, Path)), request_body = StockBody,
    responses((status = 200, body = Reward), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = INVALID_STOCK, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_stock(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<StockBody>,
) -> Result<Json<Reward>> {
    let reward = administered_reward(&state, &caller, id).await?;
    Ok(Json(
        rewards::set_stock(&state.store, &reward, body.stock, caller.user_id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ActiveBody {
    active: bool,
}

/// Withdraws a reward (`false`: no longer redeemable nor shown to volunteers) or offers it again.
#[utoipa::path(put, path = "/api/v1/rewards/{id}/active", tag = "rewards", params(("id" = i64, Path)), request_body = ActiveBody,
    responses((status = 200, body = Reward), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_active(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ActiveBody>,
) -> Result<Json<Reward>> {
    let reward = administered_reward(&state, &caller, id).await?;
    Ok(Json(
        rewards::set_active(&state.store, &reward, body.active, caller.user_id).await?,
    ))
}

/// Redeems a reward with the caller's points: one from its stock, its cost from their balance.
/// The answer holds the redemption code 兑换码 the volunteer shows the partner, who checks it at
/// `/redemptions/{code}`. The body may be empty or `{}`; it is not read. Only rewards of partners
/// at the volunteer's community, its street or the district.
#[utoipa::path(post, path = "/api/v1/rewards/{id}/redemptions", tag = "rewards", params(("id" = i64, Path)),
    responses((status = 201, body = Redeemed), (status = 401, body = ErrorBody),
              (status = 403, description = format!("{NOT_A_VOLUNTEER}, {FORBIDDEN} (a reward of another community)"), body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = [INSUFFICIENT_POINTS, OUT_OF_STOCK, REWARD_INACTIVE].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn redeem(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<Redeemed>)> {
    if !caller.is_volunteer {
        return Err(Error::denied(
            NOT_A_VOLUNTEER,
            "only a volunteer account redeems rewards",
        ));
    }
    let reward = state
        .store
        .reward(id)
        .await?
        .ok_or(Error::NotFound("reward"))?;
    // Paths end with a slash, so a prefix is exactly an ancestor (or the community itself).
    if !own_community_path(&state, &caller)
        .await?
        .starts_with(&reward.unit_path)
    {
        return Err(Error::denied(
            FORBIDDEN,
            "this reward is offered to the volunteers of other communities",
        ));
    }
    let redeemed = rewards::redeem(&state.store, id, caller.user_id).await?;
    Ok((StatusCode::CREATED, Json(redeemed)))
}

/// A volunteer's redemptions, newest first: their own (`me`) or, for staff, those of volunteers
/// of their units.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/redemptions", tag = "rewards",
    params(("id" = String, Path, description = "a volunteer id or `me`")),
    responses((status = 200, body = Vec<Redemption>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_redemptions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Redemption>>> {
    let volunteer = visible_volunteer(&state, &caller, &id, &Role::ALL).await?;
    Ok(Json(state.store.redemptions_of(volunteer.id).await?))
}
