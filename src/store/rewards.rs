//! Partners, their rewards and redemptions against points balances.

use crate::error::{Error, Result};
use crate::store::{NewAudit, Unit};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A partner 社会资源 that gives rewards, registered at a unit.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Partner {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub unit_path: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Reward {
    pub id: i64,
    pub partner_id: i64,
    pub partner_name: String,
    /// The partner's unit.
    pub unit_id: i64,
    pub name: String,
    pub description: String,
    pub points_cost: i32,
    pub stock: i32,
    /// Inactive rewards cannot be redeemed and are hidden from volunteers.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub unit_path: String,
}

/// A reward about to be offered, validated.
#[derive(Debug, Clone)]
pub struct NewReward {
    pub name: String,
    pub description: String,
    pub points_cost: i32,
    pub stock: i32,
}

/// What an admin changes on a reward.
#[derive(Debug, Clone, Copy)]
pub enum RewardChange {
    /// The stock counted now (restocking).
    Stock(i32),
    Active(bool),
}

impl RewardChange {
    pub fn action(self) -> &'static str {
        match self {
            RewardChange::Stock(_) => "restock",
            RewardChange::Active(true) => "activate",
            RewardChange::Active(false) => "deactivate",
        }
    }

    /// The `stock` and `active` columns to set (`None`: keep).
    pub fn columns(self) -> (Option<i32>, Option<bool>) {
        match self {
            RewardChange::Stock(s) => (Some(s), None),
            RewardChange::Active(a) => (None, Some(a)),
        }
    }
}

/// The outcome of a redemption.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Redeemed {
    pub redemption_id: i64,
    /// The reward after the redemption (its stock one less).
    pub reward: Reward,
    /// The points spent.
    pub points: i32,
    /// The volunteer's balance after the redemption.
    pub balance: i64,
}

/// A past redemption, as the volunteer sees it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Redemption {
    pub id: i64,
    pub reward_id: i64,
    pub reward_name: String,
    pub partner_name: String,
    /// The partner's unit.
    pub unit_id: i64,
    pub points: i32,
    pub created_at: DateTime<Utc>,
}

/// Partners with their unit's path; backends add their `WHERE`.
pub(crate) const PARTNER: &str = "SELECT p.id, p.unit_id, p.name, p.created_at, u.path AS unit_path
    FROM partners p JOIN units u ON u.id = p.unit_id";
/// Rewards with their partner and its unit's path; backends add their `WHERE`.
pub(crate) const REWARD: &str = "SELECT r.id, r.partner_id, p.name AS partner_name, p.unit_id,
    r.name, r.description, r.points_cost, r.stock, r.active, r.created_at, u.path AS unit_path
    FROM rewards r JOIN partners p ON p.id = r.partner_id JOIN units u ON u.id = p.unit_id";
/// Redemptions as a volunteer sees them; backends add their `WHERE`.
pub(crate) const REDEMPTION: &str = "SELECT d.id, d.reward_id, r.name AS reward_name,
    p.name AS partner_name, p.unit_id, d.points, d.created_at
    FROM redemptions d JOIN rewards r ON r.id = d.reward_id JOIN partners p ON p.id = r.partner_id";

/// Why a reward's stock could not be taken: it is gone, inactive, or there is none left.
pub(crate) fn unavailable(reward: Option<Reward>) -> Error {
    match reward {
        None => Error::NotFound("reward"),
        Some(r) if !r.active => {
            Error::conflict("reward_inactive", "this reward is not offered now")
        }
        Some(_) => Error::conflict("out_of_stock", "this reward is out of stock"),
    }
}

pub(crate) fn insufficient_points() -> Error {
    Error::conflict(
        "insufficient_points",
        "your points balance is less than this reward costs",
    )
}

/// The ids of the units on `path` (`/1/4/17/` → 1, 4, 17): the unit and those above it.
pub fn units_on_path(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|id| id.parse().ok()).collect()
}

pub(crate) fn partner_audit(p: &Partner, actor: i64) -> NewAudit<'_> {
    NewAudit {
        actor_id: Some(actor),
        action: "create",
        entity: "partner",
        entity_id: p.id.to_string(),
        unit_id: Some(p.unit_id),
        unit_path: Some(&p.unit_path),
        before: None,
        after: Some(serde_json::to_value(p).unwrap_or_default()),
    }
}

pub(crate) fn reward_audit<'a>(
    r: &'a Reward,
    actor: i64,
    action: &'static str,
    before: Option<&Reward>,
) -> NewAudit<'a> {
    NewAudit {
        actor_id: Some(actor),
        action,
        entity: "reward",
        entity_id: r.id.to_string(),
        unit_id: Some(r.unit_id),
        unit_path: Some(&r.unit_path),
        before: before.map(|b| serde_json::to_value(b).unwrap_or_default()),
        after: Some(serde_json::to_value(r).unwrap_or_default()),
    }
}

/// The audit entry of a redemption, filed under the partner's unit: what the volunteer's balance
/// and the reward's stock were before and after.
pub(crate) fn redemption_audit(r: &Redeemed, volunteer_id: i64) -> NewAudit<'_> {
    let state = |balance: i64, stock: i32| {
        serde_json::json!({
            "reward_id": r.reward.id,
            "volunteer_id": volunteer_id,
            "points": r.points,
            "balance": balance,
            "stock": stock,
        })
    };
    NewAudit {
        actor_id: Some(volunteer_id),
        action: "redeem",
        entity: "redemption",
        entity_id: r.redemption_id.to_string(),
        unit_id: Some(r.reward.unit_id),
        unit_path: Some(&r.reward.unit_path),
        before: Some(state(r.balance + i64::from(r.points), r.reward.stock + 1)),
        after: Some(state(r.balance, r.reward.stock)),
    }
}

#[async_trait]
pub trait RewardStore {
    /// `duplicate_partner` conflict when the unit already has a partner of that name.
    async fn create_partner(&self, unit: &Unit, name: &str, actor: i64) -> Result<Partner>;
    async fn partner(&self, id: i64) -> Result<Option<Partner>>;
    /// Partners of the units within `path`, by id.
    async fn partners_within(&self, path: &str) -> Result<Vec<Partner>>;
    async fn create_reward(&self, partner: &Partner, r: &NewReward, actor: i64) -> Result<Reward>;
    async fn reward(&self, id: i64) -> Result<Option<Reward>>;
    async fn change_reward(&self, id: i64, change: RewardChange, actor: i64) -> Result<Reward>;
    /// Rewards of partners of the units within `path` (active or not), by id.
    async fn rewards_within(&self, path: &str) -> Result<Vec<Reward>>;
    /// Active rewards of partners registered at one of `unit_ids`, by id.
    async fn active_rewards_at(&self, unit_ids: &[i64]) -> Result<Vec<Reward>>;
    /// Spends the reward's cost from the volunteer's balance and takes one from its stock, with
    /// its points entry and audit entry, in one transaction: all of it or nothing.
    /// Conflicts: `reward_inactive`, `out_of_stock`, `insufficient_points`.
    async fn redeem(&self, reward_id: i64, volunteer_id: i64) -> Result<Redeemed>;
    /// The volunteer's redemptions, newest first.
    async fn redemptions_of(&self, volunteer_id: i64) -> Result<Vec<Redemption>>;
}
