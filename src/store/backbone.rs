//! Backbone volunteers: each volunteer's current status (`backbone_status`), the append-only
//! history of its changes (`backbone_changes`) and the reads behind `/me`, the profile and the
//! lists. The steps run in the caller's transaction; the rule that combines them is
//! `app::backbone`.

use super::Store;
use super::db::many::insert;
use super::db::{Backend, Tx, query, query_as, query_scalar};
use super::volunteers::REGISTERED;
use crate::domain::backbone::Basis;
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A volunteer's standing as the job and the designations see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Standing {
    pub volunteer_id: i64,
    pub community_id: i64,
    pub by_rule: bool,
    pub designated: Option<bool>,
    pub backbone: bool,
}

/// A volunteer's totals over the rule's months, when they meet it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleTotals {
    pub volunteer_id: i64,
    pub community_id: i64,
    pub minutes: i64,
    pub activities: i64,
}

/// A change about to be kept.
#[derive(Debug, Clone)]
pub struct NewChange {
    pub volunteer_id: i64,
    pub backbone: bool,
    pub basis: Basis,
    pub reason: String,
    pub actor_id: Option<i64>,
}

/// A kept change of status.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct BackboneChange {
    pub id: i64,
    pub volunteer_id: i64,
    pub backbone: bool,
    /// `rule`, `designation` or `revocation`.
    pub basis: String,
    pub reason: String,
    pub actor_id: Option<i64>,
    pub at: DateTime<Utc>,
}

/// A backbone volunteer in a unit's list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct BackboneVolunteer {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub community_id: i64,
    pub basis: String,
    pub reason: String,
    pub since: DateTime<Utc>,
}

/// Makes designations and the daily job take turns (SQLite's single writer does it already).
pub async fn lock(tx: &mut Tx) -> Result<()> {
    if tx.backend() == Backend::Postgres {
        query("SELECT pg_advisory_xact_lock(7002)")
            .execute(tx)
            .await?;
    }
    Ok(())
}

/// Volunteers whose totals in the months `first..=last` meet the thresholds.
pub async fn meeting_rule(
    tx: &mut Tx,
    (first, last): (i32, i32),
    min_minutes: i64,
    min_activities: i64,
) -> Result<Vec<RuleTotals>> {
    Ok(query_as(format!(
        "SELECT t.volunteer_id, v.community_id, t.minutes, t.activities FROM (
             SELECT volunteer_id, CAST(SUM(minutes) AS BIGINT) AS minutes,
                 CAST(SUM(activities) AS BIGINT) AS activities
             FROM volunteer_month_totals WHERE month >= $1 AND month <= $2
             GROUP BY volunteer_id HAVING SUM(minutes) >= $3 AND SUM(activities) >= $4
         ) t JOIN volunteers v ON v.id = t.volunteer_id WHERE {REGISTERED}"
    ))
    .bind(first)
    .bind(last)
    .bind(min_minutes)
    .bind(min_activities)
    .fetch_all(tx)
    .await?)
}

/// Every volunteer who has a standing (ever held the status, by the rule or a person).
pub async fn standings(tx: &mut Tx) -> Result<Vec<Standing>> {
    Ok(query_as(
        "SELECT s.volunteer_id, v.community_id, s.by_rule, s.designated, s.backbone
         FROM backbone_status s JOIN volunteers v ON v.id = s.volunteer_id",
    )
    .fetch_all(tx)
    .await?)
}

pub async fn standing(tx: &mut Tx, volunteer_id: i64) -> Result<Option<Standing>> {
    Ok(query_as(
        "SELECT s.volunteer_id, v.community_id, s.by_rule, s.designated, s.backbone
         FROM backbone_status s JOIN volunteers v ON v.id = s.volunteer_id WHERE s.volunteer_id = $1",
    )
    .bind(volunteer_id)
    .fetch_optional(tx)
    .await?)
}

/// Writes the standings, replacing those kept.
pub async fn set_standings(tx: &mut Tx, rows: &[Standing]) -> Result<()> {
    insert(
        tx,
        "INSERT INTO backbone_status (volunteer_id, by_rule, designated, backbone)",
        "ON CONFLICT (volunteer_id) DO UPDATE SET by_rule = excluded.by_rule,
             designated = excluded.designated, backbone = excluded.backbone",
        4,
        rows,
        |q, s| {
            q.bind(s.volunteer_id)
                .bind(s.by_rule)
                .bind(s.designated)
                .bind(s.backbone)
        },
    )
    .await
}

/// Keeps `changes` in the history, all at `at`; returns the id of the last one kept before them.
pub async fn append_changes(tx: &mut Tx, changes: &[NewChange], at: DateTime<Utc>) -> Result<i64> {
    let before: i64 =
        query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM backbone_changes")
            .one(&mut *tx)
            .await?;
    insert(
        tx,
        "INSERT INTO backbone_changes (volunteer_id, backbone, basis, reason, actor_id, at)",
        "",
        6,
        changes,
        |q, c| {
            q.bind(c.volunteer_id)
                .bind(c.backbone)
                .bind(c.basis.as_str())
                .bind(&c.reason)
                .bind(c.actor_id)
                .bind(at)
        },
    )
    .await?;
    Ok(before)
}

/// Audits each change kept after `after_id`, under its volunteer's community.
pub async fn audit_changes(tx: &mut Tx, after_id: i64) -> Result<()> {
    let after = match tx.backend() {
        Backend::Sqlite => {
            "json_object('backbone', json(CASE WHEN c.backbone THEN 'true' ELSE 'false' END), 'reason', c.reason)"
        }
        Backend::Postgres => "jsonb_build_object('backbone', c.backbone, 'reason', c.reason)",
    };
    query(format!(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, unit_id, unit_path, after)
         SELECT c.at, c.actor_id, 'backbone_' || c.basis, 'volunteer', CAST(c.volunteer_id AS TEXT), u.id, u.path,
             {after}
         FROM backbone_changes c JOIN volunteers v ON v.id = c.volunteer_id JOIN units u ON u.id = v.community_id
         WHERE c.id > $1 ORDER BY c.id"
    ))
    .bind(after_id)
    .execute(tx)
    .await?;
    Ok(())
}

impl Store {
    /// The volunteer's last change of status, if any: what it is, why and since when.
    pub async fn backbone_change_of(&self, volunteer_id: i64) -> Result<Option<BackboneChange>> {
        Ok(query_as(
            "SELECT id, volunteer_id, backbone, basis, reason, actor_id, at FROM backbone_changes
             WHERE volunteer_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(volunteer_id)
        .fetch_optional(&self.db)
        .await?)
    }

    /// Every change of the volunteer's status, newest first.
    pub async fn backbone_history(&self, volunteer_id: i64) -> Result<Vec<BackboneChange>> {
        Ok(query_as(
            "SELECT id, volunteer_id, backbone, basis, reason, actor_id, at FROM backbone_changes
             WHERE volunteer_id = $1 ORDER BY id DESC",
        )
        .bind(volunteer_id)
        .fetch_all(&self.db)
        .await?)
    }

    /// The backbone volunteers of the communities within `path`, by volunteer number.
    pub async fn backbone_within(
        &self,
        path: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<BackboneVolunteer>> {
        Ok(query_as(
            "SELECT v.id AS volunteer_id, v.volunteer_no, v.name, v.community_id, c.basis, c.reason, c.at AS since
             FROM backbone_status s
             JOIN volunteers v ON v.id = s.volunteer_id
             JOIN units u ON u.id = v.community_id
             JOIN backbone_changes c ON c.id = (SELECT MAX(id) FROM backbone_changes WHERE volunteer_id = s.volunteer_id)
             WHERE s.backbone AND u.path >= $1 AND u.path < $1 || '~'
             ORDER BY v.volunteer_no LIMIT $2 OFFSET $3",
        )
        .bind(path)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.db)
        .await?)
    }
}
