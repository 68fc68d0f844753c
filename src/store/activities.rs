//! Activities and the attendances that scans create.

use super::db::{Backend, Query, Tx, query, query_as, query_scalar};
use super::{Store, audit, signups};
use crate::domain::attendance::{ActivityStatus, AttendanceState, Geofence, Window};
use crate::domain::qr::QrMode;
use crate::domain::signup::Recruitment;
use crate::error::{Error, Result};
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
    /// Whether volunteers sign up first 需报名: a check-in without a place is then flagged.
    pub signup_required: bool,
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
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub status: ActivityStatus,
    /// Whether volunteers sign up first 需报名: a check-in without a place is then flagged.
    pub signup_required: bool,
    /// Whether it takes sign-ups (until its start): its organizer may close and reopen them.
    pub recruitment_open: bool,
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
        self.status == ActivityStatus::Cancelled
    }

    pub fn recruitment(&self) -> Recruitment {
        Recruitment {
            cancelled: self.is_cancelled(),
            open: self.recruitment_open,
            starts_at: self.starts_at,
            capacity: self.capacity,
        }
    }
}

/// One scan to record: a verified code, the volunteer and where the phone was.
#[derive(Debug, Clone)]
pub struct Scan {
    pub activity_id: i64,
    pub window: Window,
    pub capacity: Option<i32>,
    /// A check-in without a confirmed sign-up is flagged.
    pub signup_required: bool,
    pub geofence: Option<Geofence>,
    pub volunteer_id: i64,
    pub at: DateTime<Utc>,
    /// (latitude, longitude), when the phone gave it.
    pub position: Option<(f64, f64)>,
    /// How long after the end a check-out is still accepted.
    pub grace: Duration,
    /// The staff account that scanned the volunteer's personal code; none when the volunteer
    /// scanned the activity's code.
    pub recorded_by: Option<i64>,
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
    /// Checked in without a confirmed sign-up where sign-up is required (recorded, not refused).
    pub without_signup: bool,
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
    /// The latest rating 服务评价 of the service: `excellent`, `good`, `pass` or `fail`.
    pub evaluation: Option<String>,
    /// The staff account that checked the volunteer in by their personal code 志愿者码; none
    /// when the volunteer scanned the activity's code.
    pub checked_in_by: Option<i64>,
    /// The same for the check-out.
    pub checked_out_by: Option<i64>,
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

const ACTIVITY: &str =
    "SELECT a.id, a.unit_id, a.title, a.place, a.content, a.category, a.organiser,
    a.person_in_charge, a.starts_at, a.ends_at, a.capacity, a.geo_lat, a.geo_lon, a.geo_radius_m,
    a.qr_mode, a.status, a.signup_required, a.recruitment_open, a.qr_secret, u.path AS unit_path
    FROM activities a JOIN units u ON u.id = a.unit_id";

async fn activity_in(tx: &mut Tx, id: i64) -> Result<Activity> {
    query_as(format!("{ACTIVITY} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(tx)
        .await?
        .ok_or(Error::NotFound("activity"))
}

/// The activity, locked until the transaction ends: its sign-ups, and the check-ins of a limited
/// one, take turns (SQLite's single writer does it already). The scan batch takes the same lock.
pub async fn lock_activity(tx: &mut Tx, id: i64) -> Result<Activity> {
    let lock = match tx.backend() {
        Backend::Postgres => " FOR UPDATE OF a",
        Backend::Sqlite => "",
    };
    query_as(format!("{ACTIVITY} WHERE a.id = $1{lock}"))
        .bind(id)
        .fetch_optional(tx)
        .await?
        .ok_or(Error::NotFound("activity"))
}

/// The columns [`with_fields`] binds, in its order.
pub(super) const FIELD_COLUMNS: &str = "title, place, content, category, organiser,
    person_in_charge, starts_at, ends_at, capacity, geo_lat, geo_lon, geo_radius_m, qr_mode,
    signup_required";

/// Binds what an organizer says about an activity as `$1` to `$14`, the [`FIELD_COLUMNS`].
pub(super) fn with_fields<O>(q: Query<O>, f: &ActivityFields) -> Query<O> {
    let (lat, lon, radius) = f.geofence_columns();
    q.bind(&f.title)
        .bind(&f.place)
        .bind(&f.content)
        .bind(&f.category)
        .bind(&f.organiser)
        .bind(&f.person_in_charge)
        .bind(f.window.starts_at)
        .bind(f.window.ends_at)
        .bind(f.capacity)
        .bind(lat)
        .bind(lon)
        .bind(radius)
        .bind(f.qr_mode.as_str())
        .bind(f.signup_required)
}

impl Store {
    pub async fn create_activity(
        &self,
        unit_id: i64,
        f: &ActivityFields,
        qr_secret: &[u8],
        actor: i64,
    ) -> Result<Activity> {
        let mut tx = self.db.begin().await?;
        let id: i64 = with_fields(
            query_scalar(format!(
                "INSERT INTO activities ({FIELD_COLUMNS}, unit_id, qr_secret, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                 RETURNING id"
            )),
            f,
        )
        .bind(unit_id)
        .bind(qr_secret)
        .bind(actor)
        .bind(Utc::now())
        .one(&mut tx)
        .await?;
        let activity = activity_in(&mut tx, id).await?;
        audit(&mut tx, activity_audit(&activity, actor, "create", None)).await?;
        tx.commit().await?;
        Ok(activity)
    }

    pub async fn activity(&self, id: i64) -> Result<Option<Activity>> {
        Ok(query_as(format!("{ACTIVITY} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&self.db)
            .await?)
    }

    /// Replaces the activity's fields; places a raised capacity frees go to the waiting list.
    pub async fn update_activity(
        &self,
        id: i64,
        f: &ActivityFields,
        actor: i64,
    ) -> Result<Activity> {
        let mut tx = self.db.begin().await?;
        let before = lock_activity(&mut tx, id).await?;
        with_fields(
            query(
                "UPDATE activities SET title = $1, place = $2, content = $3, category = $4,
                     organiser = $5, person_in_charge = $6, starts_at = $7, ends_at = $8, capacity = $9,
                     geo_lat = $10, geo_lon = $11, geo_radius_m = $12, qr_mode = $13,
                     signup_required = $14
                 WHERE id = $15",
            ),
            f,
        )
        .bind(id)
        .execute(&mut tx)
        .await?;
        let after = activity_in(&mut tx, id).await?;
        audit(
            &mut tx,
            activity_audit(&after, actor, "update", Some(&before)),
        )
        .await?;
        signups::fill_places(&mut tx, &after, actor).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn cancel_activity(&self, id: i64, actor: i64) -> Result<Activity> {
        let set = query("UPDATE activities SET status = 'cancelled' WHERE id = $1");
        self.change_activity(id, actor, "cancel", set).await
    }

    /// Opens or closes the activity's recruitment.
    pub async fn set_recruitment(&self, id: i64, open: bool, actor: i64) -> Result<Activity> {
        let (action, set) = if open {
            (
                "open_recruitment",
                "UPDATE activities SET recruitment_open = TRUE WHERE id = $1",
            )
        } else {
            (
                "close_recruitment",
                "UPDATE activities SET recruitment_open = FALSE WHERE id = $1",
            )
        };
        self.change_activity(id, actor, action, query(set)).await
    }

    /// Runs `set` (which binds the activity's id as `$1`) and audits it as `action`.
    async fn change_activity(
        &self,
        id: i64,
        actor: i64,
        action: &'static str,
        set: Query<()>,
    ) -> Result<Activity> {
        let mut tx = self.db.begin().await?;
        let before = activity_in(&mut tx, id).await?;
        set.bind(id).execute(&mut tx).await?;
        let after = activity_in(&mut tx, id).await?;
        audit(
            &mut tx,
            activity_audit(&after, actor, action, Some(&before)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn activities_within(
        &self,
        path: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Activity>> {
        Ok(query_as(format!(
            "{ACTIVITY} WHERE u.path >= $1 AND u.path < $1 || '~' AND a.ends_at > $2 AND a.starts_at < $3
             ORDER BY a.starts_at, a.id LIMIT $4"
        ))
        .bind(path)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&self.db)
        .await?)
    }
}
