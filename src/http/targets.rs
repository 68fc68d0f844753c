//! The policy targets report, as JSON and as CSV.

use super::access::scoped_unit;
use super::extract::{Json, Query};
use super::render::csv_file;
use crate::app::AppState;
use crate::app::targets::{self, CSV_HEADER, TargetReportRow, csv_cells};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::INVALID_YEAR;
use crate::error::{ErrorBody, Result};
use axum::extract::State;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(targets_json))
        .routes(routes!(targets_csv))
}

#[derive(Deserialize, IntoParams)]
pub struct TargetsQuery {
    unit_id: i64,
    /// A calendar year in the display time; this year when left out.
    year: Option<i32>,
}

async fn rows(
    state: &AppState,
    caller: &Caller,
    q: &TargetsQuery,
) -> Result<(i32, Vec<TargetReportRow>)> {
    let unit = scoped_unit(state, caller, q.unit_id, &Role::ALL).await?;
    let year = q.year.unwrap_or_else(|| state.settings.local_now().year());
    Ok((year, targets::report(&state.store, &unit, year).await?))
}

/// The targets report: a row for the unit and one for each unit under it, in tree order.
#[utoipa::path(get, path = "/api/v1/reports/targets", tag = "reports", params(TargetsQuery),
    responses((status = 200, body = Vec<TargetReportRow>), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, description = INVALID_YEAR, body = ErrorBody)),
    security(("bearer" = [])))]
async fn targets_json(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TargetsQuery>,
) -> Result<Json<Vec<TargetReportRow>>> {
    Ok(Json(rows(&state, &caller, &q).await?.1))
}

/// The same rows as CSV (UTF-8 with a BOM, a header row).
#[utoipa::path(get, path = "/api/v1/reports/targets.csv", tag = "reports", params(TargetsQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, description = INVALID_YEAR, body = ErrorBody)),
    security(("bearer" = [])))]
async fn targets_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TargetsQuery>,
) -> Result<Response> {
    let (year, rows) = rows(&state, &caller, &q).await?;
    csv_file(
        &format!("targets-{}-{year}.csv", q.unit_id),
        &CSV_HEADER,
        rows.iter().map(csv_cells),
    )
}
