//! Volunteers: real-name registration (one person, one phone), lookups, the staff's search and
//! the audited reveals of an ID number or a phone number.

use super::db::{Arg, Backend, Query, Tx, query, query_as, query_scalar};
use super::{NewAudit, NewVolunteer, Registration, Store, Volunteer, audit};
use crate::domain::units::UnitKind;
use crate::domain::volunteer_no::volunteer_no;
use crate::domain::volunteer_search::{VolunteerSearch, prefix_end};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};

const VOLUNTEER_COLUMNS: &str = "v.id, v.volunteer_no, v.name, v.id_number_masked, v.gender, \
    v.birth_date, v.phone, v.community_id, v.skills, v.service_categories, v.status, \
    v.registered_via, v.registered_at, u.path AS community_path";

/// Volunteers `v` who are registered: not withdrawn.
pub(super) const REGISTERED: &str = "v.status <> 'withdrawn'";

/// The head of an insert of volunteers, and its number of columns ([`with_volunteer`] binds them).
pub(super) const VOLUNTEER_INSERT: &str = "INSERT INTO volunteers (id, volunteer_no, name,
    id_number_enc, id_number_hash, id_number_masked, gender, birth_date, phone, community_id, skills,
    service_categories, registered_via, consent_recorded_by, registered_at)";
pub(super) const VOLUNTEER_INSERT_COLUMNS: usize = 15;

/// Binds the volunteer `v` registered as user `id`, in the columns of [`VOLUNTEER_INSERT`].
pub(super) fn with_volunteer<O>(q: Query<O>, id: i64, v: &NewVolunteer) -> Query<O> {
    q.bind(id)
        .bind(volunteer_no(id))
        .bind(&v.name)
        .bind(&v.id_number_enc)
        .bind(&v.id_number_hash)
        .bind(&v.id_number_masked)
        .bind(v.gender)
        .bind(v.birth_date)
        .bind(&v.phone)
        .bind(v.community_id)
        .bind(serde_json::json!(&v.skills))
        .bind(serde_json::json!(&v.service_categories))
        .bind(v.registered_via)
        .bind(v.recorded_by)
        .bind(v.registered_at)
}

/// Registers one volunteer inside an open transaction.
async fn register_one(tx: &mut Tx, v: &NewVolunteer) -> Result<Registration> {
    let known: Option<i64> = query_scalar("SELECT id FROM volunteers WHERE id_number_hash = $1")
        .bind(&v.id_number_hash)
        .optional(&mut *tx)
        .await?;
    if known.is_some() {
        return Ok(Registration::DuplicateIdNumber);
    }
    let phone_taken: Option<i64> = query_scalar("SELECT id FROM volunteers WHERE phone = $1")
        .bind(&v.phone)
        .optional(&mut *tx)
        .await?;
    if phone_taken.is_some() {
        return Ok(Registration::DuplicatePhone);
    }
    // A volunteer logs in with their phone, so their account has no staff login.
    let id: i64 = query_scalar(
        "INSERT INTO users (password_hash, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(&v.password_hash)
    .bind(&v.name)
    .bind(v.registered_at)
    .one(&mut *tx)
    .await?;
    let no = volunteer_no(id);
    let inserted = with_volunteer(
        query(format!(
            "{VOLUNTEER_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT DO NOTHING"
        )),
        id,
        v,
    )
    .execute(&mut *tx)
    .await?;
    if inserted == 0 {
        // Another instance registered the same person between our check and this insert.
        query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        return Ok(Registration::DuplicateIdNumber);
    }
    // Registrations made by staff (on a volunteer's behalf, or by import) are audited; a
    // volunteer registering themselves is the record itself.
    if let Some(actor) = v.recorded_by {
        query(
            "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, unit_id, unit_path, after)
             SELECT $1, $2, 'register', 'volunteer', $3, id, path, $4 FROM units WHERE id = $5",
        )
        .bind(v.registered_at)
        .bind(actor)
        .bind(id.to_string())
        .bind(serde_json::json!({"volunteer_no": no, "registered_via": v.registered_via}))
        .bind(v.community_id)
        .execute(&mut *tx)
        .await?;
    }
    super::targets::add_registered(tx, id, v.registered_year, 1).await?;
    Ok(Registration::Registered {
        id,
        volunteer_no: no,
    })
}

impl Store {
    pub async fn register_volunteers(&self, batch: &[NewVolunteer]) -> Result<Vec<Registration>> {
        let mut tx = self.db.begin().await?;
        // Registrations from all instances take turns, as on SQLite: two imports of overlapping
        // files then neither deadlock nor misreport a person already registered.
        if tx.backend() == Backend::Postgres {
            query("SELECT pg_advisory_xact_lock(7001)")
                .execute(&mut tx)
                .await?;
        }
        let mut outcomes = Vec::with_capacity(batch.len());
        for v in batch {
            outcomes.push(register_one(&mut tx, v).await?);
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// The volunteer with id `id`, unless there is none or they have withdrawn: a withdrawn
    /// volunteer is no one any more, only the anonymous key of their ledger entries.
    pub async fn volunteer(&self, id: i64) -> Result<Option<Volunteer>> {
        let sql = format!(
            "SELECT {VOLUNTEER_COLUMNS} FROM volunteers v JOIN units u ON u.id = v.community_id
             WHERE v.id = $1 AND {REGISTERED}"
        );
        Ok(query_as(sql).bind(id).fetch_optional(&self.db).await?)
    }

    pub async fn volunteers_within(
        &self,
        path: &str,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Volunteer>> {
        let sql = format!(
            "SELECT {VOLUNTEER_COLUMNS} FROM volunteers v JOIN units u ON u.id = v.community_id
             WHERE u.path >= $1 AND u.path < $1 || '~' AND v.id > $2 AND {REGISTERED}
             ORDER BY v.id LIMIT $3"
        );
        Ok(query_as(sql)
            .bind(path)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.db)
            .await?)
    }

    /// Writes to the audit log that `actor` was shown the volunteer's full phone number.
    pub async fn log_phone_reveal(&self, volunteer: &Volunteer, actor: i64) -> Result<()> {
        let mut tx = self.db.begin().await?;
        audit(&mut tx, reveal(volunteer, actor, "reveal_phone")).await?;
        Ok(tx.commit().await?)
    }

    pub async fn reveal_id_number(&self, volunteer: &Volunteer, actor: i64) -> Result<Vec<u8>> {
        let mut tx = self.db.begin().await?;
        let enc: Vec<u8> = query_scalar("SELECT id_number_enc FROM volunteers WHERE id = $1")
            .bind(volunteer.id)
            .optional(&mut tx)
            .await?
            .ok_or(Error::NotFound("volunteer"))?;
        audit(&mut tx, reveal(volunteer, actor, "reveal_id_number")).await?;
        tx.commit().await?;
        Ok(enc)
    }
}

/// A volunteer in a list of many: who, where, and their service in one year.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VolunteerRow {
    pub id: i64,
    /// 志愿者编号
    pub volunteer_no: String,
    pub name: String,
    pub community_name: String,
    /// In full: a list shows it masked.
    pub phone: String,
    /// Confirmed service minutes of the year asked for, from the yearly totals.
    pub year_minutes: i64,
    pub registered_at: DateTime<Utc>,
}

/// Rows read at a time when every match is wanted.
const CHUNK: i64 = 5000;

impl Store {
    /// One page (`limit` rows after `offset`) of the volunteers registered in the communities
    /// under `paths` whose phone, volunteer number or name `search` gives
    /// ([`VolunteerSearch::parse`]; everyone when `None`), with their minutes of `year`. Rows come
    /// community by community, then by volunteer number (by name when searching a name), so a
    /// page is an ordered index range in each community: never a sort of a whole district.
    pub async fn search_volunteers(
        &self,
        paths: &[String],
        search: Option<&str>,
        year: i32,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<VolunteerRow>> {
        let communities = self.communities_within(paths).await?;
        let search = search.and_then(VolunteerSearch::parse);
        self.volunteers_in(&communities, search.as_ref(), year, limit, offset)
            .await
    }

    /// Every volunteer that [`Store::search_volunteers`] would list, in the same order, read a
    /// community (and a few thousand rows) at a time.
    pub async fn all_volunteers_matching(
        &self,
        paths: &[String],
        search: Option<&str>,
        year: i32,
    ) -> Result<Vec<VolunteerRow>> {
        let search = search.and_then(VolunteerSearch::parse);
        let mut all = Vec::new();
        for community in self.communities_within(paths).await? {
            for offset in (0..).step_by(CHUNK as usize) {
                let rows = self
                    .volunteers_in(&[community], search.as_ref(), year, CHUNK, offset)
                    .await?;
                let done = (rows.len() as i64) < CHUNK;
                all.extend(rows);
                if done {
                    break;
                }
            }
        }
        Ok(all)
    }

    /// The ids of the communities under `paths`, in order.
    async fn communities_within(&self, paths: &[String]) -> Result<Vec<i64>> {
        let mut ids: Vec<i64> = (self.units_within(paths).await?.into_iter())
            .filter(|u| u.kind == UnitKind::Community)
            .map(|u| u.id)
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    async fn volunteers_in(
        &self,
        communities: &[i64],
        search: Option<&VolunteerSearch>,
        year: i32,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<VolunteerRow>> {
        if communities.is_empty() {
            return Ok(Vec::new());
        }
        // A list of ids is read in order on both backends, so each community's rows come from
        // its own range of `volunteers_community_no` or `volunteers_community_name`.
        let within = match self.db.backend() {
            Backend::Sqlite => "v.community_id IN (SELECT value FROM json_each($1))",
            Backend::Postgres => "v.community_id = ANY($1)",
        };
        let starting = |column: &str, prefix: &str| match prefix_end(prefix) {
            Some(end) => (
                format!(" AND {column} >= $5 AND {column} < $6"),
                vec![prefix.into(), end.into()],
            ),
            None => (format!(" AND {column} >= $5"), vec![prefix.into()]),
        };
        let ((matching, args), order): ((String, Vec<Arg>), &str) = match search {
            None => ((String::new(), Vec::new()), "v.volunteer_no"),
            Some(VolunteerSearch::Phone(phone)) => (
                (" AND v.phone = $5".into(), vec![phone.into()]),
                "v.volunteer_no",
            ),
            Some(VolunteerSearch::Number(prefix)) => {
                (starting("v.volunteer_no", prefix), "v.volunteer_no")
            }
            Some(VolunteerSearch::Name(prefix)) => (starting("v.name", prefix), "v.name, v.id"),
        };
        let sql = format!(
            "SELECT v.id, v.volunteer_no, v.name, u.name AS community_name, v.phone,
                    COALESCE(t.minutes, 0) AS year_minutes, v.registered_at
             FROM volunteers v JOIN units u ON u.id = v.community_id
             LEFT JOIN volunteer_year_totals t ON t.volunteer_id = v.id AND t.year = $2
             WHERE {within} AND {REGISTERED}{matching}
             ORDER BY v.community_id, {order} LIMIT $3 OFFSET $4"
        );
        let mut statement = query_as(sql)
            .bind(communities)
            .bind(year)
            .bind(limit)
            .bind(offset);
        for arg in args {
            statement = statement.bind(arg);
        }
        Ok(statement.fetch_all(&self.db).await?)
    }
}

/// The audit entry of a piece of the volunteer's personal data shown to `actor` in full.
fn reveal<'a>(volunteer: &'a Volunteer, actor: i64, action: &'static str) -> NewAudit<'a> {
    NewAudit {
        actor_id: Some(actor),
        action,
        entity: "volunteer",
        entity_id: volunteer.id.to_string(),
        unit_id: Some(volunteer.community_id),
        unit_path: Some(&volunteer.community_path),
        before: None,
        after: None,
    }
}
