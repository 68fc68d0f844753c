//! Recording batches of check-in and check-out scans, all of a batch in one transaction. SQLite
//! (one writer) records them one by one; PostgreSQL, where instances share the database, in a
//! few set-based statements ([`postgres`]).

mod postgres;

use super::Store;
use super::activities::{AttendanceSnapshot, Scan, ScanOutcome};
use super::db::{Tx, query_as, query_scalar};
use crate::domain::attendance::{AttendanceState, Current, ScanDecision, credited_minutes, decide};
use crate::domain::signup::admits_check_in;
use crate::error::Result;
use chrono::{DateTime, Utc};

/// The volunteer's attendance at the activity, as the scan finds it.
#[derive(sqlx::FromRow)]
struct Existing {
    id: i64,
    #[sqlx(try_from = "String")]
    state: AttendanceState,
    last_scan_at: DateTime<Utc>,
    checked_in_at: DateTime<Utc>,
}

/// The columns of an [`AttendanceSnapshot`], as a literal so that each statement on the scan
/// path is a constant (prepared once per connection, never formatted per scan).
macro_rules! snapshot {
    () => {
        "id, state, checked_in_at, checked_out_at, credited_minutes, outside_geofence, without_signup"
    };
}

/// The places of an activity (`$1`) taken: by those checked in and by those holding a confirmed
/// sign-up, each counted once.
const TAKEN: &str = "SELECT COUNT(*) FROM (
    SELECT volunteer_id FROM attendances WHERE activity_id = $1
    UNION SELECT volunteer_id FROM signups WHERE activity_id = $1 AND state = 'confirmed'
) AS taken";

impl Store {
    /// Records a batch of scans in one transaction; one outcome per scan, in order.
    pub async fn record_scans(&self, scans: &[Scan]) -> Result<Vec<ScanOutcome>> {
        let mut tx = self.db.begin().await?;
        let outcomes = match &mut tx {
            Tx::Postgres(conn) => postgres::record_batch(conn, scans).await?,
            Tx::Sqlite(_) => {
                let mut outcomes = Vec::with_capacity(scans.len());
                for scan in scans {
                    outcomes.push(record_one(&mut tx, scan).await?);
                }
                outcomes
            }
        };
        tx.commit().await?;
        Ok(outcomes)
    }
}

async fn record_one(tx: &mut Tx, s: &Scan) -> Result<ScanOutcome> {
    let current: Option<Existing> = query_as(
        "SELECT id, state, last_scan_at, checked_in_at FROM attendances WHERE activity_id = $1 AND volunteer_id = $2",
    )
    .bind(s.activity_id)
    .bind(s.volunteer_id)
    .fetch_optional(&mut *tx)
    .await?;
    let state = current.as_ref().map(|c| Current {
        state: c.state,
        last_scan_at: c.last_scan_at,
    });
    let (lat, lon) = s.position.unzip();
    let snapshot = |id: i64| {
        query_as::<AttendanceSnapshot>(concat!(
            "SELECT ",
            snapshot!(),
            " FROM attendances WHERE id = $1"
        ))
        .bind(id)
    };
    match decide(state, s.window, s.grace, s.at) {
        ScanDecision::OutsideWindow => Ok(ScanOutcome::OutsideWindow),
        ScanDecision::Unchanged => {
            let id = current
                .map(|c| c.id)
                .expect("unchanged implies an attendance");
            let attendance = snapshot(id).fetch_one(&mut *tx).await?;
            Ok(ScanOutcome::Recorded {
                attendance,
                changed: false,
            })
        }
        ScanDecision::CheckIn => {
            let holds_place = if s.capacity.is_some() || s.signup_required {
                let held: i64 = query_scalar(
                    "SELECT COUNT(*) FROM signups
                     WHERE activity_id = $1 AND volunteer_id = $2 AND state = 'confirmed'",
                )
                .bind(s.activity_id)
                .bind(s.volunteer_id)
                .one(&mut *tx)
                .await?;
                held > 0
            } else {
                false
            };
            let taken = match s.capacity {
                Some(_) if !holds_place => {
                    query_scalar(TAKEN)
                        .bind(s.activity_id)
                        .one(&mut *tx)
                        .await?
                }
                _ => 0,
            };
            if !admits_check_in(s.capacity, taken, holds_place) {
                return Ok(ScanOutcome::Full);
            }
            let attendance = query_as(concat!(
                "INSERT INTO attendances (activity_id, volunteer_id, state, checked_in_at,
                     last_scan_at, in_lat, in_lon, outside_geofence, without_signup, checked_in_by)
                 VALUES ($1, $2, 'checked_in', $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (activity_id, volunteer_id) DO NOTHING RETURNING ",
                snapshot!()
            ))
            .bind(s.activity_id)
            .bind(s.volunteer_id)
            .bind(s.at)
            .bind(s.at)
            .bind(lat)
            .bind(lon)
            .bind(s.outside_geofence())
            .bind(s.signup_required && !holds_place)
            .bind(s.recorded_by)
            .fetch_optional(&mut *tx)
            .await?;
            match attendance {
                Some(attendance) => Ok(ScanOutcome::Recorded {
                    attendance,
                    changed: true,
                }),
                // Another instance checked the volunteer in a moment ago: answer its attendance.
                None => {
                    let attendance = query_as(concat!(
                        "SELECT ",
                        snapshot!(),
                        " FROM attendances WHERE activity_id = $1 AND volunteer_id = $2"
                    ))
                    .bind(s.activity_id)
                    .bind(s.volunteer_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    Ok(ScanOutcome::Recorded {
                        attendance,
                        changed: false,
                    })
                }
            }
        }
        ScanDecision::CheckOut => {
            let Existing {
                id, checked_in_at, ..
            } = current.expect("check-out implies an attendance");
            let attendance = query_as(concat!(
                "UPDATE attendances SET state = 'checked_out', checked_out_at = $1,
                     last_scan_at = $2, credited_minutes = $3, out_lat = $4, out_lon = $5,
                     outside_geofence = outside_geofence OR $6, checked_out_by = $7
                 WHERE id = $8 RETURNING ",
                snapshot!()
            ))
            .bind(s.at)
            .bind(s.at)
            .bind(credited_minutes(checked_in_at, s.at, s.window))
            .bind(lat)
            .bind(lon)
            .bind(s.outside_geofence())
            .bind(s.recorded_by)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            Ok(ScanOutcome::Recorded {
                attendance,
                changed: true,
            })
        }
    }
}
