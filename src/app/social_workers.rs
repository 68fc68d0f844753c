//! Social workers lead volunteers 社工引领志愿者, one way for the API and the console: an admin
//! records a staff account's social-work qualification; an admin or social worker over a
//! volunteer's community assigns the volunteer a social worker of that community or above; a
//! social worker (or an admin over them) lists their volunteers, and sees who has gone quiet.
//! Each use case checks its own access, as it depends on the staff account or volunteer named.

use super::AppState;
use crate::domain::hours::hours;
use crate::domain::roles::{Caller, Grant, Role};
use crate::domain::social_workers::{Qualification, is_quiet, quiet_before};
use crate::error::codes::INVALID_SOCIAL_WORKER;
use crate::error::{Error, Result};
use crate::store::Volunteer;
use crate::store::social_workers::{Assignment, LedFilter, SocialWorker, StaffMember};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// The staff account `user_id` and the first of its grants on a unit the caller administers:
/// an admin keeps the accounts holding a role on their units. 404 for no such account, 403 when
/// it holds no role the caller's units cover.
pub async fn administered_member(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
) -> Result<(StaffMember, Grant)> {
    let member = state
        .store
        .staff_member(user_id)
        .await?
        .ok_or(Error::NotFound("user"))?;
    let grant = member
        .grants
        .iter()
        .find(|g| caller.may(&Role::ADMINS, &g.unit_path))
        .cloned()
        .ok_or_else(Error::forbidden)?;
    Ok((member, grant))
}

/// Sets the qualification of the staff account `user_id` (no `level`: clears it), for an admin
/// of a unit where the account holds a role; the account as it is now.
pub async fn set_qualification(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    level: Option<&str>,
    certificate_no: Option<&str>,
) -> Result<StaffMember> {
    let (member, grant) = administered_member(state, caller, user_id).await?;
    let qualification = Qualification::parse(level, certificate_no)?;
    state
        .store
        .set_qualification(
            member.id,
            qualification.as_ref(),
            caller.user_id,
            (grant.unit_id, &grant.unit_path),
        )
        .await?;
    Ok(StaffMember {
        qualification,
        ..member
    })
}

/// Whether the caller may choose the volunteer's social worker: a social worker or admin whose
/// grants cover the volunteer's community.
pub fn may_assign(caller: &Caller, volunteer: &Volunteer) -> bool {
    caller.may(&Role::RECORDERS, &volunteer.community_path)
}

/// Who may lead the volunteer: the social workers of their community or a unit above it.
pub async fn eligible_social_workers(
    state: &AppState,
    volunteer: &Volunteer,
) -> Result<Vec<SocialWorker>> {
    state
        .store
        .social_workers_over(&volunteer.community_path)
        .await
}

/// Assigns the volunteer to the social worker `social_worker_id` (`None`: to no one), who must
/// hold the social worker role on the volunteer's community or above it; the assignment now.
pub async fn assign(
    state: &AppState,
    caller: &Caller,
    volunteer: &Volunteer,
    social_worker_id: Option<i64>,
) -> Result<Option<Assignment>> {
    if !may_assign(caller, volunteer) {
        return Err(Error::forbidden());
    }
    if let Some(id) = social_worker_id {
        let eligible = eligible_social_workers(state, volunteer).await?;
        if !eligible.iter().any(|w| w.id == id) {
            return Err(Error::invalid(
                INVALID_SOCIAL_WORKER,
                "choose a social worker of the volunteer's community or of a unit above it",
            ));
        }
    }
    state
        .store
        .assign_social_worker(volunteer, social_worker_id, caller.user_id)
        .await
}

/// One of a social worker's volunteers as their list shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LedVolunteerRow {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub community_id: i64,
    /// Confirmed service hours this year (display time), `"2.50"`.
    #[schema(value_type = String)]
    pub hours_this_year: Decimal,
    /// The date of the latest service credited; `null` when never.
    pub last_service: Option<NaiveDate>,
    /// 骨干志愿者
    pub backbone: bool,
    /// No service in the last `quiet_months` months (3 unless configured).
    pub quiet: bool,
}

/// Which of a social worker's volunteers to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct LedQuery {
    /// Only the quiet ones (`true`), only the others (`false`), or all.
    pub quiet: Option<bool>,
    /// `(limit, offset)` of a page; `None`: all of them.
    pub page: Option<(i64, i64)>,
}

/// The volunteers the social worker `who` (`me`: the caller) leads, by volunteer number: for
/// that social worker, and for an admin over them the volunteers of the admin's own units.
pub async fn led_volunteers(
    state: &AppState,
    caller: &Caller,
    who: &str,
    asked: LedQuery,
) -> Result<Vec<LedVolunteerRow>> {
    let id = if who == "me" {
        caller.user_id
    } else {
        who.parse().map_err(|_| Error::NotFound("social worker"))?
    };
    // An admin sees only the volunteers of their own units.
    let admin_roots = if id == caller.user_id {
        state
            .store
            .staff_member(id)
            .await?
            .ok_or(Error::NotFound("social worker"))?;
        None
    } else {
        administered_member(state, caller, id).await?;
        Some(caller.roots(&Role::ADMINS))
    };
    let today = state.settings.local_now().date_naive();
    let months = state.settings.quiet_months;
    let (limit, offset) = asked.page.unwrap_or((i64::MAX, 0));
    let filter = LedFilter {
        year: today.year(),
        quiet_before: quiet_before(today, months),
        quiet: asked.quiet,
        within: admin_roots.as_deref(),
        limit,
        offset,
    };
    let rows = state.store.led_volunteers(id, &filter).await?;
    Ok(rows
        .into_iter()
        .map(|v| LedVolunteerRow {
            quiet: is_quiet(v.last_service, today, months),
            volunteer_id: v.volunteer_id,
            volunteer_no: v.volunteer_no,
            name: v.name,
            community_id: v.community_id,
            hours_this_year: hours(v.minutes),
            last_service: v.last_service,
            backbone: v.backbone,
        })
        .collect())
}
