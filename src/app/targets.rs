//! The targets report: a unit and every unit under it for a year, against the policy's targets,
//! with the year before for comparison. The API answers it as JSON and CSV, the console draws it.

use crate::domain::targets::{self, Met, Rate, TargetRow};
use crate::domain::units::UnitKind;
use crate::error::codes::INVALID_YEAR;
use crate::error::{Error, Result};
use crate::store::{Store, Unit};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// The years a report can be asked for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// One unit (with its subtree) in the report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetReportRow {
    pub unit_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub kind: UnitKind,
    /// Registered volunteers at the end of the year (or now, for this year).
    pub registered: i64,
    /// Of the communities that have one for the year; `null` when none has.
    pub resident_population: Option<i64>,
    /// Percent, two places: registered ÷ resident population, over the communities with one.
    #[schema(value_type = Option<String>)]
    pub registration_rate: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_rate_note: Option<&'static str>,
    /// Registered volunteers with confirmed service time in the year.
    pub active: i64,
    #[schema(value_type = Option<String>)]
    pub participation_rate: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participation_rate_note: Option<&'static str>,
    pub backbone: i64,
    #[schema(value_type = Option<String>)]
    pub backbone_share: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backbone_share_note: Option<&'static str>,
    pub volunteer_orgs: i64,
    /// Community social organisations, volunteer service organisations included.
    pub social_orgs: i64,
    pub professional_social_workers: i64,
    /// Staff accounts granted a role on the units of the subtree.
    pub staff: i64,
    /// Of them, those holding a social-work qualification.
    pub qualified_staff: i64,
    #[schema(value_type = Option<String>)]
    pub qualified_staff_share: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualified_staff_share_note: Option<&'static str>,
    pub communities: i64,
    /// Communities without a resident population for the year, left out of the registration rate.
    pub communities_without_population: i64,
    pub met: Met,
    /// The same unit a year earlier.
    pub previous_year: PreviousYear,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviousYear {
    pub year: i32,
    pub registered: i64,
    #[schema(value_type = Option<String>)]
    pub registration_rate: Option<Decimal>,
    pub active: i64,
    #[schema(value_type = Option<String>)]
    pub participation_rate: Option<Decimal>,
    pub backbone: i64,
    #[schema(value_type = Option<String>)]
    pub backbone_share: Option<Decimal>,
}

/// The report on `unit` and its subtree for `year`, in tree order (the unit first).
pub async fn report(store: &Store, unit: &Unit, year: i32) -> Result<Vec<TargetReportRow>> {
    if !YEARS.contains(&year) {
        return Err(Error::invalid(
            INVALID_YEAR,
            format!("year is between {} and {}", YEARS.start(), YEARS.end()),
        ));
    }
    let now = targets::rows(&store.target_counts(&unit.path, year).await?);
    let before = targets::rows(&store.target_counts(&unit.path, year - 1).await?);
    Ok(now
        .into_iter()
        .zip(before)
        .map(|(row, before)| view(row, year - 1, before))
        .collect())
}

fn view(row: TargetRow, previous: i32, before: TargetRow) -> TargetReportRow {
    let (registration_rate, registration_rate_note) = split(&row.registration_rate);
    let (participation_rate, participation_rate_note) = split(&row.participation_rate);
    let (backbone_share, backbone_share_note) = split(&row.backbone_share);
    let (qualified_staff_share, qualified_staff_share_note) = split(&row.qualified_staff_share);
    TargetReportRow {
        unit_id: row.unit_id,
        parent_id: row.parent_id,
        name: row.name,
        kind: row.kind,
        registered: row.registered,
        resident_population: row.resident_population,
        registration_rate,
        registration_rate_note,
        active: row.active,
        participation_rate,
        participation_rate_note,
        backbone: row.backbone,
        backbone_share,
        backbone_share_note,
        volunteer_orgs: row.volunteer_orgs,
        social_orgs: row.social_orgs,
        professional_social_workers: row.professional_social_workers,
        staff: row.staff,
        qualified_staff: row.qualified_staff,
        qualified_staff_share,
        qualified_staff_share_note,
        communities: row.communities,
        communities_without_population: row.communities_without_population,
        met: row.met,
        previous_year: PreviousYear {
            year: previous,
            registered: before.registered,
            registration_rate: before.registration_rate.value(),
            active: before.active,
            participation_rate: before.participation_rate.value(),
            backbone: before.backbone,
            backbone_share: before.backbone_share.value(),
        },
    }
}

fn split(rate: &Rate) -> (Option<Decimal>, Option<&'static str>) {
    (rate.value(), rate.note())
}

/// The CSV columns, in order, and a row's cells.
pub const CSV_HEADER: [&str; 24] = [
    "unit_id",
    "name",
    "kind",
    "registered",
    "resident_population",
    "registration_rate",
    "active",
    "participation_rate",
    "backbone",
    "backbone_share",
    "volunteer_orgs",
    "social_orgs",
    "professional_social_workers",
    "staff",
    "qualified_staff",
    "qualified_staff_share",
    "communities_without_population",
    "met_registration",
    "met_participation",
    "met_backbone",
    "met_volunteer_orgs",
    "met_social_orgs",
    "met_social_workers",
    "met_qualified_staff",
];

pub fn csv_cells(row: &TargetReportRow) -> Vec<String> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    let met = |m: Option<bool>| opt(m.map(|b| b.to_string()));
    vec![
        row.unit_id.to_string(),
        row.name.clone(),
        row.kind.as_str().to_owned(),
        row.registered.to_string(),
        opt(row.resident_population.map(|p| p.to_string())),
        opt(row.registration_rate.map(|r| r.to_string())),
        row.active.to_string(),
        opt(row.participation_rate.map(|r| r.to_string())),
        row.backbone.to_string(),
        opt(row.backbone_share.map(|r| r.to_string())),
        row.volunteer_orgs.to_string(),
        row.social_orgs.to_string(),
        row.professional_social_workers.to_string(),
        row.staff.to_string(),
        row.qualified_staff.to_string(),
        opt(row.qualified_staff_share.map(|r| r.to_string())),
        row.communities_without_population.to_string(),
        met(row.met.registration),
        met(row.met.participation),
        met(row.met.backbone),
        met(row.met.volunteer_orgs),
        met(row.met.social_orgs),
        met(row.met.social_workers),
        met(row.met.qualified_staff),
    ]
}
