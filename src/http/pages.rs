//! Server-rendered pages: the phone page a scanned QR code opens, the volunteer's own page, and
//! the organizer's door screen with the rotating code. Each is a template of `templates/` filled
//! in by its script of `assets/`; Simplified Chinese by default, English with `?lang=en` or an
//! English-first `Accept-Language`.

mod texts;

use super::assets::{self, Asset};
use super::extract::{Path, Query};
use super::render::{Head, page, script_json};
use crate::app::AppState;
use crate::domain::qr;
use crate::domain::roles::Caller;
use crate::error::Result;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};
use texts::{Lang, LangQuery};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s/{code}", get(scan_page))
        .route("/activities/{id}/display", get(door_screen))
        .route("/me", get(my_page))
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

/// The page in `lang`; its script finds the page's texts under `t` in `data`.
fn scripted(screen: Screen, lang: Lang, mut data: Value) -> Result<Response> {
    data["t"] = lang.texts().into();
    let head = Head {
        lang: lang.text("html_lang"),
        title: lang.text("title").to_owned(),
    };
    let data = script_json(&data);
    page(StatusCode::OK, &ScriptedPage { head, screen, data })
}

/// The page a scanned QR code opens; it logs the volunteer in when needed, then records the scan.
async fn scan_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let title = match qr::parse(&code) {
        Ok(c) => state
            .store
            .activity(c.activity_id)
            .await
            .ok()
            .flatten()
            .map(|a| a.title),
        Err(_) => None,
    };
    let data = json!({
        "code": code,
        "activity_title": title,
        "logged_in": caller.is_some(),
        "offset_minutes": state.settings.display_utc_offset_minutes,
    });
    let lang = Lang::of(&q, &headers);
    scripted(Screen::Scan, lang, data)
}

/// Full-screen rotating code for a tablet at the door, with a live count of who is in.
async fn door_screen(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let title = state
        .store
        .activity(id)
        .await
        .ok()
        .flatten()
        .map(|a| a.title)
        .unwrap_or_default();
    let data = json!({"id": id, "title": title});
    let lang = Lang::of(&q, &headers);
    scripted(Screen::Door, lang, data)
}

/// A volunteer's own page: hours this year and in all, stars, points, training hours, each record
/// with its source, and the outcome of their reports.
async fn my_page(Query(q): Query<LangQuery>, headers: HeaderMap) -> Result<Response> {
    let lang = Lang::of(&q, &headers);
    scripted(Screen::Me, lang, json!({}))
}
