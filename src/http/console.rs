//! The staff console 工作台 under `/console`: server-rendered pages and forms in the page cookie's
//! session, every form carrying the session's `csrf_token`. Logging in and out go through
//! `app::sessions`, as the API's do; each later page calls the same application layer and access
//! checks as its API.

use super::extract::{
    CLEARED_SESSION_COOKIE, ClientAddr, CsrfForm, FormSession, Query, SignedIn, session_cookie,
    session_token,
};
use super::pages::texts::{Lang, LangQuery};
use super::render::{Head, page};
use crate::app::{AppState, sessions};
use crate::domain::roles::Role;
use crate::error::codes::INVALID_CSRF_TOKEN;
use crate::error::{Error, Result};
use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::extract::{Form, State};
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

mod activities;
mod activity;
mod new_activity;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(home))
        .route(
            "/console/activities",
            get(activities::my_activities).post(new_activity::create),
        )
        .route("/console/activities/new", get(new_activity::form))
        .route(
            "/console/activities/{id}/edit",
            get(new_activity::edit_form).post(new_activity::edit),
        )
        .route(
            "/console/activities/{id}/cancel",
            post(new_activity::cancel),
        )
        .route("/console/activities/{id}", get(activity::activity_page))
        .route("/console/activities/{id}/reviews", post(activity::review))
        .route("/console/login", post(log_in))
        .route("/console/logout", post(log_out))
}

/// The console's login form, with why the last try failed.
#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    error: Option<&'static str>,
}

/// The console's first page: who is logged in, and their roles on which units.
#[derive(Template)]
#[template(path = "console/home.html")]
struct HomePage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    /// (role name, unit name)
    grants: Vec<(&'static str, String)>,
    /// Whether the caller organizes activities somewhere.
    organizes: bool,
}

fn head(lang: Lang) -> Head {
    Head {
        lang: lang.text("html_lang"),
        title: lang.text("console_title").to_owned(),
    }
}

/// A console page visited in a current session, in the language asked for; without one the
/// visitor is answered the login form (401).
pub struct StaffVisit {
    pub lang: Lang,
    pub session: SignedIn,
}

impl FromRequestParts<AppState> for StaffVisit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let asked = axum::extract::Query::<LangQuery>::try_from_uri(&parts.uri)
            .map(|q| q.0)
            .unwrap_or_default();
        let lang = Lang::of(&asked, &parts.headers);
        match FormSession::from_request_parts(parts, state).await {
            Ok(FormSession(Some(session))) => Ok(StaffVisit { lang, session }),
            Ok(FormSession(None)) => {
                Err(login_page(StatusCode::UNAUTHORIZED, lang, None).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

fn login_page(status: StatusCode, lang: Lang, error: Option<&'static str>) -> Result<Response> {
    let form = LoginPage {
        head: head(lang),
        lang,
        session: None,
        error,
    };
    page(status, &form)
}

/// `/console`: the login form when logged out; a volunteer without a staff role is told the
/// console is for staff.
async fn home(
    State(state): State<AppState>,
    FormSession(session): FormSession,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let lang = Lang::of(&q, &headers);
    let Some(session) = session else {
        return login_page(StatusCode::OK, lang, None);
    };
    if !session.caller.is_staff() {
        return login_page(StatusCode::FORBIDDEN, lang, Some("console_staff_only"));
    }
    let mut grants = Vec::new();
    for g in &session.caller.grants {
        let unit = state.store.unit(g.unit_id).await?;
        let role = lang.text(&format!("role_{}", g.role.as_str()));
        grants.push((role, unit.map_or_else(String::new, |u| u.name)));
    }
    let home = HomePage {
        head: head(lang),
        lang,
        organizes: session
            .caller
            .grants
            .iter()
            .any(|g| Role::ORGANIZERS.contains(&g.role)),
        session: Some(session),
        grants,
    };
    page(StatusCode::OK, &home)
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
}

/// Logs in from the console's form: on success the session cookie and a redirect to the console;
/// otherwise the form again, saying why. A form posted from another site is refused: it would log
/// the browser into someone else's account.
async fn log_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let lang = Lang::of(&q, &headers);
    if headers
        .get("sec-fetch-site")
        .is_some_and(|site| site == "cross-site")
    {
        return Err(Error::denied(
            INVALID_CSRF_TOKEN,
            "a login form posted from another site is refused",
        ));
    }
    match sessions::log_in(&state, &form.login, form.password, client).await {
        Ok(session) => Ok((
            StatusCode::SEE_OTHER,
            [
                (LOCATION, "/console".to_owned()),
                (SET_COOKIE, session_cookie(&state, &session.token)),
            ],
        )
            .into_response()),
        Err(e) => {
            let (why, retry_after) = match &e {
                Error::InvalidCredentials => ("door_login_failed", None),
                Error::TooManyAttempts { retry_after_secs } => ("locked", Some(*retry_after_secs)),
                Error::Unavailable { retry_after_secs } => ("busy", Some(*retry_after_secs)),
                _ => return Err(e),
            };
            let mut answer = login_page(e.status(), lang, Some(why))?;
            if let Some(secs) = retry_after {
                answer
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            Ok(answer)
        }
    }
}

/// A form with nothing but its `csrf_token`.
#[derive(Deserialize)]
struct NoFields {}

/// Ends the session (a form with the session's token) and returns to the login form.
async fn log_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: CsrfForm<NoFields>,
) -> Result<Response> {
    if let Some(token) = session_token(&headers) {
        sessions::log_out(&state, token).await?;
    }
    Ok((
        StatusCode::SEE_OTHER,
        [(LOCATION, "/console"), (SET_COOKIE, CLEARED_SESSION_COOKIE)],
    )
        .into_response())
}
