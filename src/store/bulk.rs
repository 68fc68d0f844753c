//! Bulk writes for the demo district (`vledger demo`): many rows a statement and many statements
//! a transaction, and the kept totals computed from the ledger once at the end instead of entry by
//! entry. Only the demo uses them, on a database it fills itself: they look nothing up before
//! writing, so a row that clashes with one already stored fails its whole transaction.

use super::activities::{Activity, ActivityFields, FIELD_COLUMNS, activity_audit, with_fields};
use super::db::many::{insert, insert_returning};
use super::db::{Backend, Tx, query};
use super::ledger::NewEntry;
use super::volunteers::{VOLUNTEER_INSERT, VOLUNTEER_INSERT_COLUMNS, with_volunteer};
use super::{NewAudit, NewVolunteer, Store, Unit};
use crate::domain::attendance::{ActivityStatus, AttendanceState};
use crate::domain::ledger::Review;
use crate::error::Result;
use chrono::{DateTime, Datelike, Utc};
use std::collections::HashMap;

/// SQLite's page cache for a bulk transaction, in KiB. Indexes written in random order (the
/// volunteers' ID number hashes and phones, entries by volunteer) outgrow the default cache and
/// have their pages read again for every row: a demo of a million volunteers then takes twice as long.
const SQLITE_CACHE_KIB: i64 = 512 * 1024;
/// SQLite's own default (2 MiB), for the service afterwards.
const SQLITE_DEFAULT_CACHE: i64 = -2000;

/// An open bulk transaction.
pub struct Bulk {
    tx: Tx,
}

/// An activity to create in the unit.
pub struct NewActivity<'a> {
    pub unit: &'a Unit,
    pub fields: ActivityFields,
    pub qr_secret: [u8; 16],
}

/// An attendance as its scans left it and, when reviewed, its review.
pub struct ReviewedAttendance<'a> {
    pub activity: &'a Activity,
    pub volunteer_id: i64,
    pub state: AttendanceState,
    pub checked_in_at: DateTime<Utc>,
    pub checked_out_at: Option<DateTime<Utc>>,
    pub credited_minutes: Option<i64>,
    pub review: Option<ReviewMade>,
}

/// An organizer's review of an attendance: the entry it appends (its `attendance_id` is the
/// attendance's, whatever it says) and what the audit log keeps of it.
pub struct ReviewMade {
    pub review: Review,
    pub actor_id: i64,
    pub at: DateTime<Utc>,
    pub entry: Option<NewEntry>,
    pub audit_after: serde_json::Value,
}

impl Store {
    /// A bulk transaction; on SQLite the writer keeps a large page cache from now on.
    pub async fn bulk(&self) -> Result<Bulk> {
        let mut tx = self.db.begin().await?;
        if tx.backend() == Backend::Sqlite {
            query(format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
                .execute(&mut tx)
                .await?;
        }
        Ok(Bulk { tx })
    }

    /// Gives SQLite's writer its usual page cache back after bulk transactions.
    pub async fn end_bulk(&self) -> Result<()> {
        let mut tx = self.db.begin().await?;
        if tx.backend() == Backend::Sqlite {
            query(format!("PRAGMA cache_size = {SQLITE_DEFAULT_CACHE}"))
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Keeps the yearly and monthly totals and the points balances of the volunteers with ids
    /// `first..=last` as [`super::ledger::steps::append`] would have kept them over their
    /// entries: minutes and points summed, activities counted once each. They must have none yet.
    pub async fn totals_from_entries(&self, first: i64, last: i64) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let month = match tx.backend() {
            Backend::Sqlite => "CAST(strftime('%Y%m', e.service_date) AS INTEGER)",
            Backend::Postgres => "CAST(to_char(e.service_date, 'YYYYMM') AS INTEGER)",
        };
        // A service entry has at most one points entry.
        query(
            "INSERT INTO volunteer_year_totals (volunteer_id, year, minutes, activities, points)
             SELECT e.volunteer_id, e.year, SUM(e.minutes), COUNT(DISTINCT e.activity_id),
                 COALESCE(SUM(p.points), 0)
             FROM ledger_entries e LEFT JOIN points_entries p ON p.ledger_entry_id = e.id
             WHERE e.volunteer_id BETWEEN $1 AND $2
             GROUP BY e.volunteer_id, e.year",
        )
        .bind(first)
        .bind(last)
        .execute(&mut tx)
        .await?;
        query(format!(
            "INSERT INTO volunteer_month_totals (volunteer_id, month, minutes, activities)
             SELECT e.volunteer_id, {month}, SUM(e.minutes), COUNT(DISTINCT e.activity_id)
             FROM ledger_entries e WHERE e.volunteer_id BETWEEN $1 AND $2
             GROUP BY e.volunteer_id, {month}"
        ))
        .bind(first)
        .bind(last)
        .execute(&mut tx)
        .await?;
        query(
            "INSERT INTO points_balances (volunteer_id, balance)
             SELECT volunteer_id, SUM(points) FROM points_entries
             WHERE volunteer_id BETWEEN $1 AND $2 GROUP BY volunteer_id",
        )
        .bind(first)
        .bind(last)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives every active volunteer of a community who has no social worker yet one of the
    /// community's social workers, in turn by volunteer id; the number assigned.
    pub async fn assign_social_workers_in_turn(
        &self,
        actor: i64,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.db.begin().await?;
        let assigned = query(
            "INSERT INTO volunteer_social_workers (volunteer_id, social_worker_id, assigned_by, assigned_at)
             SELECT v.id, w.user_id, $1, $2
             FROM (SELECT id, community_id,
                       ROW_NUMBER() OVER (PARTITION BY community_id ORDER BY id) - 1 AS n
                   FROM volunteers x WHERE status = 'active' AND NOT EXISTS
                       (SELECT 1 FROM volunteer_social_workers a WHERE a.volunteer_id = x.id)) v
             JOIN (SELECT g.user_id, g.unit_id,
                       ROW_NUMBER() OVER (PARTITION BY g.unit_id ORDER BY g.user_id) - 1 AS k,
                       COUNT(*) OVER (PARTITION BY g.unit_id) AS m
                   FROM grants g JOIN units u ON u.id = g.unit_id
                   WHERE g.role = 'social_worker' AND u.kind = 'community') w
                 ON w.unit_id = v.community_id AND w.k = v.n % w.m",
        )
        .bind(actor)
        .bind(at)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(assigned)
    }
}

impl Bulk {
    pub async fn commit(self) -> Result<()> {
        Ok(self.tx.commit().await?)
    }

    /// Registers volunteers not registered before (as `register_volunteers` would, without its
    /// look-ups); their ids, in order. The targets' counts are left to be rebuilt.
    pub async fn register(&mut self, volunteers: &[NewVolunteer]) -> Result<Vec<i64>> {
        // Registrations take turns across instances, as in `register_volunteers`.
        if self.tx.backend() == Backend::Postgres {
            query("SELECT pg_advisory_xact_lock(7001)")
                .execute(&mut self.tx)
                .await?;
        }
        let ids: Vec<(i64,)> = insert_returning(
            &mut self.tx,
            "INSERT INTO users (password_hash, name, created_at)",
            "RETURNING id",
            3,
            volunteers,
            |q, v| q.bind(&v.password_hash).bind(&v.name).bind(v.registered_at),
        )
        .await?;
        let ids = in_insertion_order(ids.into_iter().map(|(id,)| id).collect());
        let rows: Vec<(i64, &NewVolunteer)> = ids.iter().copied().zip(volunteers).collect();
        insert(
            &mut self.tx,
            VOLUNTEER_INSERT,
            "",
            VOLUNTEER_INSERT_COLUMNS,
            &rows,
            |q, (id, v)| with_volunteer(q, *id, v),
        )
        .await?;
        Ok(ids)
    }

    /// Creates the activities, each audited as `create_activity` audits it; in order.
    pub async fn activities(
        &mut self,
        new: &[NewActivity<'_>],
        actor: i64,
    ) -> Result<Vec<Activity>> {
        let now = Utc::now();
        let head = format!(
            "INSERT INTO activities ({FIELD_COLUMNS}, unit_id, qr_secret, created_by, created_at)"
        );
        let ids: Vec<(i64,)> =
            insert_returning(&mut self.tx, &head, "RETURNING id", 18, new, |q, a| {
                with_fields(q, &a.fields)
                    .bind(a.unit.id)
                    .bind(&a.qr_secret[..])
                    .bind(actor)
                    .bind(now)
            })
            .await?;
        let ids = in_insertion_order(ids.into_iter().map(|(id,)| id).collect());
        let activities: Vec<Activity> = ids
            .into_iter()
            .zip(new)
            .map(|(id, a)| {
                let (geo_lat, geo_lon, geo_radius_m) = a.fields.geofence_columns();
                let f = a.fields.clone();
                Activity {
                    id,
                    unit_id: a.unit.id,
                    title: f.title,
                    place: f.place,
                    content: f.content,
                    category: f.category,
                    organiser: f.organiser,
                    person_in_charge: f.person_in_charge,
                    starts_at: f.window.starts_at,
                    ends_at: f.window.ends_at,
                    capacity: f.capacity,
                    geo_lat,
                    geo_lon,
                    geo_radius_m,
                    qr_mode: f.qr_mode,
                    status: ActivityStatus::Scheduled,
                    signup_required: f.signup_required,
                    recruitment_open: true,
                    qr_secret: a.qr_secret.to_vec(),
                    unit_path: a.unit.path.clone(),
                }
            })
            .collect();
        let audits: Vec<(DateTime<Utc>, NewAudit)> = activities
            .iter()
            .map(|a| (now, activity_audit(a, actor, "create", None)))
            .collect();
        audit_rows(&mut self.tx, &audits).await?;
        Ok(activities)
    }

    /// Stores the attendances with their reviews, and for each review its entry (with its
    /// points entry when it earns points) and its audit entry; the number of entries appended.
    /// Kept totals are not touched: see [`Store::totals_from_entries`].
    pub async fn reviewed_attendances(&mut self, rows: &[ReviewedAttendance<'_>]) -> Result<usize> {
        let written: Vec<(i64, i64, i64)> = insert_returning(
            &mut self.tx,
            "INSERT INTO attendances (activity_id, volunteer_id, state, checked_in_at, checked_out_at,
                 last_scan_at, credited_minutes, review, review_reason, fraudulent, reviewed_by,
                 reviewed_at)",
            "RETURNING id, activity_id, volunteer_id",
            12,
            rows,
            |q, a| {
                let r = a.review.as_ref();
                q.bind(a.activity.id)
                    .bind(a.volunteer_id)
                    .bind(a.state.as_str())
                    .bind(a.checked_in_at)
                    .bind(a.checked_out_at)
                    .bind(a.checked_out_at.unwrap_or(a.checked_in_at))
                    .bind(a.credited_minutes)
                    .bind(r.map(|r| r.review.name()))
                    .bind(r.and_then(|r| r.review.reason()))
                    .bind(r.is_some_and(|r| {
                        matches!(
                            r.review,
                            Review::Reject {
                                fraudulent: true,
                                ..
                            }
                        )
                    }))
                    .bind(r.map(|r| r.actor_id))
                    .bind(r.map(|r| r.at))
            },
        )
        .await?;
        let ids: HashMap<(i64, i64), i64> = written
            .into_iter()
            .map(|(id, activity, volunteer)| ((activity, volunteer), id))
            .collect();
        let id_of = |a: &ReviewedAttendance| ids[&(a.activity.id, a.volunteer_id)];

        let entries: Vec<(i64, &NewEntry, DateTime<Utc>)> = rows
            .iter()
            .filter_map(|a| {
                let r = a.review.as_ref()?;
                Some((id_of(a), r.entry.as_ref()?, r.at))
            })
            .collect();
        let appended: Vec<(i64, i64)> = insert_returning(
            &mut self.tx,
            "INSERT INTO ledger_entries (volunteer_id, activity_id, attendance_id, unit_id,
                 service_date, year, minutes, source, corrects_id, reason, actor_id, created_at)",
            "RETURNING id, attendance_id",
            12,
            &entries,
            |q, (attendance, e, at)| {
                q.bind(e.volunteer_id)
                    .bind(e.activity_id)
                    .bind(*attendance)
                    .bind(e.unit_id)
                    .bind(e.service_date)
                    .bind(e.service_date.year())
                    .bind(e.minutes as i32)
                    .bind(e.source.as_str())
                    .bind(e.corrects_id)
                    .bind(&e.reason)
                    .bind(e.actor_id)
                    .bind(*at)
            },
        )
        .await?;
        let entry_of: HashMap<i64, i64> = appended
            .into_iter()
            .map(|(entry, attendance)| (attendance, entry))
            .collect();
        let points: Vec<(i64, &NewEntry, DateTime<Utc>)> = entries
            .iter()
            .filter(|(_, e, _)| e.points > 0)
            .map(|&(attendance, e, at)| (entry_of[&attendance], e, at))
            .collect();
        insert(
            &mut self.tx,
            "INSERT INTO points_entries (volunteer_id, points, source, ledger_entry_id, actor_id,
                 created_at)",
            "",
            6,
            &points,
            |q, (entry, e, at)| {
                q.bind(e.volunteer_id)
                    .bind(e.points)
                    .bind("service")
                    .bind(*entry)
                    .bind(e.actor_id)
                    .bind(*at)
            },
        )
        .await?;

        let audits: Vec<(DateTime<Utc>, NewAudit)> = rows
            .iter()
            .filter_map(|a| {
                let r = a.review.as_ref()?;
                Some((
                    r.at,
                    NewAudit {
                        actor_id: Some(r.actor_id),
                        action: r.review.name(),
                        entity: "attendance",
                        entity_id: id_of(a).to_string(),
                        unit_id: Some(a.activity.unit_id),
                        unit_path: Some(&a.activity.unit_path),
                        before: None,
                        after: Some(r.audit_after.clone()),
                    },
                ))
            })
            .collect();
        audit_rows(&mut self.tx, &audits).await?;
        Ok(entries.len())
    }
}

/// Audit entries, each written at its time.
async fn audit_rows(tx: &mut Tx, rows: &[(DateTime<Utc>, NewAudit<'_>)]) -> Result<()> {
    insert(
        tx,
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, unit_id, unit_path, before, after)",
        "",
        9,
        rows,
        |q, (at, a)| {
            q.bind(*at)
                .bind(a.actor_id)
                .bind(a.action)
                .bind(a.entity)
                .bind(&a.entity_id)
                .bind(a.unit_id)
                .bind(a.unit_path)
                .bind(a.before.clone())
                .bind(a.after.clone())
        },
    )
    .await
}

/// The ids a multi-row insert returned, in the order of its rows: both backends number the rows
/// of one statement in increasing order as they insert them, whatever order RETURNING gives.
fn in_insertion_order(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}
