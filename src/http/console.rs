//! The staff console 工作台 under `/console`: server-rendered pages and forms in the page cookie's
//! session, every form carrying the session's `csrf_token`. Logging in and out go through
//! `app::sessions`, as the API's do; each later page calls the same application layer and access
//! checks as its API.

use super::extract::{
    CLEARED_SESSION_COOKIE, ClientAddr, CsrfForm, FormSession, SignedIn, session_cookie,
    session_token,
};
use super::pages::texts::{Lang, Text};
use super::render::{Head, page};
use crate::app::{AppState, sessions};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::INVALID_CSRF_TOKEN;
use crate::error::{Error, Result};
use askama::Template;
use axum::Router;
use axum::extract::{Form, FromRequest, FromRequestParts, Request, State};
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;

mod activities;
mod activity;
mod audit;
mod backbone;
mod code_scans;
mod corrections;
mod import;
mod manual_entry;
mod my_volunteers;
mod new_activity;
mod new_volunteer;
pub mod paging;
mod password_reset;
mod rewards;
mod scope;
mod selection;
mod selection_forms;
mod selections;
mod staff;
mod targets;
mod trainings;
mod units;
mod volunteer;
mod volunteers;

/// Texts of the console's menu and lists; each section's own are beside its pages.
const TEXTS: &[Text] = &[
    ("menu_activities", "我的活动", "My activities"),
    ("menu_corrections", "纠错处理", "Corrections"),
    ("menu_volunteers", "志愿者", "Volunteers"),
    ("menu_my_volunteers", "我的志愿者", "My volunteers"),
    ("menu_trainings", "培训", "Trainings"),
    ("menu_backbone", "骨干志愿者", "Backbone"),
    ("menu_units", "单位与组织", "Units"),
    ("menu_staff", "工作人员", "Staff"),
    ("menu_rewards", "积分商城", "Rewards"),
    ("menu_audit", "操作日志", "Audit log"),
    ("menu_targets", "指标", "Targets"),
    ("menu_selections", "优秀评选", "Selection"),
    ("page_previous", "上一页", "Previous"),
    ("page_next", "下一页", "Next"),
    ("page_number", "第", "Page"),
    ("search", "搜索", "Search"),
    ("download_csv", "下载表格（CSV）", "Download (CSV)"),
    ("ended_recently", "近一个月已结束", "Ended this past month"),
];

/// The texts of the console's pages, section by section.
pub const TEXT_SECTIONS: &[&[Text]] = &[
    TEXTS,
    activity::TEXTS,
    code_scans::TEXTS,
    new_activity::TEXTS,
    corrections::TEXTS,
    manual_entry::TEXTS,
    units::TEXTS,
    staff::TEXTS,
    volunteers::TEXTS,
    volunteer::TEXTS,
    new_volunteer::TEXTS,
    password_reset::TEXTS,
    import::TEXTS,
    audit::TEXTS,
    rewards::TEXTS,
    trainings::TEXTS,
    backbone::TEXTS,
    targets::TEXTS,
    my_volunteers::TEXTS,
    selections::TEXTS,
    selection::TEXTS,
    selection_forms::TEXTS,
];

/// The console's menu for `caller`: (text key, path) of each section one of their roles opens.
pub fn menu(caller: &Caller) -> Vec<(&'static str, &'static str)> {
    let holds = |roles: &[Role]| caller.grants.iter().any(|g| roles.contains(&g.role));
    [
        (
            "menu_activities",
            "/console/activities",
            &Role::ORGANIZERS[..],
        ),
        (
            "menu_corrections",
            "/console/corrections",
            &Role::ORGANIZERS[..],
        ),
        (
            "menu_volunteers",
            "/console/volunteers",
            &Role::RECORDERS[..],
        ),
        (
            "menu_my_volunteers",
            "/console/my-volunteers",
            &[Role::SocialWorker][..],
        ),
        ("menu_trainings", "/console/trainings", &Role::RECORDERS[..]),
        ("menu_backbone", "/console/backbone", &Role::RECORDERS[..]),
        ("menu_units", "/console/units", &Role::ADMINS[..]),
        ("menu_staff", "/console/staff", &Role::ADMINS[..]),
        ("menu_rewards", "/console/rewards", &Role::ADMINS[..]),
        ("menu_audit", "/console/audit", &Role::ADMINS[..]),
        ("menu_targets", "/console/targets", &Role::ALL[..]),
        (
            "menu_selections",
            "/console/selections",
            &Role::COMMITTEE[..],
        ),
    ]
    .into_iter()
    .filter(|(_, _, roles)| holds(roles))
    .map(|(key, path, _)| (key, path))
    .collect()
}

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
        .route(
            "/console/activities/{id}/attendances.csv",
            get(activity::attendances_csv),
        )
        .route("/console/activities/{id}/reviews", post(activity::review))
        .route(
            "/console/activities/{id}/recruitment",
            post(activity::recruitment),
        )
        .route(
            "/console/activities/{id}/code-scans",
            post(code_scans::scan),
        )
        .route(
            "/console/activities/{id}/manual-entries",
            get(manual_entry::form).post(manual_entry::record),
        )
        .route("/console/corrections", get(corrections::inbox))
        .route("/console/corrections/{id}", post(corrections::answer))
        .route("/console/units", get(units::unit_tree))
        .route("/console/units/{id}", get(units::unit_page))
        .route(
            "/console/units/{id}/populations",
            post(units::set_population),
        )
        .route("/console/units/{id}/children", post(units::add_child))
        .route(
            "/console/units/{id}/organisations",
            post(units::add_organisation),
        )
        .route(
            "/console/staff",
            get(staff::staff_list).post(staff::create_account),
        )
        .route("/console/staff/{user_id}/grants", post(staff::grant))
        .route(
            "/console/staff/{user_id}/qualification",
            post(staff::set_qualification),
        )
        .merge(volunteers::routes())
        .route(
            "/console/volunteers/{id}/social-worker",
            post(volunteer::assign_social_worker),
        )
        .route(
            "/console/volunteers/{id}/password",
            get(password_reset::form).post(password_reset::reset),
        )
        .route("/console/my-volunteers", get(my_volunteers::my_volunteers))
        .route("/console/audit", get(audit::audit_log))
        .route("/console/targets", get(targets::dashboard))
        .route(
            "/console/rewards",
            get(rewards::rewards_page).post(rewards::create_reward),
        )
        .route("/console/rewards/partners", post(rewards::create_partner))
        .route("/console/rewards/{id}/stock", post(rewards::set_stock))
        .route("/console/rewards/{id}/active", post(rewards::set_active))
        .route(
            "/console/trainings",
            get(trainings::trainings_page).post(trainings::record),
        )
        .route("/console/trainings/{id}", get(trainings::training_page))
        .route(
            "/console/backbone",
            get(backbone::backbone_page).post(backbone::decide),
        )
        .route(
            "/console/trainings/{id}/attendees",
            post(trainings::add_attendees),
        )
        .route(
            "/console/selections",
            get(selections::rounds_page).post(selections::open),
        )
        .route("/console/selections/{id}", get(selection::round_page))
        .route(
            "/console/selections/{id}/decisions",
            post(selection_forms::decide),
        )
        .route(
            "/console/selections/{id}/publish",
            post(selection_forms::publish),
        )
        .route(
            "/console/selections/{id}/objections/{objection_id}/resolution",
            post(selection_forms::resolve),
        )
        .route(
            "/console/selections/{id}/finalize",
            post(selection_forms::finalize),
        )
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
        let Ok(lang) = Lang::from_request_parts(parts, state).await;
        match FormSession::from_request_parts(parts, state).await {
            Ok(FormSession(Some(session))) => Ok(StaffVisit { lang, session }),
            Ok(FormSession(None)) => Err(signed_out(lang)),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// A console form posted in a current session with the session's `csrf_token` ([`CsrfForm`]), in
/// the language asked for; without a session the visitor is answered the login form (401).
pub struct StaffForm<T> {
    pub lang: Lang,
    pub session: SignedIn,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for StaffForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Ok(lang) = Lang::from_request_parts(&mut parts, state).await;
        match CsrfForm::from_request(Request::from_parts(parts, body), state).await {
            Ok(CsrfForm { session, form }) => Ok(StaffForm {
                lang,
                session,
                form,
            }),
            Err(Error::Unauthorized) => Err(signed_out(lang)),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The login form, for a visitor whose session has ended.
fn signed_out(lang: Lang) -> Response {
    login_page(StatusCode::UNAUTHORIZED, lang, None).into_response()
}

/// 303 to `location`: where a form that did its work sends the browser.
pub fn see_other(location: impl Into<String>) -> Response {
    let location =
        HeaderValue::try_from(location.into()).unwrap_or(HeaderValue::from_static("/console"));
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// 303 to the activity's console page.
pub fn to_activity(id: i64) -> Response {
    see_other(format!("/console/activities/{id}"))
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
    lang: Lang,
) -> Result<Response> {
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
    lang: Lang,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
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
            let why = match &e {
                Error::InvalidCredentials => "door_login_failed",
                Error::TooManyAttempts { .. } => "locked",
                Error::Unavailable { .. } => "busy",
                _ => return Err(e),
            };
            let mut answer = login_page(e.status(), lang, Some(why))?;
            if let Some(secs) = e.retry_after() {
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
pub struct NoFields {}

/// Ends the session (a form with the session's token) and returns to the login form.
async fn log_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: StaffForm<NoFields>,
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
