//! Partners, their rewards and redemptions against points balances. (PostgreSQL)

use super::PgStore;
use crate::store::rewards::RewardStore;
use async_trait::async_trait;

#[async_trait]
impl RewardStore for PgStore {}
