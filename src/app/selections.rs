//! Selection rounds 优秀志愿者评选: opening a unit's round for a year applies the configured rule
//! set to what the store reads for it and keeps the outcome, once per unit and year; the
//! scheduled job opens every round of the district from one reading; recomputing a draft applies
//! its own rule set to the inputs as they are now and says what changed.

use super::AppState;
use super::selection_review::{self, RoundLists, Winner};
use crate::domain::selection::{self, DraftDiff, Exclusion, Input, Place, RuleSet, Standing};
use crate::domain::units::UnitKind;
use crate::error::codes::{INVALID_UNIT, INVALID_YEAR, SELECTION_EXISTS, SELECTION_NOT_DRAFT};
use crate::error::{Error, Result};
use crate::store::selection_reviews::{DecisionRecord, Objection};
use crate::store::selections::{Candidate, InputsByCommunity, Selection, steps};
use crate::store::{NewAudit, Unit, audit};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// What the rounds of `year` within `path` read, by community.
pub async fn inputs(state: &AppState, path: &str, year: i32) -> Result<InputsByCommunity> {
    let offset = state.settings.display_offset();
    let start = |y: i32| -> DateTime<Utc> {
        let day = NaiveDate::from_ymd_opt(y, 1, 1).expect("1 January exists");
        offset
            .from_local_datetime(&day.and_time(NaiveTime::MIN))
            .single()
            .expect("a fixed offset is never ambiguous")
            .with_timezone(&Utc)
    };
    state
        .store
        .selection_inputs(path, year, (start(year), start(year + 1)), offset)
        .await
}

/// The inputs of `unit`'s round: those of every community within it.
fn inputs_of<'a>(
    unit: &'a Unit,
    communities: &'a [&'a Unit],
    inputs: &'a InputsByCommunity,
) -> impl Iterator<Item = &'a Input> {
    communities
        .iter()
        .filter(|c| c.path.starts_with(&unit.path))
        .filter_map(|c| inputs.get(&c.id))
        .flatten()
}

/// Applies the configured rules to `inputs` and stores `unit`'s round for `year`: its id, or
/// `None` when the unit has its round already.
async fn store_round<'a>(
    state: &AppState,
    unit: &Unit,
    year: i32,
    inputs: impl IntoIterator<Item = &'a Input>,
    actor: Option<i64>,
) -> Result<Option<i64>> {
    let rules = &state.settings.selection_rules;
    let draft = rules.draft(year, inputs);
    let text = serde_json::to_string(rules).expect("a rule set serializes");
    state
        .store
        .create_selection((unit.id, year), &text, &draft, actor)
        .await
}

/// Opens the round of `unit` (a street or a community) for `year`: 409 `selection_exists` when
/// the unit has one for the year already. `actor`: who opened it.
pub async fn open(state: &AppState, unit: &Unit, year: i32, actor: Option<i64>) -> Result<i64> {
    if unit.kind == UnitKind::District {
        return Err(Error::invalid(
            INVALID_UNIT,
            "rounds are held by streets and communities",
        ));
    }
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid(
            INVALID_YEAR,
            "year is between 2000 and 2100",
        ));
    }
    let inputs = inputs(state, &unit.path, year).await?;
    match store_round(state, unit, year, inputs.values().flatten(), actor).await? {
        Some(id) => Ok(id),
        None => Err(Error::conflict(
            SELECTION_EXISTS,
            format!("{} already has its round for {year}", unit.name),
        )),
    }
}

/// Opens the round of every street and community of the district for `year` that has none yet,
/// from one reading of the year for the whole district: how many it opened.
pub async fn open_all(state: &AppState, year: i32) -> Result<usize> {
    let Some(root) = state.store.root_unit().await? else {
        return Ok(0);
    };
    let units = state
        .store
        .units_within(std::slice::from_ref(&root.path))
        .await?;
    let inputs = inputs(state, &root.path, year).await?;
    let communities: Vec<&Unit> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Community)
        .collect();
    let mut opened = 0;
    for unit in units.iter().filter(|u| u.kind != UnitKind::District) {
        let of_unit = inputs_of(unit, &communities, &inputs);
        // Each round in a transaction of its own: a round another instance opened meanwhile is
        // left as it is.
        if store_round(state, unit, year, of_unit, None)
            .await?
            .is_some()
        {
            opened += 1;
        }
    }
    Ok(opened)
}

/// What a recomputation did: whether the list changed, and how.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recomputation {
    pub id: i64,
    /// `false`: the inputs are as they were, and so is the round.
    pub changed: bool,
    pub input_digest: String,
    pub quota: i32,
    pub diff: DraftDiff,
}

/// Applies round `round`'s own rule set to the inputs as they are now, while it is a draft (409
/// `selection_not_draft` once it is not): when they changed, its list, digest and quota are
/// replaced in one transaction, audited as `actor`'s.
pub async fn recompute(
    state: &AppState,
    round: Selection,
    unit: &Unit,
    actor: i64,
) -> Result<Recomputation> {
    let not_draft = || {
        Error::conflict(
            SELECTION_NOT_DRAFT,
            "only a draft is recomputed; this round has been published",
        )
    };
    if round.state != "draft" {
        return Err(not_draft());
    }
    let rules: RuleSet = serde_json::from_str(&round.rules)
        .map_err(|e| anyhow::anyhow!("round {}: stored rule set: {e}", round.id))?;
    let inputs = inputs(state, &unit.path, round.year).await?;
    let draft = rules.draft(round.year, inputs.values().flatten());
    let unchanged = || Recomputation {
        id: round.id,
        changed: false,
        input_digest: round.input_digest.clone(),
        quota: round.quota,
        diff: DraftDiff::default(),
    };
    if draft.input_digest == round.input_digest {
        return Ok(unchanged());
    }
    let mut tx = state.store.begin().await?;
    let Some(digest) = steps::hold_draft(&mut tx, round.id).await? else {
        return Err(not_draft());
    };
    if digest == draft.input_digest {
        // Recomputed on the same inputs meanwhile.
        return Ok(unchanged());
    }
    let before: Vec<Standing> = steps::candidates(&mut tx, round.id)
        .await?
        .into_iter()
        .map(standing)
        .collect();
    let diff = selection::diff(&before, &draft.standings());
    steps::replace_draft(&mut tx, round.id, &draft).await?;
    let numbers = |v: &[selection::Volunteer]| -> Vec<String> {
        v.iter().map(|w| w.volunteer_no.clone()).collect()
    };
    audit(
        &mut tx,
        NewAudit {
            actor_id: Some(actor),
            action: "recompute_selection",
            entity: "selection",
            entity_id: round.id.to_string(),
            unit_id: Some(unit.id),
            unit_path: Some(&unit.path),
            before: Some(json!({"input_digest": digest, "quota": round.quota})),
            after: Some(json!({
                "input_digest": draft.input_digest,
                "quota": draft.quota,
                "entered": diff.entered.len(),
                "left": diff.left.len(),
                "moved": diff.moved.len(),
                "into_quota": numbers(&diff.into_quota),
                "out_of_quota": numbers(&diff.out_of_quota),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Recomputation {
        id: round.id,
        changed: true,
        input_digest: draft.input_digest,
        quota: draft.quota as i32,
        diff,
    })
}

/// A stored candidate as the rules placed them.
fn standing(c: Candidate) -> Standing {
    let exclusions: Vec<Exclusion> = c
        .exclusions
        .and_then(|e| serde_json::from_str(&e).ok())
        .unwrap_or_default();
    Standing {
        volunteer_id: c.volunteer_id,
        volunteer_no: c.volunteer_no,
        place: Place {
            rank: c.rank.map(|r| r as u32),
            score: c.score.and_then(|s| s.parse().ok()),
            within_quota: c.within_quota,
            exclusions,
        },
    }
}

/// A round with its candidates, as the committee reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundView {
    #[serde(flatten)]
    pub selection: SelectionView,
    pub candidates: Vec<CandidateView>,
    /// The list as it stands: the draft's, with the committee's decisions and upheld objections.
    pub winners: Vec<Winner>,
    /// The committee's decisions, in the order they were made (the latest per volunteer counts).
    pub decisions: Vec<DecisionRecord>,
    pub objections: Vec<Objection>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SelectionView {
    pub id: i64,
    pub unit_id: i64,
    pub year: i32,
    pub state: String,
    /// The rule set applied.
    #[schema(value_type = Object)]
    pub rules: Value,
    /// SHA-256 of the rule set and the inputs: the same data gives the same digest.
    pub input_digest: String,
    pub quota: i32,
    pub opened_by: Option<i64>,
    pub opened_at: chrono::DateTime<Utc>,
    pub published_at: Option<chrono::DateTime<Utc>>,
    /// The end of the public notice 公示: objections until then, finalising after.
    pub notice_ends_at: Option<chrono::DateTime<Utc>>,
    pub finalized_at: Option<chrono::DateTime<Utc>>,
    /// The public notice page, once published.
    pub notice_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateView {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    /// `null` for a volunteer the rules left out (see `exclusions`).
    pub rank: Option<i32>,
    pub score: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub breakdown: Option<Value>,
    pub within_quota: bool,
    /// Why the rules left the volunteer out: `registered_too_late`, `too_few_hours`, `fraud`.
    #[schema(value_type = Option<Vec<String>>)]
    pub exclusions: Option<Value>,
}

fn json(text: Option<String>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

pub async fn view(state: &AppState, s: Selection) -> Result<RoundView> {
    let lists = RoundLists::read(state, &s).await?;
    let winners = selection_review::winners(state, &s, &lists).await?;
    let notice_url =
        (s.state != "draft").then(|| format!("{}/notice/{}", state.settings.public_url(), s.id));
    let RoundLists {
        candidates,
        decisions,
        objections,
    } = lists;
    let candidates = candidates
        .into_iter()
        .map(|c: Candidate| CandidateView {
            volunteer_id: c.volunteer_id,
            volunteer_no: c.volunteer_no,
            rank: c.rank,
            score: c.score,
            breakdown: json(c.breakdown),
            within_quota: c.within_quota,
            exclusions: json(c.exclusions),
        })
        .collect();
    Ok(RoundView {
        selection: SelectionView {
            rules: serde_json::from_str(&s.rules).unwrap_or(Value::Null),
            id: s.id,
            unit_id: s.unit_id,
            year: s.year,
            state: s.state,
            input_digest: s.input_digest,
            quota: s.quota,
            opened_by: s.opened_by,
            opened_at: s.opened_at,
            published_at: s.published_at,
            notice_ends_at: s.notice_ends_at,
            finalized_at: s.finalized_at,
            notice_url,
        },
        candidates,
        winners,
        decisions,
        objections,
    })
}
