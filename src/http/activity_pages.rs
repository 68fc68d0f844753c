//! The public activity pages 志愿活动招募: the list of activities taking sign-ups (by category
//! and dates; a volunteer's own community first) and one activity's page, where a logged-in
//! volunteer signs up or cancels with forms in their session — through the same use cases as the
//! API. Logged out, the page points to the volunteer login at `/me`.

use super::extract::{CsrfForm, FormSession, Path, Query, SignedIn};
use super::pages::texts::{Lang, Text};
use super::render::{Head, page};
use crate::app::AppState;
use crate::app::signups::{self, Listing};
use crate::domain::signup::SignupState;
use crate::error::{Error, Result};
use crate::store::signups::{ListedActivity, Placed, PublicActivity};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list))
        .route("/activities/{id}", get(activity_page))
        .route("/activities/{id}/signup", post(sign_up))
        .route("/activities/{id}/signup/cancel", post(cancel))
}

pub const TEXTS: &[Text] = &[
    (
        "signup_title",
        "志愿活动招募",
        "Activities open for sign-up",
    ),
    (
        "signup_landing",
        "想参加志愿服务？看看近期招募的活动。",
        "Want to volunteer? See the activities taking sign-ups.",
    ),
    (
        "signup_browse",
        "浏览志愿活动并报名",
        "Find an activity and sign up",
    ),
    ("signup_from", "开始日期（起）", "From"),
    ("signup_to", "开始日期（止）", "To"),
    ("signup_category_hint", "如：扶老助残", "e.g. elderly care"),
    ("signup_filter", "筛选", "Filter"),
    (
        "signup_none",
        "暂无正在招募的活动。",
        "No activity is taking sign-ups now.",
    ),
    (
        "signup_near",
        "已按您所在社区、街道、全区的顺序排列。",
        "Your community's activities come first, then your street's, then the district's.",
    ),
    (
        "signup_log_in_first",
        "登录后将优先显示您所在社区的活动：",
        "Log in to see your own community's activities first:",
    ),
    ("signup_when", "时间", "When"),
    ("signup_unit", "发起单位", "Run by"),
    ("signup_places", "名额", "Places"),
    ("signup_unlimited", "不限", "no limit"),
    ("signup_signed_up", "已报名", "signed up"),
    ("signup_waiting", "候补", "waiting"),
    ("signup_needed", "需报名", "Sign-up required"),
    (
        "signup_needed_note",
        "本活动需提前报名。未报名者仍可扫码签到，但会被标记，由活动负责人核实。",
        "Sign up first: a check-in without a place is still recorded, but flagged for the organizer.",
    ),
    (
        "signup_optional_note",
        "本活动可报名预留名额，也可直接到场扫码签到。",
        "Sign up to keep a place, or simply come and scan in.",
    ),
    ("signup_closed", "报名已截止。", "Sign-ups are closed."),
    (
        "signup_started",
        "活动已开始。",
        "The activity has started.",
    ),
    (
        "signup_mine_confirmed",
        "您已报名，序号",
        "You are signed up: no.",
    ),
    (
        "signup_mine_waitlisted",
        "您在候补名单中，位次",
        "You are on the waiting list: no.",
    ),
    (
        "signup_waitlist_note",
        "有人取消报名时，候补者按顺序递补。",
        "When someone cancels, the waiting list moves up in order.",
    ),
    ("signup_button", "我要报名", "Sign me up"),
    ("signup_cancel_button", "取消报名", "Cancel my sign-up"),
    (
        "signup_log_in_to_sign_up",
        "登录后即可报名：",
        "Log in to sign up:",
    ),
    ("signup_all", "全部招募活动", "All activities"),
    ("signup_done_confirmed", "报名成功！", "You are signed up!"),
    (
        "signup_done_waitlisted",
        "名额已满，您已进入候补名单。",
        "The places are taken: you are on the waiting list.",
    ),
    (
        "signup_done_cancelled",
        "已取消报名。",
        "Your sign-up is cancelled.",
    ),
    (
        "scan_without_signup",
        "本活动需提前报名，您未报名，本次签到已标记供负责人核实。",
        "This activity asks volunteers to sign up first: your check-in is flagged for the organizer.",
    ),
    // Why a sign-up or a cancellation is refused, by error code.
    (
        "signup_already_signed_up",
        "您已报名此活动。",
        "You have already signed up for this activity.",
    ),
    (
        "signup_recruitment_closed",
        "报名已截止，无法报名。",
        "Sign-ups are closed.",
    ),
    (
        "signup_activity_started",
        "活动已开始，不能再取消报名。",
        "The activity has started: the sign-up can no longer be cancelled.",
    ),
    (
        "signup_activity_cancelled",
        "活动已取消。",
        "The activity was cancelled.",
    ),
    (
        "signup_not_found",
        "您尚未报名此活动。",
        "You have not signed up for this activity.",
    ),
    (
        "signup_invalid_query",
        "日期格式应为 年-月-日。",
        "Dates are written YYYY-MM-DD.",
    ),
];

/// Activities on one page of the list.
const PER_PAGE: i64 = 20;

/// An activity as the pages show it.
struct Shown {
    a: PublicActivity,
    when: String,
    mine: Option<SignupState>,
}

impl Shown {
    fn of(listed: ListedActivity, zone: FixedOffset) -> Shown {
        let a = listed.activity;
        let local = |t: DateTime<Utc>| t.with_timezone(&zone);
        let (start, end) = (local(a.starts_at), local(a.ends_at));
        let end_format = if start.date_naive() == end.date_naive() {
            "%H:%M"
        } else {
            "%Y-%m-%d %H:%M"
        };
        Shown {
            when: format!(
                "{}–{}",
                start.format("%Y-%m-%d %H:%M"),
                end.format(end_format)
            ),
            mine: listed.mine,
            a,
        }
    }
}

fn head(lang: Lang, title: String) -> Head {
    Head {
        lang: lang.text("html_lang"),
        title,
    }
}

/// What a refusal says on a page: its text of `TEXTS`, or its own message.
fn said(lang: Lang, e: &Error) -> String {
    match lang.text(&format!("signup_{}", e.code())) {
        "" => e.to_string(),
        text => text.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ListPage {
    head: Head,
    lang: Lang,
    asked: ListQuery,
    shown: Vec<Shown>,
    logged_in: bool,
    /// Why the filter could not be applied.
    refused: Option<String>,
    previous: Option<String>,
    next: Option<String>,
}

/// `?category=&from=&to=&page=`: the filter as typed, dates `YYYY-MM-DD`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    category: String,
    from: String,
    to: String,
    page: Option<i64>,
}

impl ListQuery {
    fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }

    /// The link to page `n` of the same filter.
    fn href(&self, n: i64) -> String {
        let query = serde_urlencoded::to_string([
            ("category", self.category.as_str()),
            ("from", &self.from),
            ("to", &self.to),
            ("page", &n.to_string()),
        ])
        .unwrap_or_default();
        format!("/activities?{query}")
    }
}

/// `GET /activities`: the activities taking sign-ups, a page at a time.
async fn list(
    State(state): State<AppState>,
    FormSession(session): FormSession,
    Query(asked): Query<ListQuery>,
    lang: Lang,
) -> Result<Response> {
    let number = asked.page();
    let listing = Listing {
        unit_id: None,
        from: Some(&asked.from),
        to: Some(&asked.to),
        category: Some(&asked.category),
        // One more than shown, to know whether a next page exists.
        limit: PER_PAGE + 1,
        offset: (number - 1).saturating_mul(PER_PAGE),
    };
    let viewer = session.as_ref().map(|s| &s.caller);
    let zone = state.settings.display_offset();
    let (status, mut listed, refused) =
        match signups::open_activities(&state, viewer, &listing, Utc::now()).await {
            Ok(listed) => (StatusCode::OK, listed, None),
            Err(e) if e.is_refusal() => (e.status(), Vec::new(), Some(said(lang, &e))),
            Err(e) => return Err(e),
        };
    let has_next = listed.len() as i64 > PER_PAGE;
    listed.truncate(PER_PAGE as usize);
    let view = ListPage {
        head: head(lang, lang.text("signup_title").to_owned()),
        lang,
        shown: listed.into_iter().map(|l| Shown::of(l, zone)).collect(),
        logged_in: viewer.is_some_and(|c| c.is_volunteer),
        refused,
        previous: (number > 1).then(|| asked.href(number - 1)),
        next: has_next.then(|| asked.href(number + 1)),
        asked,
    };
    page(status, &view)
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    head: Head,
    lang: Lang,
    shown: Shown,
    /// The visitor's session; `None` when logged out.
    session: Option<SignedIn>,
    /// The visitor's own sign-up, with its place.
    placed: Option<Placed>,
    taking_signups: bool,
    taking_cancellations: bool,
    started: bool,
    cancelled: bool,
    /// What was just done, or why it was refused.
    outcome: Option<String>,
}

/// The activity's page for `session`, answered with `status`.
async fn render(
    state: &AppState,
    (status, lang): (StatusCode, Lang),
    id: i64,
    session: Option<SignedIn>,
    outcome: Option<String>,
) -> Result<Response> {
    let viewer = session.as_ref().map(|s| &s.caller);
    let listed = signups::public_activity(state, viewer, id).await?;
    let placed = match viewer {
        Some(c) if c.is_volunteer => state.store.signup(id, c.user_id).await?,
        _ => None,
    };
    let recruitment = listed.activity.recruitment();
    let now = Utc::now();
    let view = ActivityPage {
        head: head(lang, listed.activity.title.clone()),
        lang,
        shown: Shown::of(listed, state.settings.display_offset()),
        session,
        placed,
        taking_signups: recruitment.takes_signups(now).is_ok(),
        taking_cancellations: recruitment.takes_cancellations(now),
        started: now >= recruitment.starts_at,
        cancelled: recruitment.cancelled,
        outcome,
    };
    page(status, &view)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneQuery {
    /// Set on the way back from a form that did its work: `confirmed`, `waitlisted`, `cancelled`.
    done: String,
}

/// `GET /activities/{id}`: the activity, and the visitor's sign-up with its form.
async fn activity_page(
    State(state): State<AppState>,
    FormSession(session): FormSession,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
    lang: Lang,
) -> Result<Response> {
    let outcome = match q.done.as_str() {
        done @ ("confirmed" | "waitlisted" | "cancelled") => {
            Some(lang.text(&format!("signup_done_{done}")).to_owned())
        }
        _ => None,
    };
    render(&state, (StatusCode::OK, lang), id, session, outcome).await
}

/// A form with nothing but its `csrf_token`.
#[derive(Deserialize)]
struct NoFields {}

/// Back to the activity's page saying what was done, or the page again saying why not.
async fn answered(
    state: &AppState,
    (id, lang): (i64, Lang),
    session: SignedIn,
    done: Result<&str>,
) -> Result<Response> {
    match done {
        Ok(done) => {
            let to = format!("/activities/{id}?done={done}");
            Ok((StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response())
        }
        Err(e) if e.is_refusal() => {
            let why = Some(said(lang, &e));
            render(state, (e.status(), lang), id, Some(session), why).await
        }
        Err(e) => Err(e),
    }
}

/// Signs the visitor up from the activity's page.
async fn sign_up(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    CsrfForm { session, .. }: CsrfForm<NoFields>,
) -> Result<Response> {
    let placed = signups::sign_up(&state, &session.caller, id, Utc::now()).await;
    let done = placed.map(|p| p.state.as_str());
    answered(&state, (id, lang), session, done).await
}

/// Cancels the visitor's sign-up from the activity's page.
async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    CsrfForm { session, .. }: CsrfForm<NoFields>,
) -> Result<Response> {
    let cancelled = signups::cancel(&state, &session.caller, id, Utc::now()).await;
    let done = cancelled.map(|()| "cancelled");
    answered(&state, (id, lang), session, done).await
}
