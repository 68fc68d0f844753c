//! Backbone volunteers 骨干志愿者 in the console, for social workers and admins: those of a unit
//! and the units under it, with what made each one (the rule's figures or a person's reason), and
//! a form to designate or revoke one by volunteer number — through `app::backbone` and the access
//! checks of `/api/v1/backbone/designations`.

use super::paging::Pager;
use super::scope::{Scope, UnitList, UnitQuery, named_unit};
use super::{StaffForm, StaffVisit, head, see_other};
use crate::app::AppState;
use crate::app::backbone;
use crate::app::trainings::numbered_volunteers;
use crate::domain::roles::Role;
use crate::error::codes::{INVALID_FIELD, UNKNOWN_VOLUNTEER};
use crate::error::{Error, Result};
use crate::http::access::scoped_volunteer;
use crate::http::extract::{Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::Unit;
use crate::store::backbone::BackboneVolunteer;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

pub const TEXTS: &[Text] = &[
    ("backbone_list", "骨干志愿者", "Backbone volunteers"),
    ("backbone_basis", "认定方式", "Basis"),
    ("backbone_basis_rule", "规则认定", "by the rule"),
    ("backbone_basis_designation", "社工认定", "designated"),
    ("backbone_reason", "理由", "Reason"),
    ("backbone_since", "认定日期", "Since"),
    (
        "backbone_decide",
        "认定或撤销骨干志愿者",
        "Designate or revoke",
    ),
    ("backbone_designate", "认定为骨干志愿者", "Designate"),
    ("backbone_revoke", "撤销骨干志愿者", "Revoke"),
    (
        "backbone_decision_note",
        "社工的认定或撤销优先于自动规则，直到再次认定或撤销；每次变更都留存理由并记入审计日志。",
        "A person's decision stands over the daily rule until a person decides again; every change keeps its reason and is audited.",
    ),
];

#[derive(Template)]
#[template(path = "console/backbone.html")]
struct BackbonePage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    units: Vec<Unit>,
    unit: Unit,
    volunteers: Vec<BackboneVolunteer>,
    pager: Pager,
    form: DecisionForm,
    refused: Option<String>,
}

/// The decision as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    unit_id: String,
    volunteer_no: String,
    /// `designate` or `revoke`.
    decision: String,
    reason: String,
}

async fn render(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    asked: &UnitQuery,
    status: StatusCode,
    form: Option<DecisionForm>,
    refused: Option<String>,
) -> Result<Response> {
    let Scope { units, unit } =
        Scope::of(state, &session.caller, &Role::RECORDERS, &asked.unit_id).await?;
    let pages = UnitList::new("/console/backbone", &unit, asked.page);
    let (limit, offset) = pages.window();
    let mut volunteers = state
        .store
        .backbone_within(&unit.path, limit, offset)
        .await?;
    let pager = pages.pager(&mut volunteers);
    let form = form.unwrap_or_else(|| DecisionForm {
        unit_id: unit.id.to_string(),
        decision: "designate".into(),
        ..DecisionForm::default()
    });
    let view = BackbonePage {
        head: head(lang),
        lang,
        session: Some(session),
        units,
        unit,
        volunteers,
        pager,
        form,
        refused,
    };
    page(status, &view)
}

/// `/console/backbone`: the backbone volunteers of a unit.
pub async fn backbone_page(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(asked): Query<UnitQuery>,
) -> Result<Response> {
    render(&state, (session, lang), &asked, StatusCode::OK, None, None).await
}

/// Designates or revokes the numbered volunteer of the unit, then lists the unit again; a refused
/// form shows again as typed, saying why, and nothing changes.
pub async fn decide(
    State(state): State<AppState>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<DecisionForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let unit = named_unit(&state, caller, &form.unit_id, &Role::RECORDERS).await?;
    let decided = async {
        let designated = match form.decision.as_str() {
            "designate" => true,
            "revoke" => false,
            _ => return Err(Error::invalid(INVALID_FIELD, "designate or revoke")),
        };
        let ids = numbered_volunteers(&state, &unit.path, &form.volunteer_no).await?;
        let [id] = ids[..] else {
            return Err(Error::invalid(
                UNKNOWN_VOLUNTEER,
                "give the number of one volunteer of this unit",
            ));
        };
        let volunteer = scoped_volunteer(&state, caller, id, &Role::RECORDERS).await?;
        backbone::designate(
            &state.store,
            &volunteer,
            designated,
            &form.reason,
            caller.user_id,
            state.settings.local_now(),
        )
        .await
    }
    .await;
    match decided {
        Ok(()) => Ok(see_other(format!("/console/backbone?unit_id={}", unit.id))),
        Err(e) if e.is_refusal() => {
            let asked = UnitQuery {
                unit_id: form.unit_id.clone(),
                page: None,
            };
            let why = Some(e.to_string());
            render(&state, (session, lang), &asked, e.status(), Some(form), why).await
        }
        Err(e) => Err(e),
    }
}
