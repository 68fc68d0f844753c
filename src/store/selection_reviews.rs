//! The committee's review of a selection round: its decisions, publishing the notice 公示, the
//! objections filed during it and their resolution, and finalising with the award records. Each
//! change is written with its audit entry, and each move of the round's state is made only from
//! the state it leaves, so that two members acting at once cannot both move it.

use super::db::many::insert;
use super::db::{Tx, query, query_as, query_scalar};
use super::{NewAudit, Store, audit};
use crate::domain::selection_review::{self, Decision, Placed};
use crate::error::Result;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// The round a change belongs to, as the audit log files it.
#[derive(Debug, Clone, Copy)]
pub struct Round<'a> {
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: &'a str,
}

impl Round<'_> {
    fn audit(&self, actor_id: i64, action: &'static str, after: serde_json::Value) -> NewAudit<'_> {
        NewAudit {
            actor_id: Some(actor_id),
            action,
            entity: "selection",
            entity_id: self.id.to_string(),
            unit_id: Some(self.unit_id),
            unit_path: Some(self.unit_path),
            before: None,
            after: Some(after),
        }
    }
}

/// A committee member's decision, as kept.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct DecisionRecord {
    pub id: i64,
    pub volunteer_id: i64,
    pub volunteer_no: String,
    /// `exclude` or `nominate`.
    pub decision: String,
    pub reason: String,
    /// The nomination took the winners beyond the round's quota.
    pub beyond_quota: bool,
    pub member_name: String,
    pub decided_at: DateTime<Utc>,
}

/// A decision about to be kept.
pub struct NewDecision<'a> {
    pub volunteer_id: i64,
    pub decision: Decision,
    pub reason: &'a str,
    pub beyond_quota: bool,
    pub member_id: i64,
    pub member_name: &'a str,
}

/// An objection to a winner and, once resolved, its outcome.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Objection {
    pub id: i64,
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub reason: String,
    pub filed_at: DateTime<Utc>,
    /// `null` while open; `true` removed the winner, `false` kept them.
    pub upheld: Option<bool>,
    pub resolution_reason: Option<String>,
    pub resolver_name: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The account that filed it: only they see it on the notice page; the committee does not.
    #[serde(skip)]
    pub filed_by: i64,
}

/// A winner as the notice and the committee's list show them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WinnerDetails {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub community: String,
    pub minutes: i64,
    pub activities: i64,
}

/// What the rule of the winners reads of a round.
#[derive(Default)]
struct RoundLists {
    ranked: Vec<Placed>,
    decided: Vec<(i64, Decision)>,
    removed: HashSet<i64>,
}

/// An award record 表彰奖励 (67号令: name, date, granting unit).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Award {
    pub id: i64,
    /// e.g. 2025年度优秀志愿者.
    pub name: String,
    pub granted_on: NaiveDate,
    /// The granting unit's name.
    pub granting_unit: String,
    /// The year of the round that granted it, if a round did.
    #[serde(skip)]
    pub round_year: Option<i32>,
}

impl Award {
    /// The year whose service the award recognises: its round's (the awards of 2025 are granted
    /// in 2026), else the year it was granted.
    pub fn service_year(&self) -> i32 {
        self.round_year.unwrap_or_else(|| self.granted_on.year())
    }
}

impl Store {
    /// The round's decisions, in the order they were made.
    pub async fn selection_decisions(&self, selection_id: i64) -> Result<Vec<DecisionRecord>> {
        Ok(query_as(
            "SELECT d.id, d.volunteer_id, v.volunteer_no, d.decision, d.reason, d.beyond_quota,
                 d.member_name, d.decided_at
             FROM selection_decisions d JOIN volunteers v ON v.id = d.volunteer_id
             WHERE d.selection_id = $1 ORDER BY d.id",
        )
        .bind(selection_id)
        .fetch_all(&self.db)
        .await?)
    }

    /// Keeps a decision while the round is a draft: `false` (and nothing kept) once it is not.
    pub async fn add_selection_decision(
        &self,
        round: Round<'_>,
        d: &NewDecision<'_>,
    ) -> Result<bool> {
        let mut tx = self.db.begin().await?;
        let kept = query(
            "INSERT INTO selection_decisions (selection_id, volunteer_id, decision, reason,
                 beyond_quota, member_id, member_name, decided_at)
             SELECT id, $2, $3, $4, $5, $6, $7, $8 FROM selections WHERE id = $1 AND state = 'draft'",
        )
        .bind(round.id)
        .bind(d.volunteer_id)
        .bind(d.decision.as_str())
        .bind(d.reason)
        .bind(d.beyond_quota)
        .bind(d.member_id)
        .bind(d.member_name)
        .bind(Utc::now())
        .execute(&mut tx)
        .await?
            == 1;
        if kept {
            let after = json!({"volunteer_id": d.volunteer_id, "decision": d.decision,
                "reason": d.reason, "beyond_quota": d.beyond_quota});
            audit(
                &mut tx,
                round.audit(d.member_id, "selection_decision", after),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(kept)
    }

    /// Moves a draft to its public notice, which ends at `ends_at`: `false` when it is no longer a
    /// draft.
    pub async fn publish_selection(
        &self,
        round: Round<'_>,
        by: i64,
        ends_at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.db.begin().await?;
        let moved = query(
            "UPDATE selections SET state = 'notice', published_by = $2, published_at = $3,
                 notice_ends_at = $4
             WHERE id = $1 AND state = 'draft'",
        )
        .bind(round.id)
        .bind(by)
        .bind(Utc::now())
        .bind(ends_at)
        .execute(&mut tx)
        .await?
            == 1;
        if moved {
            let after = json!({"state": "notice", "notice_ends_at": ends_at});
            audit(&mut tx, round.audit(by, "publish_selection", after)).await?;
            tx.commit().await?;
        }
        Ok(moved)
    }

    /// The round's objections, in the order they were filed.
    pub async fn selection_objections(&self, selection_id: i64) -> Result<Vec<Objection>> {
        Ok(query_as(
            "SELECT o.id, o.volunteer_id, v.volunteer_no, o.reason, o.filed_at, o.upheld,
                 o.resolution_reason, o.resolver_name, o.resolved_at, o.filed_by
             FROM selection_objections o JOIN volunteers v ON v.id = o.volunteer_id
             WHERE o.selection_id = $1 ORDER BY o.id",
        )
        .bind(selection_id)
        .fetch_all(&self.db)
        .await?)
    }

    /// Files an objection while the round is in its notice: its id, or `None` once it is not.
    pub async fn file_objection(
        &self,
        round: Round<'_>,
        volunteer_id: i64,
        reason: &str,
        by: i64,
    ) -> Result<Option<i64>> {
        let mut tx = self.db.begin().await?;
        let now = Utc::now();
        let id: Option<i64> = query_scalar(
            "INSERT INTO selection_objections (selection_id, volunteer_id, reason, filed_by, filed_at)
             SELECT id, $2, $3, $4, $5 FROM selections
             WHERE id = $1 AND state = 'notice' AND notice_ends_at > $5 RETURNING id",
        )
        .bind(round.id)
        .bind(volunteer_id)
        .bind(reason)
        .bind(by)
        .bind(now)
        .optional(&mut tx)
        .await?;
        if let Some(id) = id {
            let after = json!({"objection_id": id, "volunteer_id": volunteer_id, "reason": reason});
            audit(&mut tx, round.audit(by, "file_objection", after)).await?;
            tx.commit().await?;
        }
        Ok(id)
    }

    /// Resolves an open objection of a round in its notice: `false` when it was resolved already
    /// (or the round has moved on).
    pub async fn resolve_objection(
        &self,
        round: Round<'_>,
        objection_id: i64,
        (upheld, reason): (bool, &str),
        (by, name): (i64, &str),
    ) -> Result<bool> {
        let mut tx = self.db.begin().await?;
        let resolved = query(
            "UPDATE selection_objections SET upheld = $3, resolution_reason = $4, resolved_by = $5,
                 resolver_name = $6, resolved_at = $7
             WHERE id = $2 AND selection_id = $1 AND resolved_at IS NULL
                 AND EXISTS (SELECT 1 FROM selections WHERE id = $1 AND state = 'notice')",
        )
        .bind(round.id)
        .bind(objection_id)
        .bind(upheld)
        .bind(reason)
        .bind(by)
        .bind(name)
        .bind(Utc::now())
        .execute(&mut tx)
        .await?
            == 1;
        if resolved {
            let after = json!({"objection_id": objection_id, "upheld": upheld, "reason": reason});
            audit(&mut tx, round.audit(by, "resolve_objection", after)).await?;
            tx.commit().await?;
        }
        Ok(resolved)
    }

    /// Finalises a round whose notice has ended with every objection resolved, granting `award`
    /// on `granted_on` to each of `winners`: `false` (and nothing granted) when the round is not
    /// in such a notice any more.
    pub async fn finalize_selection(
        &self,
        round: Round<'_>,
        by: i64,
        (award, granted_on): (&str, NaiveDate),
        winners: &[i64],
    ) -> Result<bool> {
        let mut tx = self.db.begin().await?;
        let now = Utc::now();
        let moved = query(
            "UPDATE selections SET state = 'final', finalized_by = $2, finalized_at = $3
             WHERE id = $1 AND state = 'notice' AND notice_ends_at <= $3
                 AND NOT EXISTS (SELECT 1 FROM selection_objections
                                 WHERE selection_id = $1 AND resolved_at IS NULL)",
        )
        .bind(round.id)
        .bind(by)
        .bind(now)
        .execute(&mut tx)
        .await?
            == 1;
        if !moved {
            return Ok(false);
        }
        grant_awards(&mut tx, round, (award, granted_on), winners, now).await?;
        let after = json!({"state": "final", "award": award, "winners": winners});
        audit(&mut tx, round.audit(by, "finalize_selection", after)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Name, community and the hours of `year` of the round's winners `volunteer_ids`.
    pub async fn selection_winner_details(
        &self,
        year: i32,
        volunteer_ids: &[i64],
    ) -> Result<Vec<WinnerDetails>> {
        let listed = self.backend().among_ids("v.id", 2);
        Ok(query_as(format!(
            "SELECT v.id AS volunteer_id, v.volunteer_no, v.name, u.name AS community,
                 CAST(COALESCE(t.minutes, 0) AS BIGINT) AS minutes,
                 CAST(COALESCE(t.activities, 0) AS BIGINT) AS activities
             FROM volunteers v JOIN units u ON u.id = v.community_id
             LEFT JOIN volunteer_year_totals t ON t.volunteer_id = v.id AND t.year = $1
             WHERE {listed}"
        ))
        .bind(year)
        .bind(volunteer_ids)
        .fetch_all(&self.db)
        .await?)
    }

    /// How many winners each of the rounds `ids` has now, read for all of them at once: each of
    /// their lists in one query (the ranked candidates, the decisions, the upheld objections),
    /// then the rule of [`selection_review::winners`] applied round by round. A round of `ids`
    /// that does not exist counts none.
    pub async fn winner_counts(&self, ids: &[i64]) -> Result<HashMap<i64, usize>> {
        let of_rounds = self.backend().among_ids("selection_id", 1);
        let ranked: Vec<(i64, i64, i32, bool)> = query_as(format!(
            "SELECT selection_id, volunteer_id, rank, within_quota FROM selection_candidates
             WHERE {of_rounds} AND rank IS NOT NULL"
        ))
        .bind(ids)
        .fetch_all(&self.db)
        .await?;
        let decisions: Vec<(i64, i64, String)> = query_as(format!(
            "SELECT selection_id, volunteer_id, decision FROM selection_decisions
             WHERE {of_rounds} ORDER BY id"
        ))
        .bind(ids)
        .fetch_all(&self.db)
        .await?;
        let upheld: Vec<(i64, i64)> = query_as(format!(
            "SELECT selection_id, volunteer_id FROM selection_objections WHERE {of_rounds} AND upheld"
        ))
        .bind(ids)
        .fetch_all(&self.db)
        .await?;
        let mut rounds: HashMap<i64, RoundLists> = HashMap::new();
        for (round, volunteer_id, rank, within_quota) in ranked {
            if let Ok(rank) = u32::try_from(rank) {
                rounds.entry(round).or_default().ranked.push(Placed {
                    volunteer_id,
                    rank,
                    within_quota,
                });
            }
        }
        for (round, volunteer_id, decision) in decisions {
            if let Some(decision) = Decision::parse(&decision) {
                let lists = rounds.entry(round).or_default();
                lists.decided.push((volunteer_id, decision));
            }
        }
        for (round, volunteer_id) in upheld {
            rounds
                .entry(round)
                .or_default()
                .removed
                .insert(volunteer_id);
        }
        Ok(ids
            .iter()
            .map(|id| {
                let count = rounds.get(id).map_or(0, |l| {
                    selection_review::winners(&l.ranked, &l.decided, &l.removed).len()
                });
                (*id, count)
            })
            .collect())
    }

    /// A volunteer's awards, the latest first.
    pub async fn awards_of(&self, volunteer_id: i64) -> Result<Vec<Award>> {
        Ok(query_as(
            "SELECT a.id, a.name, a.granted_on, u.name AS granting_unit, s.year AS round_year
             FROM awards a JOIN units u ON u.id = a.granting_unit_id
             LEFT JOIN selections s ON s.id = a.selection_id
             WHERE a.volunteer_id = $1 ORDER BY a.granted_on DESC, a.id DESC",
        )
        .bind(volunteer_id)
        .fetch_all(&self.db)
        .await?)
    }
}

async fn grant_awards(
    tx: &mut Tx,
    round: Round<'_>,
    (award, granted_on): (&str, NaiveDate),
    winners: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    let head = "INSERT INTO awards (volunteer_id, name, granted_on, granting_unit_id, selection_id,
             created_at)";
    insert(tx, head, "", 6, winners, |q, volunteer_id| {
        q.bind(*volunteer_id)
            .bind(award)
            .bind(granted_on)
            .bind(round.unit_id)
            .bind(round.id)
            .bind(now)
    })
    .await
}
