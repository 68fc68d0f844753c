//! Logging in and out: the one way a session starts and ends, for the API and the console alike.

use super::AppState;
use crate::crypto::{new_session_token, session_token_hash};
use crate::domain::phone::Phone;
use crate::domain::roles::Caller;
use crate::error::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;

/// A session just started: its token (shown once, stored only hashed) and who it is for.
pub struct NewSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub caller: Caller,
}

/// Opens a session for `login` (a staff login or a volunteer's mobile number; when it is both,
/// the password decides which account opens). Failed logins from one address slow down that
/// address's next tries (429), the same whether the login exists or not; when the password
/// workers are saturated the answer is 503.
pub async fn log_in(
    state: &AppState,
    login: &str,
    password: String,
    client: IpAddr,
) -> Result<NewSession> {
    let now = Utc::now();
    let login = login.trim();
    // Counted before any work, so that a flood of wrong passwords costs no hashing.
    let attempt = state.logins.admit(login, client)?;
    let phone = Phone::parse(login).ok();
    // PostgreSQL cannot hold NUL in text: no account has such a login.
    let accounts = if login.contains('\0') {
        Vec::new()
    } else {
        let phone = phone.as_ref().map(Phone::as_str);
        state.store.credentials(login, phone).await?
    };
    let hashes = accounts.iter().map(|a| a.password_hash.clone()).collect();
    let opened = state.passwords.check(password, hashes).await?;
    let Some(user_id) = opened.map(|i| accounts[i].user_id) else {
        attempt.failed();
        return Err(Error::InvalidCredentials);
    };
    attempt.succeeded();
    let (token, hash) = new_session_token();
    let expires_at = now + session_ttl(state);
    state
        .store
        .start_session(user_id, &hash, expires_at)
        .await?;
    let caller = state
        .store
        .session_caller(&hash, now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("session vanished right after login"))?;
    Ok(NewSession {
        token,
        expires_at,
        caller,
    })
}

/// Ends the session of `token`.
pub async fn log_out(state: &AppState, token: &str) -> Result<()> {
    state
        .store
        .end_session(&session_token_hash(token), Utc::now())
        .await
}

/// How long a session lasts.
pub fn session_ttl(state: &AppState) -> Duration {
    Duration::hours(state.settings.session_ttl_hours as i64)
}
