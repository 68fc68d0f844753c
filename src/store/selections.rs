//! Selection rounds 优秀志愿者评选: what the rules read for a unit and year (the yearly totals,
//! the latest ratings, fraud, backbone status at the year's end), and the rounds with their
//! candidates. One round per unit and year, whoever opens it first.

use super::Store;
use super::db::many::insert;
use super::db::{Backend, Tx, query_as, query_scalar};
use super::volunteers::REGISTERED;
use crate::domain::selection::{Draft, Input};
use crate::error::Result;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// A round as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Selection {
    pub id: i64,
    pub unit_id: i64,
    pub year: i32,
    /// `draft`, `notice` or `final`.
    pub state: String,
    /// The rule set applied, as JSON text.
    pub rules: String,
    pub input_digest: String,
    pub quota: i32,
    pub opened_by: Option<i64>,
    pub opened_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// When the public notice 公示 ends: objections are taken until then, finalising after.
    pub notice_ends_at: Option<DateTime<Utc>>,
    pub finalized_at: Option<DateTime<Utc>>,
}

/// A volunteer the round considered: ranked (eligible) or left out by the rules.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Candidate {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub rank: Option<i32>,
    /// Two places, as text.
    pub score: Option<String>,
    /// The points the score is made of, as JSON text.
    pub breakdown: Option<String>,
    pub within_quota: bool,
    /// Why the rules left the volunteer out, as JSON text.
    pub exclusions: Option<String>,
}

/// Who a candidate is, as the committee's page shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CandidateName {
    pub volunteer_id: i64,
    pub name: String,
    /// The name of the volunteer's community.
    pub community: String,
}

/// What the rules read, by the community of each volunteer.
pub type InputsByCommunity = HashMap<i64, Vec<Input>>;

/// The round's list: the ranked by rank, then those the rules left out.
const CANDIDATES: &str =
    "SELECT volunteer_id, volunteer_no, rank, score, breakdown, within_quota, exclusions
     FROM selection_candidates WHERE selection_id = $1
     ORDER BY CASE WHEN rank IS NULL THEN 1 ELSE 0 END, rank, volunteer_no";

impl Store {
    /// What the rules read of every volunteer of the communities within `path` who served in
    /// `year` (`[from, to)` its bounds in UTC, which hold the service dates of the year's
    /// entries), by community: one pass of each query, however many rounds are opened from it.
    pub async fn selection_inputs(
        &self,
        path: &str,
        year: i32,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        offset: FixedOffset,
    ) -> Result<InputsByCommunity> {
        let rows: Vec<(i64, i64, String, DateTime<Utc>, i64, i64)> = query_as(format!(
            "SELECT v.community_id, v.id, v.volunteer_no, v.registered_at, CAST(t.minutes AS BIGINT),
                 CAST(t.activities AS BIGINT)
             FROM volunteer_year_totals t JOIN volunteers v ON v.id = t.volunteer_id
             JOIN units u ON u.id = v.community_id
             WHERE t.year = $1 AND t.minutes > 0 AND u.path >= $2 AND u.path < $2 || '~'
                 AND {REGISTERED}"
        ))
        .bind(year)
        .bind(path)
        .fetch_all(&self.db)
        .await?;
        // The rest is read for the whole district, each from an index or a small table, and kept
        // for the volunteers above. The latest rating of each of the year's services (only
        // confirmed service is rated, so each has its entry in the year's totals): CROSS JOIN
        // keeps SQLite, which has no statistics, from going through every evaluation ever made
        // (PostgreSQL plans it as any join).
        let ratings: Vec<(i64, String, i64)> = query_as(
            "SELECT ev.volunteer_id, ev.rating, COUNT(*) FROM activities ac
             CROSS JOIN evaluations ev
             WHERE ev.activity_id = ac.id AND ac.starts_at >= $1 AND ac.starts_at < $2
                 AND ev.id = (SELECT MAX(id) FROM evaluations WHERE attendance_id = ev.attendance_id)
             GROUP BY ev.volunteer_id, ev.rating",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.db)
        .await?;
        let fraud: HashMap<i64, i64> = query_as(
            "SELECT a.volunteer_id, COUNT(*) FROM attendances a JOIN activities ac ON ac.id = a.activity_id
             WHERE a.fraudulent AND ac.starts_at >= $1 AND ac.starts_at < $2 GROUP BY a.volunteer_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.db)
        .await?
        .into_iter()
        .collect();
        // Every volunteer's latest change before the year's end.
        let backbone: HashSet<i64> = query_scalar(
            "SELECT volunteer_id FROM backbone_changes WHERE backbone AND id IN
                 (SELECT MAX(id) FROM backbone_changes WHERE at < $1 GROUP BY volunteer_id)",
        )
        .bind(to)
        .all(&self.db)
        .await?
        .into_iter()
        .collect();
        let mut rated: HashMap<i64, [i64; 4]> = HashMap::new();
        for (volunteer, rating, n) in ratings {
            let slot = ["excellent", "good", "pass", "fail"]
                .iter()
                .position(|r| *r == rating);
            if let Some(i) = slot {
                rated.entry(volunteer).or_default()[i] = n;
            }
        }
        let mut by_community = InputsByCommunity::new();
        for (community, id, no, registered_at, minutes, activities) in rows {
            by_community.entry(community).or_default().push(Input {
                volunteer_id: id,
                volunteer_no: no,
                registered_on: registered_at.with_timezone(&offset).date_naive(),
                minutes,
                activities,
                ratings: rated.get(&id).copied().unwrap_or_default(),
                backbone: backbone.contains(&id),
                fraudulent: fraud.get(&id).copied().unwrap_or(0),
            });
        }
        Ok(by_community)
    }

    /// Stores the round of `unit_id` and `year` with its candidates, unless the unit already has
    /// one for the year (opened meanwhile, here or on another instance): its id, or `None`.
    pub async fn create_selection(
        &self,
        (unit_id, year): (i64, i32),
        rules: &str,
        draft: &Draft,
        opened_by: Option<i64>,
    ) -> Result<Option<i64>> {
        let mut tx = self.db.begin().await?;
        let id: Option<i64> = query_scalar(
            "INSERT INTO selections (unit_id, year, rules, input_digest, quota, opened_by, opened_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (unit_id, year) DO NOTHING RETURNING id",
        )
        .bind(unit_id)
        .bind(year)
        .bind(rules)
        .bind(&draft.input_digest)
        .bind(draft.quota as i32)
        .bind(opened_by)
        .bind(Utc::now())
        .optional(&mut tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        insert_candidates(&mut tx, id, draft).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    pub async fn selection(&self, id: i64) -> Result<Option<Selection>> {
        Ok(query_as(
            "SELECT id, unit_id, year, state, rules, input_digest, quota, opened_by, opened_at,
                 published_at, notice_ends_at, finalized_at
             FROM selections WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?)
    }

    pub async fn selection_of(&self, unit_id: i64, year: i32) -> Result<Option<Selection>> {
        Ok(query_as(
            "SELECT id, unit_id, year, state, rules, input_digest, quota, opened_by, opened_at,
                 published_at, notice_ends_at, finalized_at
             FROM selections WHERE unit_id = $1 AND year = $2",
        )
        .bind(unit_id)
        .bind(year)
        .fetch_optional(&self.db)
        .await?)
    }

    /// The round's candidates: the ranked by rank, then those the rules left out.
    pub async fn selection_candidates(&self, id: i64) -> Result<Vec<Candidate>> {
        Ok(query_as(CANDIDATES).bind(id).fetch_all(&self.db).await?)
    }

    /// The rounds of `year` of the units within `path`, in the order they were opened.
    pub async fn selections_within(&self, path: &str, year: i32) -> Result<Vec<Selection>> {
        Ok(query_as(
            "SELECT s.id, s.unit_id, s.year, s.state, s.rules, s.input_digest, s.quota, s.opened_by,
                 s.opened_at, s.published_at, s.notice_ends_at, s.finalized_at
             FROM selections s JOIN units u ON u.id = s.unit_id
             WHERE u.path >= $1 AND u.path < $1 || '~' AND s.year = $2 ORDER BY s.id",
        )
        .bind(path)
        .bind(year)
        .fetch_all(&self.db)
        .await?)
    }

    /// The name and community of those of `volunteer_ids` who are candidates of the round.
    pub async fn candidate_names(
        &self,
        selection_id: i64,
        volunteer_ids: &[i64],
    ) -> Result<Vec<CandidateName>> {
        let listed = match self.backend() {
            Backend::Sqlite => "c.volunteer_id IN (SELECT value FROM json_each($2))",
            Backend::Postgres => "c.volunteer_id = ANY($2)",
        };
        Ok(query_as(format!(
            "SELECT c.volunteer_id, v.name, u.name AS community FROM selection_candidates c
             JOIN volunteers v ON v.id = c.volunteer_id JOIN units u ON u.id = v.community_id
             WHERE c.selection_id = $1 AND {listed}"
        ))
        .bind(selection_id)
        .bind(volunteer_ids)
        .fetch_all(&self.db)
        .await?)
    }
}

async fn insert_candidates(tx: &mut Tx, id: i64, draft: &Draft) -> Result<()> {
    let head =
        "INSERT INTO selection_candidates (selection_id, volunteer_id, volunteer_no, rank, score,
             breakdown, within_quota, exclusions)";
    insert(tx, head, "", 8, &draft.ranked, |q, r| {
        q.bind(id)
            .bind(r.volunteer_id)
            .bind(&r.volunteer_no)
            .bind(r.rank as i32)
            .bind(r.score.to_string())
            .bind(serde_json::to_string(&r.breakdown).expect("a breakdown serializes"))
            .bind(r.within_quota)
            .bind(None::<String>)
    })
    .await?;
    insert(tx, head, "", 8, &draft.excluded, |q, e| {
        q.bind(id)
            .bind(e.volunteer_id)
            .bind(&e.volunteer_no)
            .bind(None::<i32>)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(false)
            .bind(serde_json::to_string(&e.reasons).expect("reasons serialize"))
    })
    .await
}

/// The steps of a recomputation, in the application's transaction.
pub mod steps {
    use super::{CANDIDATES, Candidate, insert_candidates};
    use crate::domain::selection::Draft;
    use crate::error::Result;
    use crate::store::db::{Tx, query, query_as, query_scalar};

    /// The input digest of round `id` while it is a draft, `None` once it is not. It takes the
    /// round's row for the transaction (a row lock on PostgreSQL; SQLite's one writer holds the
    /// database already), so that what else changes the round waits for this transaction and
    /// this one reads the round as the last one left it.
    pub async fn hold_draft(tx: &mut Tx, id: i64) -> Result<Option<String>> {
        Ok(query_scalar(
            "UPDATE selections SET state = state WHERE id = $1 AND state = 'draft'
             RETURNING input_digest",
        )
        .bind(id)
        .optional(tx)
        .await?)
    }

    pub async fn candidates(tx: &mut Tx, id: i64) -> Result<Vec<Candidate>> {
        Ok(query_as(CANDIDATES).bind(id).fetch_all(tx).await?)
    }

    /// Puts `draft` in the place of round `id`'s list, digest and quota.
    pub async fn replace_draft(tx: &mut Tx, id: i64, draft: &Draft) -> Result<()> {
        query("DELETE FROM selection_candidates WHERE selection_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_candidates(tx, id, draft).await?;
        query("UPDATE selections SET input_digest = $2, quota = $3 WHERE id = $1")
            .bind(id)
            .bind(&draft.input_digest)
            .bind(draft.quota as i32)
            .execute(tx)
            .await?;
        Ok(())
    }
}
