//! Social workers and the volunteers they lead 社工引领志愿者: staff accounts' qualifications
//! (`users.qualification_level`, `qualification_no`), each volunteer's social worker
//! (`volunteer_social_workers`) and a social worker's list of volunteers with their service.
//! Every change is audited in its own transaction.

use super::db::{Backend, query, query_as, query_scalar};
use super::units::within_any;
use super::{NewAudit, Store, Volunteer, audit};
use crate::domain::roles::{Grant, Role};
use crate::domain::social_workers::{Qualification, QualificationLevel};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use std::collections::HashMap;

/// A staff account with its qualification and every role it holds.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub qualification: Option<Qualification>,
    pub grants: Vec<Grant>,
}

/// A social worker as a volunteer's page offers them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SocialWorker {
    pub id: i64,
    pub name: String,
    pub login: String,
}

/// The social worker a volunteer is assigned to, and by whom and when.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Assignment {
    pub social_worker_id: i64,
    pub social_worker_name: String,
    pub assigned_by: i64,
    pub assigned_at: DateTime<Utc>,
}

/// One of a social worker's volunteers with their service.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedVolunteer {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub community_id: i64,
    /// Confirmed minutes in the year asked for.
    pub minutes: i64,
    /// The latest date of a ledger entry crediting time.
    pub last_service: Option<NaiveDate>,
    pub backbone: bool,
}

/// Which of a social worker's volunteers to list, and which page of them.
#[derive(Debug, Clone)]
pub struct LedFilter<'a> {
    /// Whose hours to read.
    pub year: i32,
    /// A volunteer whose last service is before this day has gone quiet.
    pub quiet_before: NaiveDate,
    /// Only the quiet ones (`true`), only the others (`false`), or all.
    pub quiet: Option<bool>,
    /// Only those of communities within these subtrees; `None`: wherever they are.
    pub within: Option<&'a [String]>,
    pub limit: i64,
    pub offset: i64,
}

const ASSIGNMENT: &str =
    "SELECT a.social_worker_id, u.name AS social_worker_name, a.assigned_by, a.assigned_at
     FROM volunteer_social_workers a JOIN users u ON u.id = a.social_worker_id
     WHERE a.volunteer_id = $1";

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    login: String,
    name: String,
    qualification_level: Option<String>,
    qualification_no: Option<String>,
    role: Option<String>,
    unit_id: Option<i64>,
    path: Option<String>,
}

/// The stored columns as a qualification; `None` when the level is empty.
fn stored_qualification(
    level: Option<String>,
    no: Option<String>,
) -> Result<Option<Qualification>> {
    let Some(level) = level else {
        return Ok(None);
    };
    let level = QualificationLevel::parse(&level)
        .ok_or_else(|| anyhow::anyhow!("unknown qualification level {level:?}"))?;
    Ok(Some(Qualification {
        level,
        certificate_no: no.unwrap_or_default(),
    }))
}

fn qualification_json(q: Option<&Qualification>) -> serde_json::Value {
    json!({
        "qualification_level": q.map(|q| q.level),
        "qualification_no": q.map(|q| &q.certificate_no),
    })
}

impl Store {
    /// The staff account `id` (not a volunteer's own account), with its grants.
    pub async fn staff_member(&self, id: i64) -> Result<Option<StaffMember>> {
        let rows: Vec<MemberRow> = query_as(
            "SELECT u.id, u.login, u.name, u.qualification_level, u.qualification_no,
                 g.role, g.unit_id, un.path
             FROM users u LEFT JOIN grants g ON g.user_id = u.id LEFT JOIN units un ON un.id = g.unit_id
             WHERE u.id = $1 AND u.login IS NOT NULL
             ORDER BY un.path, g.role",
        )
        .bind(id)
        .fetch_all(&self.db)
        .await?;
        let mut member: Option<StaffMember> = None;
        for row in rows {
            let m = match &mut member {
                Some(m) => m,
                None => member.insert(StaffMember {
                    id: row.id,
                    login: row.login,
                    name: row.name,
                    qualification: stored_qualification(
                        row.qualification_level,
                        row.qualification_no,
                    )?,
                    grants: Vec::new(),
                }),
            };
            if let (Some(role), Some(unit_id), Some(unit_path)) = (row.role, row.unit_id, row.path)
            {
                let role = Role::parse(&role)
                    .ok_or_else(|| anyhow::anyhow!("unknown role {role:?} in grants"))?;
                m.grants.push(Grant {
                    role,
                    unit_id,
                    unit_path,
                });
            }
        }
        Ok(member)
    }

    /// Sets (or with `None` clears) the qualification of the staff account `user_id`, audited
    /// under the unit `(unit_id, unit_path)` by `actor`.
    pub async fn set_qualification(
        &self,
        user_id: i64,
        qualification: Option<&Qualification>,
        actor: i64,
        (unit_id, unit_path): (i64, &str),
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let before: Option<(Option<String>, Option<String>)> = query_as(
            "SELECT qualification_level, qualification_no FROM users WHERE id = $1 AND login IS NOT NULL",
        )
        .bind(user_id)
        .fetch_optional(&mut tx)
        .await?;
        let (level, no) = before.ok_or(crate::Error::NotFound("user"))?;
        let before = stored_qualification(level, no)?;
        query("UPDATE users SET qualification_level = $1, qualification_no = $2 WHERE id = $3")
            .bind(qualification.map(|q| q.level.as_str()))
            .bind(qualification.map(|q| q.certificate_no.as_str()))
            .bind(user_id)
            .execute(&mut tx)
            .await?;
        if before.as_ref() != qualification {
            audit(
                &mut tx,
                NewAudit {
                    actor_id: Some(actor),
                    action: "qualification",
                    entity: "user",
                    entity_id: user_id.to_string(),
                    unit_id: Some(unit_id),
                    unit_path: Some(unit_path),
                    before: Some(qualification_json(before.as_ref())),
                    after: Some(qualification_json(qualification)),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The qualifications of those of `user_ids` that hold one.
    pub async fn qualifications(&self, user_ids: &[i64]) -> Result<HashMap<i64, Qualification>> {
        let listed = match self.backend() {
            Backend::Sqlite => "id IN (SELECT value FROM json_each($1))",
            Backend::Postgres => "id = ANY($1)",
        };
        let rows: Vec<(i64, Option<String>, Option<String>)> = query_as(format!(
            "SELECT id, qualification_level, qualification_no FROM users
             WHERE {listed} AND qualification_level IS NOT NULL"
        ))
        .bind(user_ids)
        .fetch_all(&self.db)
        .await?;
        let mut held = HashMap::new();
        for (id, level, no) in rows {
            if let Some(q) = stored_qualification(level, no)? {
                held.insert(id, q);
            }
        }
        Ok(held)
    }

    /// The staff holding the social worker role on the unit at `path` or on a unit above it,
    /// by name: those who may lead its volunteers.
    pub async fn social_workers_over(&self, path: &str) -> Result<Vec<SocialWorker>> {
        Ok(query_as(
            "SELECT DISTINCT u.id, u.name, u.login FROM grants g
             JOIN users u ON u.id = g.user_id JOIN units un ON un.id = g.unit_id
             WHERE g.role = 'social_worker' AND u.login IS NOT NULL
               AND substr($1, 1, length(un.path)) = un.path
             ORDER BY u.name, u.login",
        )
        .bind(path)
        .fetch_all(&self.db)
        .await?)
    }

    /// The volunteer's social worker, if one is assigned.
    pub async fn assignment(&self, volunteer_id: i64) -> Result<Option<Assignment>> {
        Ok(query_as(ASSIGNMENT)
            .bind(volunteer_id)
            .fetch_optional(&self.db)
            .await?)
    }

    /// Assigns the volunteer to `social_worker_id` (`None`: to no one), audited under their
    /// community when it changes; the assignment now.
    pub async fn assign_social_worker(
        &self,
        volunteer: &Volunteer,
        social_worker_id: Option<i64>,
        actor: i64,
    ) -> Result<Option<Assignment>> {
        let mut tx = self.db.begin().await?;
        let before: Option<i64> = query_scalar(
            "SELECT social_worker_id FROM volunteer_social_workers WHERE volunteer_id = $1",
        )
        .bind(volunteer.id)
        .optional(&mut tx)
        .await?;
        if before != social_worker_id {
            match social_worker_id {
                Some(worker) => {
                    query(
                        "INSERT INTO volunteer_social_workers
                             (volunteer_id, social_worker_id, assigned_by, assigned_at)
                         VALUES ($1, $2, $3, $4)
                         ON CONFLICT (volunteer_id) DO UPDATE SET
                             social_worker_id = excluded.social_worker_id,
                             assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at",
                    )
                    .bind(volunteer.id)
                    .bind(worker)
                    .bind(actor)
                    .bind(Utc::now())
                    .execute(&mut tx)
                    .await?;
                }
                None => {
                    query("DELETE FROM volunteer_social_workers WHERE volunteer_id = $1")
                        .bind(volunteer.id)
                        .execute(&mut tx)
                        .await?;
                }
            }
            audit(
                &mut tx,
                NewAudit {
                    actor_id: Some(actor),
                    action: "assign_social_worker",
                    entity: "volunteer",
                    entity_id: volunteer.id.to_string(),
                    unit_id: Some(volunteer.community_id),
                    unit_path: Some(&volunteer.community_path),
                    before: Some(json!({"social_worker_id": before})),
                    after: Some(json!({"social_worker_id": social_worker_id})),
                },
            )
            .await?;
        }
        let now = query_as(ASSIGNMENT)
            .bind(volunteer.id)
            .fetch_optional(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(now)
    }

    /// The active volunteers assigned to `social_worker_id` that `filter` asks for, by volunteer
    /// number, each with their hours of the year, last service and backbone status.
    pub async fn led_volunteers(
        &self,
        social_worker_id: i64,
        filter: &LedFilter<'_>,
    ) -> Result<Vec<LedVolunteer>> {
        let within = match filter.within {
            Some([]) => return Ok(Vec::new()),
            Some(roots) => within_any("u.path", 7, roots.len()),
            None => "1 = 1".to_owned(),
        };
        let sql = format!(
            "SELECT * FROM (
                 SELECT v.id AS volunteer_id, v.volunteer_no, v.name, v.community_id,
                     CAST(COALESCE(t.minutes, 0) AS BIGINT) AS minutes,
                     (SELECT MAX(e.service_date) FROM ledger_entries e
                      WHERE e.volunteer_id = v.id AND e.minutes > 0) AS last_service,
                     COALESCE(b.backbone, FALSE) AS backbone
                 FROM volunteer_social_workers a
                 JOIN volunteers v ON v.id = a.volunteer_id
                 JOIN units u ON u.id = v.community_id
                 LEFT JOIN volunteer_year_totals t ON t.volunteer_id = v.id AND t.year = $2
                 LEFT JOIN backbone_status b ON b.volunteer_id = v.id
                 WHERE a.social_worker_id = $1 AND v.status = 'active' AND {within}
             ) l
             WHERE $4 IS NULL
                OR (CASE WHEN l.last_service IS NULL OR l.last_service < $3 THEN TRUE ELSE FALSE END) = $4
             ORDER BY l.volunteer_no LIMIT $5 OFFSET $6"
        );
        let mut q = query_as(sql)
            .bind(social_worker_id)
            .bind(filter.year)
            .bind(filter.quiet_before)
            .bind(filter.quiet)
            .bind(filter.limit)
            .bind(filter.offset);
        for root in filter.within.unwrap_or_default() {
            q = q.bind(root);
        }
        Ok(q.fetch_all(&self.db).await?)
    }
}
