//! Partners, their rewards and redemptions against points balances.

use super::db::{Tx, query, query_as, query_scalar};
use super::{Store, audit, conflict_on};
use crate::error::codes::{
    ALREADY_HANDED_OVER, DUPLICATE_PARTNER, DUPLICATE_REDEMPTION_CODE, INSUFFICIENT_POINTS,
    OUT_OF_STOCK, REWARD_INACTIVE,
};
use crate::error::{Error, Result};
use crate::store::{NewAudit, Unit};
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
    /// The redemption code 兑换码 the volunteer shows the partner, e.g. `RDK7QW2M4D`.
    pub code: String,
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
    /// The redemption code; none for redemptions made before there were codes.
    pub code: Option<String>,
    /// When the partner handed the reward over; none while it waits to be collected.
    pub handed_over_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub unit_path: String,
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
    p.name AS partner_name, p.unit_id, d.points, d.created_at, d.code, d.handed_over_at,
    u.path AS unit_path
    FROM redemptions d JOIN rewards r ON r.id = d.reward_id JOIN partners p ON p.id = r.partner_id
    JOIN units u ON u.id = p.unit_id";

/// Why a reward's stock could not be taken: it is gone, inactive, or there is none left.
pub(crate) fn unavailable(reward: Option<Reward>) -> Error {
    match reward {
        None => Error::NotFound("reward"),
        Some(r) if !r.active => Error::conflict(REWARD_INACTIVE, "this reward is not offered now"),
        Some(_) => Error::conflict(OUT_OF_STOCK, "this reward is out of stock"),
    }
}

pub(crate) fn insufficient_points() -> Error {
    Error::conflict(
        INSUFFICIENT_POINTS,
        "your points balance is less than this reward costs",
    )
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

async fn partner_in(tx: &mut Tx, id: i64) -> Result<Partner> {
    query_as(format!("{PARTNER} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(tx)
        .await?
        .ok_or(Error::NotFound("partner"))
}

async fn reward_in(tx: &mut Tx, id: i64) -> Result<Option<Reward>> {
    Ok(query_as(format!("{REWARD} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(tx)
        .await?)
}

impl Store {
    pub async fn create_partner(&self, unit: &Unit, name: &str, actor: i64) -> Result<Partner> {
        let mut tx = self.db.begin().await?;
        let id: i64 = query_scalar(
            "INSERT INTO partners (unit_id, name, created_by, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(unit.id)
        .bind(name)
        .bind(actor)
        .bind(Utc::now())
        .one(&mut tx)
        .await
        .map_err(|e| conflict_on(e, DUPLICATE_PARTNER, "this unit has a partner of that name"))?;
        let partner = partner_in(&mut tx, id).await?;
        audit(&mut tx, partner_audit(&partner, actor)).await?;
        tx.commit().await?;
        Ok(partner)
    }

    pub async fn partner(&self, id: i64) -> Result<Option<Partner>> {
        Ok(query_as(format!("{PARTNER} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(&self.db)
            .await?)
    }

    pub async fn partners_within(&self, path: &str) -> Result<Vec<Partner>> {
        Ok(query_as(format!(
            "{PARTNER} WHERE u.path >= $1 AND u.path < $1 || '~' ORDER BY p.id"
        ))
        .bind(path)
        .fetch_all(&self.db)
        .await?)
    }

    pub async fn create_reward(
        &self,
        partner: &Partner,
        r: &NewReward,
        actor: i64,
    ) -> Result<Reward> {
        let mut tx = self.db.begin().await?;
        let id: i64 = query_scalar(
            "INSERT INTO rewards (partner_id, name, description, points_cost, stock, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(partner.id)
        .bind(&r.name)
        .bind(&r.description)
        .bind(r.points_cost)
        .bind(r.stock)
        .bind(actor)
        .bind(Utc::now())
        .one(&mut tx)
        .await?;
        let reward = reward_in(&mut tx, id)
            .await?
            .ok_or(Error::NotFound("reward"))?;
        audit(&mut tx, reward_audit(&reward, actor, "create", None)).await?;
        tx.commit().await?;
        Ok(reward)
    }

    pub async fn reward(&self, id: i64) -> Result<Option<Reward>> {
        Ok(query_as(format!("{REWARD} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&self.db)
            .await?)
    }

    pub async fn change_reward(&self, id: i64, change: RewardChange, actor: i64) -> Result<Reward> {
        let mut tx = self.db.begin().await?;
        let before = reward_in(&mut tx, id)
            .await?
            .ok_or(Error::NotFound("reward"))?;
        let (stock, active) = change.columns();
        query(
            "UPDATE rewards SET stock = COALESCE($1, stock), active = COALESCE($2, active) WHERE id = $3",
        )
        .bind(stock)
        .bind(active)
        .bind(id)
        .execute(&mut tx)
        .await?;
        let after = reward_in(&mut tx, id)
            .await?
            .ok_or(Error::NotFound("reward"))?;
        audit(
            &mut tx,
            reward_audit(&after, actor, change.action(), Some(&before)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The rewards of partners at units within `path`, oldest first: `limit` of them after the
    /// first `offset`.
    pub async fn rewards_within(
        &self,
        path: &str,
        (limit, offset): (i64, i64),
    ) -> Result<Vec<Reward>> {
        Ok(query_as(format!(
            "{REWARD} WHERE u.path >= $1 AND u.path < $1 || '~' ORDER BY r.id LIMIT $2 OFFSET $3"
        ))
        .bind(path)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.db)
        .await?)
    }

    /// The active rewards of partners at the unit of `path` and at the units above it.
    pub async fn active_rewards_above(&self, path: &str) -> Result<Vec<Reward>> {
        Ok(query_as(format!(
            "{REWARD} WHERE substr($1, 1, length(u.path)) = u.path AND r.active ORDER BY r.id"
        ))
        .bind(path)
        .fetch_all(&self.db)
        .await?)
    }

    /// Redeems the reward for the volunteer under `code`; 409 `duplicate_redemption_code` when
    /// another redemption has the code already.
    pub async fn redeem(&self, reward_id: i64, volunteer_id: i64, code: &str) -> Result<Redeemed> {
        // The guarded updates keep stock and balance from going below zero. On SQLite writes take
        // turns; on PostgreSQL simultaneous redemptions of one reward, or by one volunteer, wait
        // on the row lock of the first update and then evaluate its guard again on the committed
        // row. Rows are locked in one order (reward, then balance), so these never deadlock each
        // other. An early return rolls back.
        let mut tx = self.db.begin().await?;
        let cost: Option<i32> = query_scalar(
            "UPDATE rewards SET stock = stock - 1 WHERE id = $1 AND active AND stock > 0
             RETURNING points_cost",
        )
        .bind(reward_id)
        .optional(&mut tx)
        .await?;
        let Some(cost) = cost else {
            return Err(unavailable(reward_in(&mut tx, reward_id).await?));
        };
        // No balance row is a balance of 0: nothing to update, so not enough.
        let balance: i64 = query_scalar(
            "UPDATE points_balances SET balance = balance - $1 WHERE volunteer_id = $2 AND balance >= $1
             RETURNING balance",
        )
        .bind(cost)
        .bind(volunteer_id)
        .optional(&mut tx)
        .await?
        .ok_or_else(insufficient_points)?;
        let now = Utc::now();
        let redemption_id: i64 = query_scalar(
            "INSERT INTO redemptions (reward_id, volunteer_id, points, created_at, code)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(reward_id)
        .bind(volunteer_id)
        .bind(cost)
        .bind(now)
        .bind(code)
        .one(&mut tx)
        .await
        .map_err(|e| conflict_on(e, DUPLICATE_REDEMPTION_CODE, "the code drawn is taken"))?;
        query(
            "INSERT INTO points_entries (volunteer_id, points, source, redemption_id, actor_id, created_at)
             VALUES ($1, $2, 'redemption', $3, $4, $5)",
        )
        .bind(volunteer_id)
        .bind(-cost)
        .bind(redemption_id)
        .bind(volunteer_id)
        .bind(now)
        .execute(&mut tx)
        .await?;
        let reward = reward_in(&mut tx, reward_id)
            .await?
            .ok_or(Error::NotFound("reward"))?;
        let redeemed = Redeemed {
            redemption_id,
            code: code.to_owned(),
            reward,
            points: cost,
            balance,
        };
        audit(&mut tx, redemption_audit(&redeemed, volunteer_id)).await?;
        tx.commit().await?;
        Ok(redeemed)
    }

    pub async fn redemptions_of(&self, volunteer_id: i64) -> Result<Vec<Redemption>> {
        Ok(query_as(format!(
            "{REDEMPTION} WHERE d.volunteer_id = $1 ORDER BY d.id DESC"
        ))
        .bind(volunteer_id)
        .fetch_all(&self.db)
        .await?)
    }

    /// The redemption under `code`, as the partner checks it.
    pub async fn redemption_by_code(&self, code: &str) -> Result<Option<Redemption>> {
        Ok(query_as(format!("{REDEMPTION} WHERE d.code = $1"))
            .bind(code)
            .fetch_optional(&self.db)
            .await?)
    }

    /// Records that the partner handed over the reward of the redemption under `code`, at `at`;
    /// audited under the partner's unit, by no account (whoever holds the code). 404 for no such
    /// code, 409 `already_handed_over` the second time.
    pub async fn hand_over(&self, code: &str, at: DateTime<Utc>) -> Result<Redemption> {
        let mut tx = self.db.begin().await?;
        let marked = query(
            "UPDATE redemptions SET handed_over_at = $1 WHERE code = $2 AND handed_over_at IS NULL",
        )
        .bind(at)
        .bind(code)
        .execute(&mut tx)
        .await?;
        let redemption: Redemption = query_as(format!("{REDEMPTION} WHERE d.code = $1"))
            .bind(code)
            .fetch_optional(&mut tx)
            .await?
            .ok_or(Error::NotFound("redemption"))?;
        if marked == 0 {
            return Err(Error::conflict(
                ALREADY_HANDED_OVER,
                "this reward was handed over already",
            ));
        }
        let entry = NewAudit {
            actor_id: None,
            action: "hand_over",
            entity: "redemption",
            entity_id: redemption.id.to_string(),
            unit_id: Some(redemption.unit_id),
            unit_path: Some(&redemption.unit_path),
            before: None,
            after: Some(serde_json::json!({"code": code, "handed_over_at": at})),
        };
        audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(redemption)
    }
}
