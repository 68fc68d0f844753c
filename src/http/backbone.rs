//! Backbone volunteers 骨干志愿者: social workers' designations and revocations, a volunteer's
//! status with its history, and a unit's list.

use super::access::{scoped_unit, scoped_volunteer, visible_volunteer};
use super::extract::{Json, Path, Query};
use crate::app::AppState;
use crate::app::backbone::{self, BackboneView};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::REASON_REQUIRED;
use crate::error::{ErrorBody, Result};
use crate::store::backbone::{BackboneChange, BackboneVolunteer};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(designate))
        .routes(routes!(list_backbone))
        .routes(routes!(volunteer_backbone))
}

#[derive(Deserialize, ToSchema)]
pub struct DesignationBody {
    volunteer_id: i64,
    /// `true` designates, `false` revokes; either stands over the rule until a person decides again.
    designated: bool,
    reason: String,
}

/// A social worker (or an admin) of the volunteer's community designates or revokes a backbone
/// volunteer, with a reason; kept in the history and audited.
#[utoipa::path(post, path = "/api/v1/backbone/designations", tag = "backbone", request_body = DesignationBody,
    responses((status = 201, body = BackboneView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = REASON_REQUIRED, body = ErrorBody)),
    security(("bearer" = [])))]
async fn designate(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<DesignationBody>,
) -> Result<(StatusCode, Json<BackboneView>)> {
    let volunteer = scoped_volunteer(&state, &caller, body.volunteer_id, &Role::RECORDERS).await?;
    backbone::designate(
        &state.store,
        &volunteer,
        body.designated,
        &body.reason,
        caller.user_id,
        state.settings.local_now(),
    )
    .await?;
    let view = backbone::view(&state.store, &state.settings.backbone_rule(), volunteer.id).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, IntoParams)]
pub struct BackboneQuery {
    unit_id: i64,
    /// From 1; 50 a page.
    page: Option<i64>,
}

const PER_PAGE: i64 = 50;

/// The backbone volunteers of the unit's communities, by volunteer number, 50 a page.
#[utoipa::path(get, path = "/api/v1/backbone", tag = "backbone", params(BackboneQuery),
    responses((status = 200, body = Vec<BackboneVolunteer>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_backbone(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<BackboneQuery>,
) -> Result<Json<Vec<BackboneVolunteer>>> {
    let unit = scoped_unit(&state, &caller, q.unit_id, &Role::ALL).await?;
    let page = q.page.unwrap_or(1).max(1);
    Ok(Json(
        state
            .store
            .backbone_within(&unit.path, PER_PAGE, (page - 1) * PER_PAGE)
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct BackboneStanding {
    #[serde(flatten)]
    status: BackboneView,
    /// Every change, newest first.
    history: Vec<BackboneChange>,
}

/// A volunteer's status (`me` for one's own) with every change and its reason.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/backbone", tag = "backbone", params(("id" = String, Path)),
    responses((status = 200, body = BackboneStanding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn volunteer_backbone(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<BackboneStanding>> {
    let v = visible_volunteer(&state, &caller, &id, &Role::ALL).await?;
    Ok(Json(BackboneStanding {
        status: backbone::view(&state.store, &state.settings.backbone_rule(), v.id).await?,
        history: state.store.backbone_history(v.id).await?,
    }))
}
