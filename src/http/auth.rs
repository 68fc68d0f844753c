//! Login and logout.

use super::extract::{Json, SESSION_COOKIE, session_token};
use crate::app::AppState;
use crate::crypto::{new_session_token, session_token_hash, verify_password};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{INVALID_CREDENTIALS, TOO_MANY_ATTEMPTS};
use crate::error::{Error, ErrorBody, Result};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use chrono::{DateTime, Duration, Utc};
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
    /// A staff login, or a volunteer's mobile number.
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

/// Logs in; the answer holds a bearer token and also sets the page cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = LoginAnswer),
              (status = 401, description = INVALID_CREDENTIALS, body = ErrorBody),
              (status = 429, description = TOO_MANY_ATTEMPTS, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    Json(body): Json<LoginBody>,
) -> Result<impl IntoResponse> {
    let now = Utc::now();
    let s = &state.settings;
    let login = body.login.trim();
    // PostgreSQL cannot hold NUL in text: no account has such a login.
    let creds = if login.contains('\0') {
        None
    } else {
        state.store.credentials(login).await?
    };
    let lockout = Duration::seconds(s.login_lockout_secs as i64);
    if let Some(c) = &creds {
        let max = s.login_max_failures as i32;
        if !state
            .store
            .count_login_attempt(c.user_id, now, max, lockout)
            .await?
        {
            let last = state
                .store
                .credentials(login)
                .await?
                .and_then(|c| c.last_failed_login_at);
            let until = last.unwrap_or(now) + lockout;
            return Err(Error::TooManyAttempts {
                retry_after_secs: (until - now).num_seconds().max(1) as u64,
            });
        }
    }
    let stored = creds.as_ref().and_then(|c| c.password_hash.clone());
    let password = body.password;
    // Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
        .await
        .map_err(anyhow::Error::from)?;
    let user_id = match creds {
        Some(c) if ok => c.user_id,
        _ => return Err(Error::InvalidCredentials),
    };
    let (token, hash) = new_session_token();
    let ttl = Duration::hours(s.session_ttl_hours as i64);
    let expires_at = now + ttl;
    state
        .store
        .start_session(user_id, &hash, expires_at)
        .await?;
    let caller = state
        .store
        .session_caller(&hash, now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("session vanished right after login"))?;
    let secure = if s.public_url().starts_with("https:") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        ttl.num_seconds()
    );
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(LoginAnswer {
            token,
            expires_at,
            user: UserView::from(&caller),
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
    state
        .store
        .end_session(&session_token_hash(token), Utc::now())
        .await?;
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(SET_COOKIE, clear)])))
}

/// Who the token belongs to, with their roles.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn me(caller: Caller) -> Json<UserView> {
    Json(UserView::from(&caller))
}
