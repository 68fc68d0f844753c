//! Accounts: staff logins and volunteers' phones, passwords, sessions and role grants.

use super::db::{query, query_as, query_scalar};
use super::units::within_any;
use super::{
    Credentials, NewAudit, Store, Unit, audit, conflict_on, like_escaped, not_found_on_fk,
};
use crate::domain::roles::{Caller, Grant, Role};
use crate::error::codes::DUPLICATE_LOGIN;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};

/// How setting a password is audited: the entry but for the number of sessions it ended, which
/// `after` makes into the facts recorded.
pub struct PasswordAudit<'a, F> {
    /// The account that set it; `None` for a volunteer's own reset.
    pub actor_id: Option<i64>,
    /// `change_password` (by the person themselves) or `reset_password`.
    pub action: &'static str,
    /// `user` or `volunteer`, whose id is the account's.
    pub entity: &'static str,
    /// Where it is audited: the volunteer's community; none for a staff account.
    pub unit: Option<(i64, &'a str)>,
    pub after: F,
}

/// A staff account as the console lists it, with the roles it holds on the units listed for.
#[derive(Debug, Clone)]
pub struct StaffAccount {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub grants: Vec<StaffGrant>,
}

/// A role held on a unit, with the unit's name.
#[derive(Debug, Clone)]
pub struct StaffGrant {
    pub role: Role,
    pub unit_id: i64,
    pub unit_name: String,
}

impl Store {
    pub async fn create_user(
        &self,
        login: &str,
        password_hash: Option<&str>,
        name: &str,
    ) -> Result<i64> {
        let mut tx = self.db.begin().await?;
        let id = query_scalar(
            "INSERT INTO users (login, password_hash, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(login)
        .bind(password_hash)
        .bind(name)
        .bind(Utc::now())
        .one(&mut tx)
        .await
        .map_err(|e| conflict_on(e, DUPLICATE_LOGIN, "that login is taken"))?;
        tx.commit().await?;
        Ok(id)
    }

    /// The accounts a login may open: the staff account with that login, then the volunteer
    /// with that phone. Staff logins and volunteers' phones are apart, so both may exist.
    pub async fn credentials(&self, login: &str, phone: Option<&str>) -> Result<Vec<Credentials>> {
        Ok(query_as(
            "SELECT id AS user_id, password_hash, 0 AS volunteer FROM users WHERE login = $1
             UNION ALL
             SELECT u.id, u.password_hash, 1 FROM volunteers v JOIN users u ON u.id = v.id
             WHERE v.phone = $2
             ORDER BY volunteer",
        )
        .bind(login)
        .bind(phone)
        .fetch_all(&self.db)
        .await?)
    }

    pub async fn start_session(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(Utc::now())
            .bind(expires_at)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn session_caller(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Caller>> {
        // One query for the account and its grants: this runs on every request.
        let rows: Vec<CallerRow> = query_as(
            "SELECT u.id, u.name, EXISTS (SELECT 1 FROM volunteers v WHERE v.id = u.id) AS is_volunteer,
                 g.role, g.unit_id, un.path
             FROM sessions s JOIN users u ON u.id = s.user_id
             LEFT JOIN grants g ON g.user_id = u.id LEFT JOIN units un ON un.id = g.unit_id
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2
             ORDER BY un.path, g.role",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_all(&self.db)
        .await?;
        caller_from_rows(rows)
    }

    pub async fn end_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.db.begin().await?;
        query("UPDATE sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL")
            .bind(at)
            .bind(token_hash)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the account's password to `hash` and ends every session it still has open but the
    /// one whose token hashes to `keep_session`, in one transaction with its audit entry: how many
    /// sessions ended. 404 (named as `audited.entity`) when there is no such account.
    pub async fn set_password(
        &self,
        user_id: i64,
        hash: &str,
        keep_session: Option<&str>,
        audited: PasswordAudit<'_, impl FnOnce(u64) -> serde_json::Value>,
    ) -> Result<u64> {
        let mut tx = self.db.begin().await?;
        let now = Utc::now();
        let changed = query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut tx)
            .await?;
        if changed == 0 {
            return Err(Error::NotFound(audited.entity));
        }
        let ended = query(
            "UPDATE sessions SET ended_at = $1
             WHERE user_id = $2 AND ended_at IS NULL AND expires_at > $1
                 AND ($3 IS NULL OR token_hash <> $3)",
        )
        .bind(now)
        .bind(user_id)
        .bind(keep_session)
        .execute(&mut tx)
        .await?;
        let entry = NewAudit {
            actor_id: audited.actor_id,
            action: audited.action,
            entity: audited.entity,
            entity_id: user_id.to_string(),
            unit_id: audited.unit.map(|(id, _)| id),
            unit_path: audited.unit.map(|(_, path)| path),
            before: None,
            after: Some((audited.after)(ended)),
        };
        audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(ended)
    }

    pub async fn add_grant(
        &self,
        user_id: i64,
        role: Role,
        unit: &Unit,
        actor: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let added = query(
            "INSERT INTO grants (user_id, role, unit_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(role.as_str())
        .bind(unit.id)
        .bind(Utc::now())
        .execute(&mut tx)
        .await
        .map_err(|e| not_found_on_fk(e, "user"))?;
        if added > 0 {
            audit(
                &mut tx,
                NewAudit {
                    actor_id: actor,
                    action: "grant",
                    entity: "user",
                    entity_id: user_id.to_string(),
                    unit_id: Some(unit.id),
                    unit_path: Some(&unit.path),
                    before: None,
                    after: Some(serde_json::json!({"role": role, "unit_id": unit.id})),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One page of the staff accounts of the subtrees at `roots`: those holding a role on a
    /// unit within them, and those holding no role anywhere yet (just created, waiting for one).
    /// Each comes with its roles within `roots`; `search` matches part of the login or name.
    /// By login, `limit` accounts after the first `offset`.
    pub async fn staff_accounts(
        &self,
        roots: &[String],
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StaffAccount>> {
        if roots.is_empty() {
            return Ok(Vec::new());
        }
        let within = within_any("un.path", 4, roots.len());
        let sql = format!(
            "WITH page AS (
                 SELECT u.id, u.login, u.name FROM users u
                 WHERE u.login IS NOT NULL
                   AND ($1 IS NULL OR lower(u.login) LIKE $1 ESCAPE '\\'
                        OR lower(u.name) LIKE $1 ESCAPE '\\')
                   AND (NOT EXISTS (SELECT 1 FROM grants g WHERE g.user_id = u.id)
                        OR EXISTS (SELECT 1 FROM grants g JOIN units un ON un.id = g.unit_id
                                   WHERE g.user_id = u.id AND {within}))
                 ORDER BY u.login LIMIT $2 OFFSET $3)
             SELECT p.id, p.login, p.name, s.role, s.unit_id, s.unit_name
             FROM page p LEFT JOIN (
                 SELECT g.user_id, g.role, g.unit_id, un.name AS unit_name, un.path
                 FROM grants g JOIN units un ON un.id = g.unit_id
                 WHERE g.user_id IN (SELECT id FROM page) AND {within}
             ) s ON s.user_id = p.id
             ORDER BY p.login, s.path, s.role"
        );
        let mut page = query_as(sql)
            .bind(search.map(containing))
            .bind(limit)
            .bind(offset);
        for root in roots {
            page = page.bind(root);
        }
        staff_from_rows(page.fetch_all(&self.db).await?)
    }
}

/// A row of the staff list: an account, and one of its grants within the units asked for (if any).
#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    login: String,
    name: String,
    role: Option<String>,
    unit_id: Option<i64>,
    unit_name: Option<String>,
}

/// `text` as a `LIKE` pattern matching any text that holds it, in ASCII lower case as the
/// columns it is matched against.
fn containing(text: &str) -> String {
    format!("%{}%", like_escaped(&text.to_ascii_lowercase()))
}

/// The account rows (in order) folded into accounts, each with its grants.
fn staff_from_rows(rows: Vec<StaffRow>) -> Result<Vec<StaffAccount>> {
    let mut accounts: Vec<StaffAccount> = Vec::new();
    for row in rows {
        if accounts.last().is_none_or(|a| a.id != row.id) {
            accounts.push(StaffAccount {
                id: row.id,
                login: row.login,
                name: row.name,
                grants: Vec::new(),
            });
        }
        if let (Some(role), Some(unit_id), Some(unit_name)) = (row.role, row.unit_id, row.unit_name)
        {
            let role = Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("unknown role {role:?} in grants"))?;
            if let Some(account) = accounts.last_mut() {
                account.grants.push(StaffGrant {
                    role,
                    unit_id,
                    unit_name,
                });
            }
        }
    }
    Ok(accounts)
}

/// A row of the session lookup: the account, and one of its grants (if any).
#[derive(sqlx::FromRow)]
struct CallerRow {
    id: i64,
    name: String,
    is_volunteer: bool,
    role: Option<String>,
    unit_id: Option<i64>,
    path: Option<String>,
}

fn caller_from_rows(rows: Vec<CallerRow>) -> Result<Option<Caller>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let (user_id, name, is_volunteer) = (first.id, first.name.clone(), first.is_volunteer);
    let mut grants = Vec::new();
    for row in rows {
        if let (Some(role), Some(unit_id), Some(unit_path)) = (row.role, row.unit_id, row.path) {
            let role = Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("unknown role {role:?} in grants"))?;
            grants.push(Grant {
                role,
                unit_id,
                unit_path,
            });
        }
    }
    Ok(Some(Caller {
        user_id,
        name,
        grants,
        is_volunteer,
    }))
}
