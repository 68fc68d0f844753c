//! Attendances 签到记录 as organizers see them, who attended what, and the job that closes
//! forgotten check-outs.

use super::activities::{AttendanceRow, auto_close_audit};
use super::db::{query, query_as, query_scalar};
use super::{Store, audit, like_escaped};
use crate::domain::attendance::{Window, credited_minutes};
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};

/// An attendance still open after its activity ended.
#[derive(sqlx::FromRow)]
struct Forgotten {
    id: i64,
    checked_in_at: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    unit_id: i64,
    unit_path: String,
}

/// The columns of an [`AttendanceRow`], from `attendances a JOIN volunteers v`.
const ROW_COLUMNS: &str = "a.id, a.state, a.checked_in_at, a.checked_out_at, a.credited_minutes,
    a.outside_geofence, a.without_signup, a.volunteer_id, v.volunteer_no, v.name, a.in_lat, a.in_lon, a.out_lat,
    a.out_lon, a.review, a.review_reason, a.fraudulent,
    (SELECT ev.rating FROM evaluations ev WHERE ev.attendance_id = a.id ORDER BY ev.id DESC LIMIT 1)
        AS evaluation, a.checked_in_by, a.checked_out_by";

/// Which of an activity's attendances a list shows.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub enum AttendanceFilter {
    #[default]
    All,
    /// Checked in and not yet out.
    Present,
    /// Checked out or closed, not yet reviewed.
    ToReview,
}

impl AttendanceFilter {
    fn condition(self) -> &'static str {
        match self {
            AttendanceFilter::All => "",
            AttendanceFilter::Present => " AND a.state = 'checked_in'",
            AttendanceFilter::ToReview => " AND a.state <> 'checked_in' AND a.review IS NULL",
        }
    }
}

/// How many of an activity's attendances are in each stage.
#[derive(sqlx::FromRow, Default)]
pub struct AttendanceCounts {
    pub total: i64,
    pub present: i64,
    pub to_review: i64,
    pub confirmed: i64,
    pub rejected: i64,
}

impl Store {
    pub async fn attendances_of(&self, activity_id: i64) -> Result<Vec<AttendanceRow>> {
        Ok(query_as(format!(
            "SELECT {ROW_COLUMNS} FROM attendances a JOIN volunteers v ON v.id = a.volunteer_id
             WHERE a.activity_id = $1 ORDER BY a.checked_in_at, a.id"
        ))
        .bind(activity_id)
        .fetch_all(&self.db)
        .await?)
    }

    /// One attendance of the activity, as its list shows it.
    pub async fn attendance_row(&self, activity_id: i64, id: i64) -> Result<Option<AttendanceRow>> {
        Ok(query_as(format!(
            "SELECT {ROW_COLUMNS} FROM attendances a JOIN volunteers v ON v.id = a.volunteer_id
             WHERE a.activity_id = $1 AND a.id = $2"
        ))
        .bind(activity_id)
        .bind(id)
        .fetch_optional(&self.db)
        .await?)
    }

    /// A page of the activity's attendances in the order of arrival: those `filter` keeps whose
    /// volunteer number or name begins with `search`.
    pub async fn attendances_page(
        &self,
        activity_id: i64,
        filter: AttendanceFilter,
        search: Option<&str>,
        (limit, offset): (i64, i64),
    ) -> Result<Vec<AttendanceRow>> {
        let matching = if search.is_some() {
            " AND (v.volunteer_no LIKE $4 ESCAPE '\\' OR v.name LIKE $4 ESCAPE '\\')"
        } else {
            ""
        };
        let mut q = query_as(format!(
            "SELECT {ROW_COLUMNS} FROM attendances a JOIN volunteers v ON v.id = a.volunteer_id
             WHERE a.activity_id = $1{}{matching} ORDER BY a.checked_in_at, a.id LIMIT $2 OFFSET $3",
            filter.condition()
        ))
        .bind(activity_id)
        .bind(limit)
        .bind(offset);
        if let Some(s) = search {
            q = q.bind(format!("{}%", like_escaped(s)));
        }
        Ok(q.fetch_all(&self.db).await?)
    }

    pub async fn attendance_counts(&self, activity_id: i64) -> Result<AttendanceCounts> {
        Ok(query_as(
            "SELECT COUNT(*) AS total,
                 COALESCE(SUM(CASE WHEN state = 'checked_in' THEN 1 ELSE 0 END), 0) AS present,
                 COALESCE(SUM(CASE WHEN state <> 'checked_in' AND review IS NULL THEN 1 ELSE 0 END), 0) AS to_review,
                 COALESCE(SUM(CASE WHEN review IN ('confirmed', 'adjusted') THEN 1 ELSE 0 END), 0) AS confirmed,
                 COALESCE(SUM(CASE WHEN review = 'rejected' THEN 1 ELSE 0 END), 0) AS rejected
             FROM attendances WHERE activity_id = $1",
        )
        .bind(activity_id)
        .fetch_one(&self.db)
        .await?)
    }

    /// Whether the volunteer has an attendance of the activity, in any state.
    pub async fn has_attended(&self, activity_id: i64, volunteer_id: i64) -> Result<bool> {
        Ok(query_scalar(
            "SELECT EXISTS (SELECT 1 FROM attendances WHERE activity_id = $1 AND volunteer_id = $2)",
        )
        .bind(activity_id)
        .bind(volunteer_id)
        .one(&self.db)
        .await?)
    }

    /// The paths of the units holding the activities the volunteer attended (sign-ups, once
    /// there are any, belong here too).
    pub async fn activity_paths_of(&self, volunteer_id: i64) -> Result<Vec<String>> {
        Ok(query_scalar(
            "SELECT DISTINCT u.path FROM attendances a JOIN activities ac ON ac.id = a.activity_id
             JOIN units u ON u.id = ac.unit_id WHERE a.volunteer_id = $1",
        )
        .bind(volunteer_id)
        .all(&self.db)
        .await?)
    }

    pub async fn close_forgotten_check_outs(
        &self,
        now: DateTime<Utc>,
        grace: Duration,
    ) -> Result<u64> {
        let mut tx = self.db.begin().await?;
        let open: Vec<Forgotten> = query_as(
            "SELECT a.id, a.checked_in_at, ac.starts_at, ac.ends_at, ac.unit_id, u.path AS unit_path
             FROM attendances a JOIN activities ac ON ac.id = a.activity_id JOIN units u ON u.id = ac.unit_id
             WHERE a.state = 'checked_in' AND ac.status = 'scheduled' AND ac.ends_at < $1",
        )
        .bind(now - grace)
        .fetch_all(&mut tx)
        .await?;
        let mut closed = 0;
        for f in &open {
            let window = Window {
                starts_at: f.starts_at,
                ends_at: f.ends_at,
            };
            let credited = credited_minutes(f.checked_in_at, f.ends_at, window);
            let closed_now = query(
                "UPDATE attendances SET state = 'auto_closed', checked_out_at = $1, credited_minutes = $2
                 WHERE id = $3 AND state = 'checked_in'",
            )
            .bind(f.ends_at)
            .bind(credited)
            .bind(f.id)
            .execute(&mut tx)
            .await?;
            if closed_now == 1 {
                closed += 1;
                let after = serde_json::json!({"state": "auto_closed", "checked_out_at": f.ends_at, "credited_minutes": credited});
                audit(
                    &mut tx,
                    auto_close_audit(f.id, f.unit_id, &f.unit_path, after),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(closed)
    }
}
