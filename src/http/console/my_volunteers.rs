//! My volunteers 我的志愿者: the volunteers a social worker leads, a page at a time, with this
//! year's hours, the last service and backbone status, those gone quiet 沉寂 marked and, if asked,
//! alone — through `app::social_workers`, as `GET /api/v1/social_workers/me/volunteers`.

use super::paging::{ListQuery, Pager};
use super::{StaffVisit, head};
use crate::app::AppState;
use crate::app::social_workers::{self, LedQuery, LedVolunteerRow};
use crate::domain::roles::Role;
use crate::error::{Error, Result};
use crate::http::extract::{Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

pub const TEXTS: &[Text] = &[
    ("my_volunteers_title", "我的志愿者", "My volunteers"),
    ("my_volunteers_only_quiet", "只看沉寂", "Only quiet ones"),
    ("my_volunteers_filter", "筛选", "Filter"),
    // Around the number of months: "沉寂：最近 3 个月没有服务记录".
    (
        "my_volunteers_quiet_rule",
        "沉寂：最近",
        "Quiet: no service in the last",
    ),
    ("my_volunteers_quiet_months", "个月没有服务记录", "months"),
    ("my_volunteers_last_service", "最近服务", "Last service"),
    ("my_volunteers_never", "从未服务", "Never"),
    ("my_volunteers_backbone", "骨干志愿者", "Backbone"),
    ("my_volunteers_state", "状态", "State"),
    ("my_volunteers_quiet", "沉寂", "Quiet"),
    ("my_volunteers_active", "活跃", "Active"),
    (
        "my_volunteers_none",
        "暂无指派给您的志愿者。",
        "No volunteers are assigned to you.",
    ),
];

#[derive(Template)]
#[template(path = "console/my_volunteers.html")]
struct MyVolunteersPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    only_quiet: bool,
    quiet_months: u32,
    rows: Vec<Row>,
    pager: Pager,
}

/// A volunteer as listed, with their community's name.
struct Row {
    v: LedVolunteerRow,
    community: String,
}

/// `?quiet=1&page=N`: only the quiet ones when `quiet` is given, and which page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MyVolunteersQuery {
    quiet: String,
    page: Option<i64>,
}

/// `/console/my-volunteers`: the caller's volunteers, for social workers.
pub async fn my_volunteers(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(asked): Query<MyVolunteersQuery>,
) -> Result<Response> {
    let caller = &session.caller;
    if !caller.grants.iter().any(|g| g.role == Role::SocialWorker) {
        return Err(Error::forbidden());
    }
    let only_quiet = !asked.quiet.trim().is_empty();
    let list = ListQuery {
        q: String::new(),
        page: asked.page,
    };
    let led = LedQuery {
        quiet: only_quiet.then_some(true),
        page: Some((list.limit(), list.offset())),
    };
    let mut listed = social_workers::led_volunteers(&state, caller, "me", led).await?;
    let pager = list
        .pager("/console/my-volunteers", &mut listed)
        .linked(|page| {
            let quiet = if only_quiet { "quiet=1&" } else { "" };
            format!("/console/my-volunteers?{quiet}page={page}")
        });
    let mut communities: HashMap<i64, String> = HashMap::new();
    let mut rows = Vec::with_capacity(listed.len());
    for v in listed {
        if let Entry::Vacant(entry) = communities.entry(v.community_id) {
            let unit = state.store.unit(v.community_id).await?;
            entry.insert(unit.map_or_else(String::new, |u| u.name));
        }
        let community = communities[&v.community_id].clone();
        rows.push(Row { v, community });
    }
    let view = MyVolunteersPage {
        head: head(lang),
        lang,
        only_quiet,
        quiet_months: state.settings.quiet_months,
        rows,
        pager,
        session: Some(session),
    };
    page(StatusCode::OK, &view)
}
