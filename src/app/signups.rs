//! Sign-up 招募报名: a volunteer signs up for an activity and cancels before its start, each in
//! one transaction that first locks the activity, so that two volunteers taking its last place at
//! once never both get it and a freed place goes to the first on the waiting list in the same
//! transaction; organizers open and close recruitment; anyone lists the activities still taking
//! sign-ups, a volunteer's own community's first.

use super::AppState;
use crate::domain::roles::Caller;
use crate::domain::signup::{NotRecruiting, SignupState};
use crate::domain::units::parent_path;
use crate::error::codes::{
    ACTIVITY_CANCELLED, ACTIVITY_STARTED, ALREADY_SIGNED_UP, INVALID_QUERY, NOT_A_VOLUNTEER,
    RECRUITMENT_CLOSED,
};
use crate::error::{Error, Result};
use crate::store::activities::{Activity, lock_activity};
use crate::store::db::Tx;
use crate::store::signups::{self, ListedActivity, OpenFilter, Placed};
use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

/// The caller as a volunteer; 403 for a staff account.
fn volunteer(caller: &Caller) -> Result<i64> {
    if caller.is_volunteer {
        Ok(caller.user_id)
    } else {
        Err(Error::denied(
            NOT_A_VOLUNTEER,
            "only a registered volunteer can sign up",
        ))
    }
}

fn not_recruiting(why: NotRecruiting) -> Error {
    match why {
        NotRecruiting::Cancelled => {
            Error::conflict(ACTIVITY_CANCELLED, "this activity has been cancelled")
        }
        NotRecruiting::Closed => Error::conflict(
            RECRUITMENT_CLOSED,
            "this activity takes no more sign-ups: its organizer closed them, or it has started",
        ),
    }
}

/// Signs the caller up for the activity at `now`: a place while there are places, else the
/// waiting list. 409 when they already are, or when the activity takes no sign-up now.
pub async fn sign_up(
    state: &AppState,
    caller: &Caller,
    activity_id: i64,
    now: DateTime<Utc>,
) -> Result<Placed> {
    let volunteer_id = volunteer(caller)?;
    let mut tx = state.store.begin().await?;
    let activity = lock_activity(&mut tx, activity_id).await?;
    let recruitment = activity.recruitment();
    recruitment.takes_signups(now).map_err(not_recruiting)?;
    let taken = signups::confirmed(&mut tx, activity.id).await?;
    let placed = recruitment.place(taken);
    if !signups::add(&mut tx, &activity, volunteer_id, placed, now).await? {
        return Err(Error::conflict(
            ALREADY_SIGNED_UP,
            "you have already signed up for this activity",
        ));
    }
    let placed = signups::placed_in(&mut tx, activity.id, volunteer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the sign-up just made is gone"))?;
    tx.commit().await?;
    Ok(placed)
}

/// Takes the caller's sign-up back, until the activity starts; a place it held goes to the
/// first on the waiting list. 404 when they have none.
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    activity_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let volunteer_id = volunteer(caller)?;
    let mut tx = state.store.begin().await?;
    let activity = lock_activity(&mut tx, activity_id).await?;
    if !activity.recruitment().takes_cancellations(now) {
        return Err(Error::conflict(
            ACTIVITY_STARTED,
            "the activity has started: a sign-up can no longer be cancelled",
        ));
    }
    take_back(&mut tx, &activity, volunteer_id)
        .await?
        .ok_or(Error::NotFound("sign-up"))?;
    tx.commit().await?;
    Ok(())
}

/// Takes the volunteer's sign-up to the activity (locked in `tx`) back: the state it had, or
/// none. A place it held goes to the first on the waiting list.
pub(crate) async fn take_back(
    tx: &mut Tx,
    activity: &Activity,
    volunteer_id: i64,
) -> Result<Option<SignupState>> {
    let removed = signups::remove(tx, activity, volunteer_id).await?;
    if removed == Some(SignupState::Confirmed) && !activity.is_cancelled() {
        signups::fill_places(tx, activity, volunteer_id).await?;
    }
    Ok(removed)
}

/// Opens or closes the activity's recruitment (a cancelled activity's stays as it is).
pub async fn set_recruitment(
    state: &AppState,
    caller: &Caller,
    activity: &Activity,
    open: bool,
) -> Result<Activity> {
    if activity.is_cancelled() {
        return Err(Error::conflict(
            ACTIVITY_CANCELLED,
            "a cancelled activity cannot be changed",
        ));
    }
    state
        .store
        .set_recruitment(activity.id, open, caller.user_id)
        .await
}

/// What the public list is asked for, as typed (empty is none). `from` and `to` are days
/// (`YYYY-MM-DD`, in the display time zone, both included) or times (RFC 3339, `to` excluded).
#[derive(Debug, Clone, Default)]
pub struct Listing<'a> {
    pub unit_id: Option<i64>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub category: Option<&'a str>,
    pub limit: i64,
    pub offset: i64,
}

/// A bound of the list as typed; a day ends where the next begins.
fn bound(typed: &str, zone: FixedOffset, end: bool) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(typed) {
        return Ok(t.to_utc());
    }
    NaiveDate::parse_from_str(typed, "%Y-%m-%d")
        .ok()
        .and_then(|day| {
            if end {
                day.checked_add_days(Days::new(1))
            } else {
                Some(day)
            }
        })
        .and_then(|day| {
            zone.from_local_datetime(&day.and_time(NaiveTime::MIN))
                .single()
        })
        .map(|t| t.to_utc())
        .ok_or_else(|| {
            Error::invalid(
                INVALID_QUERY,
                "from and to are dates (YYYY-MM-DD) or times (RFC 3339)",
            )
        })
}

/// The activities still to start whose recruitment is open, as `asked`; for a volunteer, those
/// of their community first, then their street's, then the rest, with their own sign-ups.
pub async fn open_activities<'a>(
    state: &AppState,
    viewer: Option<&Caller>,
    asked: &Listing<'a>,
    now: DateTime<Utc>,
) -> Result<Vec<ListedActivity>> {
    let given = |typed: Option<&'a str>| typed.map(str::trim).filter(|t| !t.is_empty());
    let zone = state.settings.display_offset();
    let from = match given(asked.from) {
        Some(typed) => bound(typed, zone, false)?.max(now),
        None => now,
    };
    let to = given(asked.to)
        .map(|typed| bound(typed, zone, true))
        .transpose()?;
    let within = match asked.unit_id {
        Some(id) => Some(
            state
                .store
                .unit(id)
                .await?
                .ok_or(Error::NotFound("unit"))?
                .path,
        ),
        None => None,
    };
    let volunteer = viewer.filter(|c| c.is_volunteer).map(|c| c.user_id);
    let home = match volunteer {
        Some(id) => state.store.volunteer(id).await?.map(|v| v.community_path),
        None => None,
    };
    let filter = OpenFilter {
        viewer: volunteer,
        from,
        to,
        within: within.as_deref(),
        category: given(asked.category),
        near: home.as_deref().map(|c| (c, parent_path(c))),
        limit: asked.limit,
        offset: asked.offset,
    };
    state.store.open_activities(&filter).await
}

/// One activity as anyone may see it, with the viewer's own sign-up state; 404 when there is none.
pub async fn public_activity(
    state: &AppState,
    viewer: Option<&Caller>,
    id: i64,
) -> Result<ListedActivity> {
    let volunteer = viewer.filter(|c| c.is_volunteer).map(|c| c.user_id);
    state
        .store
        .public_activity(id, volunteer)
        .await?
        .ok_or(Error::NotFound("activity"))
}

#[cfg(test)]
mod tests {
    use super::bound;
    use chrono::{FixedOffset, TimeZone, Utc};

    #[test]
    fn a_day_is_read_in_the_display_zone_and_a_time_as_given() {
        let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
        let at = |d, h| Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap();
        assert_eq!(bound("2026-12-05", beijing, false).unwrap(), at(4, 16));
        assert_eq!(bound("2026-12-05", beijing, true).unwrap(), at(5, 16));
        assert_eq!(
            bound("2026-12-05T09:00:00+08:00", beijing, true).unwrap(),
            at(5, 1)
        );
        assert!(bound("next week", beijing, false).is_err());
    }
}
