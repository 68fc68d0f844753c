//! The awards committee's selection rounds 优秀志愿者评选 in the console: the rounds of a year of
//! the streets and communities the caller serves on, each with its state, quota and winners so
//! far, and a form to open a unit's round by hand — through `app::selections::open` and the
//! access check of `POST /api/v1/selections`. Each round's review is `selection.rs`.

use super::scope::named_unit;
use super::selection_forms::refusal;
use super::units::kind_text;
use super::{StaffForm, StaffVisit, head, see_other};
use crate::app::{AppState, selections};
use crate::domain::roles::Role;
use crate::domain::units::UnitKind;
use crate::error::codes::INVALID_YEAR;
use crate::error::{Error, Result};
use crate::http::extract::{Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::Unit;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;

pub const TEXTS: &[Text] = &[
    ("sel_title", "优秀志愿者评选", "Outstanding volunteers"),
    ("sel_year", "年度", "Year"),
    ("sel_unit", "单位", "Unit"),
    ("sel_state", "状态", "State"),
    ("sel_quota", "名额", "Quota"),
    ("sel_winners_count", "入选人数", "Winners"),
    ("sel_state_draft", "草稿（评审中）", "Draft (in review)"),
    ("sel_state_notice", "公示中", "Public notice"),
    ("sel_state_final", "已确定", "Final"),
    ("sel_review", "评审", "Review"),
    ("sel_notice_link", "公示页面", "Public notice"),
    (
        "sel_none_this_year",
        "该年度尚未开启评选。",
        "No round has been opened for this year.",
    ),
    ("sel_open", "开启评选", "Open a round"),
    (
        "sel_open_note",
        "每个街道、社区每年一轮；系统每年按设定日期自动开启上一年度的评选，也可在此手动开启。开启时按评选规则计算候选名单。",
        "One round per street and community a year; the service opens last year's rounds on the set day, or open one here. Opening ranks the candidates by the rules.",
    ),
    ("sel_open_button", "开启", "Open"),
];

/// `?year=`: whose rounds the list shows (empty: last year's).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

/// How many years the list offers, this one included.
const PICKED_YEARS: i32 = 5;

/// A round as the list shows it.
struct RoundRow {
    id: i64,
    unit: String,
    kind: &'static str,
    state: &'static str,
    quota: i32,
    winners: usize,
    /// The public notice, once published.
    notice_href: Option<String>,
}

#[derive(Template)]
#[template(path = "console/selections.html")]
struct SelectionsPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    year: i32,
    /// (year, link, whether shown) of the years offered.
    years: Vec<(i32, String, bool)>,
    rounds: Vec<RoundRow>,
    /// The streets and communities whose round the caller may open.
    units: Vec<Unit>,
    form: OpenForm,
    refused: Option<String>,
}

/// The round to open, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OpenForm {
    unit_id: String,
    year: String,
}

/// The text key of a round's state.
pub(super) fn state_text(state: &str) -> &'static str {
    match state {
        "draft" => "sel_state_draft",
        "notice" => "sel_state_notice",
        _ => "sel_state_final",
    }
}

/// The year the committee works on by default: the one just past, in the display time.
fn last_year(state: &AppState) -> i32 {
    state.settings.local_now().year() - 1
}

async fn render(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    year: i32,
    status: StatusCode,
    (form, refused): (Option<OpenForm>, Option<String>),
) -> Result<Response> {
    let roots = session.caller.roots(&Role::COMMITTEE);
    let units = state.store.units_within(&roots).await?;
    if units.is_empty() {
        return Err(Error::forbidden());
    }
    let mut listed = Vec::new();
    for root in &roots {
        listed.extend(state.store.selections_within(root, year).await?);
    }
    let ids: Vec<i64> = listed.iter().map(|s| s.id).collect();
    let winners = state.store.winner_counts(&ids).await?;
    let mut rounds = Vec::new();
    // The units come in tree order: a street's round before its communities'.
    for unit in &units {
        for s in listed.iter().filter(|s| s.unit_id == unit.id) {
            rounds.push(RoundRow {
                id: s.id,
                unit: unit.name.clone(),
                kind: kind_text(unit.kind),
                state: state_text(&s.state),
                quota: s.quota,
                winners: winners.get(&s.id).copied().unwrap_or_default(),
                notice_href: (s.state != "draft").then(|| format!("/notice/{}", s.id)),
            });
        }
    }
    let this_year = state.settings.local_now().year();
    let years = (this_year - PICKED_YEARS + 1..=this_year)
        .map(|y| (y, format!("/console/selections?year={y}"), y == year))
        .collect();
    let form = form.unwrap_or_else(|| OpenForm {
        unit_id: String::new(),
        year: last_year(state).to_string(),
    });
    let view = SelectionsPage {
        head: head(lang),
        lang,
        session: Some(session),
        year,
        years,
        rounds,
        units: units
            .into_iter()
            .filter(|u| u.kind != UnitKind::District)
            .collect(),
        form,
        refused,
    };
    page(status, &view)
}

fn parse_year(text: &str) -> Result<i32> {
    text.trim()
        .parse()
        .map_err(|_| Error::invalid(INVALID_YEAR, "the year is a number, such as 2025"))
}

/// `/console/selections`: the rounds of a year of the caller's units.
pub async fn rounds_page(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    let year = match q.year.trim() {
        "" => last_year(&state),
        y => parse_year(y)?,
    };
    render(&state, (session, lang), year, StatusCode::OK, (None, None)).await
}

/// Opens the chosen unit's round for the year and shows it; a refused form shows again as typed,
/// saying why, and nothing is opened.
pub async fn open(
    State(state): State<AppState>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<OpenForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let unit = named_unit(&state, caller, &form.unit_id, &Role::COMMITTEE).await?;
    let opened = async {
        let year = parse_year(&form.year)?;
        selections::open(&state, &unit, year, Some(caller.user_id)).await
    }
    .await;
    match opened {
        Ok(id) => Ok(see_other(format!("/console/selections/{id}?done=opened"))),
        Err(e) if e.is_refusal() => {
            let why = refusal(lang, &e);
            let year = parse_year(&form.year).unwrap_or_else(|_| last_year(&state));
            let status = e.status();
            render(
                &state,
                (session, lang),
                year,
                status,
                (Some(form), Some(why)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}
