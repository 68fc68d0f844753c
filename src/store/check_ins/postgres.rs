//! Recording a batch of scans on PostgreSQL in a handful of set-based statements, whatever its
//! size: the batch's attendances are read and locked at once, decided in Rust, then inserted and
//! updated through `UNNEST`.

use crate::domain::attendance::{Current, ScanDecision, credited_minutes, decide};
use crate::domain::signup::admits_check_in;
use crate::error::Result;
use crate::store::activities::{AttendanceSnapshot, Scan, ScanOutcome};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};

type Key = (i64, i64);

#[derive(sqlx::FromRow)]
struct Existing {
    activity_id: i64,
    volunteer_id: i64,
    last_scan_at: DateTime<Utc>,
    #[sqlx(flatten)]
    snapshot: AttendanceSnapshot,
}

#[derive(sqlx::FromRow)]
struct Written {
    activity_id: i64,
    volunteer_id: i64,
    #[sqlx(flatten)]
    snapshot: AttendanceSnapshot,
}

const RETURNING: &str = "RETURNING a.activity_id, a.volunteer_id, a.id, a.state, a.checked_in_at,
    a.checked_out_at, a.credited_minutes, a.outside_geofence, a.without_signup";

/// Records `scans` inside the open transaction; one outcome per scan, in order.
pub async fn record_batch(conn: &mut PgConnection, scans: &[Scan]) -> Result<Vec<ScanOutcome>> {
    let mut limited: Vec<i64> = scans
        .iter()
        .filter(|s| s.capacity.is_some())
        .map(|s| s.activity_id)
        .collect();
    limited.sort_unstable();
    limited.dedup();
    // Locks are taken in one order, limited activities first and then attendances by key (read
    // or inserted), so that batches of instances sharing the database never deadlock; the
    // activity lock also makes all instances, and sign-ups, take turns at a limited activity's
    // places.
    let mut taken: HashMap<i64, i64> = HashMap::new();
    if !limited.is_empty() {
        sqlx::query("SELECT 1 FROM activities WHERE id = ANY($1) ORDER BY id FOR UPDATE")
            .bind(&limited)
            .execute(&mut *conn)
            .await?;
        let counts: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT activity_id, COUNT(*) FROM (
                 SELECT activity_id, volunteer_id FROM attendances WHERE activity_id = ANY($1)
                 UNION SELECT activity_id, volunteer_id FROM signups
                 WHERE activity_id = ANY($1) AND state = 'confirmed'
             ) AS taken GROUP BY activity_id",
        )
        .bind(&limited)
        .fetch_all(&mut *conn)
        .await?;
        taken.extend(counts);
    }
    let holders = places_held(conn, scans).await?;
    let mut outcomes = vec![ScanOutcome::OutsideWindow; scans.len()];
    // A volunteer twice in one batch (a double tap) is decided in a second round, after the
    // first has been written.
    let mut pending: Vec<usize> = (0..scans.len()).collect();
    while !pending.is_empty() {
        let mut seen = HashSet::new();
        let (round, later): (Vec<usize>, Vec<usize>) = pending
            .into_iter()
            .partition(|&i| seen.insert((scans[i].activity_id, scans[i].volunteer_id)));
        let places = Places {
            taken: &mut taken,
            holders: &holders,
        };
        record_round(conn, scans, &round, places, &mut outcomes).await?;
        pending = later;
    }
    Ok(outcomes)
}

/// The (activity, volunteer) keys of the batch holding a confirmed sign-up, where it matters: at
/// limited activities (the place is kept for them) and where sign-up is required (a check-in
/// without one is flagged).
async fn places_held(conn: &mut PgConnection, scans: &[Scan]) -> Result<HashSet<Key>> {
    let (activities, volunteers): (Vec<i64>, Vec<i64>) = scans
        .iter()
        .filter(|s| s.capacity.is_some() || s.signup_required)
        .map(|s| (s.activity_id, s.volunteer_id))
        .unzip();
    if activities.is_empty() {
        return Ok(HashSet::new());
    }
    let held: Vec<Key> = sqlx::query_as(
        "SELECT s.activity_id, s.volunteer_id
         FROM signups s JOIN UNNEST($1::bigint[], $2::bigint[]) AS k(activity_id, volunteer_id)
             USING (activity_id, volunteer_id)
         WHERE s.state = 'confirmed'",
    )
    .bind(&activities)
    .bind(&volunteers)
    .fetch_all(&mut *conn)
    .await?;
    Ok(held.into_iter().collect())
}

/// The places of the batch's activities: taken so far, and the keys holding one.
struct Places<'a> {
    taken: &'a mut HashMap<i64, i64>,
    holders: &'a HashSet<Key>,
}

/// One round: scans of distinct (activity, volunteer) keys.
async fn record_round(
    conn: &mut PgConnection,
    scans: &[Scan],
    round: &[usize],
    places: Places<'_>,
    outcomes: &mut [ScanOutcome],
) -> Result<()> {
    let (activities, volunteers): (Vec<i64>, Vec<i64>) = round
        .iter()
        .map(|&i| (scans[i].activity_id, scans[i].volunteer_id))
        .unzip();
    let existing: Vec<Existing> = sqlx::query_as(
        "SELECT a.activity_id, a.volunteer_id, a.last_scan_at, a.id, a.state, a.checked_in_at,
             a.checked_out_at, a.credited_minutes, a.outside_geofence, a.without_signup
         FROM attendances a JOIN UNNEST($1::bigint[], $2::bigint[]) AS k(activity_id, volunteer_id)
             USING (activity_id, volunteer_id)
         ORDER BY a.activity_id, a.volunteer_id FOR UPDATE OF a",
    )
    .bind(&activities)
    .bind(&volunteers)
    .fetch_all(&mut *conn)
    .await?;
    let existing: HashMap<Key, Existing> = existing
        .into_iter()
        .map(|e| ((e.activity_id, e.volunteer_id), e))
        .collect();

    // Each check-in with whether it is flagged as made without a sign-up.
    let mut check_ins: Vec<(usize, bool)> = Vec::new();
    let mut check_outs: Vec<(usize, i64, i32)> = Vec::new();
    for &i in round {
        let s = &scans[i];
        let current = existing.get(&(s.activity_id, s.volunteer_id));
        let state = current.map(|e| Current {
            state: e.snapshot.state,
            last_scan_at: e.last_scan_at,
        });
        match decide(state, s.window, s.grace, s.at) {
            ScanDecision::OutsideWindow => outcomes[i] = ScanOutcome::OutsideWindow,
            ScanDecision::Unchanged => {
                let attendance = current
                    .expect("unchanged implies an attendance")
                    .snapshot
                    .clone();
                outcomes[i] = ScanOutcome::Recorded {
                    attendance,
                    changed: false,
                };
            }
            ScanDecision::CheckIn => {
                let holds = places.holders.contains(&(s.activity_id, s.volunteer_id));
                let taken = places.taken.entry(s.activity_id).or_default();
                if !admits_check_in(s.capacity, *taken, holds) {
                    outcomes[i] = ScanOutcome::Full;
                    continue;
                }
                // A held place is counted already.
                if !holds {
                    *taken += 1;
                }
                check_ins.push((i, s.signup_required && !holds));
            }
            ScanDecision::CheckOut => {
                let e = current.expect("check-out implies an attendance");
                let credited = credited_minutes(e.snapshot.checked_in_at, s.at, s.window);
                check_outs.push((i, e.snapshot.id, credited as i32));
            }
        }
    }
    // New attendances are locked as they are inserted: insert them in key order too, or two
    // instances inserting the same new keys in opposite orders would each wait for the other.
    check_ins.sort_unstable_by_key(|&(i, _)| (scans[i].activity_id, scans[i].volunteer_id));
    insert_check_ins(conn, scans, &check_ins, outcomes).await?;
    update_check_outs(conn, scans, &check_outs, outcomes).await
}

async fn insert_check_ins(
    conn: &mut PgConnection,
    scans: &[Scan],
    check_ins: &[(usize, bool)],
    outcomes: &mut [ScanOutcome],
) -> Result<()> {
    if check_ins.is_empty() {
        return Ok(());
    }
    let column = |f: &dyn Fn(&Scan) -> Option<f64>| {
        check_ins
            .iter()
            .map(|&(i, _)| f(&scans[i]))
            .collect::<Vec<_>>()
    };
    let written: Vec<Written> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO attendances AS a (activity_id, volunteer_id, state, checked_in_at, last_scan_at,
             in_lat, in_lon, outside_geofence, without_signup, checked_in_by)
         SELECT activity_id, volunteer_id, 'checked_in', at, at, lat, lon, outside, unsigned, scanned_by
         FROM UNNEST($1::bigint[], $2::bigint[], $3::timestamptz[], $4::float8[], $5::float8[],
             $6::bool[], $7::bool[], $8::bigint[])
             AS u(activity_id, volunteer_id, at, lat, lon, outside, unsigned, scanned_by)
         ON CONFLICT (activity_id, volunteer_id) DO NOTHING {RETURNING}"
    )))
    .bind(check_ins.iter().map(|&(i, _)| scans[i].activity_id).collect::<Vec<_>>())
    .bind(check_ins.iter().map(|&(i, _)| scans[i].volunteer_id).collect::<Vec<_>>())
    .bind(check_ins.iter().map(|&(i, _)| scans[i].at).collect::<Vec<_>>())
    .bind(column(&|s| s.position.map(|p| p.0)))
    .bind(column(&|s| s.position.map(|p| p.1)))
    .bind(check_ins.iter().map(|&(i, _)| scans[i].outside_geofence()).collect::<Vec<_>>())
    .bind(check_ins.iter().map(|&(_, flagged)| flagged).collect::<Vec<_>>())
    .bind(check_ins.iter().map(|&(i, _)| scans[i].recorded_by).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    let mut by_key: HashMap<Key, AttendanceSnapshot> = written
        .into_iter()
        .map(|w| ((w.activity_id, w.volunteer_id), w.snapshot))
        .collect();
    for &(i, _) in check_ins {
        let key = (scans[i].activity_id, scans[i].volunteer_id);
        outcomes[i] = match by_key.remove(&key) {
            Some(attendance) => ScanOutcome::Recorded {
                attendance,
                changed: true,
            },
            // Another instance checked the volunteer in a moment ago: answer its attendance.
            None => {
                let attendance = sqlx::query_as(
                    "SELECT id, state, checked_in_at, checked_out_at, credited_minutes, outside_geofence,
                         without_signup
                     FROM attendances WHERE activity_id = $1 AND volunteer_id = $2",
                )
                .bind(key.0)
                .bind(key.1)
                .fetch_one(&mut *conn)
                .await?;
                ScanOutcome::Recorded {
                    attendance,
                    changed: false,
                }
            }
        };
    }
    Ok(())
}

async fn update_check_outs(
    conn: &mut PgConnection,
    scans: &[Scan],
    check_outs: &[(usize, i64, i32)],
    outcomes: &mut [ScanOutcome],
) -> Result<()> {
    if check_outs.is_empty() {
        return Ok(());
    }
    let written: Vec<Written> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE attendances AS a SET state = 'checked_out', checked_out_at = u.at, last_scan_at = u.at,
             credited_minutes = u.credited, out_lat = u.lat, out_lon = u.lon,
             outside_geofence = a.outside_geofence OR u.outside, checked_out_by = u.scanned_by
         FROM UNNEST($1::bigint[], $2::timestamptz[], $3::int[], $4::float8[], $5::float8[], $6::bool[],
             $7::bigint[])
             AS u(id, at, credited, lat, lon, outside, scanned_by)
         WHERE a.id = u.id {RETURNING}"
    )))
    .bind(check_outs.iter().map(|c| c.1).collect::<Vec<_>>())
    .bind(check_outs.iter().map(|c| scans[c.0].at).collect::<Vec<_>>())
    .bind(check_outs.iter().map(|c| c.2).collect::<Vec<_>>())
    .bind(check_outs.iter().map(|c| scans[c.0].position.map(|p| p.0)).collect::<Vec<_>>())
    .bind(check_outs.iter().map(|c| scans[c.0].position.map(|p| p.1)).collect::<Vec<_>>())
    .bind(check_outs.iter().map(|c| scans[c.0].outside_geofence()).collect::<Vec<_>>())
    .bind(check_outs.iter().map(|c| scans[c.0].recorded_by).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    let mut by_id: HashMap<i64, AttendanceSnapshot> = written
        .into_iter()
        .map(|w| (w.snapshot.id, w.snapshot))
        .collect();
    for &(i, id, _) in check_outs {
        let attendance = by_id
            .remove(&id)
            .ok_or_else(|| anyhow::anyhow!("attendance {id} vanished"))?;
        outcomes[i] = ScanOutcome::Recorded {
            attendance,
            changed: true,
        };
    }
    Ok(())
}
