//! The hours ledger: reviewing attendances into append-only entries, manual entries 补录,
//! corrections, volunteers' reports 纠错, and what a volunteer's hours look like.

use async_trait::async_trait;

#[async_trait]
pub trait LedgerStore {}
