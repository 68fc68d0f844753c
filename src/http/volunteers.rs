//! Real-name volunteer registration 实名注册, profiles and lists (personal data shown as
//! [`Disclosure`] says), the audited ID-number lookup and CSV import.

use super::access::{scoped_unit, visible_volunteer, volunteer_profile};
use super::extract::{Body, ClientAddr, Json, Path, Query};
use crate::app::AppState;
use crate::app::backbone::BackboneView;
use crate::app::import::MAX_IMPORT_BYTES;
use crate::app::import::{ImportReport, import_by_staff};
use crate::app::profiles;
use crate::app::registration::{self, Applicant};
use crate::domain::phone;
use crate::domain::privacy::Disclosure;
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{
    CONSENT_REQUIRED, DUPLICATE_ID_NUMBER, DUPLICATE_PHONE, INVALID_COMMUNITY, INVALID_CSV,
    INVALID_ID_NUMBER, INVALID_NAME, INVALID_PHONE, TOO_MANY_ATTEMPTS, WEAK_PASSWORD,
};
use crate::error::{ErrorBody, Result};
use crate::store::Volunteer;
use crate::store::selection_reviews::Award;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register, list_volunteers))
        .routes(routes!(get_volunteer))
        .routes(routes!(reveal_id_number))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import))
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterBody {
    /// Real name 姓名.
    name: String,
    /// 18-digit resident ID number; never shown again unmasked.
    id_number: String,
    /// Mainland mobile number; also the volunteer's login.
    phone: String,
    /// Required when registering oneself; optional when a unit admin registers a volunteer.
    password: Option<String>,
    /// The home community.
    community_id: i64,
    #[serde(default)]
    skills: Vec<String>,
    #[serde(default)]
    service_categories: Vec<String>,
    /// The volunteer agrees to the processing of their personal information (PIPL).
    #[serde(default)]
    consent: bool,
}

/// A volunteer as the caller is shown them.
#[derive(Serialize, ToSchema)]
pub struct VolunteerView {
    #[serde(flatten)]
    volunteer: Volunteer,
    /// 出生日期: for the volunteer themselves and district admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<NaiveDate>,
    birth_year: i32,
    /// In full for the volunteer and, one volunteer at a time and audited, for those who must call
    /// them; `138****5678` otherwise.
    phone: String,
}

impl VolunteerView {
    fn new(volunteer: Volunteer, shown: Disclosure) -> Self {
        VolunteerView {
            birth_date: shown.birth_date.then_some(volunteer.birth_date),
            birth_year: volunteer.birth_date.year(),
            phone: if shown.phone {
                volunteer.phone.clone()
            } else {
                phone::masked(&volunteer.phone)
            },
            volunteer,
        }
    }
}

/// Registers a volunteer: by themselves (no token), or by an admin of the community on their
/// behalf, with their consent recorded under the admin's name. The answer repeats what the
/// request gave, birth date and phone number in full. Self-registrations are limited per client
/// address.
#[utoipa::path(post, path = "/api/v1/volunteers", tag = "volunteers", request_body = RegisterBody,
    responses((status = 201, body = VolunteerView),
              (status = 409, description = [DUPLICATE_ID_NUMBER, DUPLICATE_PHONE].join(", "), body = ErrorBody),
              (status = 422, description = [INVALID_ID_NUMBER, INVALID_PHONE, CONSENT_REQUIRED, WEAK_PASSWORD, INVALID_NAME, INVALID_COMMUNITY].join(", "), body = ErrorBody),
              (status = 429, description = TOO_MANY_ATTEMPTS, body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    caller: Option<Caller>,
    Json(body): Json<RegisterBody>,
) -> Result<(StatusCode, Json<VolunteerView>)> {
    let applicant = Applicant {
        name: body.name,
        id_number: body.id_number,
        phone: body.phone,
        community_id: body.community_id,
        skills: body.skills,
        service_categories: body.service_categories,
        consent: body.consent,
    };
    let volunteer =
        registration::register_as(&state, caller.as_ref(), client, &applicant, body.password)
            .await?;
    Ok((
        StatusCode::CREATED,
        Json(VolunteerView::new(volunteer, Disclosure::ALL)),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Profile {
    #[serde(flatten)]
    volunteer: VolunteerView,
    /// 星级 from all confirmed service hours.
    stars: u8,
    /// All confirmed service hours (`"120.50"`).
    #[schema(value_type = String)]
    lifetime_hours: rust_decimal::Decimal,
    /// The points balance.
    points: i64,
    /// 骨干志愿者: the status, why and since when.
    backbone: BackboneView,
    /// 表彰奖励: the volunteer's awards (name, date, granting unit), the latest first.
    awards: Vec<Award>,
}

/// A volunteer's profile (`me` for one's own) with stars, points and awards. The ID number is
/// always masked; the birth date and phone number are shown as [`Disclosure::of_one`] says, and a
/// full phone number shown to staff is written to the audit log.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}", tag = "volunteers", params(("id" = String, Path, description = "a volunteer id or `me`")),
    responses((status = 200, body = Profile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_volunteer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Profile>> {
    let (volunteer, shown) = volunteer_profile(&state, &caller, &id).await?;
    if shown.phone && volunteer.id != caller.user_id {
        state
            .store
            .log_phone_reveal(&volunteer, caller.user_id)
            .await?;
    }
    let standing = profiles::standing(&state, volunteer.id).await?;
    Ok(Json(Profile {
        stars: standing.stars,
        lifetime_hours: crate::domain::hours::hours(standing.lifetime_minutes),
        points: standing.points,
        backbone: standing.backbone,
        awards: standing.awards,
        volunteer: VolunteerView::new(volunteer, shown),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// The unit whose volunteers to list (its whole subtree).
    unit_id: i64,
    /// Paging: the last id of the previous page.
    #[serde(default)]
    after: i64,
    /// Page size, at most 500 (default 100).
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct VolunteerPage {
    volunteers: Vec<VolunteerView>,
    /// Pass as `after` for the next page; absent on the last page.
    next_after: Option<i64>,
}

/// Volunteers registered to the communities under a unit, in pages, phone numbers masked.
#[utoipa::path(get, path = "/api/v1/volunteers", tag = "volunteers", params(ListQuery),
    responses((status = 200, body = VolunteerPage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_volunteers(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<VolunteerPage>> {
    let unit = scoped_unit(&state, &caller, q.unit_id, &Role::ALL).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let volunteers = state
        .store
        .volunteers_within(&unit.path, q.after, limit)
        .await?;
    let next_after = (volunteers.len() as i64 == limit)
        .then(|| volunteers.last().map(|v| v.id))
        .flatten();
    let volunteers = volunteers
        .into_iter()
        .map(|v| {
            let shown = Disclosure::in_list(&caller, &v.community_path);
            VolunteerView::new(v, shown)
        })
        .collect();
    Ok(Json(VolunteerPage {
        volunteers,
        next_after,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct IdNumberAnswer {
    id_number: String,
}

/// The full ID number, for a district admin only; every lookup is written to the audit log.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/id-number", tag = "volunteers", params(("id" = String, Path)),
    responses((status = 200, body = IdNumberAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn reveal_id_number(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse> {
    let v = visible_volunteer(&state, &caller, &id, &[Role::DistrictAdmin]).await?;
    let id_number = profiles::reveal_id_number(&state, &caller, &v).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(IdNumberAnswer { id_number }),
    ))
}

/// Imports volunteers from a CSV file (UTF-8, header `name,id_number,phone,community_id` and
/// optionally `skills,service_categories`; Chinese headers 姓名,身份证号,手机号,社区编号 also work).
/// Every row must be in a community the caller administers.
#[utoipa::path(post, path = "/api/v1/volunteers/import", tag = "volunteers",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody),
              (status = 422, description = INVALID_CSV, body = ErrorBody)),
    security(("bearer" = [])))]
async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> Result<Json<ImportReport>> {
    let report = import_by_staff(
        &state.store,
        &state.keys,
        &caller,
        state.settings.local_now(),
        body.as_ref(),
    )
    .await?;
    Ok(Json(report))
}
