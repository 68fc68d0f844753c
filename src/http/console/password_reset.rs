//! A forgotten password reset at the community 重置密码: with the volunteer and their ID card in
//! front of them, an admin of the volunteer's community (or above) lets the volunteer type a new
//! password, or has the service make one up and shows it this once. The same use case and check
//! as `POST /api/v1/volunteers/{id}/password_reset`: every session of the volunteer's ends, and
//! the reset is audited.

use super::volunteers::refusal_of;
use super::{StaffForm, StaffVisit, head};
use crate::app::AppState;
use crate::app::password_reset::{
    InPerson, NewPassword, PasswordResetChannel, Reset, reset_password,
};
use crate::error::{Error, Result};
use crate::http::extract::{Path, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::Volunteer;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// Texts of the reset form and its outcome.
pub const TEXTS: &[Text] = &[
    ("password_reset", "重置密码", "Reset the password"),
    (
        "password_reset_in_person",
        "请志愿者本人携带身份证到场，核对证件上的姓名和号码与上方一致后再重置。重置后，该志愿者在所有设备上的登录都会退出；重置记入操作日志。",
        "The volunteer must be here with their ID card: check that its name and number match the above before resetting. Resetting logs the volunteer out on every device and is written to the audit log.",
    ),
    (
        "password_reset_typed",
        "由志愿者本人输入新密码（至少 8 个字符）",
        "New password, typed in by the volunteer (at least 8 characters)",
    ),
    ("password_reset_set", "设置新密码", "Set this password"),
    ("password_reset_or", "或者", "or"),
    (
        "password_reset_generate",
        "生成临时密码",
        "Make up a temporary password",
    ),
    (
        "password_reset_done",
        "密码已重置，该志愿者的其他登录已全部退出。",
        "The password is reset; the volunteer is logged out everywhere else.",
    ),
    (
        "password_reset_generated",
        "临时密码（只显示这一次，请交给志愿者本人）：",
        "Temporary password (shown this once; give it to the volunteer in person):",
    ),
];

#[derive(Template)]
#[template(path = "console/volunteer_password.html")]
struct ResetPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    v: Volunteer,
    /// Whether the password was just reset.
    done: bool,
    /// The password made up, shown this once.
    generated: Option<String>,
    refused: Option<String>,
}

/// The form as posted: the password typed, or `generate` for one made up.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    password: String,
    /// The second form's button: present when it was pressed.
    generate: Option<String>,
}

/// The volunteer `id`, for an admin who may reset their password; 404 or 403 otherwise.
async fn for_reset(state: &AppState, session: &SignedIn, id: i64) -> Result<Volunteer> {
    let v = state
        .store
        .volunteer(id)
        .await?
        .ok_or(Error::NotFound("volunteer"))?;
    InPerson {
        admin: &session.caller,
    }
    .vouch_for(&v)?;
    Ok(v)
}

fn render(
    (lang, session): (Lang, SignedIn),
    status: StatusCode,
    v: Volunteer,
    done: Option<Reset>,
    refused: Option<String>,
) -> Result<Response> {
    let view = ResetPage {
        head: head(lang),
        lang,
        session: Some(session),
        v,
        done: done.is_some(),
        generated: done.and_then(|d| d.generated),
        refused,
    };
    page(status, &view)
}

/// `/console/volunteers/{id}/password`: the two ways to reset, for an admin of the volunteer's
/// community.
pub async fn form(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Path(id): Path<i64>,
) -> Result<Response> {
    let v = for_reset(&state, &session, id).await?;
    render((lang, session), StatusCode::OK, v, None, None)
}

/// Resets the password and says so, showing a password made up this once; a refused form shows
/// again, saying why.
pub async fn reset(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<ResetForm>,
) -> Result<Response> {
    let v = for_reset(&state, &session, id).await?;
    let new = match form.generate {
        Some(_) => NewPassword::Generated,
        None => NewPassword::Chosen(form.password),
    };
    let channel = InPerson {
        admin: &session.caller,
    };
    match reset_password(&state, &v, new, &channel).await {
        Ok(done) => render((lang, session), StatusCode::OK, v, Some(done), None),
        Err(e) if e.is_refusal() => {
            let refused = Some(refusal_of(lang, &e));
            render((lang, session), e.status(), v, None, refused)
        }
        Err(e) => Err(e),
    }
}
