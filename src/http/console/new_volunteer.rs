//! Registering a volunteer on their behalf 代为注册 from the console: a community admin types
//! what the volunteer gives and ticks that they agreed in person; the same use case as
//! `POST /api/v1/volunteers` called by staff checks and stores it, and a refused form shows again
//! saying why, with nothing stored.

use super::volunteers::refusal_of;
use super::{StaffForm, StaffVisit, head, see_other};
use crate::app::AppState;
use crate::app::registration::{Applicant, register_as, split_list};
use crate::domain::roles::{Caller, Role};
use crate::domain::units::UnitKind;
use crate::error::{Error, Result};
use crate::http::extract::{ClientAddr, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// Texts of the registration form.
pub const TEXTS: &[Text] = &[
    (
        "volunteer_list_hint",
        "多项以“、”或“;”分隔",
        "Separate entries with ; or 、",
    ),
    (
        "volunteer_password",
        "初始密码（可不填）",
        "Initial password (optional)",
    ),
    (
        "volunteer_password_hint",
        "至少 8 个字符；不填则暂不设密码",
        "At least 8 characters; leave it empty to set none for now",
    ),
    (
        "volunteer_consent",
        "志愿者本人已当面同意处理其个人信息",
        "The volunteer agreed in person to the processing of their personal information",
    ),
    ("volunteer_register", "注册", "Register"),
];

#[derive(Template)]
#[template(path = "console/volunteer_new.html")]
struct NewVolunteerPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    /// (id, name) of the communities the caller administers.
    communities: Vec<(i64, String)>,
    form: VolunteerForm,
    refused: Option<String>,
}

/// The form as typed, so that a refused form shows again as it was (but for the password).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VolunteerForm {
    name: String,
    id_number: String,
    phone: String,
    community_id: i64,
    /// Entries separated by `、` or `;`.
    skills: String,
    service_categories: String,
    /// A checkbox: present when ticked.
    consent: Option<String>,
    password: String,
}

impl VolunteerForm {
    fn applicant(&self) -> Applicant {
        Applicant {
            name: self.name.clone(),
            id_number: self.id_number.clone(),
            phone: self.phone.clone(),
            community_id: self.community_id,
            skills: split_list(&self.skills),
            service_categories: split_list(&self.service_categories),
            consent: self.consent.is_some(),
        }
    }
}

/// The communities `caller` may register volunteers in: those under the units they administer.
async fn communities_of(state: &AppState, caller: &Caller) -> Result<Vec<(i64, String)>> {
    if !caller.is_admin() {
        return Err(Error::forbidden());
    }
    let roots: Vec<String> = (caller.grants.iter())
        .filter(|g| Role::ADMINS.contains(&g.role))
        .map(|g| g.unit_path.clone())
        .collect();
    Ok(state
        .store
        .units_within(&roots)
        .await?
        .into_iter()
        .filter(|u| u.kind == UnitKind::Community)
        .map(|u| (u.id, u.name))
        .collect())
}

async fn render(
    state: &AppState,
    (lang, session): (Lang, SignedIn),
    status: StatusCode,
    mut form: VolunteerForm,
    refused: Option<String>,
) -> Result<Response> {
    form.password.clear();
    let view = NewVolunteerPage {
        head: head(lang),
        lang,
        communities: communities_of(state, &session.caller).await?,
        session: Some(session),
        form,
        refused,
    };
    page(status, &view)
}

/// `/console/volunteers/new`: the empty form, for community admins.
pub async fn form(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
) -> Result<Response> {
    let form = VolunteerForm::default();
    render(&state, (lang, session), StatusCode::OK, form, None).await
}

/// Registers the volunteer and opens their profile; a refused form shows again, saying why.
pub async fn register(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<VolunteerForm>,
) -> Result<Response> {
    let caller = &session.caller;
    if !caller.is_admin() {
        return Err(Error::forbidden());
    }
    let password = Some(form.password.clone()).filter(|p| !p.is_empty());
    match register_as(&state, Some(caller), client, &form.applicant(), password).await {
        Ok(v) => Ok(see_other(format!("/console/volunteers/{}", v.id))),
        Err(e) if e.is_refusal() => {
            let refused = Some(refusal_of(lang, &e));
            render(&state, (lang, session), e.status(), form, refused).await
        }
        Err(e) => Err(e),
    }
}
