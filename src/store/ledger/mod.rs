//! The hours ledger's records: append-only entries (the database itself refuses any UPDATE or
//! DELETE of one), reviews of attendances, volunteers' reports 纠错, yearly totals and points.
//! The steps a ledger transaction is made of are in [`steps`]; the rules that combine them are
//! the application's (`app::ledger`).

mod reads;
pub mod steps;

pub use reads::UnrecordedActivity;

use crate::domain::attendance::AttendanceState;
use crate::domain::ledger::{EntrySource, ReportKind, ReportStatus, ReportTarget};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// Settings the ledger applies.
#[derive(Debug, Clone, Copy)]
pub struct LedgerRules {
    pub points_per_hour: i64,
    /// The local time in which an activity's date is read.
    pub offset: FixedOffset,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct LedgerEntry {
    pub id: i64,
    pub volunteer_id: i64,
    pub activity_id: Option<i64>,
    pub attendance_id: Option<i64>,
    pub unit_id: i64,
    pub service_date: NaiveDate,
    pub year: i32,
    /// Negative only for a correction that lowers an earlier entry.
    pub minutes: i32,
    /// `qr`, `auto_close`, `manual`, `correction` or `import`.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub source: EntrySource,
    pub corrects_id: Option<i64>,
    pub reason: Option<String>,
    pub actor_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// An entry about to be appended, with the points it earns.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub volunteer_id: i64,
    pub activity_id: Option<i64>,
    pub attendance_id: Option<i64>,
    pub unit_id: i64,
    pub service_date: NaiveDate,
    pub minutes: i64,
    pub source: EntrySource,
    pub corrects_id: Option<i64>,
    pub reason: Option<String>,
    pub actor_id: i64,
    pub points: i64,
}

/// An attendance as a review finds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewTarget {
    pub id: i64,
    pub activity_id: i64,
    pub volunteer_id: i64,
    #[sqlx(try_from = "String")]
    pub state: AttendanceState,
    pub credited_minutes: Option<i32>,
    pub review: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewOutcome {
    pub attendance_id: i64,
    /// `confirmed`, `adjusted` or `rejected`.
    pub review: String,
    pub entry_id: Option<i64>,
    pub minutes: Option<i64>,
    pub points: i64,
}

/// A volunteer's report of a wrong or missing record 纠错.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct RecordReport {
    pub id: i64,
    pub volunteer_id: i64,
    pub activity_id: i64,
    pub activity_title: String,
    pub entry_id: Option<i64>,
    /// `missing` or `wrong`.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub kind: ReportKind,
    pub minutes_claimed: Option<i32>,
    pub message: String,
    /// `open`, `accepted` or `declined`.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub status: ReportStatus,
    pub resolution_reason: Option<String>,
    pub correction_entry_id: Option<i64>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub unit_path: String,
}

/// A report as the staff's inbox shows it: with who filed it and about which activity.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportInInbox {
    #[sqlx(flatten)]
    pub report: RecordReport,
    pub volunteer_name: String,
    pub volunteer_no: String,
    pub activity_title: String,
    pub activity_starts_at: DateTime<Utc>,
}

/// A volunteer's report about to be filed.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub activity_id: i64,
    pub target: ReportTarget,
    /// The service time the volunteer believes is right, in minutes.
    pub minutes_claimed: Option<i32>,
    pub message: String,
}

/// A row of a volunteer's hours view.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct EntryView {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub entry: LedgerEntry,
    pub activity_title: Option<String>,
    pub organiser: Option<String>,
    /// The service's latest rating 服务评价 (`excellent`, `good`, `pass` or `fail`), on the entry
    /// that recorded the service.
    pub evaluation: Option<String>,
    pub evaluation_comment: Option<String>,
    pub evaluated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, sqlx::FromRow, ToSchema)]
pub struct YearTotals {
    pub minutes: i64,
    pub activities: i32,
    pub points: i64,
}

/// An activity whose attendances still wait for review.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct PendingActivity {
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub ends_at: DateTime<Utc>,
    pub unreviewed: i64,
}
