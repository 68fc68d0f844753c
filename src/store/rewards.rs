//! Partners, their rewards and redemptions against points balances.

use async_trait::async_trait;

#[async_trait]
pub trait RewardStore {}
