//! The committee's review of a selection round and its public notice 公示, in the API: decisions,
//! publishing, objections (anyone logged in) and their resolution, finalising, and the list of
//! winners as CSV for the ceremony.

use super::access::{committee_round, public_round};
use super::extract::{Json, Path};
use super::render::csv_file;
use crate::app::AppState;
use crate::app::selection_review::{self, RoundLists, Winner};
use crate::domain::roles::Caller;
use crate::domain::selection_review::{Basis, Decision};
use crate::error::codes::{
    ALREADY_RESOLVED, NO_WINNERS, NOT_A_CANDIDATE, NOT_A_WINNER, NOT_ELIGIBLE, NOTICE_RUNNING,
    OBJECTIONS_OPEN, REASON_REQUIRED, SELECTION_NOT_DRAFT, SELECTION_NOT_IN_NOTICE,
};
use crate::error::{Error, ErrorBody, Result};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(decide))
        .routes(routes!(publish))
        .routes(routes!(object))
        .routes(routes!(resolve))
        .routes(routes!(finalize))
        .routes(routes!(winners_csv))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    volunteer_no: String,
    decision: Decision,
    reason: String,
}

/// The list after a decision.
#[derive(Serialize, ToSchema)]
pub struct Decided {
    quota: i32,
    /// The nomination took the winners beyond the quota.
    beyond_quota: bool,
    winners: Vec<Winner>,
}

/// Excludes or nominates a candidate of a draft, with the reason; the member's name is kept with
/// it. A volunteer's latest decision counts.
#[utoipa::path(post, path = "/api/v1/selections/{id}/decisions", tag = "selections",
    params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 201, body = Decided), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = SELECTION_NOT_DRAFT, body = ErrorBody),
              (status = 422, description = [NOT_A_CANDIDATE, NOT_ELIGIBLE, REASON_REQUIRED].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<DecisionBody>,
) -> Result<(StatusCode, Json<Decided>)> {
    let (round, unit) = committee_round(&state, &caller, id).await?;
    let what = (
        body.volunteer_no.as_str(),
        body.decision,
        body.reason.as_str(),
    );
    let winners = selection_review::decide(&state, (&round, &unit), what, &caller).await?;
    Ok((
        StatusCode::CREATED,
        Json(Decided {
            quota: round.quota,
            beyond_quota: winners.len() > round.quota as usize,
            winners,
        }),
    ))
}

/// A round's state after a step of the workflow.
#[derive(Serialize, ToSchema)]
pub struct Stage {
    id: i64,
    /// `notice` or `final`.
    state: String,
    notice_ends_at: Option<chrono::DateTime<chrono::Utc>>,
    notice_url: String,
}

async fn stage(state: &AppState, id: i64) -> Result<Json<Stage>> {
    let s = state
        .store
        .selection(id)
        .await?
        .ok_or(Error::NotFound("selection"))?;
    Ok(Json(Stage {
        id: s.id,
        state: s.state,
        notice_ends_at: s.notice_ends_at,
        notice_url: format!("{}/notice/{}", state.settings.public_url(), s.id),
    }))
}

/// Publishes the draft's list: the public notice 公示 starts and lasts
/// `VLEDGER_SELECTION_NOTICE_DAYS` days (7).
#[utoipa::path(post, path = "/api/v1/selections/{id}/publish", tag = "selections",
    params(("id" = i64, Path)),
    responses((status = 200, body = Stage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = SELECTION_NOT_DRAFT, body = ErrorBody),
              (status = 422, description = NO_WINNERS, body = ErrorBody)),
    security(("bearer" = [])))]
async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Stage>> {
    let (round, unit) = committee_round(&state, &caller, id).await?;
    selection_review::publish(&state, (&round, &unit), &caller).await?;
    stage(&state, id).await
}

#[derive(Deserialize, ToSchema)]
pub struct ObjectionBody {
    volunteer_no: String,
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Filed {
    id: i64,
}

/// Files an objection to a winner during the public notice; anyone logged in may.
#[utoipa::path(post, path = "/api/v1/selections/{id}/objections", tag = "selections",
    params(("id" = i64, Path)), request_body = ObjectionBody,
    responses((status = 201, body = Filed), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = SELECTION_NOT_IN_NOTICE, body = ErrorBody),
              (status = 422, description = [NOT_A_WINNER, REASON_REQUIRED].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn object(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<ObjectionBody>,
) -> Result<(StatusCode, Json<Filed>)> {
    let (round, unit) = public_round(&state, id).await?;
    let what = (body.volunteer_no.as_str(), body.reason.as_str());
    let id = selection_review::object(&state, (&round, &unit), what, &caller).await?;
    Ok((StatusCode::CREATED, Json(Filed { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct ResolutionBody {
    upheld: bool,
    reason: String,
}

/// Resolves an objection: upheld removes the winner from the list, dismissed keeps them.
#[utoipa::path(post, path = "/api/v1/selections/{id}/objections/{objection_id}/resolution", tag = "selections",
    params(("id" = i64, Path), ("objection_id" = i64, Path)), request_body = ResolutionBody,
    responses((status = 200, body = Stage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = [ALREADY_RESOLVED, SELECTION_NOT_IN_NOTICE].join(", "), body = ErrorBody),
              (status = 422, description = REASON_REQUIRED, body = ErrorBody)),
    security(("bearer" = [])))]
async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, objection_id)): Path<(i64, i64)>,
    Json(body): Json<ResolutionBody>,
) -> Result<Json<Stage>> {
    let (round, unit) = committee_round(&state, &caller, id).await?;
    let outcome = (body.upheld, body.reason.as_str());
    selection_review::resolve(&state, (&round, &unit), objection_id, outcome, &caller).await?;
    stage(&state, id).await
}

/// Finalises the round once its notice has ended and every objection is resolved: each winner
/// gets the award record.
#[utoipa::path(post, path = "/api/v1/selections/{id}/finalize", tag = "selections",
    params(("id" = i64, Path)),
    responses((status = 200, body = Stage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = [NOTICE_RUNNING, OBJECTIONS_OPEN, SELECTION_NOT_IN_NOTICE].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn finalize(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Stage>> {
    let (round, unit) = committee_round(&state, &caller, id).await?;
    selection_review::finalize(&state, (&round, &unit), &caller).await?;
    stage(&state, id).await
}

/// The columns of the winners' CSV.
pub const CSV_HEADER: [&str; 8] = [
    "序号",
    "姓名",
    "志愿者编号",
    "社区",
    "服务时长（小时）",
    "服务活动数",
    "排名",
    "入选方式",
];

/// One winner's row of the CSV, numbered from 1.
pub fn csv_cells((i, w): (usize, &Winner)) -> Vec<String> {
    let basis = match w.basis {
        Basis::Rank => "评分入选",
        Basis::Nomination => "委员会提名",
    };
    vec![
        (i + 1).to_string(),
        w.name.clone(),
        w.volunteer_no.clone(),
        w.community.clone(),
        w.hours.to_string(),
        w.activities.to_string(),
        w.rank.to_string(),
        basis.to_owned(),
    ]
}

/// The winners as they stand (once final: the awarded list), as CSV (UTF-8 with BOM) for the
/// ceremony.
#[utoipa::path(get, path = "/api/v1/selections/{id}/winners.csv", tag = "selections",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn winners_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (round, unit) = committee_round(&state, &caller, id).await?;
    let lists = RoundLists::read(&state, &round).await?;
    let winners = selection_review::winners(&state, &round, &lists).await?;
    csv_file(
        &format!("winners-{}-{}.csv", unit.id, round.year),
        &CSV_HEADER,
        winners.iter().enumerate().map(csv_cells),
    )
}
