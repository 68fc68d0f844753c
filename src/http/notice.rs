//! The public notice 公示 of a selection round, for anyone: the winners (name, community, hours and
//! activities of the year — never an ID number or a phone; names partly masked when
//! `selection_mask_names` is set), the rules used, the dates, and how to object. A logged-in
//! visitor files an objection from the page itself. JSON with `Accept: application/json`.

use super::access::public_round;
use super::extract::{CsrfForm, FormSession, Path, Query, SignedIn, wants_json};
use super::pages::texts::{Lang, Text};
use super::render::{Head, page};
use crate::app::AppState;
use crate::app::selection_review::{self, RoundLists, Winner};
use crate::domain::selection::RuleSet;
use crate::domain::selection_review::mask_name;
use crate::error::{Error, Result};
use crate::store::Unit;
use crate::store::selection_reviews::Objection;
use crate::store::selections::Selection;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new().route("/notice/{id}", get(notice).post(file_objection))
}

pub const TEXTS: &[Text] = &[
    (
        "notice_title",
        "优秀志愿者评选公示",
        "Outstanding volunteers: public notice",
    ),
    ("notice_running", "公示期", "Notice period"),
    (
        "notice_final",
        "评选已结束，以下为最终名单。",
        "The selection is final; this is the final list.",
    ),
    ("notice_to", "至", "to"),
    ("notice_winners", "拟表彰名单", "Proposed winners"),
    ("notice_name", "姓名", "Name"),
    ("notice_volunteer_no", "志愿者编号", "Volunteer no."),
    ("notice_community", "社区", "Community"),
    ("notice_hours", "年度服务时长（小时）", "Hours in the year"),
    ("notice_activities", "服务活动数", "Activities"),
    ("notice_rules", "评选规则", "Rules"),
    (
        "notice_rules_text",
        "参评条件：当年6月30日前注册（按规则设定），年度确认服务时长不少于规定小时数，且当年无被认定为虚假签到的记录。得分＝服务时长×每小时分值＋服务活动数×每项分值＋服务评价分＋骨干志愿者加分；名额为符合条件人数的规定百分比（向上取整，至少1名），同分依次按服务时长、注册先后、志愿者编号排序。评选委员会可说明理由后调整名单。",
        "Eligible: registered by the rule's date (30 June), at least the rule's confirmed hours in the year, and no attendance found fraudulent in the year. Score = hours × points per hour + activities × points each + ratings + the backbone bonus; the quota is the rule's share of those eligible (rounded up, at least one); ties go by hours, then earlier registration, then volunteer number. The committee may change the list, giving its reasons.",
    ),
    ("notice_rule_set", "规则版本", "Rule set"),
    ("notice_min_hours", "最低服务时长", "Minimum hours"),
    ("notice_quota", "名额", "Quota"),
    ("notice_how", "如何提出异议", "How to object"),
    (
        "notice_how_text",
        "公示期内，任何登录用户均可对名单中的人员提出异议，请写明志愿者编号和具体理由。评选委员会将逐一核实并答复，异议全部处理完毕且公示期满后方可确定最终名单。",
        "During the notice anyone logged in may object to a person on the list, giving the volunteer number and the reason. The committee checks and answers each objection; the list becomes final only after the notice ends and every objection is resolved.",
    ),
    (
        "notice_login",
        "请先登录后再提出异议：",
        "Log in first to object:",
    ),
    ("notice_login_volunteer", "志愿者登录", "Volunteer login"),
    ("notice_login_staff", "工作人员登录", "Staff login"),
    ("notice_reason", "异议理由", "Reason"),
    ("notice_object", "提交异议", "File the objection"),
    (
        "notice_filed",
        "异议已提交，评选委员会将核实处理。",
        "Your objection is filed; the committee will look into it.",
    ),
    ("notice_objections", "已收到异议", "Objections received"),
    ("notice_mine", "我提出的异议", "Your objections"),
    (
        "notice_mine_open",
        "处理中：评审委员会正在核实",
        "Open: the committee is looking into it",
    ),
    (
        "notice_mine_upheld",
        "异议成立：该志愿者已从名单中移除",
        "Upheld: the volunteer was taken off the list",
    ),
    (
        "notice_mine_dismissed",
        "异议不成立：该志愿者保留在名单中",
        "Not upheld: the volunteer stays on the list",
    ),
    ("notice_mine_answer", "委员会答复", "The committee's answer"),
    ("notice_resolved", "已处理", "resolved"),
    // Why an objection from the page is refused, by error code.
    (
        "notice_not_a_winner",
        "该志愿者编号不在公示名单中，请核对。",
        "This volunteer number is not on the list; please check it.",
    ),
    (
        "notice_reason_required",
        "请写明异议理由（500字以内）。",
        "Give the reason for your objection (up to 500 characters).",
    ),
    (
        "notice_selection_not_in_notice",
        "公示期已结束，不再受理异议。",
        "The notice has ended; objections are no longer taken.",
    ),
];

/// What the public may know of a winner.
#[derive(Serialize)]
struct PublicWinner {
    name: String,
    volunteer_no: String,
    community: String,
    hours: String,
    activities: i64,
}

/// The notice as the page and its JSON show it.
#[derive(Serialize)]
struct Notice {
    id: i64,
    unit: String,
    year: i32,
    /// `notice` or `final`.
    state: String,
    published_at: Option<DateTime<Utc>>,
    notice_ends_at: Option<DateTime<Utc>>,
    finalized_at: Option<DateTime<Utc>>,
    rules: serde_json::Value,
    winners: Vec<PublicWinner>,
    objections_filed: usize,
    objections_resolved: usize,
    /// Where a logged-in user files an objection (`{volunteer_no, reason}`).
    objections_url: String,
}

/// The notice of the round, and the objections to it (which the page shows only to who filed them).
async fn notice_of(
    state: &AppState,
    (s, unit): (&Selection, &Unit),
) -> Result<(Notice, Vec<Objection>)> {
    let mask = state.settings.selection_mask_names;
    let lists = RoundLists::read(state, s).await?;
    let winners = selection_review::winners(state, s, &lists).await?;
    let objections = lists.objections;
    let notice = Notice {
        id: s.id,
        unit: unit.name.clone(),
        year: s.year,
        state: s.state.clone(),
        published_at: s.published_at,
        notice_ends_at: s.notice_ends_at,
        finalized_at: s.finalized_at,
        rules: serde_json::from_str(&s.rules).unwrap_or(serde_json::Value::Null),
        winners: winners
            .into_iter()
            .map(|w: Winner| PublicWinner {
                name: if mask { mask_name(&w.name) } else { w.name },
                volunteer_no: w.volunteer_no,
                community: w.community,
                hours: w.hours.to_string(),
                activities: w.activities,
            })
            .collect(),
        objections_filed: objections.len(),
        objections_resolved: objections
            .iter()
            .filter(|o| o.resolved_at.is_some())
            .count(),
        objections_url: format!("/api/v1/selections/{}/objections", s.id),
    };
    Ok((notice, objections))
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage<'a> {
    head: Head,
    lang: Lang,
    n: &'a Notice,
    rules: Option<RuleSet>,
    offset: FixedOffset,
    /// The visitor's session, to file an objection; `None` when logged out.
    session: Option<&'a SignedIn>,
    /// The objection just filed, or why it was refused.
    outcome: Option<String>,
    /// The objection form as it was sent, when it was refused.
    form: ObjectionForm,
    /// The objections the visitor filed, with their outcome.
    mine: Vec<&'a Objection>,
}

impl NoticePage<'_> {
    fn time(&self, at: &Option<DateTime<Utc>>) -> String {
        at.map(|t| self.at(&t)).unwrap_or_default()
    }

    fn at(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.offset)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    fn taking_objections(&self) -> bool {
        self.n.state == "notice" && self.n.notice_ends_at.is_some_and(|end| Utc::now() < end)
    }
}

fn render(
    state: &AppState,
    status: StatusCode,
    lang: Lang,
    (n, objections): &(Notice, Vec<Objection>),
    session: Option<&SignedIn>,
    outcome: Option<String>,
    form: ObjectionForm,
) -> Result<Response> {
    let head = Head {
        lang: lang.text("html_lang"),
        title: format!("{} {}年度{}", n.unit, n.year, lang.text("notice_title")),
    };
    let rules = serde_json::from_value(n.rules.clone()).ok();
    let offset = state.settings.display_offset();
    let mine = match session {
        Some(s) => (objections.iter())
            .filter(|o| o.filed_by == s.caller.user_id)
            .collect(),
        None => Vec::new(),
    };
    page(
        status,
        &NoticePage {
            head,
            lang,
            n,
            rules,
            offset,
            session,
            outcome,
            form,
            mine,
        },
    )
}

/// `GET /notice/{id}`: the notice of a published or final round (404 for a draft).
async fn notice(
    State(state): State<AppState>,
    FormSession(session): FormSession,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response> {
    let (s, unit) = public_round(&state, id).await?;
    let n = notice_of(&state, (&s, &unit)).await?;
    if wants_json(&headers) {
        return Ok(axum::Json(n.0).into_response());
    }
    let outcome = q
        .filed
        .is_some()
        .then(|| lang.text("notice_filed").to_owned());
    let form = ObjectionForm::default();
    render(
        &state,
        StatusCode::OK,
        lang,
        &n,
        session.as_ref(),
        outcome,
        form,
    )
}

#[derive(Deserialize)]
struct NoticeQuery {
    /// Set on the way back from a filed objection.
    filed: Option<String>,
}

#[derive(Deserialize, Default)]
struct ObjectionForm {
    #[serde(default)]
    volunteer_no: String,
    #[serde(default)]
    reason: String,
}

/// The page's objection form, in the visitor's session: filed through the same use case as the
/// API; a refusal shows on the page with what was typed.
async fn file_objection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    CsrfForm { session, form }: CsrfForm<ObjectionForm>,
) -> Result<Response> {
    let (s, unit) = public_round(&state, id).await?;
    let filed = selection_review::object(
        &state,
        (&s, &unit),
        (&form.volunteer_no, &form.reason),
        &session.caller,
    )
    .await;
    match filed {
        Ok(_) => {
            let to = format!("/notice/{id}?filed=1");
            Ok((StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response())
        }
        Err(e @ (Error::Invalid { .. } | Error::Conflict { .. })) => {
            let n = notice_of(&state, (&s, &unit)).await?;
            let said = match lang.text(&format!("notice_{}", e.code())) {
                "" => e.to_string(),
                text => text.to_owned(),
            };
            render(
                &state,
                e.status(),
                lang,
                &n,
                Some(&session),
                Some(said),
                form,
            )
        }
        Err(e) => Err(e),
    }
}
