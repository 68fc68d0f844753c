//! Withdrawal 注销: a volunteer leaves for good. Their personal data is erased (PIPL), while their
//! volunteer number stays as the anonymous key of the ledger, whose entries and totals are kept,
//! and the unit's statistics stay as they were up to the year of the withdrawal, from which the
//! volunteer no longer counts as registered. One transaction: all of it, or nothing.

use super::account::check_own_password;
use super::{AppState, backbone, signups};
use crate::domain::roles::Caller;
use crate::error::codes::{CONFIRMATION_REQUIRED, NOT_A_VOLUNTEER};
use crate::error::{Error, Result};
use crate::store::activities::lock_activity;
use crate::store::{targets, withdrawals};
use chrono::{Datelike, Utc};
use std::net::IpAddr;

/// Withdraws the caller, who confirmed it (`confirmed`, else 422 `confirmation_required`) and
/// gave their password (else 403 `wrong_password`). Their sign-ups to activities still to start
/// are taken back, their places going to the waiting lists; a backbone status ends; the
/// registered count of their community drops by one from this year on. Their volunteer number,
/// which stays.
pub async fn withdraw(
    state: &AppState,
    caller: &Caller,
    password: String,
    confirmed: bool,
    client: IpAddr,
) -> Result<String> {
    if !caller.is_volunteer {
        return Err(Error::denied(
            NOT_A_VOLUNTEER,
            "only a volunteer account can be withdrawn",
        ));
    }
    if !confirmed {
        return Err(Error::invalid(
            CONFIRMATION_REQUIRED,
            "withdrawal cannot be undone: confirm it with `confirm: true`",
        ));
    }
    let volunteer = state
        .store
        .volunteer(caller.user_id)
        .await?
        .ok_or(Error::NotFound("volunteer"))?;
    check_own_password(state, caller, password, client).await?;
    let now = Utc::now();
    let local_now = now.with_timezone(&state.settings.display_offset());
    let mut tx = state.store.begin().await?;
    // Activities are locked in id order, as every other writer locks them.
    for activity in withdrawals::upcoming_signups(&mut tx, volunteer.id, now).await? {
        let activity = lock_activity(&mut tx, activity).await?;
        signups::take_back(&mut tx, &activity, volunteer.id).await?;
    }
    backbone::end_on_withdrawal(&mut tx, &volunteer, local_now).await?;
    if !withdrawals::erase(&mut tx, &volunteer, now).await? {
        return Err(Error::NotFound("volunteer"));
    }
    targets::add_registered(&mut tx, volunteer.id, local_now.year(), -1).await?;
    tx.commit().await?;
    Ok(volunteer.volunteer_no)
}
