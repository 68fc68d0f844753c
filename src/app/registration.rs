//! Turning what a person typed (on a phone, in a CSV file) into a volunteer ready to store.
//! One path for self-registration, registration by staff, CSV import and demo data; and the
//! passwords of new accounts.

use super::AppState;
use crate::crypto::Keys;
use crate::domain::id_number::IdNumber;
use crate::domain::phone::Phone;
use crate::domain::roles::{Caller, Role};
use crate::domain::text::REAL_NAME;
use crate::domain::units::UnitKind;
use crate::error::codes::{
    CONSENT_REQUIRED, DUPLICATE_ID_NUMBER, DUPLICATE_PHONE, FORBIDDEN, INVALID_COMMUNITY,
    INVALID_ID_NUMBER, INVALID_PHONE, INVALID_TAGS, WEAK_PASSWORD,
};
use crate::error::{Error, Result};
use crate::store::{NewVolunteer, Registration, Volunteer};
use chrono::{DateTime, Datelike, FixedOffset};
use std::net::IpAddr;

/// The fields a volunteer gives, unvalidated.
#[derive(Debug, Clone, Default)]
pub struct Applicant {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub community_id: i64,
    pub skills: Vec<String>,
    pub service_categories: Vec<String>,
    pub consent: bool,
}

/// How the registration came about.
#[derive(Debug, Clone, Copy)]
pub struct Channel {
    /// `self`, `staff`, `import` or `demo`.
    pub via: &'static str,
    /// The staff member who recorded the volunteer's consent.
    pub recorded_by: Option<i64>,
}

const MAX_TAGS: usize = 20;
const MAX_TAG_CHARS: usize = 30;

/// Validates an applicant; the first problem found is the answer.
pub fn prepare(
    a: &Applicant,
    password_hash: Option<String>,
    channel: Channel,
    keys: &Keys,
    at: DateTime<FixedOffset>,
) -> Result<NewVolunteer> {
    let name = REAL_NAME.parse(&a.name)?;
    let id = IdNumber::parse(&a.id_number, at.date_naive())
        .map_err(|e| Error::invalid(INVALID_ID_NUMBER, e.to_string()))?;
    let phone = Phone::parse(&a.phone).map_err(|e| Error::invalid(INVALID_PHONE, e.to_string()))?;
    if !a.consent {
        return Err(Error::invalid(
            CONSENT_REQUIRED,
            "the volunteer must agree to the processing of their personal information",
        ));
    }
    Ok(NewVolunteer {
        name,
        id_number_enc: keys.encrypt_id_number(id.as_str()),
        id_number_hash: keys.id_number_hash(id.as_str()),
        id_number_masked: id.masked(),
        gender: id.gender().as_str(),
        birth_date: id.birth_date(),
        phone: phone.as_str().to_owned(),
        password_hash,
        community_id: a.community_id,
        skills: tags(&a.skills, "skills")?,
        service_categories: tags(&a.service_categories, "service_categories")?,
        registered_at: at.to_utc(),
        registered_year: at.year(),
        registered_via: channel.via,
        recorded_by: channel.recorded_by,
    })
}

/// The entries of a list typed in one field or cell: `;`, `；`, `、` or `|` between them.
pub fn split_list(typed: &str) -> Vec<String> {
    typed
        .split([';', '；', '、', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Skills or service categories as typed: trimmed, empty ones left out; 422 `invalid_tags` past
/// the limits.
pub fn tags(raw: &[String], field: &str) -> Result<Vec<String>> {
    let tags: Vec<String> = raw
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    let bad_tag = |t: &String| t.chars().count() > MAX_TAG_CHARS || t.chars().any(char::is_control);
    if tags.len() > MAX_TAGS || tags.iter().any(bad_tag) {
        return Err(Error::invalid(
            INVALID_TAGS,
            format!(
                "{field}: at most {MAX_TAGS} entries of at most {MAX_TAG_CHARS} characters, no control characters"
            ),
        ));
    }
    Ok(tags)
}

/// Registers a volunteer in the community the applicant names: by themselves (no `caller`;
/// limited per `client` address, with the password they chose), or by an admin of the community
/// on their behalf, with their consent recorded under the admin's name and a password or none.
/// Other staff may not register anyone.
pub async fn register_as(
    state: &AppState,
    caller: Option<&Caller>,
    client: IpAddr,
    applicant: &Applicant,
    password: Option<String>,
) -> Result<Volunteer> {
    let community = state
        .store
        .unit(applicant.community_id)
        .await?
        .filter(|u| u.kind == UnitKind::Community)
        .ok_or_else(|| Error::invalid(INVALID_COMMUNITY, "community_id names no community"))?;
    let channel = match caller {
        Some(c) if c.may(&Role::ADMINS, &community.path) => Channel {
            via: "staff",
            recorded_by: Some(c.user_id),
        },
        Some(c) if c.is_staff() => {
            return Err(Error::denied(
                FORBIDDEN,
                "staff register volunteers only in communities they administer",
            ));
        }
        _ => {
            state.registrations.admit(client)?;
            Channel {
                via: "self",
                recorded_by: None,
            }
        }
    };
    register(state, applicant, password, channel).await
}

/// Registers one volunteer, by themselves or by staff (as `channel` says): the applicant as
/// [`prepare`]d, with the password they chose, which only staff may leave out.
pub async fn register(
    state: &AppState,
    applicant: &Applicant,
    password: Option<String>,
    channel: Channel,
) -> Result<Volunteer> {
    let mut volunteer = prepare(
        applicant,
        None,
        channel,
        &state.keys,
        state.settings.local_now(),
    )?;
    match password {
        Some(password) => {
            check_password(&password)?;
            volunteer.password_hash = Some(state.passwords.hash(password).await?);
        }
        None if channel.recorded_by.is_none() => {
            return Err(Error::invalid(
                WEAK_PASSWORD,
                "choose a password of at least 8 characters",
            ));
        }
        None => {}
    }
    let outcome = state
        .store
        .register_volunteers(std::slice::from_ref(&volunteer))
        .await?;
    match outcome.into_iter().next() {
        Some(Registration::Registered { id, .. }) => state
            .store
            .volunteer(id)
            .await?
            .ok_or(Error::NotFound("volunteer")),
        Some(Registration::DuplicateIdNumber) => Err(Error::conflict(
            DUPLICATE_ID_NUMBER,
            "this person is already registered as a volunteer",
        )),
        Some(Registration::DuplicatePhone) | None => Err(Error::conflict(
            DUPLICATE_PHONE,
            "another account already uses this phone number",
        )),
    }
}

pub const MIN_PASSWORD_CHARS: usize = 8;

pub fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > 256 {
        return Err(Error::invalid(
            WEAK_PASSWORD,
            "a password needs 8 to 256 characters",
        ));
    }
    Ok(())
}
