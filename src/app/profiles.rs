//! What a volunteer's profile shows beside their personal data — all their confirmed service
//! time, their stars 星级, points 积分 and awards 表彰奖励 — and the audited reveal of a full ID
//! number.

use super::AppState;
use super::backbone::{self, BackboneView};
use crate::domain::ledger::stars;
use crate::domain::roles::{Caller, Role};
use crate::error::codes::FORBIDDEN;
use crate::error::{Error, Result};
use crate::store::Volunteer;
use crate::store::selection_reviews::Award;

/// A volunteer's service in all years and what it has earned.
pub struct Standing {
    pub lifetime_minutes: i64,
    pub stars: u8,
    /// The points balance.
    pub points: i64,
    pub backbone: BackboneView,
    /// The latest first.
    pub awards: Vec<Award>,
}

pub async fn standing(state: &AppState, volunteer_id: i64) -> Result<Standing> {
    let lifetime_minutes = state.store.lifetime_minutes(volunteer_id).await?;
    Ok(Standing {
        lifetime_minutes,
        stars: stars(lifetime_minutes, &state.settings.star_thresholds_hours),
        points: state.store.points_balance(volunteer_id).await?,
        backbone: backbone::view(&state.store, &state.settings.backbone_rule(), volunteer_id)
            .await?,
        awards: state.store.awards_of(volunteer_id).await?,
    })
}

/// 403 unless `caller` is a district admin over the volunteer's community: nobody else is ever
/// shown a full ID number, not even the volunteer.
pub fn may_reveal_id_number(caller: &Caller, volunteer: &Volunteer) -> Result<()> {
    if caller.may(&[Role::DistrictAdmin], &volunteer.community_path) {
        Ok(())
    } else {
        Err(Error::denied(
            FORBIDDEN,
            "only a district admin may see a full ID number",
        ))
    }
}

/// The volunteer's full ID number, for a district admin; the audit log records who was shown it.
pub async fn reveal_id_number(
    state: &AppState,
    caller: &Caller,
    volunteer: &Volunteer,
) -> Result<String> {
    may_reveal_id_number(caller, volunteer)?;
    let sealed = state
        .store
        .reveal_id_number(volunteer, caller.user_id)
        .await?;
    Ok(state.keys.decrypt_id_number(&sealed)?)
}
