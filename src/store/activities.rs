//! Activities and the attendances that scans create.

use crate::domain::attendance::{AttendanceState, Geofence, Window};
use crate::domain::qr::QrMode;
use crate::error::Result;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// What an organizer says about an activity: the service-record fields of 民政部令第67号 and the
/// check-in settings.
#[derive(Debug, Clone)]
pub struct ActivityFields {
    pub title: String,
    pub place: String,
    pub content: String,
    pub category: String,
    /// 组织单位 as printed on the poster and the records.
    pub organiser: String,
    /// 负责人
    pub person_in_charge: String,
    pub window: Window,
    pub capacity: Option<i32>,
    pub geofence: Option<Geofence>,
    pub qr_mode: QrMode,
}

impl ActivityFields {
    /// The geofence as its three nullable columns.
    pub fn geofence_columns(&self) -> (Option<f64>, Option<f64>, Option<f64>) {
        match self.geofence {
            Some(g) => (Some(g.lat), Some(g.lon), Some(g.radius_m)),
            None => (None, None, None),
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Activity {
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub place: String,
    pub content: String,
    pub category: String,
    pub organiser: String,
    pub person_in_charge: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: Option<i32>,
    pub geo_lat: Option<f64>,
    pub geo_lon: Option<f64>,
    pub geo_radius_m: Option<f64>,
    #[sqlx(try_from = "String")]
    pub qr_mode: QrMode,
    /// `scheduled` or `cancelled`.
    pub status: String,
    #[serde(skip)]
    pub qr_secret: Vec<u8>,
    #[serde(skip)]
    pub unit_path: String,
}

impl TryFrom<String> for QrMode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        QrMode::parse(&s).ok_or(s)
    }
}

impl Activity {
    pub fn window(&self) -> Window {
        Window {
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }

    pub fn geofence(&self) -> Option<Geofence> {
        Some(Geofence {
            lat: self.geo_lat?,
            lon: self.geo_lon?,
            radius_m: self.geo_radius_m?,
        })
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == "cancelled"
    }
}

/// One scan to record: a verified code, the volunteer and where the phone was.
#[derive(Debug, Clone)]
pub struct Scan {
    pub activity_id: i64,
    pub window: Window,
    pub capacity: Option<i32>,
    pub geofence: Option<Geofence>,
    pub volunteer_id: i64,
    pub at: DateTime<Utc>,
    /// (latitude, longitude), when the phone gave it.
    pub position: Option<(f64, f64)>,
    /// How long after the end a check-out is still accepted.
    pub grace: Duration,
}

impl Scan {
    /// Whether the position given lies outside the geofence (never blocks; only flags).
    pub fn outside_geofence(&self) -> bool {
        matches!((self.geofence, self.position), (Some(f), Some((lat, lon))) if !f.contains(lat, lon))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct AttendanceSnapshot {
    pub id: i64,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub state: AttendanceState,
    pub checked_in_at: DateTime<Utc>,
    pub checked_out_at: Option<DateTime<Utc>>,
    pub credited_minutes: Option<i32>,
    pub outside_geofence: bool,
}

impl TryFrom<String> for AttendanceState {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        AttendanceState::parse(&s).ok_or(s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScanOutcome {
    /// The attendance after the scan (changed or, for a repeat, as it was).
    Recorded {
        attendance: AttendanceSnapshot,
        changed: bool,
    },
    OutsideWindow,
    Full,
}

/// A row of the organizer's live attendance list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct AttendanceRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub attendance: AttendanceSnapshot,
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub in_lat: Option<f64>,
    pub in_lon: Option<f64>,
    pub out_lat: Option<f64>,
    pub out_lon: Option<f64>,
    /// The organizer's review: `confirmed`, `adjusted`, `rejected`, or none yet.
    pub review: Option<String>,
    pub review_reason: Option<String>,
    pub fraudulent: bool,
}

/// The audit entry of an attendance the forgotten-check-out job closed.
pub(crate) fn auto_close_audit(
    attendance_id: i64,
    unit_id: i64,
    unit_path: &str,
    after: serde_json::Value,
) -> crate::store::NewAudit<'_> {
    crate::store::NewAudit {
        actor_id: None,
        action: "auto_close",
        entity: "attendance",
        entity_id: attendance_id.to_string(),
        unit_id: Some(unit_id),
        unit_path: Some(unit_path),
        before: Some(serde_json::json!({"state": "checked_in"})),
        after: Some(after),
    }
}

/// The audit entry of a change to an activity.
pub(crate) fn activity_audit<'a>(
    a: &'a Activity,
    actor: i64,
    action: &'static str,
    before: Option<&Activity>,
) -> crate::store::NewAudit<'a> {
    crate::store::NewAudit {
        actor_id: Some(actor),
        action,
        entity: "activity",
        entity_id: a.id.to_string(),
        unit_id: Some(a.unit_id),
        unit_path: Some(&a.unit_path),
        before: before.map(|b| serde_json::to_value(b).unwrap_or_default()),
        after: Some(serde_json::to_value(a).unwrap_or_default()),
    }
}

#[async_trait]
pub trait ActivityStore {
    async fn create_activity(
        &self,
        unit_id: i64,
        fields: &ActivityFields,
        qr_secret: &[u8],
        actor: i64,
    ) -> Result<Activity>;
    async fn activity(&self, id: i64) -> Result<Option<Activity>>;
    async fn update_activity(
        &self,
        id: i64,
        fields: &ActivityFields,
        actor: i64,
    ) -> Result<Activity>;
    async fn cancel_activity(&self, id: i64, actor: i64) -> Result<Activity>;
    /// Activities of the units within `path` overlapping [from, to), by start time.
    async fn activities_within(
        &self,
        path: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Activity>>;
    /// Records a batch of scans in one transaction; one outcome per scan, in order.
    async fn record_scans(&self, scans: &[Scan]) -> Result<Vec<ScanOutcome>>;
    async fn attendances_of(&self, activity_id: i64) -> Result<Vec<AttendanceRow>>;
    /// Closes attendances still open `grace` after their activity ended, crediting up to the
    /// scheduled end; returns how many were closed.
    async fn close_forgotten_check_outs(&self, now: DateTime<Utc>, grace: Duration) -> Result<u64>;
    /// Claims the run of `job` for `period`; false when another run (any instance) claimed it.
    async fn claim_job_run(&self, job: &str, period: &str, instance: &str) -> Result<bool>;
    async fn finish_job_run(&self, job: &str, period: &str, outcome: &str) -> Result<()>;
}
