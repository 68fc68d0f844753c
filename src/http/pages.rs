//! Server-rendered pages: the phone page a scanned QR code opens, the volunteer's own page, the
//! registration page, and the organizer's door screen with the rotating code. Each is a template
//! of `templates/` filled in by its script of `assets/`; Simplified Chinese by default, English
//! with `?lang=en` or an English-first `Accept-Language`.
//!
//! A page names only what its visitor may see, and takes a session that has ended as none: it then
//! shows its login form.

mod me;
mod register;
pub(crate) mod texts;

use super::access::run_activity;
use super::assets::{self, Asset};
use super::extract::{Path, Query, Visitor};
use super::render::{Head, page, script_json};
use crate::app::{AppState, check_in};
use crate::domain::roles::Role;
use crate::error::{Error, Result};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde_json::{Value, json};
use texts::{Lang, LangQuery};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s/{code}", get(scan_page))
        .route("/activities/{id}/display", get(door_screen))
        .route("/me", get(my_page))
        .route("/register", get(register::register_page))
        .route("/", get(landing))
}

/// Which page: its markup (`templates/<name>.html`) and its script.
#[derive(Clone, Copy)]
enum Screen {
    Scan,
    Door,
    Me,
}

impl Screen {
    fn script(self) -> &'static Asset {
        match self {
            Screen::Scan => &assets::SCAN_JS,
            Screen::Door => &assets::DOOR_JS,
            Screen::Me => &assets::ME_JS,
        }
    }
}

/// A page its script fills in, from the texts and the other `data` it carries.
#[derive(Template)]
#[template(path = "scripted.html")]
struct ScriptedPage {
    head: Head,
    screen: Screen,
    /// Made safe by `script_json`.
    data: String,
}

/// The page in `lang`, answered with `status`; its script finds the page's texts under `t` in
/// `data`.
fn scripted(status: StatusCode, screen: Screen, lang: Lang, mut data: Value) -> Result<Response> {
    data["t"] = lang.texts().into();
    let head = Head {
        lang: lang.text("html_lang"),
        title: lang.text("title").to_owned(),
    };
    let data = script_json(&data);
    page(status, &ScriptedPage { head, screen, data })
}

/// The page a scanned QR code opens; it logs the volunteer in when needed, then records the scan.
/// It names the activity only once the code has proved genuine; anything else gets the page
/// saying why the code is refused (403), and nothing more.
async fn scan_page(
    State(state): State<AppState>,
    Visitor(caller): Visitor,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let lang = Lang::of(&q, &headers);
    let activity = match check_in::scanned_activity(&state, &code, Utc::now()).await {
        Ok(activity) => activity,
        Err(refused @ Error::Forbidden { .. }) => {
            let data =
                json!({"refused": {"error": refused.code(), "message": refused.to_string()}});
            return scripted(StatusCode::FORBIDDEN, Screen::Scan, lang, data);
        }
        Err(e) => return Err(e),
    };
    let data = json!({
        "code": code,
        "activity_title": activity.title,
        "logged_in": caller.is_some(),
        "offset_minutes": state.settings.display_utc_offset_minutes,
    });
    scripted(StatusCode::OK, Screen::Scan, lang, data)
}

/// Full-screen rotating code for a tablet at the door, with a live count of who is in. Only staff
/// who run the activity see it: anyone else gets the login form (401) or, logged in, a refusal
/// (403) that does not say whether the activity exists.
async fn door_screen(
    State(state): State<AppState>,
    Visitor(caller): Visitor,
    Path(id): Path<i64>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let lang = Lang::of(&q, &headers);
    let Some(caller) = caller else {
        return scripted(StatusCode::UNAUTHORIZED, Screen::Door, lang, json!({}));
    };
    match run_activity(&state, &caller, id, &Role::ORGANIZERS).await {
        Ok(a) => {
            let data = json!({"id": a.id, "title": a.title});
            scripted(StatusCode::OK, Screen::Door, lang, data)
        }
        Err(Error::NotFound(_) | Error::Forbidden { .. }) => {
            let data = json!({"denied": true});
            scripted(StatusCode::FORBIDDEN, Screen::Door, lang, data)
        }
        Err(e) => Err(e),
    }
}

/// A volunteer's own page: hours this year and in all, stars, points, training hours, each record
/// with its source, and the outcome of their reports; and what they do from it: certificates,
/// rewards, reports 纠错, their account and withdrawal 注销. It names today's date in the service's
/// time zone, where the periods of certificates are counted.
async fn my_page(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let lang = Lang::of(&q, &headers);
    let today = state.settings.local_now().date_naive();
    let data = json!({"today": today, "offset_minutes": state.settings.display_utc_offset_minutes});
    scripted(StatusCode::OK, Screen::Me, lang, data)
}

/// `GET /`: staff go to the console and volunteers to their own page; anyone else is shown both
/// ways in.
#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage {
    head: Head,
    lang: Lang,
}

async fn landing(
    Visitor(caller): Visitor,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let to = |path: &'static str| Ok((StatusCode::SEE_OTHER, [(LOCATION, path)]).into_response());
    match caller {
        Some(c) if c.is_staff() => to("/console"),
        Some(_) => to("/me"),
        None => {
            let lang = Lang::of(&q, &headers);
            let head = Head {
                lang: lang.text("html_lang"),
                title: lang.text("landing_title").to_owned(),
            };
            page(StatusCode::OK, &LandingPage { head, lang })
        }
    }
}
