//! The volunteer's personal code 志愿者码: the code their phone shows (`/me` refreshes it), the
//! printable card 志愿者卡 for those without a phone and issuing a new one, and the organizer's
//! scan of either, which checks the volunteer in or out of the organizer's activity. (The
//! console's form for it is in `console/code_scans.rs`.)

use super::access::{run_activity, visible_volunteer};
use super::extract::{CsrfForm, FormSession, Json, Path, Query, SignedIn};
use super::pages::texts::{Lang, Text};
use super::render::{Head, page};
use crate::app::AppState;
use crate::app::check_in::Recorded;
use crate::app::personal_codes::{self, CARD_KEEPERS, CodeScan};
use crate::app::poster::qr_svg;
use crate::domain::hours::hours;
use crate::domain::personal_code::grouped;
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{
    ACTIVITY_CANCELLED, ACTIVITY_FULL, INVALID_CODE, NOT_A_VOLUNTEER, OUTSIDE_WINDOW,
};
use crate::error::{Error, ErrorBody, Result};
use crate::store::Volunteer;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{self, LOCATION};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_code))
        .routes(routes!(issue_card))
        .routes(routes!(scan_code))
        .route("/volunteers/{id}/card", get(card_page).post(reissue))
}

/// Texts of the volunteer's code on `/me`, the card and the console's scan panel.
pub const TEXTS: &[Text] = &[
    ("code_title", "志愿者码", "Volunteer code"),
    (
        "code_hint",
        "请活动负责人扫码签到、签退 · 每30秒更新，截图无效",
        "Show it to the organizer to check in or out · it changes every 30 s; a screenshot will not work",
    ),
    ("code_card_link", "打印志愿者卡", "Print a volunteer card"),
    ("card_title", "志愿者卡", "Volunteer card"),
    ("card_no", "志愿者编号", "Volunteer number"),
    ("card_code", "志愿者码", "Code"),
    ("card_serial", "卡号", "Card no."),
    (
        "card_hint",
        "供没有智能手机的志愿者使用：打印后沿虚线剪下，参加活动时出示，由活动负责人扫码签到、签退。请妥善保管，遗失请补办。",
        "For volunteers without a smartphone: print it, cut along the dashed line and show it at activities; the organizer scans it to check you in and out. Keep it safe; if it is lost, issue a new one.",
    ),
    ("card_reissue", "补办新卡", "Issue a new card"),
    (
        "card_reissue_confirm",
        "确认补办：旧卡将立即失效",
        "Yes: the old card stops working at once",
    ),
    (
        "card_reissued",
        "已补办新卡，旧卡已失效。请打印本页。",
        "A new card was issued and the old one no longer works. Print this page.",
    ),
];

/// The code a volunteer's phone shows now.
#[derive(Serialize, ToSchema)]
pub struct CodeAnswer {
    /// What the QR code holds, e.g. `P3KQ7D2WA9MXB`.
    code: String,
    /// The code in groups of four, to read out or type.
    display: String,
    /// The QR code as an SVG image.
    svg: String,
    /// When it stops being accepted; a new code is current 30 s earlier.
    expires_at: DateTime<Utc>,
}

/// The caller's own personal code 志愿者码 at this moment: it changes every 30 s and is accepted
/// for a minute at most, so a page showing it fetches it again as time goes by. Only for the
/// volunteer themselves (`me`).
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/code", tag = "personal codes",
    params(("id" = String, Path, description = "`me`")),
    responses((status = 200, body = CodeAnswer), (status = 401, body = ErrorBody),
              (status = 403, description = NOT_A_VOLUNTEER, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn my_code(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse> {
    if id != "me" {
        return Err(Error::NotFound("volunteer"));
    }
    if !caller.is_volunteer {
        return Err(Error::denied(
            NOT_A_VOLUNTEER,
            "only a registered volunteer has a code",
        ));
    }
    let shown = personal_codes::phone_code(&state, caller.user_id, Utc::now());
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(CodeAnswer {
            display: grouped(&shown.code),
            svg: qr_svg(&shown.code, 240),
            code: shown.code,
            expires_at: shown.expires_at,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct IssuedCard {
    /// The new card's serial 卡号; the earlier cards no longer check in.
    serial: i64,
    /// The printable card.
    card_url: String,
}

/// Issues the volunteer a new card 志愿者卡 (when the card is lost): the code of every earlier
/// card stops working at once. For the volunteer and the social workers and admins of their
/// community; audited.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/cards", tag = "personal codes",
    params(("id" = String, Path, description = "a volunteer id or `me`")),
    responses((status = 201, body = IssuedCard), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn issue_card(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<IssuedCard>)> {
    let v = visible_volunteer(&state, &caller, &id, &CARD_KEEPERS).await?;
    let serial = personal_codes::issue_card(&state, &caller, &v).await?;
    let card_url = format!("{}/volunteers/{}/card", state.settings.public_url(), v.id);
    Ok((StatusCode::CREATED, Json(IssuedCard { serial, card_url })))
}

#[derive(Deserialize, ToSchema)]
pub struct CodeScanBody {
    /// The volunteer's code, as scanned or typed (any case; spaces and dashes are ignored).
    code: String,
}

#[derive(Serialize, ToSchema)]
pub struct CodeScanAnswer {
    /// `checked_in` or `checked_out`.
    state: String,
    attendance_id: i64,
    volunteer_id: i64,
    /// 志愿者编号
    volunteer_no: String,
    name: String,
    checked_in_at: DateTime<Utc>,
    checked_out_at: Option<DateTime<Utc>>,
    credited_minutes: Option<i32>,
    /// Credited time in hours, two places (`"2.50"`), once checked out.
    #[schema(value_type = Option<String>)]
    hours: Option<Decimal>,
    /// Checked in without a confirmed sign-up where sign-up is required (recorded, not refused).
    without_signup: bool,
    /// False when the scan repeated one made a moment ago and nothing changed.
    changed: bool,
}

impl From<CodeScan> for CodeScanAnswer {
    fn from(scan: CodeScan) -> Self {
        let CodeScan {
            volunteer,
            recorded:
                Recorded {
                    attendance: a,
                    changed,
                    ..
                },
        } = scan;
        CodeScanAnswer {
            state: a.state.as_str().to_owned(),
            attendance_id: a.id,
            volunteer_id: volunteer.id,
            volunteer_no: volunteer.volunteer_no,
            name: volunteer.name,
            checked_in_at: a.checked_in_at,
            checked_out_at: a.checked_out_at,
            credited_minutes: a.credited_minutes,
            hours: a.credited_minutes.map(|m| hours(i64::from(m))),
            without_signup: a.without_signup,
            changed,
        }
    }
}

/// Checks a volunteer in (or out, when checked in) of this activity by their personal code,
/// scanned from their phone or card or typed: as their own scan of the activity's code would,
/// with the same windows, places and sign-up rules, and recorded as scanned by the caller, who
/// must run the activity.
#[utoipa::path(post, path = "/api/v1/activities/{id}/code_scans", tag = "personal codes",
    params(("id" = i64, Path)), request_body = CodeScanBody,
    responses((status = 200, body = CodeScanAnswer), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = [OUTSIDE_WINDOW, ACTIVITY_CANCELLED, ACTIVITY_FULL].join(", "), body = ErrorBody),
              (status = 422, description = INVALID_CODE, body = ErrorBody)),
    security(("bearer" = [])))]
async fn scan_code(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<CodeScanBody>,
) -> Result<Json<CodeScanAnswer>> {
    let activity = run_activity(&state, &caller, id, &Role::ORGANIZERS).await?;
    let scan = personal_codes::scan_code(&state, &caller, activity, &body.code, Utc::now()).await?;
    Ok(Json(scan.into()))
}

/// The printable card: name, volunteer number and the card's code.
#[derive(Template)]
#[template(path = "card.html")]
struct CardPage {
    head: Head,
    lang: Lang,
    v: Volunteer,
    community: String,
    /// The code in groups of four.
    code: String,
    serial: i64,
    /// An SVG image, made by `qr_svg`.
    qr: String,
    /// Set for those who may issue a new card: its form carries the session's token.
    session: Option<SignedIn>,
    /// Just issued.
    reissued: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CardQuery {
    reissued: bool,
}

/// `GET /volunteers/{id}/card`: the volunteer's current card to print, for the volunteer and the
/// social workers and admins of their community, with the form that issues a new one.
async fn card_page(
    State(state): State<AppState>,
    FormSession(session): FormSession,
    Path(id): Path<i64>,
    Query(q): Query<CardQuery>,
    lang: Lang,
) -> Result<Response> {
    let session = session.ok_or(Error::Unauthorized)?;
    let v = visible_volunteer(&state, &session.caller, &id.to_string(), &CARD_KEEPERS).await?;
    let (code, serial) = personal_codes::card_code(&state, v.id).await?;
    let community = state
        .store
        .unit(v.community_id)
        .await?
        .map_or_else(String::new, |u| u.name);
    let card = CardPage {
        head: Head {
            lang: lang.text("html_lang"),
            title: format!("{} {}", lang.text("card_title"), v.volunteer_no),
        },
        lang,
        qr: qr_svg(&code, 240),
        code: grouped(&code),
        serial,
        community,
        v,
        session: Some(session),
        reissued: q.reissued,
    };
    page(StatusCode::OK, &card)
}

/// A form with nothing but its `csrf_token`.
#[derive(Deserialize)]
struct NoFields {}

/// Issues a new card from the card's page, and shows it.
async fn reissue(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, .. }: CsrfForm<NoFields>,
) -> Result<Response> {
    let v = visible_volunteer(&state, &session.caller, &id.to_string(), &CARD_KEEPERS).await?;
    personal_codes::issue_card(&state, &session.caller, &v).await?;
    let to = format!("/volunteers/{}/card?reissued=true", v.id);
    Ok((StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response())
}
