//! Forgotten passwords: a volunteer's password reset by an admin of their community with the
//! volunteer present ([`crate::app::password_reset`]).

use super::extract::{Json, Path};
use crate::app::AppState;
use crate::app::password_reset::{InPerson, NewPassword, reset_password};
use crate::domain::roles::Caller;
use crate::error::codes::{FORBIDDEN, WEAK_PASSWORD};
use crate::error::{Error, ErrorBody, Result};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(reset))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordResetBody {
    /// The new password, typed in by the volunteer; left out, the service makes one up.
    password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordResetAnswer {
    /// The password the service made up, in this answer only: hand it to the volunteer. Absent
    /// when the request gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    temporary_password: Option<String>,
    /// How many of the volunteer's sessions were still open and are now ended.
    sessions_ended: u64,
}

/// Resets a volunteer's forgotten password, for an admin of their community (or above) who has
/// checked the volunteer's ID card in person. Every session of the volunteer's ends; the reset is
/// written to the audit log.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/password_reset", tag = "volunteers",
    params(("id" = i64, Path)), request_body = PasswordResetBody,
    responses((status = 200, body = PasswordResetAnswer),
              (status = 403, description = FORBIDDEN, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 422, description = WEAK_PASSWORD, body = ErrorBody)),
    security(("bearer" = [])))]
async fn reset(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<PasswordResetBody>,
) -> Result<impl IntoResponse> {
    let volunteer = state
        .store
        .volunteer(id)
        .await?
        .ok_or(Error::NotFound("volunteer"))?;
    let new = body
        .password
        .map_or(NewPassword::Generated, NewPassword::Chosen);
    let done = reset_password(&state, &volunteer, new, &InPerson { admin: &caller }).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(PasswordResetAnswer {
            temporary_password: done.generated,
            sessions_ended: done.sessions_ended,
        }),
    ))
}
