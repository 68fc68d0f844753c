//! The hours ledger.

use super::SqliteStore;
use crate::store::ledger::LedgerStore;
use async_trait::async_trait;

#[async_trait]
impl LedgerStore for SqliteStore {}
