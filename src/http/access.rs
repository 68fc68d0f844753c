//! The access checks the resources share. Each loads what a request names and answers 404 when it
//! does not exist, 403 when the caller holds none of the roles asked for on its unit or above.

use crate::app::AppState;
use crate::domain::privacy::{Disclosure, runs_one};
use crate::domain::roles::{Caller, Role};
use crate::error::{Error, Result};
use crate::store::activities::Activity;
use crate::store::rewards::{Partner, Reward};
use crate::store::selections::Selection;
use crate::store::trainings::Training;
use crate::store::{Unit, Volunteer};

/// 403 unless the caller holds one of `roles` on the unit at `unit_path` or above it.
pub fn require(caller: &Caller, roles: &[Role], unit_path: &str) -> Result<()> {
    if caller.may(roles, unit_path) {
        Ok(())
    } else {
        Err(Error::forbidden())
    }
}

/// Loads a unit the caller holds one of `roles` on.
pub async fn scoped_unit(
    state: &AppState,
    caller: &Caller,
    id: i64,
    roles: &[Role],
) -> Result<Unit> {
    let unit = state.store.unit(id).await?.ok_or(Error::NotFound("unit"))?;
    require(caller, roles, &unit.path)?;
    Ok(unit)
}

/// Loads an activity the caller holds one of `roles` on (on its unit or above).
pub async fn run_activity(
    state: &AppState,
    caller: &Caller,
    id: i64,
    roles: &[Role],
) -> Result<Activity> {
    let activity = state
        .store
        .activity(id)
        .await?
        .ok_or(Error::NotFound("activity"))?;
    require(caller, roles, &activity.unit_path)?;
    Ok(activity)
}

/// Loads a volunteer the caller may see: themselves (`me` or their own id) or staff of their
/// community's subtree holding one of `roles`.
pub async fn visible_volunteer(
    state: &AppState,
    caller: &Caller,
    id: &str,
    roles: &[Role],
) -> Result<Volunteer> {
    let v = named_volunteer(state, caller, id).await?;
    if v.id != caller.user_id {
        require(caller, roles, &v.community_path)?;
    }
    Ok(v)
}

/// Loads a volunteer whose community the caller holds one of `roles` on (themselves included
/// only through such a role).
pub async fn scoped_volunteer(
    state: &AppState,
    caller: &Caller,
    id: i64,
    roles: &[Role],
) -> Result<Volunteer> {
    let v = state
        .store
        .volunteer(id)
        .await?
        .ok_or(Error::NotFound("volunteer"))?;
    require(caller, roles, &v.community_path)?;
    Ok(v)
}

/// Loads one volunteer's profile and what of it the caller sees in full ([`Disclosure::of_one`]).
/// Besides those [`visible_volunteer`] lets in with any role, whoever runs an activity the
/// volunteer attended may read it, to call them.
pub async fn volunteer_profile(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(Volunteer, Disclosure)> {
    let v = named_volunteer(state, caller, id).await?;
    let activity_paths = if caller.is_staff() && v.id != caller.user_id {
        state.store.activity_paths_of(v.id).await?
    } else {
        Vec::new()
    };
    if v.id != caller.user_id && !runs_one(caller, &activity_paths) {
        require(caller, &Role::ALL, &v.community_path)?;
    }
    let shown = Disclosure::of_one(caller, v.id, &v.community_path, &activity_paths);
    Ok((v, shown))
}

/// The volunteer `id` names (`me`: the caller), or 404.
async fn named_volunteer(state: &AppState, caller: &Caller, id: &str) -> Result<Volunteer> {
    let id = if id == "me" {
        if !caller.is_volunteer {
            return Err(Error::NotFound("volunteer"));
        }
        caller.user_id
    } else {
        id.parse().map_err(|_| Error::NotFound("volunteer"))?
    };
    state
        .store
        .volunteer(id)
        .await?
        .ok_or(Error::NotFound("volunteer"))
}

/// Loads a partner whose unit the caller administers: partners and rewards are kept by the
/// admins of the partner's unit or above.
pub async fn administered_partner(state: &AppState, caller: &Caller, id: i64) -> Result<Partner> {
    let partner = state
        .store
        .partner(id)
        .await?
        .ok_or(Error::NotFound("partner"))?;
    require(caller, &Role::ADMINS, &partner.unit_path)?;
    Ok(partner)
}

/// Loads a reward whose partner's unit the caller administers.
pub async fn administered_reward(state: &AppState, caller: &Caller, id: i64) -> Result<Reward> {
    let reward = state
        .store
        .reward(id)
        .await?
        .ok_or(Error::NotFound("reward"))?;
    require(caller, &Role::ADMINS, &reward.unit_path)?;
    Ok(reward)
}

/// Loads a training the caller holds one of `roles` on (on its unit or above).
pub async fn scoped_training(
    state: &AppState,
    caller: &Caller,
    id: i64,
    roles: &[Role],
) -> Result<Training> {
    let training = state
        .store
        .training(id)
        .await?
        .ok_or(Error::NotFound("training"))?;
    require(caller, roles, &training.unit_path)?;
    Ok(training)
}

/// Loads a selection round with its unit.
async fn round(state: &AppState, id: i64) -> Result<(Selection, Unit)> {
    let round = state
        .store
        .selection(id)
        .await?
        .ok_or(Error::NotFound("selection"))?;
    let unit = state
        .store
        .unit(round.unit_id)
        .await?
        .ok_or(Error::NotFound("selection"))?;
    Ok((round, unit))
}

/// Loads a selection round with its unit, for the unit's committee (or a district admin).
pub async fn committee_round(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(Selection, Unit)> {
    let (round, unit) = round(state, id).await?;
    require(caller, &Role::COMMITTEE, &unit.path)?;
    Ok((round, unit))
}

/// Loads a round anyone may see: published (in its notice, or final). A draft is answered 404,
/// as if it did not exist.
pub async fn public_round(state: &AppState, id: i64) -> Result<(Selection, Unit)> {
    let (round, unit) = round(state, id).await?;
    if round.state == "draft" {
        return Err(Error::NotFound("selection"));
    }
    Ok((round, unit))
}
