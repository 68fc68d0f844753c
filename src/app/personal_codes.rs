//! The volunteer's personal code 志愿者码 ([`crate::domain::personal_code`]): the code their
//! phone shows now, the code of their printed card and issuing a new card, and an organizer's
//! scan of either, which checks the volunteer in or out of the organizer's activity exactly as
//! the volunteer's own scan would, recording who scanned.

use super::AppState;
use super::check_in::{self, Recorded, Scanner};
use crate::domain::personal_code::{self, InvalidCode};
use crate::domain::qr;
use crate::domain::roles::{Caller, Role};
use crate::error::codes::INVALID_CODE;
use crate::error::{Error, Result};
use crate::store::Volunteer;
use crate::store::activities::Activity;
use crate::store::cards::CodeHolder;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The code a volunteer's phone shows.
pub struct ShownCode {
    pub code: String,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// The code of the volunteer's phone at `now`.
pub fn phone_code(state: &AppState, volunteer_id: i64, now: DateTime<Utc>) -> ShownCode {
    let step = qr::rotation_step(now);
    ShownCode {
        code: personal_code::phone_code(&state.keys.personal_code, volunteer_id, step),
        expires_at: qr::step_expires_at(step),
    }
}

/// The code printed on the volunteer's current card, and the card's serial.
pub async fn card_code(state: &AppState, volunteer_id: i64) -> Result<(String, i64)> {
    let holder = state
        .store
        .code_holder(volunteer_id)
        .await?
        .ok_or(Error::NotFound("volunteer"))?;
    let code = personal_code::card_code(&state.keys.personal_code, holder.id, holder.card_serial);
    Ok((code, holder.card_serial))
}

/// The staff who keep a volunteer's card, besides the volunteer: the social workers and admins
/// of their community. Not organizers as such: whoever scans codes does not also make them.
pub const CARD_KEEPERS: [Role; 3] = Role::RECORDERS;

/// Issues the volunteer a new card, whose code replaces the current card's: its serial.
pub async fn issue_card(state: &AppState, caller: &Caller, volunteer: &Volunteer) -> Result<i64> {
    state.store.issue_card(volunteer, caller.user_id).await
}

/// A volunteer's code scanned by an organizer: whose it was, and what it recorded.
pub struct CodeScan {
    pub volunteer: CodeHolder,
    pub recorded: Recorded,
}

fn invalid_code(_: InvalidCode) -> Error {
    Error::invalid(
        INVALID_CODE,
        "this is not a volunteer's current code: ask them to show the code on their page again, or their card",
    )
}

/// Checks the volunteer whose code `typed` is (as scanned or typed) in or out of `activity` at
/// `now`, recorded as scanned by `caller`, who runs the activity. 422 `invalid_code` for a code
/// that is not a volunteer's current one; then the activity's rules, as for any scan.
pub async fn scan_code(
    state: &AppState,
    caller: &Caller,
    activity: Activity,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<CodeScan> {
    let code = personal_code::parse(typed).map_err(invalid_code)?;
    let volunteer = state
        .store
        .code_holder(code.volunteer_id)
        .await?
        .filter(|v| v.status == "active")
        .ok_or_else(|| invalid_code(InvalidCode))?;
    code.verify(&state.keys.personal_code, volunteer.card_serial, now)
        .map_err(invalid_code)?;
    let scanner = Scanner {
        position: None,
        recorded_by: Some(caller.user_id),
    };
    let recorded = check_in::record(state, Arc::new(activity), volunteer.id, scanner, now).await?;
    Ok(CodeScan {
        volunteer,
        recorded,
    })
}
