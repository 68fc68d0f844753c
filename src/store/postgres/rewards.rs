//! Partners, their rewards and redemptions against points balances. (PostgreSQL)

use super::{PgStore, audit};
use crate::error::{Error, Result};
use crate::store::rewards::{
    NewReward, PARTNER, Partner, REDEMPTION, REWARD, Redeemed, Redemption, Reward, RewardChange,
    RewardStore, insufficient_points, partner_audit, redemption_audit, reward_audit, unavailable,
};
use crate::store::{Unit, conflict_on};
use async_trait::async_trait;
use chrono::Utc;
use sqlx::PgConnection;

async fn partner_in(conn: &mut PgConnection, id: i64) -> Result<Partner> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{PARTNER} WHERE p.id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("partner"))
}

async fn reward_in(conn: &mut PgConnection, id: i64) -> Result<Option<Reward>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{REWARD} WHERE r.id = $1")))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

#[async_trait]
impl RewardStore for PgStore {
    async fn create_partner(&self, unit: &Unit, name: &str, actor: i64) -> Result<Partner> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO partners (unit_id, name, created_by, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(unit.id)
        .bind(name)
        .bind(actor)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            conflict_on(
                e,
                "duplicate_partner",
                "this unit has a partner of that name",
            )
        })?;
        let partner = partner_in(&mut tx, id).await?;
        audit(&mut tx, partner_audit(&partner, actor)).await?;
        tx.commit().await?;
        Ok(partner)
    }

    async fn partner(&self, id: i64) -> Result<Option<Partner>> {
        Ok(
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{PARTNER} WHERE p.id = $1")))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn partners_within(&self, path: &str) -> Result<Vec<Partner>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{PARTNER} WHERE u.path LIKE $1 || '%' ORDER BY p.id"
        )))
        .bind(path)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn create_reward(&self, partner: &Partner, r: &NewReward, actor: i64) -> Result<Reward> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
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
        .fetch_one(&mut *tx)
        .await?;
        let reward = reward_in(&mut tx, id)
            .await?
            .ok_or(Error::NotFound("reward"))?;
        audit(&mut tx, reward_audit(&reward, actor, "create", None)).await?;
        tx.commit().await?;
        Ok(reward)
    }

    async fn reward(&self, id: i64) -> Result<Option<Reward>> {
        Ok(
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{REWARD} WHERE r.id = $1")))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn change_reward(&self, id: i64, change: RewardChange, actor: i64) -> Result<Reward> {
        let mut tx = self.write().await?;
        let before = reward_in(&mut tx, id)
            .await?
            .ok_or(Error::NotFound("reward"))?;
        let (stock, active) = change.columns();
        sqlx::query(
            "UPDATE rewards SET stock = COALESCE($1, stock), active = COALESCE($2, active) WHERE id = $3",
        )
        .bind(stock)
        .bind(active)
        .bind(id)
        .execute(&mut *tx)
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

    async fn rewards_within(&self, path: &str) -> Result<Vec<Reward>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{REWARD} WHERE u.path LIKE $1 || '%' ORDER BY r.id"
        )))
        .bind(path)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn active_rewards_at(&self, unit_ids: &[i64]) -> Result<Vec<Reward>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{REWARD} WHERE p.unit_id = ANY($1) AND r.active ORDER BY r.id"
        )))
        .bind(unit_ids)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn redeem(&self, reward_id: i64, volunteer_id: i64) -> Result<Redeemed> {
        // Simultaneous redemptions of one reward, or by one volunteer, wait on the row lock of
        // the first update and then evaluate its guard again on the committed row, so stock and
        // balance never go below zero. Rows are locked in one order (reward, then balance), so
        // these never deadlock each other. An early return rolls back.
        let mut tx = self.write().await?;
        let cost: Option<i32> = sqlx::query_scalar(
            "UPDATE rewards SET stock = stock - 1 WHERE id = $1 AND active AND stock > 0
             RETURNING points_cost",
        )
        .bind(reward_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(cost) = cost else {
            return Err(unavailable(reward_in(&mut tx, reward_id).await?));
        };
        // No balance row is a balance of 0: nothing to update, so not enough.
        let balance: i64 = sqlx::query_scalar(
            "UPDATE points_balances SET balance = balance - $1 WHERE volunteer_id = $2 AND balance >= $1
             RETURNING balance",
        )
        .bind(cost)
        .bind(volunteer_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(insufficient_points)?;
        let now = Utc::now();
        let redemption_id: i64 = sqlx::query_scalar(
            "INSERT INTO redemptions (reward_id, volunteer_id, points, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(reward_id)
        .bind(volunteer_id)
        .bind(cost)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO points_entries (volunteer_id, points, source, redemption_id, actor_id, created_at)
             VALUES ($1, $2, 'redemption', $3, $4, $5)",
        )
        .bind(volunteer_id)
        .bind(-cost)
        .bind(redemption_id)
        .bind(volunteer_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let reward = reward_in(&mut tx, reward_id)
            .await?
            .ok_or(Error::NotFound("reward"))?;
        let redeemed = Redeemed {
            redemption_id,
            reward,
            points: cost,
            balance,
        };
        audit(&mut tx, redemption_audit(&redeemed, volunteer_id)).await?;
        tx.commit().await?;
        Ok(redeemed)
    }

    async fn redemptions_of(&self, volunteer_id: i64) -> Result<Vec<Redemption>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{REDEMPTION} WHERE d.volunteer_id = $1 ORDER BY d.id DESC"
        )))
        .bind(volunteer_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
