//! Attendances 签到记录 as organizers see them, who attended what, and the job that closes
//! forgotten check-outs.

use super::activities::{AttendanceRow, auto_close_audit};
use super::db::{query, query_as, query_scalar};
use super::{Store, audit};
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

impl Store {
    pub async fn attendances_of(&self, activity_id: i64) -> Result<Vec<AttendanceRow>> {
        Ok(query_as(
            "SELECT a.id, a.state, a.checked_in_at, a.checked_out_at, a.credited_minutes, a.outside_geofence,
                 a.volunteer_id, v.volunteer_no, v.name, a.in_lat, a.in_lon, a.out_lat, a.out_lon,
                 a.review, a.review_reason, a.fraudulent
             FROM attendances a JOIN volunteers v ON v.id = a.volunteer_id
             WHERE a.activity_id = $1 ORDER BY a.checked_in_at, a.id",
        )
        .bind(activity_id)
        .fetch_all(&self.db)
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
