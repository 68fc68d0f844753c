//! One volunteer's profile in the console, for those `GET /api/v1/volunteers/{id}` lets in: the
//! personal data of 67号令 with the ID number and phone masked, the hours, stars, points and
//! awards 表彰奖励. A district admin may ask for the full ID number: a confirmation step first,
//! then the number shown once and written to the audit log, exactly as
//! `GET /api/v1/volunteers/{id}/id-number`.
//! The volunteer's social worker 社工 shows there too, and a social worker or admin over the
//! volunteer's community may change it, as `PUT /api/v1/volunteers/{id}/social_worker`. An admin
//! of the community finds there the way to reset a forgotten password (`password_reset`).

use super::volunteers::this_year;
use super::{NoFields, StaffForm, StaffVisit, head, see_other};
use crate::app::AppState;
use crate::app::backbone::BackboneView;
use crate::app::password_reset::{InPerson, PasswordResetChannel};
use crate::app::personal_codes::CARD_KEEPERS;
use crate::app::profiles::{self, may_reveal_id_number};
use crate::app::social_workers::{self, may_assign};
use crate::domain::hours::hours;
use crate::domain::phone;
use crate::domain::roles::Role;
use crate::error::codes::INVALID_FIELD;
use crate::error::{Error, Result};
use crate::http::access::{visible_volunteer, volunteer_profile};
use crate::http::extract::{Path, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::Volunteer;
use crate::store::selection_reviews::Award;
use crate::store::social_workers::SocialWorker;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;

/// Texts of the profile and the ID number's reveal.
pub const TEXTS: &[Text] = &[
    ("volunteer_id_number", "身份证号", "ID number"),
    ("volunteer_gender", "性别", "Gender"),
    ("volunteer_gender_male", "男", "Male"),
    ("volunteer_gender_female", "女", "Female"),
    ("volunteer_birth", "出生日期", "Date of birth"),
    ("volunteer_birth_year", "出生年份", "Year of birth"),
    ("volunteer_skills", "技能", "Skills"),
    ("volunteer_categories", "服务类别", "Service categories"),
    ("volunteer_channel", "注册方式", "Registered through"),
    ("volunteer_via_self", "本人注册", "Self-registration"),
    (
        "volunteer_via_staff",
        "工作人员代为注册",
        "Staff, on their behalf",
    ),
    ("volunteer_via_import", "批量导入", "Import"),
    ("volunteer_via_demo", "演示数据", "Demo data"),
    (
        "volunteer_reveal",
        "查看完整身份证号",
        "Show the full ID number",
    ),
    (
        "volunteer_reveal_audited",
        "查看完整身份证号将记入操作日志（查看人、时间、志愿者）。仅在确有必要时查看。",
        "Seeing a full ID number is written to the audit log (who, when, which volunteer). Look only when you must.",
    ),
    ("volunteer_reveal_confirm", "确认查看", "Confirm and show"),
    (
        "volunteer_revealed_once",
        "完整身份证号仅显示这一次，已记入操作日志。",
        "The full ID number is shown this once and was written to the audit log.",
    ),
    ("volunteer_back", "返回志愿者信息", "Back to the profile"),
    ("volunteer_social_worker", "引领社工", "Social worker"),
    ("volunteer_no_social_worker", "未指派", "None assigned"),
    (
        "volunteer_assign_social_worker",
        "指派引领社工",
        "Assign a social worker",
    ),
    (
        "volunteer_assign_hint",
        "可选本社区及上级单位的社工。",
        "The social workers of this community and of the units above it.",
    ),
];

#[derive(Template)]
#[template(path = "console/volunteer.html")]
struct ProfilePage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    v: Volunteer,
    community: String,
    /// The birth date, or only its year for those who may not see the date.
    birth: String,
    birth_is_date: bool,
    phone: String,
    /// This year's confirmed service hours.
    year_hours: String,
    lifetime_hours: String,
    stars: u8,
    points: i64,
    backbone: BackboneView,
    /// The latest first.
    awards: Vec<Award>,
    registered_on: String,
    /// Whether the caller may ask for the full ID number.
    may_reveal: bool,
    /// The name of the volunteer's social worker, if one is assigned.
    social_worker: Option<String>,
    /// The social workers the caller may assign, each as (id, name and login, whether assigned);
    /// empty when they may not assign one.
    social_workers: Vec<(i64, String, bool)>,
    may_assign: bool,
    /// Whether the caller may reset the volunteer's password.
    may_reset_password: bool,
    /// Whether the caller may print the volunteer's card 志愿者卡.
    may_print_card: bool,
    refused: Option<String>,
}

impl ProfilePage {
    fn gender(&self) -> &'static str {
        self.lang
            .text(&format!("volunteer_gender_{}", self.v.gender))
    }

    /// How the volunteer was registered: by themselves, by staff, by import.
    fn channel(&self) -> &'static str {
        self.lang
            .text(&format!("volunteer_via_{}", self.v.registered_via))
    }
}

/// `/console/volunteers/{id}`: the volunteer's profile.
pub async fn profile(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Path(id): Path<String>,
) -> Result<Response> {
    render(&state, (session, lang), &id, StatusCode::OK, None).await
}

/// The profile of the volunteer `id`, answered with `status`, saying why a form was `refused`.
async fn render(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    id: &str,
    status: StatusCode,
    refused: Option<String>,
) -> Result<Response> {
    let caller = &session.caller;
    let (v, shown) = volunteer_profile(state, caller, id).await?;
    let community = state
        .store
        .unit(v.community_id)
        .await?
        .map_or_else(String::new, |u| u.name);
    let standing = profiles::standing(state, v.id).await?;
    let assignment = state.store.assignment(v.id).await?;
    let may_assign = may_assign(caller, &v);
    let assigned = assignment.as_ref().map(|a| a.social_worker_id);
    let social_workers = if may_assign {
        social_workers::eligible_social_workers(state, &v).await?
    } else {
        Vec::new()
    };
    let social_workers = social_workers
        .into_iter()
        .map(|w: SocialWorker| {
            let chosen = assigned == Some(w.id);
            (w.id, format!("{}（{}）", w.name, w.login), chosen)
        })
        .collect();
    let year_minutes = state
        .store
        .year_totals(v.id, this_year(state))
        .await?
        .minutes;
    let zone = state.settings.display_offset();
    let view = ProfilePage {
        head: head(lang),
        lang,
        community,
        birth: if shown.birth_date {
            v.birth_date.to_string()
        } else {
            v.birth_date.year().to_string()
        },
        birth_is_date: shown.birth_date,
        phone: phone::masked(&v.phone),
        year_hours: hours(year_minutes).to_string(),
        lifetime_hours: hours(standing.lifetime_minutes).to_string(),
        stars: standing.stars,
        points: standing.points,
        backbone: standing.backbone,
        awards: standing.awards,
        registered_on: v
            .registered_at
            .with_timezone(&zone)
            .date_naive()
            .to_string(),
        may_reveal: may_reveal_id_number(caller, &v).is_ok(),
        may_reset_password: InPerson { admin: caller }.vouch_for(&v).is_ok(),
        social_worker: assignment.map(|a| a.social_worker_name),
        social_workers,
        may_assign,
        may_print_card: caller.may(&CARD_KEEPERS, &v.community_path),
        refused,
        v,
        session: Some(session),
    };
    page(status, &view)
}

/// The social worker form as typed: an account id, or empty for none.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignmentForm {
    social_worker_id: String,
}

/// Assigns the volunteer a social worker (or none) and shows the profile again.
pub async fn assign_social_worker(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<AssignmentForm>,
) -> Result<Response> {
    let v = state
        .store
        .volunteer(id)
        .await?
        .ok_or(Error::NotFound("volunteer"))?;
    let assigned = async {
        let chosen = match form.social_worker_id.trim() {
            "" => None,
            given => Some(given.parse().map_err(|_| {
                Error::invalid(INVALID_FIELD, "choose one of the social workers listed")
            })?),
        };
        social_workers::assign(&state, &session.caller, &v, chosen).await
    }
    .await;
    match assigned {
        Ok(_) => Ok(see_other(format!("/console/volunteers/{id}"))),
        Err(e) if e.is_refusal() => {
            let (status, why) = (e.status(), Some(e.to_string()));
            render(&state, (session, lang), &id.to_string(), status, why).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "console/volunteer_id_number.html")]
struct IdNumberPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    v: Volunteer,
    /// The full number, once confirmed; until then the confirmation form.
    id_number: Option<String>,
}

/// The volunteer `id` for a district admin over them; 403 for anyone else.
async fn for_reveal(state: &AppState, session: &SignedIn, id: &str) -> Result<Volunteer> {
    let v = visible_volunteer(state, &session.caller, id, &[Role::DistrictAdmin]).await?;
    may_reveal_id_number(&session.caller, &v)?;
    Ok(v)
}

/// `/console/volunteers/{id}/id-number`: says that seeing the number is audited and asks to
/// confirm.
pub async fn confirm_reveal(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Path(id): Path<String>,
) -> Result<Response> {
    let v = for_reveal(&state, &session, &id).await?;
    let view = IdNumberPage {
        head: head(lang),
        lang,
        session: Some(session),
        v,
        id_number: None,
    };
    page(StatusCode::OK, &view)
}

/// Shows the full ID number once, written to the audit log.
pub async fn reveal(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffForm { lang, session, .. }: StaffForm<NoFields>,
) -> Result<Response> {
    let v = for_reveal(&state, &session, &id).await?;
    let id_number = profiles::reveal_id_number(&state, &session.caller, &v).await?;
    let view = IdNumberPage {
        head: head(lang),
        lang,
        session: Some(session),
        v,
        id_number: Some(id_number),
    };
    page(StatusCode::OK, &view)
}
