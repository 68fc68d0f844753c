//! 补录: recording hours by hand for a volunteer who served but could not scan — found by
//! volunteer number, name or phone among the volunteers of the caller's units — through the same
//! use case and checks as `POST /api/v1/activities/{id}/manual-entries` (a reason, at most the
//! scheduled time, no points, one record per volunteer and activity).

use super::{StaffForm, StaffVisit, head, to_activity};
use crate::app::AppState;
use crate::app::ledger::add_manual_entry;
use crate::domain::phone::masked;
use crate::domain::roles::Role;
use crate::domain::text::REASON;
use crate::error::Result;
use crate::http::access::run_activity;
use crate::http::extract::{Path, Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::activities::Activity;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, Utc};
use serde::Deserialize;

pub const TEXTS: &[Text] = &[
    ("manual_title", "补录时长", "Record hours by hand"),
    (
        "manual_note",
        "为到场服务但未能扫码的志愿者补录。补录须写明原因，时长不超过活动时长，不计积分。",
        "For volunteers who served but could not scan. A reason is required; at most the activity's length; no points.",
    ),
    (
        "manual_search_hint",
        "志愿者编号、姓名或手机号",
        "Volunteer number, name or mobile number",
    ),
    ("manual_record", "补录", "Record"),
    ("manual_none_found", "没有找到志愿者", "No volunteer found"),
];

/// How many volunteers a search shows: enough to pick from, few enough to read on a phone.
const SHOWN: i64 = 20;

#[derive(Template)]
#[template(path = "console/manual_entry.html")]
struct ManualEntryPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    activity: Activity,
    /// The activity's scheduled minutes: what the form offers and at most records.
    scheduled: i64,
    q: String,
    found: Vec<Found>,
    refused: Option<String>,
}

struct Found {
    id: i64,
    volunteer_no: String,
    name: String,
    community: String,
    phone: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

async fn render(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    activity: Activity,
    q: String,
    (status, refused): (StatusCode, Option<String>),
) -> Result<Response> {
    let search = Some(q.trim()).filter(|q| !q.is_empty());
    let found = match search {
        None => Vec::new(),
        Some(search) => {
            let roots = session.caller.roots(&Role::ORGANIZERS);
            let year = Utc::now()
                .with_timezone(&state.settings.display_offset())
                .year();
            let rows = state
                .store
                .search_volunteers(&roots, Some(search), year, SHOWN, 0)
                .await?;
            rows.into_iter()
                .map(|v| Found {
                    id: v.id,
                    volunteer_no: v.volunteer_no,
                    name: v.name,
                    community: v.community_name,
                    phone: masked(&v.phone),
                })
                .collect()
        }
    };
    let view = ManualEntryPage {
        head: head(lang),
        lang,
        session: Some(session),
        scheduled: activity.window().scheduled_minutes(),
        activity,
        q,
        found,
        refused,
    };
    page(status, &view)
}

/// `/console/activities/{id}/manual-entries?q=…`: the search, and a form for each volunteer found.
pub async fn form(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Path(id): Path<i64>,
    Query(search): Query<SearchQuery>,
) -> Result<Response> {
    let activity = run_activity(&state, &session.caller, id, &Role::ORGANIZERS).await?;
    let ok = (StatusCode::OK, None);
    render(&state, (session, lang), activity, search.q, ok).await
}

#[derive(Deserialize)]
pub struct ManualEntryForm {
    volunteer_id: i64,
    minutes: i64,
    #[serde(default)]
    reason: String,
    /// The search the volunteer was found by, shown again if the entry is refused.
    #[serde(default)]
    q: String,
}

/// Records the entry and opens the activity's page; a refused entry shows the search again,
/// saying why.
pub async fn record(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<ManualEntryForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let activity = run_activity(&state, caller, id, &Role::ORGANIZERS).await?;
    let rules = state.ledger_rules();
    let recorded = async {
        let reason = REASON.parse(&form.reason)?;
        add_manual_entry(
            &state.store,
            &activity,
            form.volunteer_id,
            form.minutes,
            &reason,
            caller,
            &rules,
        )
        .await
    }
    .await;
    match recorded {
        Ok(_) => Ok(to_activity(id)),
        Err(e) if e.is_refusal() => {
            let refused = (e.status(), Some(e.to_string()));
            render(&state, (session, lang), activity, form.q, refused).await
        }
        Err(e) => Err(e),
    }
}
