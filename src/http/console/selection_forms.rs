//! The forms of a selection round's review page: exclude or nominate a candidate with a reason,
//! publish, resolve an objection, finalise — each through `app::selection_review` behind the
//! API's `committee_round` check. Done, the browser goes back to the page, which says so; refused,
//! the page shows again saying why in words, with what was typed, and nothing has changed.

use super::selection::{RoundQuery, Typed, render};
use super::{NoFields, StaffForm, see_other};
use crate::app::AppState;
use crate::app::selection_review;
use crate::domain::selection_review::Decision;
use crate::error::codes::INVALID_FIELD;
use crate::error::{Error, Result};
use crate::http::access::committee_round;
use crate::http::extract::{Path, Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

pub const TEXTS: &[Text] = &[
    // What a form did, shown on the page it returns to.
    (
        "sel_done_opened",
        "评选已开启，候选名单已按规则生成。",
        "The round is open, its candidates ranked by the rules.",
    ),
    (
        "sel_done_decided",
        "已记录委员会的决定。",
        "The decision is recorded.",
    ),
    (
        "sel_done_published",
        "名单已发布公示。",
        "The notice is published.",
    ),
    (
        "sel_done_resolved",
        "异议已处理。",
        "The objection is resolved.",
    ),
    (
        "sel_done_finalized",
        "最终名单已确定，入选者已获得表彰记录。",
        "The list is final; each winner has the award.",
    ),
    // Why a form was refused, by error code.
    (
        "sel_selection_exists",
        "该单位该年度的评选已经开启。",
        "This unit's round for that year is open already.",
    ),
    (
        "sel_invalid_unit",
        "评选由街道和社区开展，请选择街道或社区。",
        "Rounds are held by streets and communities: choose one.",
    ),
    (
        "sel_invalid_year",
        "请填写 2000 至 2100 之间的年份。",
        "Give a year between 2000 and 2100.",
    ),
    (
        "sel_reason_required",
        "请填写理由（500字以内）。",
        "Give the reason (up to 500 characters).",
    ),
    (
        "sel_not_a_candidate",
        "该志愿者不是本轮评选的候选人。",
        "This volunteer is not a candidate of this round.",
    ),
    (
        "sel_not_eligible",
        "规则已排除该志愿者，只能提名有排名的候选人。",
        "The rules left this volunteer out; only a ranked candidate can be nominated.",
    ),
    (
        "sel_selection_not_draft",
        "名单已发布公示，不能再调整。",
        "The list has been published and no longer changes by decision.",
    ),
    (
        "sel_no_winners",
        "名单中没有入选者，请先提名候选人再发布。",
        "The list has no winner: nominate a candidate first.",
    ),
    (
        "sel_selection_not_in_notice",
        "本轮评选不在公示期，无法进行此操作。",
        "The round is not in its public notice.",
    ),
    (
        "sel_already_resolved",
        "该异议已经处理过了。",
        "The objection has been resolved already.",
    ),
    (
        "sel_notice_running",
        "公示期尚未结束，期满后才能确定最终名单。",
        "The public notice has not ended yet: the list can be finalised after it.",
    ),
    (
        "sel_objections_open",
        "还有异议未处理，请先逐一处理后再确定最终名单。",
        "Some objections are still open: resolve each before finalising.",
    ),
];

/// Why a form of the committee's pages was refused, in the page's language: the code's own text,
/// else the error's message.
pub(super) fn refusal(lang: Lang, e: &Error) -> String {
    match lang.text(&format!("sel_{}", e.code())) {
        "" => e.to_string(),
        text => text.to_owned(),
    }
}

/// Back to the page after a form: saying what it did, or again saying why nothing changed.
async fn answer(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    (id, shown): (i64, RoundQuery),
    outcome: Result<()>,
    (done, typed): (&str, Typed),
) -> Result<Response> {
    match outcome {
        Ok(()) => Ok(see_other(format!(
            "/console/selections/{id}?{}&done={done}",
            shown.query()
        ))),
        Err(e) if e.is_refusal() => {
            let why = Some(refusal(lang, &e));
            render(state, (session, lang), id, shown, e.status(), (why, typed)).await
        }
        Err(e) => Err(e),
    }
}

/// An exclusion or a nomination, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    volunteer_no: String,
    /// `exclude` or `nominate`.
    decision: String,
    reason: String,
}

/// Excludes or nominates a candidate of the draft, with the reason.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(shown): Query<RoundQuery>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<DecisionForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let (round, unit) = committee_round(&state, caller, id).await?;
    let outcome = async {
        let decision = Decision::parse(&form.decision)
            .ok_or_else(|| Error::invalid(INVALID_FIELD, "exclude or nominate"))?;
        let what = (form.volunteer_no.as_str(), decision, form.reason.as_str());
        selection_review::decide(&state, (&round, &unit), what, caller)
            .await
            .map(drop)
    }
    .await;
    let typed = Typed {
        volunteer_no: form.volunteer_no,
        objection_id: None,
        reason: form.reason,
    };
    let visit = (session, lang);
    answer(&state, visit, (id, shown), outcome, ("decided", typed)).await
}

/// An objection's resolution, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResolutionForm {
    /// `upheld` or `dismissed`.
    outcome: String,
    reason: String,
}

/// Resolves an objection: upheld removes the winner, dismissed keeps them.
pub async fn resolve(
    State(state): State<AppState>,
    Path((id, objection_id)): Path<(i64, i64)>,
    Query(shown): Query<RoundQuery>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<ResolutionForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let (round, unit) = committee_round(&state, caller, id).await?;
    let outcome = async {
        let upheld = match form.outcome.as_str() {
            "upheld" => true,
            "dismissed" => false,
            _ => return Err(Error::invalid(INVALID_FIELD, "upheld or dismissed")),
        };
        let how = (upheld, form.reason.as_str());
        selection_review::resolve(&state, (&round, &unit), objection_id, how, caller).await
    }
    .await;
    let typed = Typed {
        volunteer_no: String::new(),
        objection_id: Some(objection_id),
        reason: form.reason,
    };
    let visit = (session, lang);
    answer(&state, visit, (id, shown), outcome, ("resolved", typed)).await
}

/// A step of the workflow with nothing to type.
enum Step {
    /// The draft's public notice starts.
    Publish,
    /// After the notice, each winner gets the award.
    Finalize,
}

/// Publishes the draft: its public notice starts.
pub async fn publish(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(shown): Query<RoundQuery>,
    form: StaffForm<NoFields>,
) -> Result<Response> {
    take_step(&state, (id, shown), form, Step::Publish).await
}

/// Finalises the round once its notice has ended and every objection is resolved.
pub async fn finalize(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(shown): Query<RoundQuery>,
    form: StaffForm<NoFields>,
) -> Result<Response> {
    take_step(&state, (id, shown), form, Step::Finalize).await
}

/// Publishes or finalises, as `step` says.
async fn take_step(
    state: &AppState,
    (id, shown): (i64, RoundQuery),
    StaffForm { lang, session, .. }: StaffForm<NoFields>,
    step: Step,
) -> Result<Response> {
    let caller = &session.caller;
    let (round, unit) = committee_round(state, caller, id).await?;
    let round = (&round, &unit);
    let (outcome, done) = match step {
        Step::Publish => (
            selection_review::publish(state, round, caller).await,
            "published",
        ),
        Step::Finalize => (
            selection_review::finalize(state, round, caller).await,
            "finalized",
        ),
    };
    let visit = (session, lang);
    answer(state, visit, (id, shown), outcome, (done, Typed::default())).await
}
