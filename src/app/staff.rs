//! Staff accounts and their roles, one way for the API and the console: creating an account
//! (any unit admin may) and granting a role on a unit, which the caller must administer
//! (checked before, with `http::access::scoped_unit`).

use super::AppState;
use super::registration::check_password;
use crate::domain::roles::{Caller, Role};
use crate::domain::text::NAME;
use crate::domain::units::UnitKind;
use crate::error::codes::{FORBIDDEN, INVALID_LOGIN, INVALID_UNIT};
use crate::error::{Error, Result};
use crate::store::Unit;

/// A staff account just created, without roles yet.
pub struct NewAccount {
    pub id: i64,
    pub login: String,
    pub name: String,
}

/// Creates a staff account with `login` (trimmed: 3 to 64 letters, digits and `._@-`), its
/// password hashed as every password is, and `name`.
pub async fn create_account(
    state: &AppState,
    caller: &Caller,
    login: &str,
    password: String,
    name: &str,
) -> Result<NewAccount> {
    if !caller.is_admin() {
        return Err(Error::denied(FORBIDDEN, "only unit admins create accounts"));
    }
    let login = login.trim();
    let login_ok = (3..=64).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
    if !login_ok {
        return Err(Error::invalid(
            INVALID_LOGIN,
            "a login has 3 to 64 letters, digits or ._@-",
        ));
    }
    check_password(&password)?;
    let name = NAME.parse(name)?;
    let hash = state.passwords.hash(password).await?;
    let id = state.store.create_user(login, Some(&hash), &name).await?;
    Ok(NewAccount {
        id,
        login: login.to_owned(),
        name,
    })
}

/// Whether `caller` may grant `role` at all: `district_admin` only a district admin grants.
pub fn may_grant(caller: &Caller, role: Role) -> bool {
    role != Role::DistrictAdmin || caller.grants.iter().any(|g| g.role == Role::DistrictAdmin)
}

/// Grants `role` on `unit` (and so on its subtree) to the account `user_id`; `district_admin`
/// is granted only by a district admin, on the district.
pub async fn grant(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    role: Role,
    unit: &Unit,
) -> Result<()> {
    if role == Role::DistrictAdmin {
        if !caller.may(&[Role::DistrictAdmin], &unit.path) {
            return Err(Error::denied(
                FORBIDDEN,
                "only a district admin grants district_admin",
            ));
        }
        if unit.kind != UnitKind::District {
            return Err(Error::invalid(
                INVALID_UNIT,
                "district_admin is granted on the district",
            ));
        }
    }
    state
        .store
        .add_grant(user_id, role, unit, Some(caller.user_id))
        .await
}
