//! Login and logout.

use super::extract::{CLEARED_SESSION_COOKIE, ClientAddr, Json, session_cookie, session_token};
use crate::app::{AppState, sessions};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{INVALID_CREDENTIALS, TOO_MANY_ATTEMPTS, UNAVAILABLE};
use crate::error::{Error, ErrorBody, Result};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    /// A staff login, or a volunteer's mobile number. When it is both, the password decides
    /// which account opens.
    login: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct RoleGrant {
    role: Role,
    unit_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    id: i64,
    name: String,
    roles: Vec<RoleGrant>,
    /// Whether this account is a registered volunteer (its volunteer id is the same `id`).
    is_volunteer: bool,
}

impl From<&Caller> for UserView {
    fn from(c: &Caller) -> Self {
        UserView {
            id: c.user_id,
            name: c.name.clone(),
            roles: c
                .grants
                .iter()
                .map(|g| RoleGrant {
                    role: g.role,
                    unit_id: g.unit_id,
                })
                .collect(),
            is_volunteer: c.is_volunteer,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginAnswer {
    token: String,
    expires_at: DateTime<Utc>,
    user: UserView,
}

/// Logs in; the answer holds a bearer token and also sets the page cookie. Failed logins from
/// one address slow down that address's next tries (429 with `Retry-After`), the same whether the
/// login exists or not; when the password workers are saturated the answer is 503.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = LoginAnswer),
              (status = 401, description = INVALID_CREDENTIALS, body = ErrorBody),
              (status = 429, description = TOO_MANY_ATTEMPTS, body = ErrorBody),
              (status = 503, description = UNAVAILABLE, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(body): Json<LoginBody>,
) -> Result<impl IntoResponse> {
    let session = sessions::log_in(&state, &body.login, body.password, client).await?;
    Ok((
        AppendHeaders([(SET_COOKIE, session_cookie(&state, &session.token))]),
        Json(LoginAnswer {
            user: UserView::from(&session.caller),
            token: session.token,
            expires_at: session.expires_at,
        }),
    ))
}

/// Ends the session of the token presented.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn logout(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
) -> Result<impl IntoResponse> {
    let token = session_token(&headers).ok_or(Error::Unauthorized)?;
    sessions::log_out(&state, token).await?;
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, CLEARED_SESSION_COOKIE)]),
    ))
}

/// Who the token belongs to, with their roles.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn me(caller: Caller) -> Json<UserView> {
    Json(UserView::from(&caller))
}
