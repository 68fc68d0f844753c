//! Activities 活动: what an organizer gives to create or edit one, checked one way for the API and
//! the console, and creating one.

use super::AppState;
use crate::domain::attendance::{Geofence, Window, valid_position};
use crate::domain::qr::QrMode;
use crate::domain::roles::Caller;
use crate::domain::text::TextRule;
use crate::error::codes::{ACTIVITY_CANCELLED, INVALID_CAPACITY, INVALID_GEOFENCE, INVALID_TIME};
use crate::error::{Error, Result};
use crate::store::Unit;
use crate::store::activities::{Activity, ActivityFields};
use chrono::{DateTime, Datelike, Duration, Utc};
use rand::RngCore;

/// An activity as an organizer gives it, not yet checked.
pub struct ActivityDraft {
    pub title: String,
    pub place: String,
    /// 服务内容
    pub content: String,
    pub category: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub qr_mode: QrMode,
    /// 组织单位 as printed; defaults to the unit's name.
    pub organiser: Option<String>,
    /// 负责人; defaults to the caller's name.
    pub person_in_charge: Option<String>,
    pub capacity: Option<i32>,
    pub geofence: Option<Geofence>,
    /// Whether volunteers sign up first 需报名.
    pub signup_required: bool,
}

impl ActivityDraft {
    /// The fields to store, checked; the organiser and person in charge default as given.
    pub fn fields(&self, default_organiser: &str, default_person: &str) -> Result<ActivityFields> {
        let in_range = |t: DateTime<Utc>| (1949..=2100).contains(&t.year());
        if !in_range(self.starts_at)
            || !in_range(self.ends_at)
            || self.ends_at <= self.starts_at
            || self.ends_at - self.starts_at > Duration::hours(24)
        {
            return Err(Error::invalid(
                INVALID_TIME,
                "an activity ends after it starts, within 24 hours, between 1949 and 2100",
            ));
        }
        if self.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
            return Err(Error::invalid(
                INVALID_CAPACITY,
                "capacity is between 1 and 100,000",
            ));
        }
        let geofence = match self.geofence {
            None => None,
            Some(g) if valid_position(g.lat, g.lon) && (10.0..=50_000.0).contains(&g.radius_m) => {
                Some(g)
            }
            Some(_) => {
                return Err(Error::invalid(
                    INVALID_GEOFENCE,
                    "a geofence is a real position and a radius of 10 to 50,000 m",
                ));
            }
        };
        Ok(ActivityFields {
            title: TextRule::field("title", 100).parse(&self.title)?,
            place: TextRule::field("place", 200).parse(&self.place)?,
            content: TextRule::field("content", 2000)
                .multiline()
                .parse(&self.content)?,
            category: TextRule::field("category", 50).parse(&self.category)?,
            organiser: TextRule::field("organiser", 100)
                .parse(self.organiser.as_deref().unwrap_or(default_organiser))?,
            person_in_charge: TextRule::field("person_in_charge", 50)
                .parse(self.person_in_charge.as_deref().unwrap_or(default_person))?,
            window: Window {
                starts_at: self.starts_at,
                ends_at: self.ends_at,
            },
            capacity: self.capacity,
            geofence,
            qr_mode: self.qr_mode,
            signup_required: self.signup_required,
        })
    }
}

/// Creates the activity `draft` in `unit` (which the caller organizes for), with a new secret for
/// its codes.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    unit: &Unit,
    draft: &ActivityDraft,
) -> Result<Activity> {
    let fields = draft.fields(&unit.name, &caller.name)?;
    let mut secret = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    state
        .store
        .create_activity(unit.id, &fields, &secret, caller.user_id)
        .await
}

/// Replaces the fields of `activity` (its unit stays); a cancelled one cannot be edited. Scans see
/// the change at once; places a raised capacity frees go to the waiting list.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    activity: &Activity,
    draft: &ActivityDraft,
) -> Result<Activity> {
    if activity.is_cancelled() {
        return Err(Error::conflict(
            ACTIVITY_CANCELLED,
            "a cancelled activity cannot be edited",
        ));
    }
    let fields = draft.fields(&activity.organiser, &activity.person_in_charge)?;
    let updated = state
        .store
        .update_activity(activity.id, &fields, caller.user_id)
        .await?;
    state.scans.forget(activity.id);
    Ok(updated)
}

/// Cancels `activity`: its codes stop working at once.
pub async fn cancel(state: &AppState, caller: &Caller, activity: &Activity) -> Result<Activity> {
    let cancelled = state
        .store
        .cancel_activity(activity.id, caller.user_id)
        .await?;
    state.scans.forget(activity.id);
    Ok(cancelled)
}
