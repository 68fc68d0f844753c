//! What the store hands out and takes in.

use crate::domain::units::{OrganisationType, UnitKind};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    /// `/1/4/17/`: the ids from the district down to this unit.
    #[serde(skip)]
    pub path: String,
}

impl TryFrom<String> for UnitKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        UnitKind::parse(&s).ok_or(s)
    }
}

impl TryFrom<String> for OrganisationType {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        OrganisationType::parse(&s).ok_or(s)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Population {
    pub year: i32,
    pub resident_population: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Organisation {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub org_type: OrganisationType,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: Option<String>,
}

/// A volunteer ready to be stored: validated, ID number already encrypted and hashed.
#[derive(Debug, Clone)]
pub struct NewVolunteer {
    pub name: String,
    pub id_number_enc: Vec<u8>,
    pub id_number_hash: String,
    pub id_number_masked: String,
    pub gender: &'static str,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub password_hash: Option<String>,
    pub community_id: i64,
    pub skills: Vec<String>,
    pub service_categories: Vec<String>,
    pub registered_at: DateTime<Utc>,
    /// The year of `registered_at` in the service's display time.
    pub registered_year: i32,
    /// How the volunteer came in: `self`, `staff`, `import` or `demo`.
    pub registered_via: &'static str,
    /// The staff member who recorded the volunteer's consent; `None` when they registered themselves.
    pub recorded_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    Registered {
        id: i64,
        volunteer_no: String,
    },
    /// The ID number is already registered (the same person).
    DuplicateIdNumber,
    /// The phone number belongs to another account.
    DuplicatePhone,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Volunteer {
    pub id: i64,
    /// 志愿者编号
    pub volunteer_no: String,
    pub name: String,
    /// `3401*************X`
    pub id_number_masked: String,
    pub gender: String,
    /// Shown only through a view that decides, per viewer, between it and the year.
    #[serde(skip)]
    pub birth_date: NaiveDate,
    /// Shown only through a view that decides, per viewer, whether it is masked.
    #[serde(skip)]
    pub phone: String,
    pub community_id: i64,
    #[sqlx(json)]
    pub skills: Vec<String>,
    #[sqlx(json)]
    pub service_categories: Vec<String>,
    pub status: String,
    pub registered_via: String,
    pub registered_at: DateTime<Utc>,
    #[serde(skip)]
    pub community_path: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub unit_id: Option<i64>,
    /// The state before the change, when there was one.
    #[schema(value_type = Option<Object>)]
    pub before: Option<sqlx::types::Json<serde_json::Value>>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<sqlx::types::Json<serde_json::Value>>,
}

/// An audit-log entry about to be written, in the same transaction as the change it describes.
pub struct NewAudit<'a> {
    pub actor_id: Option<i64>,
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub unit_id: Option<i64>,
    pub unit_path: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}
