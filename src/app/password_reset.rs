//! Forgotten passwords 忘记密码: a volunteer's password set anew once someone the service trusts
//! has vouched that the person asking is that volunteer. The new password ends every session the
//! account had open, and the reset is audited with who vouched and how.
//!
//! No SMS gateway is available, so the one channel today is in person ([`InPerson`]): the volunteer
//! brings their ID card to their community, whose admin resets the password in the console or
//! through `POST /api/v1/volunteers/{id}/password_reset`. An SMS channel would be another
//! [`PasswordResetChannel`]: its value made only after the code sent to the volunteer's phone was
//! typed back, vouching for the volunteer holding that phone and naming no staff actor.

use super::AppState;
use super::registration::check_password;
use crate::domain::roles::{Caller, Role};
use crate::error::codes::FORBIDDEN;
use crate::error::{Error, Result};
use crate::store::Volunteer;
use crate::store::accounts::PasswordAudit;
use rand::Rng;
use rand::rngs::OsRng;
use serde_json::json;

/// A way of proving, before a reset, that the person asking is the volunteer.
pub trait PasswordResetChannel {
    /// The channel as the audit log names it.
    const NAME: &'static str;

    /// 403 unless this channel vouches for `volunteer`.
    fn vouch_for(&self, volunteer: &Volunteer) -> Result<()>;

    /// The account that made the reset, for the audit log; `None` for the volunteer themselves.
    fn actor(&self) -> Option<i64>;
}

/// In person 当面: an admin of the volunteer's community, or of a unit above it, who has the
/// volunteer and their ID card in front of them.
pub struct InPerson<'a> {
    pub admin: &'a Caller,
}

impl PasswordResetChannel for InPerson<'_> {
    const NAME: &'static str = "in_person";

    fn vouch_for(&self, volunteer: &Volunteer) -> Result<()> {
        if self.admin.may(&Role::ADMINS, &volunteer.community_path) {
            Ok(())
        } else {
            Err(Error::denied(
                FORBIDDEN,
                "only an admin of the volunteer's community resets their password",
            ))
        }
    }

    fn actor(&self) -> Option<i64> {
        Some(self.admin.user_id)
    }
}

/// The password the volunteer logs in with from now on.
pub enum NewPassword {
    /// Typed in by the volunteer.
    Chosen(String),
    /// Made up by the service, to be shown once 临时密码.
    Generated,
}

/// What a reset did.
pub struct Reset {
    /// The password made up by the service, when it was asked to make one.
    pub generated: Option<String>,
    /// The sessions of the volunteer's that were still open and now are not.
    pub sessions_ended: u64,
}

/// Resets the password of `volunteer`, for whom `channel` must vouch.
pub async fn reset_password<C: PasswordResetChannel>(
    state: &AppState,
    volunteer: &Volunteer,
    new: NewPassword,
    channel: &C,
) -> Result<Reset> {
    channel.vouch_for(volunteer)?;
    let (password, generated) = match new {
        NewPassword::Chosen(password) => {
            check_password(&password)?;
            (password, None)
        }
        NewPassword::Generated => {
            let password = temporary_password();
            (password.clone(), Some(password))
        }
    };
    let hash = state.passwords.hash(password).await?;
    let audited = PasswordAudit {
        actor_id: channel.actor(),
        action: "reset_password",
        entity: "volunteer",
        unit: Some((volunteer.community_id, &volunteer.community_path)),
        after: |ended| json!({"channel": C::NAME, "sessions_ended": ended}),
    };
    let sessions_ended = state
        .store
        .set_password(volunteer.id, &hash, None, audited)
        .await?;
    Ok(Reset {
        generated,
        sessions_ended,
    })
}

/// Letters and digits that cannot be mistaken for one another when read aloud or typed on a
/// phone: no `0`/`o`, `1`/`l`/`i`.
const READABLE: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// About 50 bits: enough behind the login throttle and argon2.
const TEMPORARY_CHARS: usize = 10;

fn temporary_password() -> String {
    (0..TEMPORARY_CHARS)
        .map(|_| char::from(READABLE[OsRng.gen_range(0..READABLE.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_passwords_are_readable_long_enough_and_differ() {
        let a = temporary_password();
        assert_eq!(a.len(), TEMPORARY_CHARS);
        assert!(a.bytes().all(|b| READABLE.contains(&b)), "{a}");
        assert!(check_password(&a).is_ok());
        assert_ne!(a, temporary_password());
    }
}
