//! What a person changes of their own account: their password (after giving the current one),
//! and a volunteer's phone, skills and service categories.

use super::AppState;
use super::registration::{check_password, tags};
use crate::crypto::session_token_hash;
use crate::domain::phone::Phone;
use crate::domain::roles::Caller;
use crate::error::codes::{INVALID_PHONE, NOT_A_VOLUNTEER, WRONG_PASSWORD};
use crate::error::{Error, Result};
use crate::store::Volunteer;
use crate::store::accounts::PasswordAudit;
use crate::store::profiles::ProfileChange;
use serde_json::json;
use std::net::IpAddr;

/// Checks that `password` opens the caller's own account, counted by the login throttle as a
/// login with their account from `client` would be: 403 `wrong_password` when it does not (the
/// session is theirs, only the password is wrong), 429 after too many tries.
pub async fn check_own_password(
    state: &AppState,
    caller: &Caller,
    password: String,
    client: IpAddr,
) -> Result<()> {
    let own = state
        .store
        .own_password(caller.user_id)
        .await?
        .ok_or(Error::Unauthorized)?;
    let attempt = state.logins.admit(&own.login, client)?;
    let opened = state
        .passwords
        .check(password, vec![own.password_hash])
        .await?;
    if opened.is_none() {
        attempt.failed();
        return Err(Error::denied(WRONG_PASSWORD, "the password is not right"));
    }
    attempt.succeeded();
    Ok(())
}

/// Changes the caller's password from `current` to `new` (the rules of registration), ending
/// their other sessions; `token` is the session that asked, which stays open.
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    token: &str,
    current: String,
    new: String,
    client: IpAddr,
) -> Result<()> {
    check_password(&new)?;
    check_own_password(state, caller, current, client).await?;
    let hash = state.passwords.hash(new).await?;
    let volunteer = if caller.is_volunteer {
        state.store.volunteer(caller.user_id).await?
    } else {
        None
    };
    let audited = PasswordAudit {
        actor_id: Some(caller.user_id),
        action: "change_password",
        entity: "user",
        unit: volunteer
            .as_ref()
            .map(|v| (v.community_id, v.community_path.as_str())),
        after: |ended| json!({"other_sessions_ended": ended}),
    };
    let kept = session_token_hash(token);
    state
        .store
        .set_password(caller.user_id, &hash, Some(&kept), audited)
        .await?;
    Ok(())
}

/// A volunteer's own change of profile as typed: `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct TypedChange {
    pub phone: Option<String>,
    pub skills: Option<Vec<String>>,
    pub service_categories: Option<Vec<String>>,
}

/// Applies the caller's change of their own phone, skills and service categories: 422
/// `invalid_phone` or `invalid_tags` for what registration would refuse, 409 `duplicate_phone`
/// when another volunteer has the phone. The volunteer as they are now.
pub async fn change_profile(
    state: &AppState,
    caller: &Caller,
    typed: &TypedChange,
) -> Result<Volunteer> {
    if !caller.is_volunteer {
        return Err(Error::denied(
            NOT_A_VOLUNTEER,
            "only a volunteer has a profile to change",
        ));
    }
    let own = || state.store.volunteer(caller.user_id);
    let volunteer = own().await?.ok_or(Error::NotFound("volunteer"))?;
    let phone = typed
        .phone
        .as_deref()
        .map(|p| Phone::parse(p).map_err(|e| Error::invalid(INVALID_PHONE, e.to_string())))
        .transpose()?;
    let change = ProfileChange {
        phone: phone.map(|p| p.as_str().to_owned()),
        skills: typed
            .skills
            .as_deref()
            .map(|s| tags(s, "skills"))
            .transpose()?,
        service_categories: typed
            .service_categories
            .as_deref()
            .map(|c| tags(c, "service_categories"))
            .transpose()?,
    };
    state.store.change_profile(&volunteer, &change).await?;
    own().await?.ok_or(Error::NotFound("volunteer"))
}
