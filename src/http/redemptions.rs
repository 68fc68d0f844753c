//! The partner's check of a redemption code 兑换码, for anyone who holds it: the page
//! `/redemptions/{code}` (JSON with `Accept: application/json`) says which reward it is for,
//! from which partner, for how many points and when, and whether the reward was handed over; its
//! button marks it handed over; the volunteer's page shows its address as a QR code
//! (`/redemptions/{code}/qr.svg`) for the partner to scan. Partners have no accounts: the code, drawn at random and shown
//! only to the volunteer, is what lets its holder in. Nothing of the volunteer is shown.

use super::extract::{Path, wants_json};
use super::pages::texts::{Lang, Text};
use super::render::{Head, page};
use crate::app::AppState;
use crate::app::poster::qr_svg;
use crate::domain::short_code::parse_redemption_code;
use crate::error::{Error, Result};
use crate::store::rewards::Redemption;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/redemptions/{code}", get(check))
        .route("/redemptions/{code}/qr.svg", get(qr_image))
        .route("/redemptions/{code}/handover", post(hand_over))
}

pub const TEXTS: &[Text] = &[
    (
        "redemption_title",
        "积分兑换核验",
        "Reward redemption check",
    ),
    (
        "redemption_valid",
        "✔ 兑换码有效",
        "✔ Valid redemption code",
    ),
    (
        "redemption_handed_over",
        "该兑换码的物品已领取",
        "The reward of this code has been handed over",
    ),
    (
        "redemption_unknown",
        "✘ 未找到该兑换码",
        "✘ No such redemption code",
    ),
    (
        "redemption_unknown_note",
        "请核对兑换码。编号有误或伪造的兑换码无法查到。",
        "Check the code: a mistyped or made-up code is not found.",
    ),
    ("redemption_code", "兑换码", "Code"),
    ("redemption_reward", "兑换物品", "Reward"),
    ("redemption_partner", "合作商家", "Partner"),
    ("redemption_points", "所用积分", "Points"),
    ("redemption_at", "兑换时间", "Redeemed"),
    ("redemption_handed_over_at", "领取时间", "Handed over"),
    (
        "redemption_hand_over",
        "确认已交付物品",
        "Confirm the reward is handed over",
    ),
    (
        "redemption_hand_over_note",
        "商家核对兑换码后交付物品，并点击上方按钮；每个兑换码只能领取一次。",
        "Hand the reward over after checking the code, then press the button: each code is good once.",
    ),
];

#[derive(Template)]
#[template(path = "redemption.html")]
struct CheckPage<'a> {
    head: Head,
    lang: Lang,
    redemption: Option<&'a Redemption>,
    offset: FixedOffset,
}

impl CheckPage<'_> {
    /// A time as the page shows it, in the service's time zone.
    fn local(&self, at: &DateTime<Utc>) -> String {
        at.with_timezone(&self.offset)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

/// The redemption the path names, if its text is a code and one has it.
async fn named(state: &AppState, code: &str) -> Result<Option<Redemption>> {
    match parse_redemption_code(code) {
        Some(code) => state.store.redemption_by_code(&code).await,
        None => Ok(None),
    }
}

/// The check: 200 for a known code, whether it waits to be collected (`redeemed`) or was
/// (`handed_over`); 404 `{"status": "unknown"}` otherwise.
async fn check(
    State(state): State<AppState>,
    Path(code): Path<String>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response> {
    let found = named(&state, &code).await?;
    let status = match found {
        Some(_) => StatusCode::OK,
        None => StatusCode::NOT_FOUND,
    };
    if wants_json(&headers) {
        let answer = match &found {
            Some(r) => json!({
                "status": if r.handed_over_at.is_some() { "handed_over" } else { "redeemed" },
                "code": r.code, "reward": r.reward_name, "partner": r.partner_name,
                "points": r.points, "redeemed_at": r.created_at, "handed_over_at": r.handed_over_at,
            }),
            None => json!({"status": "unknown", "error": "not_found",
                           "message": "no redemption has this code"}),
        };
        return Ok((status, axum::Json(answer)).into_response());
    }
    let head = Head {
        lang: lang.text("html_lang"),
        title: lang.text("redemption_title").to_owned(),
    };
    let shown = CheckPage {
        head,
        lang,
        redemption: found.as_ref(),
        offset: state.settings.display_offset(),
    };
    page(status, &shown)
}

/// The partner marks the reward handed over: back to the check page (303), or with
/// `Accept: application/json` the redemption handed over, 409 `already_handed_over` the second
/// time; 404 for an unknown code.
async fn hand_over(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let code = parse_redemption_code(&code).ok_or(Error::NotFound("redemption"))?;
    let outcome = state.store.hand_over(&code, Utc::now()).await;
    if wants_json(&headers) {
        let done = outcome?;
        let answer = json!({"status": "handed_over", "code": done.code,
                            "handed_over_at": done.handed_over_at});
        return Ok(axum::Json(answer).into_response());
    }
    match outcome {
        // Pressed twice: the page says it was handed over.
        Ok(_) | Err(Error::Conflict { .. }) => {
            let back = format!("/redemptions/{code}");
            Ok((StatusCode::SEE_OTHER, [(LOCATION, back)]).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The check page's address as a QR code, for the partner to scan from the volunteer's screen.
async fn qr_image(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response> {
    let r = named(&state, &code)
        .await?
        .ok_or(Error::NotFound("redemption"))?;
    let code = r.code.unwrap_or_default();
    let url = format!("{}/redemptions/{code}", state.settings.public_url());
    let headers = [
        (header::CONTENT_TYPE, "image/svg+xml"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    Ok((headers, qr_svg(&url, 240)).into_response())
}
