//! The unit administrator's structure pages 单位与组织: the tree of the units they administer with
//! each one's resident population this year and last, and one unit's page, where its population
//! per year is set, a street or community is added under it and organisations are registered to
//! it — through `app::units`, as the API's are, behind the same access check.

use super::{StaffForm, StaffVisit, head, see_other};
use crate::app::AppState;
use crate::app::units::{self, NewOrganisation, NewUnit};
use crate::domain::roles::{Caller, Role};
use crate::domain::units::{OrganisationType, UnitKind};
use crate::error::codes::{INVALID_POPULATION, INVALID_YEAR};
use crate::error::{Error, Result};
use crate::http::access::scoped_unit;
use crate::http::extract::{Path, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::{Population, Unit};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, Utc};
use serde::Deserialize;

pub const TEXTS: &[Text] = &[
    ("unit_tree_title", "单位结构", "Unit tree"),
    ("unit_name", "名称", "Name"),
    ("unit_kind", "类型", "Kind"),
    ("unit_kind_district", "区", "District"),
    ("unit_kind_street", "街道", "Street"),
    ("unit_kind_community", "社区", "Community"),
    ("unit_population", "常住人口", "Resident population"),
    ("unit_population_missing", "未填", "not given"),
    ("unit_year", "年份", "Year"),
    ("unit_all_units", "返回单位结构", "Back to the unit tree"),
    ("unit_children", "下级单位", "Units under it"),
    ("unit_add_street", "新增街道", "Add a street"),
    ("unit_add_community", "新增社区", "Add a community"),
    ("unit_organisations", "组织", "Organisations"),
    ("unit_org_type", "组织类型", "Type"),
    (
        "unit_org_volunteer_service",
        "志愿服务组织",
        "Volunteer service organisation",
    ),
    (
        "unit_org_community_social",
        "社区社会组织",
        "Community social organisation",
    ),
    (
        "unit_add_organisation",
        "登记组织",
        "Register an organisation",
    ),
];

/// The text key of a unit kind's name.
/// The text key naming a unit kind.
pub(super) fn kind_text(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::District => "unit_kind_district",
        UnitKind::Street => "unit_kind_street",
        UnitKind::Community => "unit_kind_community",
    }
}

fn org_type_text(org_type: OrganisationType) -> &'static str {
    match org_type {
        OrganisationType::VolunteerService => "unit_org_volunteer_service",
        OrganisationType::CommunitySocial => "unit_org_community_social",
    }
}

/// The year it is now in the display time zone.
fn this_year(state: &AppState) -> i32 {
    Utc::now()
        .with_timezone(&state.settings.display_offset())
        .year()
}

#[derive(Template)]
#[template(path = "console/units.html")]
struct TreePage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    year: i32,
    rows: Vec<TreeRow>,
}

/// A unit of the tree as listed: indented by its kind.
struct TreeRow {
    id: i64,
    name: String,
    kind: UnitKind,
    population: Option<i64>,
    population_before: Option<i64>,
}

impl TreeRow {
    fn kind_text(&self) -> &'static str {
        kind_text(self.kind)
    }

    fn kind_class(&self) -> &'static str {
        self.kind.as_str()
    }

    /// This year's population, then last year's.
    fn populations(&self) -> [Option<i64>; 2] {
        [self.population, self.population_before]
    }
}

/// `/console/units`: every unit the caller administers, each under the one above it, with its
/// resident population this year and last.
pub async fn unit_tree(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
) -> Result<Response> {
    let roots = session.caller.roots(&Role::ADMINS);
    if roots.is_empty() {
        return Err(Error::forbidden());
    }
    let year = this_year(&state);
    let rows = state
        .store
        .unit_tree(&roots, year)
        .await?
        .into_iter()
        .map(|t| TreeRow {
            id: t.unit.id,
            name: t.unit.name,
            kind: t.unit.kind,
            population: t.population,
            population_before: t.population_before,
        })
        .collect();
    let tree = TreePage {
        head: head(lang),
        lang,
        session: Some(session),
        year,
        rows,
    };
    page(StatusCode::OK, &tree)
}

/// The population form as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PopulationForm {
    year: String,
    resident_population: String,
}

/// The form adding a unit under this one: its kind (the one below this unit's) and name.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChildForm {
    kind: String,
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrganisationForm {
    org_type: String,
    name: String,
}

/// The unit page's forms as they show: empty, or one of them as it was refused.
#[derive(Default)]
struct Forms {
    population: PopulationForm,
    child: ChildForm,
    organisation: OrganisationForm,
}

#[derive(Template)]
#[template(path = "console/unit.html")]
struct UnitPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    unit: Unit,
    /// The text key of the unit's kind.
    kind: &'static str,
    populations: Vec<Population>,
    /// (id, name, kind's text key) of the units right under this one.
    children: Vec<(i64, String, &'static str)>,
    /// What may be added under this unit: (kind, text key of the form's button).
    child_kind: Option<(&'static str, &'static str)>,
    /// (name, type's text key)
    organisations: Vec<(String, &'static str)>,
    /// (type, its text key, whether chosen) of every organisation type.
    org_types: [(&'static str, &'static str, bool); 2],
    forms: Forms,
    refused: Option<String>,
}

impl UnitPage {
    fn is_community(&self) -> bool {
        self.unit.kind == UnitKind::Community
    }
}

async fn render(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    unit: Unit,
    status: StatusCode,
    forms: Forms,
    refused: Option<String>,
) -> Result<Response> {
    let populations = state.store.populations(unit.id).await?;
    let children = state.store.child_units(unit.id).await?;
    let organisations = if unit.kind == UnitKind::Community {
        state
            .store
            .organisations_within(&unit.path)
            .await?
            .into_iter()
            .map(|o| (o.name, org_type_text(o.org_type)))
            .collect()
    } else {
        Vec::new()
    };
    let child_kind = unit.kind.child_kind().map(|k| {
        let add = match k {
            UnitKind::Street => "unit_add_street",
            _ => "unit_add_community",
        };
        (k.as_str(), add)
    });
    let org_types = [
        OrganisationType::VolunteerService,
        OrganisationType::CommunitySocial,
    ]
    .map(|t| {
        let chosen = t.as_str() == forms.organisation.org_type;
        (t.as_str(), org_type_text(t), chosen)
    });
    let view = UnitPage {
        head: head(lang),
        lang,
        session: Some(session),
        kind: kind_text(unit.kind),
        unit,
        populations,
        children: children
            .into_iter()
            .map(|c| (c.id, c.name, kind_text(c.kind)))
            .collect(),
        child_kind,
        organisations,
        org_types,
        forms,
        refused,
    };
    page(status, &view)
}

/// `/console/units/{id}`: one unit the caller administers, with its forms.
pub async fn unit_page(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Path(id): Path<i64>,
) -> Result<Response> {
    let unit = scoped_unit(&state, &session.caller, id, &Role::ADMINS).await?;
    let forms = Forms {
        population: PopulationForm {
            year: this_year(&state).to_string(),
            ..PopulationForm::default()
        },
        ..Forms::default()
    };
    render(&state, (session, lang), unit, StatusCode::OK, forms, None).await
}

/// One of the unit page's forms, as posted.
enum Posted {
    Population(PopulationForm),
    Child(ChildForm),
    Organisation(OrganisationForm),
}

impl Posted {
    /// Does what the form asks on `unit`, through the use case the API calls.
    async fn apply(&self, state: &AppState, caller: &Caller, unit: &Unit) -> Result<()> {
        match self {
            Posted::Population(form) => {
                let year = form.year.trim().parse().map_err(|_| {
                    Error::invalid(INVALID_YEAR, "the year is a number, such as 2026")
                })?;
                let population = form.resident_population.trim().parse().map_err(|_| {
                    Error::invalid(INVALID_POPULATION, "the population is a number")
                })?;
                units::set_population(state, caller, unit, year, population).await
            }
            Posted::Child(form) => {
                let new = NewUnit::parse(&form.kind, &form.name)?;
                units::create_unit(state, caller, unit, &new).await?;
                Ok(())
            }
            Posted::Organisation(form) => {
                let new = NewOrganisation::parse(&form.org_type, &form.name)?;
                units::create_organisation(state, caller, unit, &new).await?;
                Ok(())
            }
        }
    }

    /// The page's forms, this one as it was typed.
    fn into_forms(self) -> Forms {
        match self {
            Posted::Population(population) => Forms {
                population,
                ..Forms::default()
            },
            Posted::Child(child) => Forms {
                child,
                ..Forms::default()
            },
            Posted::Organisation(organisation) => Forms {
                organisation,
                ..Forms::default()
            },
        }
    }
}

/// Applies a form posted on the unit `id` (`as_posted` tells which): back to the unit's page
/// when done, or the page again saying why nothing was changed.
async fn submit<F>(
    state: &AppState,
    id: i64,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<F>,
    as_posted: fn(F) -> Posted,
) -> Result<Response> {
    let unit = scoped_unit(state, &session.caller, id, &Role::ADMINS).await?;
    let posted = as_posted(form);
    match posted.apply(state, &session.caller, &unit).await {
        Ok(()) => Ok(see_other(format!("/console/units/{id}"))),
        Err(e) if e.is_refusal() => {
            let (status, why) = (e.status(), Some(e.to_string()));
            let forms = posted.into_forms();
            render(state, (session, lang), unit, status, forms, why).await
        }
        Err(e) => Err(e),
    }
}

/// Sets the community's resident population for a year.
pub async fn set_population(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<PopulationForm>,
) -> Result<Response> {
    submit(&state, id, form, Posted::Population).await
}

/// Adds a street under the district or a community under a street.
pub async fn add_child(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<ChildForm>,
) -> Result<Response> {
    submit(&state, id, form, Posted::Child).await
}

/// Registers an organisation to the community.
pub async fn add_organisation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<OrganisationForm>,
) -> Result<Response> {
    submit(&state, id, form, Posted::Organisation).await
}
