//! A person's own account: changing the password, a volunteer editing their phone, skills and
//! service categories, and withdrawing 注销. Only the person themselves does any of these: staff
//! naming another volunteer are refused (403).

use super::extract::{CLEARED_SESSION_COOKIE, ClientAddr, Json, Path, session_token};
use crate::app::account::{self, TypedChange};
use crate::app::{AppState, withdrawal};
use crate::domain::roles::Caller;
use crate::error::codes::{
    CONFIRMATION_REQUIRED, DUPLICATE_PHONE, FORBIDDEN, INVALID_PHONE, INVALID_TAGS,
    NOT_A_VOLUNTEER, TOO_MANY_ATTEMPTS, WEAK_PASSWORD, WRONG_PASSWORD,
};
use crate::error::{Error, ErrorBody, Result};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_password))
        .routes(routes!(change_profile))
        .routes(routes!(withdraw))
}

/// 403 unless `id` (`me` or a volunteer id) names the caller.
fn only_oneself(caller: &Caller, id: &str) -> Result<()> {
    if id == "me" || id.parse() == Ok(caller.user_id) {
        Ok(())
    } else {
        Err(Error::denied(
            FORBIDDEN,
            "only the volunteer themselves may do this",
        ))
    }
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    /// The password now.
    current: String,
    /// The new password: 8 to 256 characters.
    new: String,
}

/// Changes the caller's password, staff or volunteer: the current one first, as a login is
/// checked (and slowed down alike after failures). Every other session of the account ends; the
/// one that asked stays open.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordBody,
    responses((status = 204), (status = 401, body = ErrorBody),
              (status = 403, description = WRONG_PASSWORD, body = ErrorBody),
              (status = 422, description = WEAK_PASSWORD, body = ErrorBody),
              (status = 429, description = TOO_MANY_ATTEMPTS, body = ErrorBody)),
    security(("bearer" = [])))]
async fn change_password(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<PasswordBody>,
) -> Result<StatusCode> {
    let token = session_token(&headers).ok_or(Error::Unauthorized)?;
    account::change_password(&state, &caller, token, body.current, body.new, client).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileBody {
    /// A new mobile number, which is also the login.
    phone: Option<String>,
    /// Replaces the skills.
    skills: Option<Vec<String>>,
    /// Replaces the service categories.
    service_categories: Option<Vec<String>>,
}

/// What the volunteer may change of their profile, as it is now.
#[derive(Serialize, ToSchema)]
pub struct OwnProfile {
    phone: String,
    skills: Vec<String>,
    service_categories: Vec<String>,
}

/// The volunteer changes their own phone (also their login), skills or service categories; a
/// field left out stays as it is. Audited by the fields changed.
#[utoipa::path(patch, path = "/api/v1/volunteers/{id}", tag = "volunteers",
    params(("id" = String, Path, description = "`me`")), request_body = ProfileBody,
    responses((status = 200, body = OwnProfile), (status = 401, body = ErrorBody),
              (status = 403, description = [FORBIDDEN, NOT_A_VOLUNTEER].join(", "), body = ErrorBody),
              (status = 409, description = DUPLICATE_PHONE, body = ErrorBody),
              (status = 422, description = [INVALID_PHONE, INVALID_TAGS].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn change_profile(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ProfileBody>,
) -> Result<Json<OwnProfile>> {
    only_oneself(&caller, &id)?;
    let typed = TypedChange {
        phone: body.phone,
        skills: body.skills,
        service_categories: body.service_categories,
    };
    let v = account::change_profile(&state, &caller, &typed).await?;
    Ok(Json(OwnProfile {
        phone: v.phone,
        skills: v.skills,
        service_categories: v.service_categories,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawalBody {
    password: String,
    /// Must be `true`: withdrawal cannot be undone.
    #[serde(default)]
    confirm: bool,
}

/// Withdraws the volunteer 注销, for good. Their personal data is erased (name, ID number, phone,
/// password, skills, categories; sessions end; certificates issued to them no longer verify);
/// their volunteer number stays as the anonymous key of their ledger entries, whose totals and
/// the unit's statistics are kept, except that the volunteer stops counting as registered from
/// this year on. A wrong password is 403 `wrong_password` (the session is theirs), slowed down as
/// failed logins are.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/withdrawal", tag = "volunteers",
    params(("id" = String, Path, description = "`me`")), request_body = WithdrawalBody,
    responses((status = 200, description = "`{withdrawn: true, volunteer_no}`"), (status = 401, body = ErrorBody),
              (status = 403, description = [WRONG_PASSWORD, FORBIDDEN, NOT_A_VOLUNTEER].join(", "), body = ErrorBody),
              (status = 422, description = CONFIRMATION_REQUIRED, body = ErrorBody),
              (status = 429, description = TOO_MANY_ATTEMPTS, body = ErrorBody)),
    security(("bearer" = [])))]
async fn withdraw(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<WithdrawalBody>,
) -> Result<impl IntoResponse> {
    only_oneself(&caller, &id)?;
    let number = withdrawal::withdraw(&state, &caller, body.password, body.confirm, client).await?;
    Ok((
        AppendHeaders([(SET_COOKIE, CLEARED_SESSION_COOKIE)]),
        Json(json!({"withdrawn": true, "volunteer_no": number})),
    ))
}
