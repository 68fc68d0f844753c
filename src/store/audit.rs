//! The audit log: who changed what, when, before → after. Entries are written in the same
//! transaction as the change they describe.

use super::db::{Arg, Backend, Tx, query, query_as, query_scalar};
use super::{AuditEntry, NewAudit, Store};
use crate::error::Result;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

pub async fn audit(tx: &mut Tx, a: NewAudit<'_>) -> Result<()> {
    query(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, unit_id, unit_path, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Utc::now())
    .bind(a.actor_id)
    .bind(a.action)
    .bind(a.entity)
    .bind(a.entity_id)
    .bind(a.unit_id)
    .bind(a.unit_path)
    .bind(a.before)
    .bind(a.after)
    .execute(tx)
    .await?;
    Ok(())
}

/// Which audit entries a reader lists: those about units within `path` and, of these, only the
/// ones of `action`, by `actor` (a staff login or a person's name), written at `from` or later
/// and before `to`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub path: &'a str,
    pub action: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// An audit entry with the name and login of who made the change.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditLine {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub actor_login: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<Json<serde_json::Value>>,
    pub after: Option<Json<serde_json::Value>>,
}

/// On SQLite, a subtree with fewer entries than this is read through the path index and sorted,
/// and a larger one by walking the log newest first, which reaches a page of it sooner. SQLite
/// keeps no statistics to choose so itself; PostgreSQL does.
const FEW_ENTRIES: i64 = 5000;

impl AuditFilter<'_> {
    /// The `WHERE` clause of the entries asked for (the log is `a`), with its arguments; `walk`
    /// keeps the path index out of the plan.
    fn clause(&self, walk: bool) -> (String, Vec<Arg>) {
        let mut sql = String::from(if walk {
            "(a.unit_path || '') >= $1 AND (a.unit_path || '') < $1 || '~'"
        } else {
            "a.unit_path >= $1 AND a.unit_path < $1 || '~'"
        });
        let mut args: Vec<Arg> = vec![self.path.into()];
        let mut and = |condition: &str, arg: Arg| {
            args.push(arg);
            sql.push_str(&condition.replace("$n", &format!("${}", args.len())));
        };
        if let Some(action) = self.action {
            and(" AND a.action = $n", action.into());
        }
        if let Some(actor) = self.actor {
            and(
                " AND a.actor_id IN (SELECT id FROM users WHERE login = $n OR name = $n)",
                actor.into(),
            );
        }
        if let Some(from) = self.from {
            and(" AND a.at >= $n", from.into());
        }
        if let Some(to) = self.to {
            and(" AND a.at < $n", to.into());
        }
        (sql, args)
    }
}

impl Store {
    /// Audit entries about units within `path`, newest first.
    pub async fn audit_within(
        &self,
        path: &str,
        before_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        Ok(query_as(
            "SELECT id, at, actor_id, action, entity, entity_id, unit_id, before, after FROM audit_log
             WHERE unit_path >= $1 AND unit_path < $1 || '~' AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(path)
        .bind(before_id)
        .bind(limit)
        .fetch_all(&self.db)
        .await?)
    }

    /// One page of the audit entries `filter` asks for, newest first: `limit` of them after the
    /// first `offset`.
    pub async fn audit_page(
        &self,
        filter: &AuditFilter<'_>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditLine>> {
        let walk = match self.backend() {
            Backend::Postgres => false,
            Backend::Sqlite => {
                let counted: i64 = query_scalar(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM audit_log
                     WHERE unit_path >= $1 AND unit_path < $1 || '~' LIMIT $2) few",
                )
                .bind(filter.path)
                .bind(FEW_ENTRIES)
                .one(&self.db)
                .await?;
                counted >= FEW_ENTRIES
            }
        };
        let (clause, args) = filter.clause(walk);
        let n = args.len();
        let mut q = query_as(format!(
            "SELECT a.id, a.at, u.name AS actor_name, u.login AS actor_login, a.action, a.entity,
                    a.entity_id, a.before, a.after
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
             WHERE {clause} ORDER BY a.at DESC, a.id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ));
        for arg in args {
            q = q.bind(arg);
        }
        Ok(q.bind(limit).bind(offset).fetch_all(&self.db).await?)
    }

    /// Every action the audit log holds, in order. Read as a loose index scan (the next action
    /// after the last one found), so it takes one index probe per action, not a pass over the log.
    pub async fn audit_actions(&self) -> Result<Vec<String>> {
        Ok(query_scalar(
            "WITH RECURSIVE actions (action) AS (
                 SELECT MIN(action) FROM audit_log
                 UNION ALL
                 SELECT (SELECT MIN(l.action) FROM audit_log l WHERE l.action > actions.action)
                 FROM actions WHERE actions.action IS NOT NULL
             )
             SELECT action FROM actions WHERE action IS NOT NULL ORDER BY action",
        )
        .all(&self.db)
        .await?)
    }
}
