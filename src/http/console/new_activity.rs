//! Creating, copying, editing and cancelling an activity from the console: the form with every
//! 67号令 field, its date and times in the display time zone, checked and stored by
//! `app::activities` exactly as the API's are.

use super::{NoFields, StaffForm, StaffVisit, head, to_activity};
use crate::app::AppState;
use crate::app::activities::{self, ActivityDraft};
use crate::domain::attendance::Geofence;
use crate::domain::qr::QrMode;
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{INVALID_CAPACITY, INVALID_FIELD, INVALID_GEOFENCE, INVALID_TIME};
use crate::error::{Error, Result};
use crate::http::access::{run_activity, scoped_unit};
use crate::http::extract::{Path, Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::activities::Activity;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

/// Texts of the activity form's area fields.
pub const TEXTS: &[Text] = &[
    ("fence", "签到范围（可不填）", "Check-in area (optional)"),
    (
        "fence_note",
        "填写后，在范围外的签到会被标记供您核实（不会被拒绝）。",
        "Scans from outside the area are flagged for you to check (never refused).",
    ),
    ("fence_lat", "纬度", "Latitude"),
    ("fence_lon", "经度", "Longitude"),
    ("fence_radius", "半径（米）", "Radius (m)"),
    ("fence_here", "使用我当前的位置", "Use where I am now"),
    (
        "signup_required_label",
        "需提前报名（未报名者仍可签到，但会被标记）",
        "Volunteers sign up first (a check-in without a place is flagged)",
    ),
];

#[derive(Template)]
#[template(path = "console/new_activity.html")]
struct NewActivityPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    /// Where the form posts: a new activity, or the one being edited.
    action: String,
    /// (id, name) of the units the caller organizes for; none when editing (the unit stays).
    units: Vec<(i64, String)>,
    form: ActivityForm,
    refused: Option<String>,
}

/// The form as typed: every field text, so that a refused form shows again as it was.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActivityForm {
    unit_id: i64,
    title: String,
    place: String,
    content: String,
    category: String,
    /// `YYYY-MM-DD` and `HH:MM` in the display time zone; the end date is the start's when empty.
    date: String,
    starts: String,
    end_date: String,
    ends: String,
    qr_mode: String,
    capacity: String,
    organiser: String,
    person_in_charge: String,
    /// The geofence: the venue's latitude and longitude and a radius in metres, all or none.
    fence_lat: String,
    fence_lon: String,
    fence_radius: String,
    /// A checkbox: present when ticked.
    signup_required: Option<String>,
}

impl ActivityForm {
    /// The form filled in with `a`'s fields.
    fn of(a: &Activity, zone: FixedOffset) -> ActivityForm {
        let local = |t: DateTime<Utc>| t.with_timezone(&zone);
        let fence = a.geofence();
        ActivityForm {
            unit_id: a.unit_id,
            title: a.title.clone(),
            place: a.place.clone(),
            content: a.content.clone(),
            category: a.category.clone(),
            date: local(a.starts_at).date_naive().to_string(),
            starts: local(a.starts_at).format("%H:%M").to_string(),
            end_date: local(a.ends_at).date_naive().to_string(),
            ends: local(a.ends_at).format("%H:%M").to_string(),
            qr_mode: a.qr_mode.as_str().into(),
            capacity: a.capacity.map_or_else(String::new, |c| c.to_string()),
            organiser: a.organiser.clone(),
            person_in_charge: a.person_in_charge.clone(),
            fence_lat: fence.map_or_else(String::new, |g| g.lat.to_string()),
            fence_lon: fence.map_or_else(String::new, |g| g.lon.to_string()),
            fence_radius: fence.map_or_else(String::new, |g| g.radius_m.to_string()),
            signup_required: a.signup_required.then(|| "1".to_owned()),
        }
    }

    /// The geofence typed: none when its three fields are empty.
    fn geofence(&self) -> Result<Option<Geofence>> {
        let fields = [&self.fence_lat, &self.fence_lon, &self.fence_radius].map(|f| f.trim());
        if fields.iter().all(|f| f.is_empty()) {
            return Ok(None);
        }
        match fields.map(|f| f.parse::<f64>()) {
            [Ok(lat), Ok(lon), Ok(radius_m)] => Ok(Some(Geofence { lat, lon, radius_m })),
            _ => Err(Error::invalid(
                INVALID_GEOFENCE,
                "the area needs a latitude, a longitude and a radius in metres, or none of them",
            )),
        }
    }

    fn time(&self, date: &str, clock: &str, zone: FixedOffset) -> Result<DateTime<Utc>> {
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d");
        let clock = NaiveTime::parse_from_str(clock.trim(), "%H:%M");
        match (date, clock) {
            (Ok(d), Ok(t)) => zone
                .from_local_datetime(&d.and_time(t))
                .single()
                .map(|t| t.to_utc())
                .ok_or_else(|| Error::invalid(INVALID_TIME, "no such time")),
            _ => Err(Error::invalid(
                INVALID_TIME,
                "a date (YYYY-MM-DD) and times (HH:MM)",
            )),
        }
    }

    fn draft(&self, zone: FixedOffset) -> Result<ActivityDraft> {
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let capacity = match optional(&self.capacity) {
            None => None,
            Some(c) => Some(
                c.parse()
                    .map_err(|_| Error::invalid(INVALID_CAPACITY, "capacity is a number"))?,
            ),
        };
        Ok(ActivityDraft {
            title: self.title.clone(),
            place: self.place.clone(),
            content: self.content.clone(),
            category: self.category.clone(),
            starts_at: self.time(&self.date, &self.starts, zone)?,
            ends_at: self.time(
                optional(&self.end_date).as_deref().unwrap_or(&self.date),
                &self.ends,
                zone,
            )?,
            qr_mode: QrMode::parse(&self.qr_mode)
                .ok_or_else(|| Error::invalid(INVALID_FIELD, "qr_mode is static or rotating"))?,
            organiser: optional(&self.organiser),
            person_in_charge: optional(&self.person_in_charge),
            capacity,
            geofence: self.geofence()?,
            signup_required: self.signup_required.is_some(),
        })
    }
}

/// The units `caller` may create activities in: where they hold an organizer's or admin's role.
async fn units_of(state: &AppState, caller: &Caller) -> Result<Vec<(i64, String)>> {
    let mut units = Vec::new();
    for g in caller
        .grants
        .iter()
        .filter(|g| Role::ORGANIZERS.contains(&g.role))
    {
        if let Some(u) = state.store.unit(g.unit_id).await? {
            units.push((u.id, u.name));
        }
    }
    Ok(units)
}

/// The form page: for a new activity when `editing` is `None`.
async fn render(
    state: &AppState,
    session: SignedIn,
    lang: Lang,
    status: StatusCode,
    (form, editing): (ActivityForm, Option<i64>),
    refused: Option<String>,
) -> Result<Response> {
    let (action, units) = match editing {
        Some(id) => (format!("/console/activities/{id}/edit"), Vec::new()),
        None => (
            "/console/activities".to_owned(),
            units_of(state, &session.caller).await?,
        ),
    };
    let view = NewActivityPage {
        head: head(lang),
        lang,
        action,
        units,
        session: Some(session),
        form,
        refused,
    };
    page(status, &view)
}

#[derive(Deserialize)]
pub struct CopyQuery {
    /// The activity to copy.
    from: Option<i64>,
}

/// `/console/activities/new`: the empty form, today from 09:00 to 11:00, or (`?from=ID`) a copy
/// of another activity to change.
pub async fn form(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(copy): Query<CopyQuery>,
) -> Result<Response> {
    let zone = state.settings.display_offset();
    if let Some(from) = copy.from {
        let original = run_activity(&state, &session.caller, from, &Role::ORGANIZERS).await?;
        let form = ActivityForm::of(&original, zone);
        return render(&state, session, lang, StatusCode::OK, (form, None), None).await;
    }
    let today = Utc::now()
        .with_timezone(&state.settings.display_offset())
        .date_naive();
    let form = ActivityForm {
        date: today.to_string(),
        end_date: today.to_string(),
        starts: "09:00".into(),
        ends: "11:00".into(),
        qr_mode: QrMode::Static.as_str().into(),
        ..ActivityForm::default()
    };
    render(&state, session, lang, StatusCode::OK, (form, None), None).await
}

/// Creates the activity and opens its page; a refused form shows again, saying why.
pub async fn create(
    State(state): State<AppState>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<ActivityForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let unit = scoped_unit(&state, caller, form.unit_id, &Role::ORGANIZERS).await?;
    let created = async {
        let draft = form.draft(state.settings.display_offset())?;
        activities::create(&state, caller, &unit, &draft).await
    }
    .await;
    match created {
        Ok(a) => Ok(to_activity(a.id)),
        Err(e) if e.is_refusal() => {
            let refused = Some(e.to_string());
            render(&state, session, lang, e.status(), (form, None), refused).await
        }
        Err(e) => Err(e),
    }
}

/// `/console/activities/{id}/edit`: the activity's form, filled in.
pub async fn edit_form(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Path(id): Path<i64>,
) -> Result<Response> {
    let activity = run_activity(&state, &session.caller, id, &Role::ORGANIZERS).await?;
    let form = ActivityForm::of(&activity, state.settings.display_offset());
    render(
        &state,
        session,
        lang,
        StatusCode::OK,
        (form, Some(id)),
        None,
    )
    .await
}

/// Saves an edited activity and returns to its page; a refused form shows again, saying why.
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<ActivityForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let activity = run_activity(&state, caller, id, &Role::ORGANIZERS).await?;
    let updated = async {
        let draft = form.draft(state.settings.display_offset())?;
        activities::update(&state, caller, &activity, &draft).await
    }
    .await;
    match updated {
        Ok(_) => Ok(to_activity(id)),
        Err(e) if e.is_refusal() => {
            let refused = Some(e.to_string());
            render(&state, session, lang, e.status(), (form, Some(id)), refused).await
        }
        Err(e) => Err(e),
    }
}

/// Cancels the activity (its codes stop working) and returns to its page.
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm { session, .. }: StaffForm<NoFields>,
) -> Result<Response> {
    let caller = &session.caller;
    let activity = run_activity(&state, caller, id, &Role::ORGANIZERS).await?;
    activities::cancel(&state, caller, &activity).await?;
    Ok(to_activity(id))
}
