//! One selection round in the console: the committee's review page, behind the API's
//! `committee_round` check. The round's state, dates, rule set and digest; the winners as they
//! stand; its candidates a page at a time (all, the winners, those below the line, those the rules
//! left out; searched by number) with their scores and why the rules left anyone out; the
//! objections and the decisions. Its forms are `selection_forms.rs`.

use super::paging::{ListQuery, Pager};
use super::selections::state_text;
use super::units::kind_text;
use super::{StaffVisit, head};
use crate::app::AppState;
use crate::app::selection_review::Winner;
use crate::app::selections::{self, CandidateView, SelectionView};
use crate::domain::selection::{Breakdown, Exclusion, RuleSet};
use crate::domain::selection_review::{Basis, Decision};
use crate::error::Result;
use crate::http::access::committee_round;
use crate::http::extract::{Path, Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::Unit;
use crate::store::selection_reviews::{DecisionRecord, Objection};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

pub const TEXTS: &[Text] = &[
    ("sel_back", "全部评选", "All rounds"),
    ("sel_opened_at", "开启时间", "Opened"),
    ("sel_published_at", "公示开始", "Notice from"),
    ("sel_notice_ends_at", "公示截止", "Notice until"),
    ("sel_finalized_at", "确定时间", "Finalised"),
    ("sel_rule_set", "评选规则", "Rule set"),
    ("sel_registered_by", "注册不晚于", "Registered by"),
    (
        "sel_min_hours",
        "年度服务时长不少于（小时）",
        "Hours in the year, at least",
    ),
    (
        "sel_quota_rule",
        "名额：符合条件人数的 {p}%（向上取整，至少 {m} 名）",
        "Quota: {p}% of those eligible (rounded up, at least {m})",
    ),
    (
        "sel_weights",
        "计分：每小时 {h} 分，每项活动 {a} 分，评价优秀/良好/合格/不合格各 {r} 分，骨干志愿者 {b} 分",
        "Points: {h} an hour, {a} an activity, {r} a rating of excellent/good/pass/fail, {b} for a backbone volunteer",
    ),
    (
        "sel_digest",
        "输入摘要（SHA-256）",
        "Input digest (SHA-256)",
    ),
    ("sel_candidates", "候选名单", "Candidates"),
    ("sel_show", "显示", "Show"),
    ("sel_show_all", "全部", "All"),
    ("sel_show_winners", "入选", "Winners"),
    ("sel_show_below", "名额线以下", "Below the line"),
    ("sel_show_excluded", "规则排除", "Left out by the rules"),
    ("sel_rank", "排名", "Rank"),
    ("sel_score", "得分", "Score"),
    ("sel_breakdown", "得分构成", "Made of"),
    ("sel_points_hours", "时长", "hours"),
    ("sel_points_activities", "活动", "activities"),
    ("sel_points_evaluations", "评价", "ratings"),
    ("sel_points_backbone", "骨干", "backbone"),
    ("sel_within_quota", "名额内", "Within quota"),
    ("sel_excluded_by_rules", "规则排除原因", "Left out because"),
    (
        "sel_registered_too_late",
        "注册晚于规定日期",
        "registered too late",
    ),
    ("sel_too_few_hours", "服务时长不足", "too few hours"),
    ("sel_fraud", "有虚假签到记录", "a fraudulent check-in"),
    ("sel_now", "当前", "Now"),
    ("sel_decide", "排除或提名", "Exclude or nominate"),
    ("sel_decide_short", "调整", "Decide"),
    ("sel_decision", "决定", "Decision"),
    ("sel_reason", "理由", "Reason"),
    ("sel_exclude", "排除", "Exclude"),
    ("sel_nominate", "提名", "Nominate"),
    ("sel_excluded", "已排除", "excluded"),
    ("sel_winners", "当前入选名单", "Winners as they stand"),
    ("sel_basis", "入选方式", "Basis"),
    ("sel_basis_rank", "评分入选", "by score"),
    ("sel_basis_nomination", "委员会提名", "nominated"),
    (
        "sel_download_winners",
        "下载入选名单（CSV）",
        "Download the winners (CSV)",
    ),
    ("sel_decisions", "评审记录", "Decisions"),
    ("sel_member", "委员", "Member"),
    ("sel_time", "时间", "Time"),
    ("sel_beyond_quota", "超出名额", "beyond the quota"),
    ("sel_publish", "发布公示", "Publish the notice"),
    (
        "sel_publish_note",
        "发布后名单不能再调整；公示期 {n} 天，期间任何登录用户可对入选者提出异议。",
        "Once published the list no longer changes by decision; the notice lasts {n} days, and anyone logged in may object to a winner meanwhile.",
    ),
    (
        "sel_publish_confirm",
        "名单已核对无误",
        "The list has been checked",
    ),
    ("sel_objections", "异议", "Objections"),
    ("sel_filed_at", "提出时间", "Filed"),
    ("sel_outcome", "处理结果", "Outcome"),
    ("sel_open_objection", "待处理", "open"),
    (
        "sel_upheld",
        "异议成立，移出名单",
        "Upheld: removed from the list",
    ),
    ("sel_dismissed", "异议不成立，保留", "Dismissed: kept"),
    ("sel_resolve", "处理", "Resolve"),
    ("sel_finalize", "确定最终名单", "Finalise the list"),
    (
        "sel_finalize_note",
        "公示期满且异议全部处理后方可确定；确定后每位入选者获得表彰记录。",
        "Possible once the notice has ended and every objection is resolved; each winner then gets the award.",
    ),
];

/// Which candidates the page lists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Show {
    All,
    Winners,
    /// Ranked below the quota's line.
    Below,
    /// Left out by the rules.
    Excluded,
}

impl Show {
    const EACH: [Show; 4] = [Show::All, Show::Winners, Show::Below, Show::Excluded];

    fn parse(s: &str) -> Show {
        Show::EACH
            .into_iter()
            .find(|show| show.as_str() == s)
            .unwrap_or(Show::All)
    }

    fn as_str(self) -> &'static str {
        match self {
            Show::All => "all",
            Show::Winners => "winners",
            Show::Below => "below",
            Show::Excluded => "excluded",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Show::All => "sel_show_all",
            Show::Winners => "sel_show_winners",
            Show::Below => "sel_show_below",
            Show::Excluded => "sel_show_excluded",
        }
    }

    fn holds(self, c: &CandidateView, winners: &HashSet<i64>) -> bool {
        match self {
            Show::All => true,
            Show::Winners => winners.contains(&c.volunteer_id),
            Show::Below => c.rank.is_some() && !c.within_quota,
            Show::Excluded => c.rank.is_none(),
        }
    }
}

/// `?show=all|winners|below|excluded&q=…&page=N&done=…`: the candidates the page lists, and what
/// the last form did.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RoundQuery {
    show: String,
    q: String,
    page: Option<i64>,
    done: String,
}

impl RoundQuery {
    fn show(&self) -> Show {
        Show::parse(&self.show)
    }

    fn list(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
            page: self.page,
        }
    }

    /// The query string that shows this view again, without what was done.
    pub(super) fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("show", self.show().as_str()),
            ("q", self.q.as_str()),
            ("page", &self.list().page().to_string()),
        ])
        .unwrap_or_default()
    }

    /// The text key of what the last form did.
    fn done(&self) -> Option<&'static str> {
        Some(match self.done.as_str() {
            "opened" => "sel_done_opened",
            "decided" => "sel_done_decided",
            "published" => "sel_done_published",
            "resolved" => "sel_done_resolved",
            "finalized" => "sel_done_finalized",
            _ => return None,
        })
    }
}

/// A candidate as the table shows them.
struct Row {
    volunteer_no: String,
    name: String,
    community: String,
    rank: Option<i32>,
    score: String,
    breakdown: Option<Breakdown>,
    within_quota: bool,
    /// Text keys of why the rules left them out.
    exclusions: Vec<&'static str>,
    /// A text key: on the list and why, or excluded by the committee.
    now: Option<&'static str>,
}

impl Row {
    /// `c` with their name and community, and where the committee's list has them now.
    fn of(
        c: &CandidateView,
        (name, community): (String, String),
        now: Option<&'static str>,
    ) -> Row {
        let exclusions: Vec<Exclusion> = c
            .exclusions
            .clone()
            .and_then(|e| serde_json::from_value(e).ok())
            .unwrap_or_default();
        Row {
            volunteer_no: c.volunteer_no.clone(),
            name,
            community,
            rank: c.rank,
            score: c.score.clone().unwrap_or_default(),
            breakdown: c
                .breakdown
                .clone()
                .and_then(|b| serde_json::from_value(b).ok()),
            within_quota: c.within_quota,
            exclusions: exclusions.into_iter().map(exclusion_text).collect(),
            now,
        }
    }
}

fn exclusion_text(e: Exclusion) -> &'static str {
    match e {
        Exclusion::RegisteredTooLate => "sel_registered_too_late",
        Exclusion::TooFewHours => "sel_too_few_hours",
        Exclusion::Fraud => "sel_fraud",
    }
}

fn basis_text(basis: Basis) -> &'static str {
    match basis {
        Basis::Rank => "sel_basis_rank",
        Basis::Nomination => "sel_basis_nomination",
    }
}

/// What a refused form said, to show it again in its place.
#[derive(Default)]
pub(super) struct Typed {
    pub volunteer_no: String,
    pub objection_id: Option<i64>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "console/selection.html")]
struct RoundPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    unit: Unit,
    round: SelectionView,
    rules: Option<RuleSet>,
    offset: FixedOffset,
    /// (text key, link, how many, whether shown) of each filter.
    filters: Vec<(&'static str, String, usize, bool)>,
    shown: RoundQuery,
    view_query: String,
    rows: Vec<Row>,
    pager: Pager,
    winners: Vec<Winner>,
    decisions: Vec<DecisionRecord>,
    objections: Vec<Objection>,
    notice_days: u32,
    done: Option<&'static str>,
    refused: Option<String>,
    typed: Typed,
}

impl RoundPage {
    fn time(&self, at: &DateTime<Utc>) -> String {
        at.with_timezone(&self.offset)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// (text key, time) of each date the round has reached.
    fn dates(&self) -> Vec<(&'static str, String)> {
        let r = &self.round;
        [
            ("sel_opened_at", Some(r.opened_at)),
            ("sel_published_at", r.published_at),
            ("sel_notice_ends_at", r.notice_ends_at),
            ("sel_finalized_at", r.finalized_at),
        ]
        .into_iter()
        .filter_map(|(key, at)| Some((key, self.time(&at?))))
        .collect()
    }

    /// The last day a volunteer may have registered and be eligible.
    fn registered_by(&self, rules: &RuleSet) -> NaiveDate {
        rules.registered_by(self.round.year)
    }

    /// The rule set's quota and points, in words.
    fn rule_lines(&self, rules: &RuleSet) -> [String; 2] {
        let ratings: Vec<String> = rules.per_rating.iter().map(|r| r.to_string()).collect();
        [
            self.lang
                .text("sel_quota_rule")
                .replace("{p}", &rules.quota_percent.to_string())
                .replace("{m}", &rules.quota_min.to_string()),
            self.lang
                .text("sel_weights")
                .replace("{h}", &rules.per_hour.to_string())
                .replace("{a}", &rules.per_activity.to_string())
                .replace("{r}", &ratings.join("/"))
                .replace("{b}", &rules.backbone.to_string()),
        ]
    }

    fn publish_note(&self) -> String {
        self.lang
            .text("sel_publish_note")
            .replace("{n}", &self.notice_days.to_string())
    }

    fn kind(&self) -> &'static str {
        kind_text(self.unit.kind)
    }

    fn state(&self) -> &'static str {
        state_text(&self.round.state)
    }

    fn is(&self, state: &str) -> bool {
        self.round.state == state
    }

    fn basis(&self, w: &Winner) -> &'static str {
        basis_text(w.basis)
    }

    fn decision(&self, d: &DecisionRecord) -> &'static str {
        match Decision::parse(&d.decision) {
            Some(Decision::Nominate) => "sel_nominate",
            _ => "sel_exclude",
        }
    }

    /// The reason typed into the refused form for this candidate, if it was theirs.
    fn typed_for(&self, volunteer_no: &str) -> Option<&str> {
        (self.typed.volunteer_no == volunteer_no).then_some(self.typed.reason.as_str())
    }

    fn typed_for_objection(&self, o: &Objection) -> &str {
        if self.typed.objection_id == Some(o.id) {
            &self.typed.reason
        } else {
            ""
        }
    }
}

/// The round's page as `shown`, with what the last form did or why it was refused.
pub(super) async fn render(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    id: i64,
    shown: RoundQuery,
    status: StatusCode,
    (refused, typed): (Option<String>, Typed),
) -> Result<Response> {
    let (round, unit) = committee_round(state, &session.caller, id).await?;
    let view = selections::view(state, round).await?;
    let winning: HashMap<i64, Basis> = view
        .winners
        .iter()
        .map(|w| (w.volunteer_id, w.basis))
        .collect();
    let on_list: HashSet<i64> = winning.keys().copied().collect();
    let filters = Show::EACH
        .into_iter()
        .map(|show| {
            let count = view
                .candidates
                .iter()
                .filter(|c| show.holds(c, &on_list))
                .count();
            let href = format!("/console/selections/{id}?show={}", show.as_str());
            (show.text(), href, count, show == shown.show())
        })
        .collect();
    let list = shown.list();
    let searched = list.search().map(str::to_lowercase);
    let mut listed: Vec<&CandidateView> = view
        .candidates
        .iter()
        .filter(|c| shown.show().holds(c, &on_list))
        .filter(|c| {
            searched
                .as_ref()
                .is_none_or(|q| c.volunteer_no.to_lowercase().contains(q))
        })
        .skip(list.offset() as usize)
        .take(list.limit() as usize)
        .collect();
    let path = format!("/console/selections/{id}?show={}", shown.show().as_str());
    let pager = list.pager(&path, &mut listed);
    let ids: Vec<i64> = listed.iter().map(|c| c.volunteer_id).collect();
    let mut names: HashMap<i64, (String, String)> = state
        .store
        .candidate_names(id, &ids)
        .await?
        .into_iter()
        .map(|n| (n.volunteer_id, (n.name, n.community)))
        .collect();
    let excluded = latest_exclusions(&view.decisions);
    let rows = listed
        .into_iter()
        .map(|c| {
            let now = match winning.get(&c.volunteer_id) {
                Some(basis) => Some(basis_text(*basis)),
                None => excluded.contains(&c.volunteer_id).then_some("sel_excluded"),
            };
            let who = names.remove(&c.volunteer_id).unwrap_or_default();
            Row::of(c, who, now)
        })
        .collect();
    let page_view = RoundPage {
        head: head(lang),
        lang,
        session: Some(session),
        unit,
        rules: serde_json::from_value(view.selection.rules.clone()).ok(),
        round: view.selection,
        offset: state.settings.display_offset(),
        filters,
        view_query: shown.query(),
        done: shown.done(),
        shown,
        rows,
        pager,
        winners: view.winners,
        decisions: view.decisions,
        objections: view.objections,
        notice_days: state.settings.selection_notice_days,
        refused,
        typed,
    };
    page(status, &page_view)
}

/// The volunteers whose latest decision excludes them.
fn latest_exclusions(decisions: &[DecisionRecord]) -> HashSet<i64> {
    let latest: HashMap<i64, &str> = decisions
        .iter()
        .map(|d| (d.volunteer_id, d.decision.as_str()))
        .collect();
    latest
        .into_iter()
        .filter(|(_, d)| Decision::parse(d) == Some(Decision::Exclude))
        .map(|(id, _)| id)
        .collect()
}

/// `/console/selections/{id}`: the round's review page.
pub async fn round_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(shown): Query<RoundQuery>,
    StaffVisit { lang, session }: StaffVisit,
) -> Result<Response> {
    let nothing = (None, Typed::default());
    render(&state, (session, lang), id, shown, StatusCode::OK, nothing).await
}
