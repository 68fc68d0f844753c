//! What a person changes of their own account: the password they must give first (the new one
//! is set by `Store::set_password`), and a volunteer's phone, skills and service categories. Each
//! change is audited by the fields it touched, never their values, so that a withdrawal leaves no
//! copy of them behind.

use super::db::{query, query_as, query_scalar};
use super::{NewAudit, Store, Volunteer, audit, conflict_on};
use crate::error::Result;
use crate::error::codes::DUPLICATE_PHONE;
use serde_json::json;

/// A volunteer's change of their own profile: `None` keeps a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    /// A validated mobile number.
    pub phone: Option<String>,
    pub skills: Option<Vec<String>>,
    pub service_categories: Option<Vec<String>>,
}

impl ProfileChange {
    /// The names of the fields it changes.
    fn fields(&self) -> Vec<&'static str> {
        [
            ("phone", self.phone.is_some()),
            ("skills", self.skills.is_some()),
            ("service_categories", self.service_categories.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }
}

/// What checking a person's own password needs: their login as the login throttle counts it (a
/// staff login, or a volunteer's phone) and the stored hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnPassword {
    pub login: String,
    pub password_hash: Option<String>,
}

impl Store {
    pub async fn own_password(&self, user_id: i64) -> Result<Option<OwnPassword>> {
        Ok(query_as(
            "SELECT COALESCE(u.login, v.phone, '') AS login, u.password_hash
             FROM users u LEFT JOIN volunteers v ON v.id = u.id WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.db)
        .await?)
    }

    /// Applies the volunteer's change of their own profile, audited; 409 `duplicate_phone` when
    /// another volunteer has the new phone.
    pub async fn change_profile(&self, v: &Volunteer, change: &ProfileChange) -> Result<()> {
        let fields = change.fields();
        if fields.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        if let Some(phone) = &change.phone {
            let taken: Option<i64> =
                query_scalar("SELECT id FROM volunteers WHERE phone = $1 AND id <> $2")
                    .bind(phone)
                    .bind(v.id)
                    .optional(&mut tx)
                    .await?;
            if taken.is_some() {
                return Err(duplicate_phone());
            }
        }
        query(
            "UPDATE volunteers SET phone = COALESCE($1, phone), skills = COALESCE($2, skills),
                 service_categories = COALESCE($3, service_categories)
             WHERE id = $4",
        )
        .bind(&change.phone)
        .bind(change.skills.as_ref().map(|s| json!(s)))
        .bind(change.service_categories.as_ref().map(|c| json!(c)))
        .bind(v.id)
        .execute(&mut tx)
        .await
        // Another instance gave the phone to someone else between the check and the update.
        .map_err(|e| conflict_on(e, DUPLICATE_PHONE, DUPLICATE_PHONE_MESSAGE))?;
        let entry = NewAudit {
            actor_id: Some(v.id),
            action: "change_profile",
            entity: "volunteer",
            entity_id: v.id.to_string(),
            unit_id: Some(v.community_id),
            unit_path: Some(&v.community_path),
            before: None,
            after: Some(json!({"changed": fields})),
        };
        audit(&mut tx, entry).await?;
        Ok(tx.commit().await?)
    }
}

const DUPLICATE_PHONE_MESSAGE: &str = "another account already uses this phone number";

fn duplicate_phone() -> crate::Error {
    crate::Error::conflict(DUPLICATE_PHONE, DUPLICATE_PHONE_MESSAGE)
}
