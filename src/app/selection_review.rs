//! The committee's review of a selection round and its public notice 公示: decisions on the
//! draft, publishing, objections and their resolution, and finalising with the awards. The access
//! checks are the callers' (`http/`): the committee of the round's unit for all but objections,
//! which anyone logged in may file.

use super::AppState;
use crate::domain::hours::hours;
use crate::domain::roles::Caller;
use crate::domain::selection_review::{self, Basis, Decision, Placed};
use crate::domain::text::REASON;
use crate::error::codes::{
    ALREADY_RESOLVED, NO_WINNERS, NOT_A_CANDIDATE, NOT_A_WINNER, NOT_ELIGIBLE, NOTICE_RUNNING,
    OBJECTIONS_OPEN, SELECTION_NOT_DRAFT, SELECTION_NOT_IN_NOTICE,
};
use crate::error::{Error, Result};
use crate::store::Unit;
use crate::store::selection_reviews::{
    DecisionRecord, NewDecision, Objection, Round, WinnerDetails,
};
use crate::store::selections::{Candidate, Selection};
use chrono::{Duration, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

fn round<'a>(s: &Selection, unit: &'a Unit) -> Round<'a> {
    Round {
        id: s.id,
        unit_id: unit.id,
        unit_path: &unit.path,
    }
}

fn not_draft() -> Error {
    Error::conflict(
        SELECTION_NOT_DRAFT,
        "the round has been published: its list can no longer change by decision",
    )
}

fn not_in_notice() -> Error {
    Error::conflict(
        SELECTION_NOT_IN_NOTICE,
        "the round is not in its public notice",
    )
}

/// A winner of the round, with what the notice shows of them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Winner {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub community: String,
    /// Confirmed service hours in the round's year.
    #[schema(value_type = String, example = "86.50")]
    pub hours: Decimal,
    pub activities: i64,
    /// The rank the rules gave (a nominee's may lie below the quota).
    pub rank: i32,
    pub basis: Basis,
}

/// A round's lists as one request read them: the candidates, the committee's decisions (in the
/// order they were made) and the objections (in the order they were filed).
#[derive(Debug, Clone)]
pub struct RoundLists {
    pub candidates: Vec<Candidate>,
    pub decisions: Vec<DecisionRecord>,
    pub objections: Vec<Objection>,
}

impl RoundLists {
    /// Reads each of the round's lists once.
    pub async fn read(state: &AppState, s: &Selection) -> Result<RoundLists> {
        let store = &state.store;
        Ok(RoundLists {
            candidates: store.selection_candidates(s.id).await?,
            decisions: store.selection_decisions(s.id).await?,
            objections: store.selection_objections(s.id).await?,
        })
    }

    /// Who is on the list now and why: the draft's list, the committee's decisions and the
    /// upheld objections, best rank first.
    pub fn list(&self) -> Vec<(i64, Basis)> {
        let decided: Vec<(i64, Decision)> = decided(&self.decisions).collect();
        let removed: HashSet<i64> = self
            .objections
            .iter()
            .filter(|o| o.upheld == Some(true))
            .map(|o| o.volunteer_id)
            .collect();
        selection_review::winners(&placed(&self.candidates), &decided, &removed)
    }
}

/// The decisions as the rule reads them.
fn decided(decisions: &[DecisionRecord]) -> impl Iterator<Item = (i64, Decision)> + '_ {
    decisions
        .iter()
        .filter_map(|d| Some((d.volunteer_id, Decision::parse(&d.decision)?)))
}

/// The round's winners now, from the lists the caller read: the draft's list, the committee's
/// decisions and the upheld objections, best rank first.
pub async fn winners(state: &AppState, s: &Selection, lists: &RoundLists) -> Result<Vec<Winner>> {
    named(state, s, &lists.candidates, lists.list()).await
}

/// The winners of `list` with what the notice shows of them: their details are read here.
async fn named(
    state: &AppState,
    s: &Selection,
    candidates: &[Candidate],
    list: Vec<(i64, Basis)>,
) -> Result<Vec<Winner>> {
    let ids: Vec<i64> = list.iter().map(|(id, _)| *id).collect();
    let mut details: HashMap<i64, WinnerDetails> = state
        .store
        .selection_winner_details(s.year, &ids)
        .await?
        .into_iter()
        .map(|d| (d.volunteer_id, d))
        .collect();
    let ranks: HashMap<i64, Option<i32>> = candidates
        .iter()
        .map(|c| (c.volunteer_id, c.rank))
        .collect();
    Ok(list
        .into_iter()
        .filter_map(|(id, basis)| {
            let d = details.remove(&id)?;
            let rank = ranks.get(&id).copied().flatten()?;
            Some(Winner {
                volunteer_id: id,
                volunteer_no: d.volunteer_no,
                name: d.name,
                community: d.community,
                hours: hours(d.minutes),
                activities: d.activities,
                rank,
                basis,
            })
        })
        .collect())
}

fn placed(candidates: &[Candidate]) -> Vec<Placed> {
    candidates
        .iter()
        .filter_map(|c| {
            Some(Placed {
                volunteer_id: c.volunteer_id,
                rank: u32::try_from(c.rank?).ok()?,
                within_quota: c.within_quota,
            })
        })
        .collect()
}

/// Excludes or nominates one candidate of a draft, with the reason and the member's name: the
/// winners as they now stand. Only a volunteer the rules ranked can be nominated; a nomination
/// that takes the winners beyond the quota is kept, marked as such.
pub async fn decide(
    state: &AppState,
    (s, unit): (&Selection, &Unit),
    (volunteer_no, decision, reason): (&str, Decision, &str),
    member: &Caller,
) -> Result<Vec<Winner>> {
    if s.state != "draft" {
        return Err(not_draft());
    }
    let reason = REASON.parse(reason)?;
    let candidates = state.store.selection_candidates(s.id).await?;
    let candidate = candidates
        .iter()
        .find(|c| c.volunteer_no.eq_ignore_ascii_case(volunteer_no.trim()))
        .ok_or_else(|| {
            Error::invalid(
                NOT_A_CANDIDATE,
                format!("{volunteer_no} is not a candidate of this round"),
            )
        })?;
    if decision == Decision::Nominate && candidate.rank.is_none() {
        return Err(Error::invalid(
            NOT_ELIGIBLE,
            "the rules left this volunteer out of the round; only a ranked candidate can be nominated",
        ));
    }
    let decisions = state.store.selection_decisions(s.id).await?;
    let mut decided: Vec<(i64, Decision)> = decided(&decisions).collect();
    decided.push((candidate.volunteer_id, decision));
    // A draft has no objections: they are filed during the notice.
    let after = selection_review::winners(&placed(&candidates), &decided, &HashSet::new());
    let beyond_quota = decision == Decision::Nominate && after.len() > s.quota as usize;
    let new = NewDecision {
        volunteer_id: candidate.volunteer_id,
        decision,
        reason: &reason,
        beyond_quota,
        member_id: member.user_id,
        member_name: &member.name,
    };
    if !state
        .store
        .add_selection_decision(round(s, unit), &new)
        .await?
    {
        return Err(not_draft());
    }
    named(state, s, &candidates, after).await
}

/// Publishes a draft: its public notice 公示 starts now and lasts `selection_notice_days`.
pub async fn publish(state: &AppState, (s, unit): (&Selection, &Unit), by: &Caller) -> Result<()> {
    if s.state != "draft" {
        return Err(not_draft());
    }
    if RoundLists::read(state, s).await?.list().is_empty() {
        return Err(Error::invalid(
            NO_WINNERS,
            "the round has no winner to publish: nominate a candidate first",
        ));
    }
    let ends_at = Utc::now() + Duration::days(i64::from(state.settings.selection_notice_days));
    if !state
        .store
        .publish_selection(round(s, unit), by.user_id, ends_at)
        .await?
    {
        return Err(not_draft());
    }
    Ok(())
}

/// Files an objection to one of the round's winners during its notice: the objection's id.
pub async fn object(
    state: &AppState,
    (s, unit): (&Selection, &Unit),
    (volunteer_no, reason): (&str, &str),
    by: &Caller,
) -> Result<i64> {
    let running = s.state == "notice" && s.notice_ends_at.is_some_and(|end| Utc::now() < end);
    if !running {
        return Err(not_in_notice());
    }
    let reason = REASON.parse(reason)?;
    let lists = RoundLists::read(state, s).await?;
    let winner = winners(state, s, &lists)
        .await?
        .into_iter()
        .find(|w| w.volunteer_no.eq_ignore_ascii_case(volunteer_no.trim()))
        .ok_or_else(|| {
            Error::invalid(
                NOT_A_WINNER,
                format!("{volunteer_no} is not on this round's list of winners"),
            )
        })?;
    state
        .store
        .file_objection(round(s, unit), winner.volunteer_id, &reason, by.user_id)
        .await?
        .ok_or_else(not_in_notice)
}

/// Resolves an open objection: upheld removes the winner, dismissed keeps them; both with a reason.
pub async fn resolve(
    state: &AppState,
    (s, unit): (&Selection, &Unit),
    objection_id: i64,
    (upheld, reason): (bool, &str),
    by: &Caller,
) -> Result<()> {
    if s.state != "notice" {
        return Err(not_in_notice());
    }
    let reason = REASON.parse(reason)?;
    let objections = state.store.selection_objections(s.id).await?;
    let objection = objections
        .iter()
        .find(|o| o.id == objection_id)
        .ok_or(Error::NotFound("objection"))?;
    let resolved = objection.resolved_at.is_none()
        && state
            .store
            .resolve_objection(
                round(s, unit),
                objection_id,
                (upheld, &reason),
                (by.user_id, &by.name),
            )
            .await?;
    if !resolved {
        return Err(Error::conflict(
            ALREADY_RESOLVED,
            "the objection has been resolved already",
        ));
    }
    Ok(())
}

/// Finalises a round after its notice, every objection resolved: each winner gets the award.
pub async fn finalize(state: &AppState, (s, unit): (&Selection, &Unit), by: &Caller) -> Result<()> {
    let Some(ends_at) = s.notice_ends_at.filter(|_| s.state == "notice") else {
        return Err(not_in_notice());
    };
    if Utc::now() < ends_at {
        return Err(Error::conflict(
            NOTICE_RUNNING,
            format!("the public notice runs until {}", ends_at.to_rfc3339()),
        ));
    }
    let lists = RoundLists::read(state, s).await?;
    let open = lists
        .objections
        .iter()
        .filter(|o| o.resolved_at.is_none())
        .count();
    if open > 0 {
        return Err(Error::conflict(
            OBJECTIONS_OPEN,
            format!("{open} objection(s) are not resolved yet"),
        ));
    }
    let winners: Vec<i64> = lists.list().iter().map(|(id, _)| *id).collect();
    let today = state.settings.local_now().date_naive();
    let award = selection_review::award_name(s.year);
    if !state
        .store
        .finalize_selection(round(s, unit), by.user_id, (&award, today), &winners)
        .await?
    {
        // Another member finalised, or an objection came in, since the round was read.
        return Err(Error::conflict(
            SELECTION_NOT_IN_NOTICE,
            "the round changed meanwhile: reload it",
        ));
    }
    Ok(())
}
