//! Trainings 培训记录 in the console, for social workers and admins: those of a unit and the units
//! under it, newest first; recording one with its attendees, and adding attendees by volunteer
//! number — through `app::trainings` and the access checks of `/api/v1/trainings`, all or nothing.

use super::paging::Pager;
use super::scope::{Scope, UnitList, UnitQuery, named_unit};
use super::{StaffForm, StaffVisit, head, see_other};
use crate::app::AppState;
use crate::app::trainings::{self, StudyHours, TrainingDraft, numbered_volunteers, today};
use crate::domain::roles::Role;
use crate::error::codes::{INVALID_FIELD, INVALID_HELD_ON};
use crate::error::{Error, Result};
use crate::http::access::scoped_training;
use crate::http::extract::{Path, Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::Unit;
use crate::store::trainings::{Attendee, Training, year_span};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

pub const TEXTS: &[Text] = &[
    ("training_list", "培训记录", "Trainings"),
    ("training_record", "记录培训", "Record a training"),
    ("training_name", "培训名称", "Training"),
    ("training_content", "培训内容", "Content"),
    (
        "training_study_hours",
        "学时（小时，如 2.5）",
        "Study hours (e.g. 2.5)",
    ),
    ("training_host", "主办单位", "Host"),
    ("training_held_on", "培训日期", "Date"),
    (
        "training_volunteers",
        "参训志愿者编号（每行一个，或用逗号分隔）",
        "Volunteer numbers of those who attended (one a line, or separated by commas)",
    ),
    ("training_attendee_count", "参训人数", "Attendees"),
    ("training_attendees", "参训志愿者", "Attendees"),
    ("training_add_attendees", "添加参训志愿者", "Add attendees"),
    ("training_volunteer_no", "志愿者编号", "Volunteer no."),
    ("training_volunteer_name", "姓名", "Name"),
    (
        "training_hours_note",
        "学时不计入志愿服务时长。",
        "Study hours are not service hours.",
    ),
];

#[derive(Template)]
#[template(path = "console/trainings.html")]
struct TrainingsPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    units: Vec<Unit>,
    /// The unit shown.
    unit: Unit,
    trainings: Vec<Training>,
    pager: Pager,
    form: TrainingForm,
    refused: Option<String>,
}

#[derive(Template)]
#[template(path = "console/training.html")]
struct TrainingPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    training: Training,
    attendees: Vec<Attendee>,
    /// The numbers typed into a refused form.
    volunteers: String,
    refused: Option<String>,
}

/// The form as typed: every field text, so that a refused form shows again as it was.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TrainingForm {
    unit_id: String,
    name: String,
    content: String,
    study_hours: String,
    host: String,
    /// `YYYY-MM-DD`
    held_on: String,
    /// Volunteer numbers, one a line or separated by commas.
    volunteers: String,
}

impl TrainingForm {
    fn draft(&self) -> Result<TrainingDraft> {
        Ok(TrainingDraft {
            name: self.name.clone(),
            content: self.content.clone(),
            study_hours: StudyHours::Text(self.study_hours.clone()),
            host: self.host.clone(),
            held_on: NaiveDate::parse_from_str(self.held_on.trim(), "%Y-%m-%d")
                .map_err(|_| Error::invalid(INVALID_HELD_ON, "a date (YYYY-MM-DD)"))?,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AttendeesForm {
    volunteers: String,
}

/// The list of the unit `asked` names (empty: the caller's first), with the form `form` (`None`:
/// empty, held today by the unit shown), answered with `status`.
async fn render_list(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    asked: &UnitQuery,
    status: StatusCode,
    form: Option<TrainingForm>,
    refused: Option<String>,
) -> Result<Response> {
    let Scope { units, unit } =
        Scope::of(state, &session.caller, &Role::RECORDERS, &asked.unit_id).await?;
    let pages = UnitList::new("/console/trainings", &unit, asked.page);
    let (from, to) = (year_span(1949).0, year_span(2101).0);
    let mut list = state
        .store
        .trainings_within(&unit.path, from, to, pages.window())
        .await?;
    let pager = pages.pager(&mut list);
    let form = form.unwrap_or_else(|| TrainingForm {
        unit_id: unit.id.to_string(),
        host: unit.name.clone(),
        held_on: today(state).to_string(),
        ..TrainingForm::default()
    });
    let view = TrainingsPage {
        head: head(lang),
        lang,
        session: Some(session),
        units,
        unit,
        trainings: list,
        pager,
        form,
        refused,
    };
    page(status, &view)
}

/// `/console/trainings`: for social workers and admins.
pub async fn trainings_page(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(asked): Query<UnitQuery>,
) -> Result<Response> {
    render_list(&state, (session, lang), &asked, StatusCode::OK, None, None).await
}

/// Records a training and its attendees, then opens its page; a refused form shows again as
/// typed, saying why, and nothing is stored.
pub async fn record(
    State(state): State<AppState>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<TrainingForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let unit = named_unit(&state, caller, &form.unit_id, &Role::RECORDERS).await?;
    let recorded = async {
        let draft = form.draft()?;
        let ids = numbered_volunteers(&state, &unit.path, &form.volunteers).await?;
        trainings::record(&state, &unit, &draft, &ids, caller.user_id).await
    }
    .await;
    match recorded {
        Ok(t) => Ok(see_other(format!("/console/trainings/{}", t.id))),
        Err(e) if e.is_refusal() => {
            let asked = UnitQuery {
                unit_id: form.unit_id.clone(),
                page: None,
            };
            let why = Some(e.to_string());
            render_list(&state, (session, lang), &asked, e.status(), Some(form), why).await
        }
        Err(e) => Err(e),
    }
}

/// The training's page, answered with `status`.
async fn render_training(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    training: Training,
    status: StatusCode,
    (volunteers, refused): (String, Option<String>),
) -> Result<Response> {
    let view = TrainingPage {
        head: head(lang),
        lang,
        session: Some(session),
        attendees: state.store.training_attendees(training.id).await?,
        training,
        volunteers,
        refused,
    };
    page(status, &view)
}

/// `/console/trainings/{id}`: the training and who attended.
pub async fn training_page(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Path(id): Path<i64>,
) -> Result<Response> {
    let training = scoped_training(&state, &session.caller, id, &Role::RECORDERS).await?;
    let visit = (session, lang);
    render_training(
        &state,
        visit,
        training,
        StatusCode::OK,
        (String::new(), None),
    )
    .await
}

/// Adds the volunteers numbered in the form, all or none, and returns to the training's page; a
/// refused form shows again naming the number refused and why.
pub async fn add_attendees(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<AttendeesForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let training = scoped_training(&state, caller, id, &Role::RECORDERS).await?;
    let added = async {
        if form.volunteers.trim().is_empty() {
            return Err(Error::invalid(
                INVALID_FIELD,
                "give at least one volunteer number",
            ));
        }
        let ids = numbered_volunteers(&state, &training.unit_path, &form.volunteers).await?;
        trainings::add_attendees(&state, &training, &ids, caller.user_id).await
    }
    .await;
    match added {
        Ok(_) => Ok(see_other(format!("/console/trainings/{id}"))),
        Err(e) if e.is_refusal() => {
            let typed = (form.volunteers, Some(e.to_string()));
            render_training(&state, (session, lang), training, e.status(), typed).await
        }
        Err(e) => Err(e),
    }
}
