//! Backbone volunteers 骨干志愿者: the daily rule and the social workers' designations and
//! revocations. Each change of status is kept in the history with its reason, counted in the
//! targets report and audited, in the transaction that makes it.

use crate::domain::backbone::{BackboneRule, Basis, effective};
use crate::error::codes::REASON_REQUIRED;
use crate::error::{Error, Result};
use crate::store::backbone::{self as steps, NewChange, Standing};
use crate::store::db::Tx;
use crate::store::{Store, Volunteer, targets};
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// What one run of the rule changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleRun {
    /// Volunteers who meet the rule.
    pub meeting: usize,
    pub became_backbone: usize,
    pub ceased: usize,
}

/// Applies the rule on the day of `now` (display time) to every volunteer.
pub async fn apply_rule(
    store: &Store,
    rule: &BackboneRule,
    now: DateTime<FixedOffset>,
) -> Result<RuleRun> {
    let mut tx = store.begin().await?;
    steps::lock(&mut tx).await?;
    let meeting = steps::meeting_rule(
        &mut tx,
        rule.window(now.date_naive()),
        rule.min_minutes(),
        rule.activities,
    )
    .await?;
    let mut standings: HashMap<i64, Standing> = steps::standings(&mut tx)
        .await?
        .into_iter()
        .map(|s| (s.volunteer_id, s))
        .collect();
    let mut reasons: HashMap<i64, String> = HashMap::new();
    for m in &meeting {
        reasons.insert(m.volunteer_id, rule.reason_met(m.minutes, m.activities));
        standings.entry(m.volunteer_id).or_insert(Standing {
            volunteer_id: m.volunteer_id,
            community_id: m.community_id,
            by_rule: false,
            designated: None,
            backbone: false,
        });
    }
    let mut changed = Vec::new();
    let mut history = Vec::new();
    // Net change of backbone volunteers per community, in a fixed order.
    let mut counts: BTreeMap<i64, i32> = BTreeMap::new();
    let mut run = RuleRun {
        meeting: meeting.len(),
        became_backbone: 0,
        ceased: 0,
    };
    for s in standings.into_values() {
        let by_rule = reasons.contains_key(&s.volunteer_id);
        if by_rule == s.by_rule {
            continue;
        }
        let backbone = effective(by_rule, s.designated);
        if backbone != s.backbone {
            history.push(NewChange {
                volunteer_id: s.volunteer_id,
                backbone,
                basis: Basis::Rule,
                reason: reasons
                    .remove(&s.volunteer_id)
                    .unwrap_or_else(|| rule.reason_lapsed()),
                actor_id: None,
            });
            *counts.entry(s.community_id).or_default() += if backbone { 1 } else { -1 };
            if backbone {
                run.became_backbone += 1;
            } else {
                run.ceased += 1;
            }
        }
        changed.push(Standing {
            by_rule,
            backbone,
            ..s
        });
    }
    changed.sort_by_key(|s| s.volunteer_id);
    history.sort_by_key(|c| c.volunteer_id);
    steps::set_standings(&mut tx, &changed).await?;
    let last_before = steps::append_changes(&mut tx, &history, now.to_utc()).await?;
    steps::audit_changes(&mut tx, last_before).await?;
    for (community, change) in counts {
        if change != 0 {
            targets::add_backbone_in(&mut tx, community, now.year(), change).await?;
        }
    }
    tx.commit().await?;
    Ok(run)
}

/// A social worker's (or admin's) decision on one volunteer, with its reason; it stands over
/// the rule until a person decides again. The access check is the caller's.
pub async fn designate(
    store: &Store,
    volunteer: &Volunteer,
    designated: bool,
    reason: &str,
    actor: i64,
    now: DateTime<FixedOffset>,
) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Error::invalid(
            REASON_REQUIRED,
            "give the reason for the decision (up to 500 characters)",
        ));
    }
    let mut tx = store.begin().await?;
    steps::lock(&mut tx).await?;
    let was = steps::standing(&mut tx, volunteer.id).await?;
    decide(&mut tx, volunteer, was, designated, reason, actor, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the backbone status of a volunteer who withdraws 注销, in the withdrawal's transaction:
/// revoked as a person's decision would be, so that the rule does not give it back.
pub(crate) async fn end_on_withdrawal(
    tx: &mut Tx,
    volunteer: &Volunteer,
    now: DateTime<FixedOffset>,
) -> Result<()> {
    steps::lock(tx).await?;
    let was = steps::standing(tx, volunteer.id).await?;
    if was.as_ref().is_some_and(|s| s.backbone) {
        let reason = "志愿者本人注销";
        decide(tx, volunteer, was, false, reason, volunteer.id, now).await?;
    }
    Ok(())
}

/// Keeps a person's decision on the volunteer, whose standing `was`: the standing, the change
/// in the history (audited) and the count of backbone volunteers.
async fn decide(
    tx: &mut Tx,
    volunteer: &Volunteer,
    was: Option<Standing>,
    designated: bool,
    reason: &str,
    actor: i64,
    now: DateTime<FixedOffset>,
) -> Result<()> {
    let standing = Standing {
        volunteer_id: volunteer.id,
        community_id: volunteer.community_id,
        by_rule: was.as_ref().is_some_and(|s| s.by_rule),
        designated: Some(designated),
        backbone: designated,
    };
    steps::set_standings(tx, std::slice::from_ref(&standing)).await?;
    let change = NewChange {
        volunteer_id: volunteer.id,
        backbone: designated,
        basis: if designated {
            Basis::Designation
        } else {
            Basis::Revocation
        },
        reason: reason.to_owned(),
        actor_id: Some(actor),
    };
    let last_before =
        steps::append_changes(tx, std::slice::from_ref(&change), now.to_utc()).await?;
    steps::audit_changes(tx, last_before).await?;
    if was.is_some_and(|s| s.backbone) != designated {
        let change = if designated { 1 } else { -1 };
        targets::add_backbone(tx, volunteer.id, now.year(), change).await?;
    }
    Ok(())
}

/// A volunteer's backbone status as the volunteer and staff read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BackboneView {
    /// `backbone` or `none`.
    pub status: &'static str,
    pub is_backbone: bool,
    /// What decided the status: `rule`, `designation` or `revocation`; `null` before any change.
    pub basis: Option<String>,
    /// Why: the figures that met the rule, the person's reason, or what the rule asks.
    pub reason: String,
    /// When the status last changed.
    pub since: Option<DateTime<Utc>>,
}

pub async fn view(store: &Store, rule: &BackboneRule, volunteer_id: i64) -> Result<BackboneView> {
    Ok(match store.backbone_change_of(volunteer_id).await? {
        Some(c) => BackboneView {
            status: if c.backbone { "backbone" } else { "none" },
            is_backbone: c.backbone,
            basis: Some(c.basis),
            reason: c.reason,
            since: Some(c.at),
        },
        None => BackboneView {
            status: "none",
            is_backbone: false,
            basis: None,
            reason: rule.standard(),
            since: None,
        },
    })
}
