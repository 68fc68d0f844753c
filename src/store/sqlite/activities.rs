//! Activities and attendances on SQLite.

use super::{SqliteStore, audit};
use crate::domain::attendance::{
    AttendanceState, Current, ScanDecision, Window, credited_minutes, decide,
};
use crate::error::{Error, Result};
use crate::store::activities::{
    Activity, ActivityFields, ActivityStore, AttendanceRow, AttendanceSnapshot, Scan, ScanOutcome,
    activity_audit, auto_close_audit,
};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::SqliteConnection;

const ACTIVITY: &str =
    "SELECT a.id, a.unit_id, a.title, a.place, a.content, a.category, a.organiser,
    a.person_in_charge, a.starts_at, a.ends_at, a.capacity, a.geo_lat, a.geo_lon, a.geo_radius_m,
    a.qr_mode, a.status, a.qr_secret, u.path AS unit_path
    FROM activities a JOIN units u ON u.id = a.unit_id";
const SNAPSHOT: &str =
    "id, state, checked_in_at, checked_out_at, credited_minutes, outside_geofence";

async fn activity_in(conn: &mut SqliteConnection, id: i64) -> Result<Activity> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{ACTIVITY} WHERE a.id = ?")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("activity"))
}

async fn record_one(conn: &mut SqliteConnection, s: &Scan) -> Result<ScanOutcome> {
    let current: Option<(i64, String, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, state, last_scan_at, checked_in_at FROM attendances WHERE activity_id = ? AND volunteer_id = ?",
    )
    .bind(s.activity_id)
    .bind(s.volunteer_id)
    .fetch_optional(&mut *conn)
    .await?;
    let state = current.as_ref().map(|c| Current {
        state: AttendanceState::parse(&c.1).unwrap_or(AttendanceState::CheckedOut),
        last_scan_at: c.2,
    });
    let (lat, lon) = s.position.unzip();
    let snapshot = |id: i64| {
        sqlx::query_as::<_, AttendanceSnapshot>(sqlx::AssertSqlSafe(format!(
            "SELECT {SNAPSHOT} FROM attendances WHERE id = ?"
        )))
        .bind(id)
    };
    match decide(state, s.window, s.grace, s.at) {
        ScanDecision::OutsideWindow => Ok(ScanOutcome::OutsideWindow),
        ScanDecision::Unchanged => {
            let id = current
                .map(|c| c.0)
                .expect("unchanged implies an attendance");
            let attendance = snapshot(id).fetch_one(&mut *conn).await?;
            Ok(ScanOutcome::Recorded {
                attendance,
                changed: false,
            })
        }
        ScanDecision::CheckIn => {
            if let Some(capacity) = s.capacity {
                let taken: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM attendances WHERE activity_id = ?")
                        .bind(s.activity_id)
                        .fetch_one(&mut *conn)
                        .await?;
                if taken >= i64::from(capacity) {
                    return Ok(ScanOutcome::Full);
                }
            }
            let attendance = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO attendances (activity_id, volunteer_id, state, checked_in_at, last_scan_at,
                     in_lat, in_lon, outside_geofence)
                 VALUES (?, ?, 'checked_in', ?, ?, ?, ?, ?)
                 ON CONFLICT (activity_id, volunteer_id) DO NOTHING RETURNING {SNAPSHOT}"
            )))
            .bind(s.activity_id)
            .bind(s.volunteer_id)
            .bind(s.at)
            .bind(s.at)
            .bind(lat)
            .bind(lon)
            .bind(s.outside_geofence())
            .fetch_optional(&mut *conn)
            .await?;
            match attendance {
                Some(attendance) => Ok(ScanOutcome::Recorded {
                    attendance,
                    changed: true,
                }),
                // Another instance checked the volunteer in a moment ago: answer its attendance.
                None => {
                    let attendance = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT {SNAPSHOT} FROM attendances WHERE activity_id = ? AND volunteer_id = ?"
                    )))
                    .bind(s.activity_id)
                    .bind(s.volunteer_id)
                    .fetch_one(&mut *conn)
                    .await?;
                    Ok(ScanOutcome::Recorded {
                        attendance,
                        changed: false,
                    })
                }
            }
        }
        ScanDecision::CheckOut => {
            let (id, _, _, checked_in_at) = current.expect("check-out implies an attendance");
            let attendance = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE attendances SET state = 'checked_out', checked_out_at = ?, last_scan_at = ?,
                     credited_minutes = ?, out_lat = ?, out_lon = ?,
                     outside_geofence = outside_geofence OR ?
                 WHERE id = ? RETURNING {SNAPSHOT}"
            )))
            .bind(s.at)
            .bind(s.at)
            .bind(credited_minutes(checked_in_at, s.at, s.window))
            .bind(lat)
            .bind(lon)
            .bind(s.outside_geofence())
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            Ok(ScanOutcome::Recorded {
                attendance,
                changed: true,
            })
        }
    }
}

#[async_trait]
impl ActivityStore for SqliteStore {
    async fn create_activity(
        &self,
        unit_id: i64,
        f: &ActivityFields,
        qr_secret: &[u8],
        actor: i64,
    ) -> Result<Activity> {
        let mut tx = self.write().await?;
        let (lat, lon, radius) = f.geofence_columns();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO activities (unit_id, title, place, content, category, organiser, person_in_charge,
                 starts_at, ends_at, capacity, geo_lat, geo_lon, geo_radius_m, qr_mode, qr_secret,
                 created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(unit_id)
        .bind(&f.title)
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
        .bind(qr_secret)
        .bind(actor)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        let activity = activity_in(&mut tx, id).await?;
        audit(&mut tx, activity_audit(&activity, actor, "create", None)).await?;
        tx.commit().await?;
        Ok(activity)
    }

    async fn activity(&self, id: i64) -> Result<Option<Activity>> {
        Ok(
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{ACTIVITY} WHERE a.id = ?")))
                .bind(id)
                .fetch_optional(&self.reader)
                .await?,
        )
    }

    async fn update_activity(&self, id: i64, f: &ActivityFields, actor: i64) -> Result<Activity> {
        let mut tx = self.write().await?;
        let before = activity_in(&mut tx, id).await?;
        let (lat, lon, radius) = f.geofence_columns();
        sqlx::query(
            "UPDATE activities SET title = ?, place = ?, content = ?, category = ?, organiser = ?,
                 person_in_charge = ?, starts_at = ?, ends_at = ?, capacity = ?, geo_lat = ?, geo_lon = ?,
                 geo_radius_m = ?, qr_mode = ?
             WHERE id = ?",
        )
        .bind(&f.title)
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
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = activity_in(&mut tx, id).await?;
        audit(
            &mut tx,
            activity_audit(&after, actor, "update", Some(&before)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn cancel_activity(&self, id: i64, actor: i64) -> Result<Activity> {
        let mut tx = self.write().await?;
        let before = activity_in(&mut tx, id).await?;
        sqlx::query("UPDATE activities SET status = 'cancelled' WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = activity_in(&mut tx, id).await?;
        audit(
            &mut tx,
            activity_audit(&after, actor, "cancel", Some(&before)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn activities_within(
        &self,
        path: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Activity>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ACTIVITY} WHERE u.path >= ? AND u.path < ? AND a.ends_at > ? AND a.starts_at < ?
             ORDER BY a.starts_at, a.id LIMIT ?"
        )))
        .bind(path)
        .bind(format!("{path}\u{10FFFF}"))
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn record_scans(&self, scans: &[Scan]) -> Result<Vec<ScanOutcome>> {
        let mut tx = self.write().await?;
        let mut outcomes = Vec::with_capacity(scans.len());
        for scan in scans {
            outcomes.push(record_one(&mut tx, scan).await?);
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn attendances_of(&self, activity_id: i64) -> Result<Vec<AttendanceRow>> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.state, a.checked_in_at, a.checked_out_at, a.credited_minutes, a.outside_geofence,
                 a.volunteer_id, v.volunteer_no, v.name, a.in_lat, a.in_lon, a.out_lat, a.out_lon,
                 a.review, a.review_reason, a.fraudulent
             FROM attendances a JOIN volunteers v ON v.id = a.volunteer_id
             WHERE a.activity_id = ? ORDER BY a.checked_in_at, a.id",
        )
        .bind(activity_id)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn close_forgotten_check_outs(&self, now: DateTime<Utc>, grace: Duration) -> Result<u64> {
        let mut tx = self.write().await?;
        let open: Vec<(i64, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>, i64, String)> = sqlx::query_as(
            "SELECT a.id, a.checked_in_at, ac.starts_at, ac.ends_at, ac.unit_id, u.path
             FROM attendances a JOIN activities ac ON ac.id = a.activity_id JOIN units u ON u.id = ac.unit_id
             WHERE a.state = 'checked_in' AND ac.status = 'scheduled' AND ac.ends_at < ?",
        )
        .bind(now - grace)
        .fetch_all(&mut *tx)
        .await?;
        let mut closed = 0;
        for (id, checked_in_at, starts_at, ends_at, unit_id, unit_path) in &open {
            let window = Window {
                starts_at: *starts_at,
                ends_at: *ends_at,
            };
            let credited = credited_minutes(*checked_in_at, *ends_at, window);
            let closed_now = sqlx::query(
                "UPDATE attendances SET state = 'auto_closed', checked_out_at = ?, credited_minutes = ?
                 WHERE id = ? AND state = 'checked_in'",
            )
            .bind(ends_at)
            .bind(credited)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if closed_now == 1 {
                closed += 1;
                let after = serde_json::json!({"state": "auto_closed", "checked_out_at": ends_at, "credited_minutes": credited});
                audit(&mut tx, auto_close_audit(*id, *unit_id, unit_path, after)).await?;
            }
        }
        tx.commit().await?;
        Ok(closed)
    }

    async fn claim_job_run(&self, job: &str, period: &str, instance: &str) -> Result<bool> {
        let mut tx = self.write().await?;
        let claimed = sqlx::query(
            "INSERT INTO job_runs (job, period, instance, started_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(job)
        .bind(period)
        .bind(instance)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(claimed == 1)
    }

    async fn finish_job_run(&self, job: &str, period: &str, outcome: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE job_runs SET finished_at = ?, outcome = ? WHERE job = ? AND period = ?",
        )
        .bind(Utc::now())
        .bind(outcome)
        .bind(job)
        .bind(period)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
