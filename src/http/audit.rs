//! Reading the audit log of one's scope.

use super::access::scoped_unit;
use super::extract::{Json, Query};
use crate::app::AppState;
use crate::domain::roles::{Caller, Role};
use crate::error::{ErrorBody, Result};
use crate::store::AuditEntry;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    unit_id: i64,
    /// Paging: entries older than this id.
    before: Option<i64>,
    /// Page size, at most 500 (default 100).
    limit: Option<i64>,
}

/// Audit entries about the units under `unit_id`, newest first; unit and district admins only.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>> {
    let unit = scoped_unit(&state, &caller, q.unit_id, &Role::ADMINS).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    Ok(Json(
        state
            .store
            .audit_within(&unit.path, q.before.unwrap_or(i64::MAX), limit)
            .await?,
    ))
}
