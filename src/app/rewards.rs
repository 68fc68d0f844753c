//! Partners 合作商家 and their rewards 积分兑换: registering a partner, offering a reward, and
//! changing a reward's stock or whether it is offered, checked one way for the API and the console;
//! redeeming a reward under a code drawn at random, which the partner checks and marks handed
//! over.

use crate::domain::short_code::redemption_code;
use crate::domain::text::{DESCRIPTION, NAME};
use crate::error::codes::{DUPLICATE_REDEMPTION_CODE, INVALID_POINTS_COST, INVALID_STOCK};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::Unit;
use crate::store::rewards::{NewReward, Partner, Redeemed, Reward, RewardChange};
use rand::RngCore;

/// The largest points cost and stock; both columns are 32-bit.
const MAX_AMOUNT: i64 = 1_000_000;

/// A reward as an admin gives it, not yet checked.
pub struct RewardDraft {
    pub name: String,
    pub description: String,
    /// 1 to 1,000,000 points.
    pub points_cost: i64,
    /// 0 to 1,000,000.
    pub stock: i64,
}

impl RewardDraft {
    /// The reward to store, checked.
    pub fn checked(&self) -> Result<NewReward> {
        Ok(NewReward {
            name: NAME.parse(&self.name)?,
            description: DESCRIPTION.parse(&self.description)?,
            points_cost: amount(
                self.points_cost,
                1,
                INVALID_POINTS_COST,
                "a reward costs 1 to 1,000,000 points",
            )?,
            stock: checked_stock(self.stock)?,
        })
    }
}

/// `value` if it lies in `min..=1,000,000`, else the 422 `code`.
fn amount(value: i64, min: i64, code: &'static str, message: &'static str) -> Result<i32> {
    if (min..=MAX_AMOUNT).contains(&value) {
        Ok(value as i32)
    } else {
        Err(Error::invalid(code, message))
    }
}

fn checked_stock(stock: i64) -> Result<i32> {
    amount(stock, 0, INVALID_STOCK, "stock is between 0 and 1,000,000")
}

/// Registers a partner named `name` at `unit`. Audited.
pub async fn create_partner(store: &Store, unit: &Unit, name: &str, actor: i64) -> Result<Partner> {
    let name = NAME.parse(name)?;
    store.create_partner(unit, &name, actor).await
}

/// Offers a reward from `partner`. Audited.
pub async fn create_reward(
    store: &Store,
    partner: &Partner,
    draft: &RewardDraft,
    actor: i64,
) -> Result<Reward> {
    let reward = draft.checked()?;
    store.create_reward(partner, &reward, actor).await
}

/// Sets the stock of `reward` to what was counted now. Audited.
pub async fn set_stock(store: &Store, reward: &Reward, stock: i64, actor: i64) -> Result<Reward> {
    let change = RewardChange::Stock(checked_stock(stock)?);
    store.change_reward(reward.id, change, actor).await
}

/// Offers `reward` again, or withdraws it (no longer redeemable nor shown to volunteers). Audited.
pub async fn set_active(
    store: &Store,
    reward: &Reward,
    active: bool,
    actor: i64,
) -> Result<Reward> {
    store
        .change_reward(reward.id, RewardChange::Active(active), actor)
        .await
}

/// Redeems the reward for the volunteer (the access check is the caller's) under a new
/// redemption code 兑换码.
pub async fn redeem(store: &Store, reward_id: i64, volunteer_id: i64) -> Result<Redeemed> {
    let mut attempts = 0;
    loop {
        let mut random = [0u8; 5];
        rand::rngs::OsRng.fill_bytes(&mut random);
        match store
            .redeem(reward_id, volunteer_id, &redemption_code(random))
            .await
        {
            // 40 random bits: a second draw is already unlikely to be needed.
            Err(Error::Conflict {
                code: DUPLICATE_REDEMPTION_CODE,
                ..
            }) if attempts < 3 => attempts += 1,
            outcome => return outcome,
        }
    }
}
