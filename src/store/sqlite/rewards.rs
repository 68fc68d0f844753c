//! Partners, their rewards and redemptions against points balances. (SQLite)

use super::SqliteStore;
use crate::store::rewards::RewardStore;
use async_trait::async_trait;

#[async_trait]
impl RewardStore for SqliteStore {}
