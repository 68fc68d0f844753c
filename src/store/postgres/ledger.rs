//! The hours ledger.

use super::PgStore;
use crate::store::ledger::LedgerStore;
use async_trait::async_trait;

#[async_trait]
impl LedgerStore for PgStore {}
