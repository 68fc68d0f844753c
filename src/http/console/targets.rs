//! The targets dashboard 指标: a unit's own rates and counts for a year against the policy's
//! targets, then the units right under it worst first — a chart of their three rates, each in its
//! own panel with its target line, and a table of every measure — from `app::targets::report`, as
//! the API's report is, behind the same access check.

use super::scope::Scope;
use super::units::kind_text;
use super::{StaffVisit, head};
use crate::app::AppState;
use crate::app::targets::{self, TargetReportRow};
use crate::domain::roles::Role;
use crate::domain::targets::{
    BACKBONE_TARGET, NO_POPULATION, NO_STAFF, NO_VOLUNTEERS, PARTICIPATION_TARGET,
    QUALIFIED_STAFF_TARGET, REGISTRATION_TARGET,
};
use crate::domain::units::UnitKind;
use crate::error::codes::INVALID_YEAR;
use crate::error::{Error, Result};
use crate::http::extract::{Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

pub const TEXTS: &[Text] = &[
    ("targets_title", "指标完成情况", "Targets"),
    ("targets_year", "年份", "Year"),
    ("targets_up", "返回上一级", "Up one level"),
    ("targets_my_units", "我的单位", "My units"),
    ("targets_registered", "注册志愿者", "Registered volunteers"),
    ("targets_population", "常住人口", "Resident population"),
    ("targets_population_missing", "未填", "not given"),
    ("targets_registration", "注册率", "Registration rate"),
    ("targets_participation", "参与率", "Participation rate"),
    ("targets_backbone", "骨干率", "Backbone share"),
    ("targets_short_registration", "注册率", "Registration"),
    ("targets_short_participation", "参与率", "Participation"),
    ("targets_short_backbone", "骨干率", "Backbone"),
    (
        "targets_volunteer_orgs",
        "志愿服务组织",
        "Volunteer service organisations",
    ),
    (
        "targets_social_orgs",
        "社区社会组织",
        "Community social organisations",
    ),
    (
        "targets_social_workers",
        "专业社工",
        "Professional social workers",
    ),
    (
        "targets_qualified_staff",
        "持证工作人员占比",
        "Qualified staff",
    ),
    ("targets_target", "目标", "target"),
    ("targets_per_community", "每个社区", "per community"),
    (
        "targets_per_station",
        "街道中心 2 名，社区站 1 名",
        "2 per street centre, 1 per community station",
    ),
    ("targets_met", "达标", "met"),
    ("targets_not_met", "未达标", "not met"),
    ("targets_no_population", "无人口数据", "no population"),
    ("targets_no_volunteers", "无注册志愿者", "no volunteers"),
    ("targets_no_staff", "无工作人员", "no staff"),
    ("targets_unknown", "无法计算", "unknown"),
    (
        "targets_without_population",
        "未填 {y} 年常住人口的社区：{n} 个，未计入注册率",
        "Communities without a population for {y}: {n}, left out of the registration rate",
    ),
    ("targets_in_year", "{y} 年：", "In {y}: "),
    (
        "targets_chart",
        "三项比率，最差在前",
        "The three rates, worst first",
    ),
    (
        "targets_chart_hint",
        "虚线为目标；点击单位查看其详情。",
        "Dashed lines mark the targets; tap a unit for its own view.",
    ),
    ("targets_units", "各单位明细", "Unit by unit"),
    ("targets_unit", "单位", "Unit"),
    ("targets_nothing_under", "其下没有单位", "No units under it"),
];

/// `?unit_id=&year=`: the unit (empty: the caller's outermost) and the year (empty: this one).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DashboardQuery {
    unit_id: String,
    year: String,
}

/// How many years the year picker offers, this one included.
const PICKED_YEARS: i32 = 5;

/// A rate as shown: its value in percent or why it cannot be known, and whether it meets its
/// target (`None`: unknown).
struct RateView {
    value: Option<Decimal>,
    note: Option<&'static str>,
    met: Met,
}

impl RateView {
    fn of(value: Option<Decimal>, note: Option<&'static str>, met: Option<bool>) -> RateView {
        RateView {
            value,
            note,
            met: Met(met),
        }
    }

    /// `8.50%`, or empty when unknown.
    fn percent(&self) -> String {
        self.value.map(|v| format!("{v}%")).unwrap_or_default()
    }

    /// The text key of why it is unknown.
    fn note_text(&self) -> &'static str {
        note_text(self.note)
    }

    /// Its value ÷ its target: below 1 falls short.
    fn ratio(&self, target: i64) -> Option<Decimal> {
        self.value.map(|v| v / Decimal::from(target))
    }
}

fn note_text(note: Option<&'static str>) -> &'static str {
    match note {
        Some(NO_POPULATION) => "targets_no_population",
        Some(NO_VOLUNTEERS) => "targets_no_volunteers",
        Some(NO_STAFF) => "targets_no_staff",
        _ => "targets_unknown",
    }
}

/// Whether a target is met: `None` when it cannot be known.
#[derive(Clone, Copy)]
struct Met(Option<bool>);

impl Met {
    /// ✓, ✗ or —.
    fn mark(&self) -> &'static str {
        match self.0 {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "—",
        }
    }

    /// The CSS class its text shows in.
    fn class(&self) -> &'static str {
        match self.0 {
            Some(true) => "ok",
            Some(false) => "bad",
            None => "note",
        }
    }

    /// The text key of met, not met or unknown.
    fn text(&self) -> &'static str {
        match self.0 {
            Some(true) => "targets_met",
            Some(false) => "targets_not_met",
            None => "targets_unknown",
        }
    }
}

/// One unit of the report as the page shows it.
struct UnitView {
    id: i64,
    href: String,
    name: String,
    registered: i64,
    population: Option<i64>,
    /// Registration, participation, backbone.
    rates: [RateView; 3],
    /// (count, met) of volunteer service organisations, community social organisations and
    /// professional social workers.
    counts: [(i64, Met); 3],
    qualified_staff: RateView,
    /// Registration, participation and backbone a year earlier.
    previous: [Option<Decimal>; 3],
}

impl UnitView {
    fn of(row: &TargetReportRow, year: i32, lang_query: &str) -> UnitView {
        let p = &row.previous_year;
        UnitView {
            id: row.unit_id,
            href: format!(
                "/console/targets?unit_id={}&year={year}{lang_query}",
                row.unit_id
            ),
            name: row.name.clone(),
            registered: row.registered,
            population: row.resident_population,
            rates: [
                RateView::of(
                    row.registration_rate,
                    row.registration_rate_note,
                    row.met.registration,
                ),
                RateView::of(
                    row.participation_rate,
                    row.participation_rate_note,
                    row.met.participation,
                ),
                RateView::of(
                    row.backbone_share,
                    row.backbone_share_note,
                    row.met.backbone,
                ),
            ],
            counts: [
                (row.volunteer_orgs, Met(row.met.volunteer_orgs)),
                (row.social_orgs, Met(row.met.social_orgs)),
                (row.professional_social_workers, Met(row.met.social_workers)),
            ],
            qualified_staff: RateView::of(
                row.qualified_staff_share,
                row.qualified_staff_share_note,
                row.met.qualified_staff,
            ),
            previous: [p.registration_rate, p.participation_rate, p.backbone_share],
        }
    }

    /// How far the unit falls below its targets: rate ÷ target of each known rate, smallest
    /// first; empty when none is known.
    fn shortfall(&self) -> Vec<Decimal> {
        let mut ratios: Vec<Decimal> = self
            .rates
            .iter()
            .zip(RATES)
            .filter_map(|(rate, (_, _, target))| rate.ratio(target))
            .collect();
        ratios.sort();
        ratios
    }
}

/// The three rates: (long text key, short text key, target in percent).
const RATES: [(&str, &str, i64); 3] = [
    (
        "targets_registration",
        "targets_short_registration",
        REGISTRATION_TARGET,
    ),
    (
        "targets_participation",
        "targets_short_participation",
        PARTICIPATION_TARGET,
    ),
    (
        "targets_backbone",
        "targets_short_backbone",
        BACKBONE_TARGET,
    ),
];

/// The units worst first: the one furthest below a target first and, where that is a tie (as
/// when nobody is backbone yet), furthest below the next; those with no known rate last,
/// otherwise in tree order.
fn worst_first(units: &mut [UnitView]) {
    units.sort_by_cached_key(|u| {
        let ratios = u.shortfall();
        (ratios.is_empty(), ratios)
    });
}

/// The chart's geometry, in the units of its `viewBox`: as wide as a card on a 360 px phone, so
/// that its texts show there at their size.
const CHART_WIDTH: f64 = 296.0;
const PANEL_WIDTH: f64 = 90.0;
const PANEL_GAP: f64 = 11.0;
const MARGIN: f64 = 2.0;
const HEADER_HEIGHT: f64 = 44.0;
const GROUP_HEIGHT: f64 = 56.0;

/// A panel of the chart: one rate, its scale and its target line.
struct Panel {
    x: f64,
    title: &'static str,
    target: i64,
    target_x: f64,
}

/// A unit's bars, one per panel, under its name.
struct Group {
    href: String,
    name: String,
    y: f64,
    bars: Vec<Bar>,
}

struct Bar {
    x: f64,
    width: f64,
    /// The bar's class: `met`, `short` or `unknown` (hatched).
    class: &'static str,
    /// `8.50% ✗`, or the text key of why it is unknown.
    label: String,
    note: Option<&'static str>,
}

struct Chart {
    height: f64,
    panels: Vec<Panel>,
    groups: Vec<Group>,
}

impl Chart {
    fn of(units: &[UnitView]) -> Chart {
        let panels: Vec<(Panel, f64)> = RATES
            .iter()
            .enumerate()
            .map(|(i, &(_, title, target))| {
                let scale = scale(units.iter().map(|u| u.rates[i].value), target);
                let x = MARGIN + i as f64 * (PANEL_WIDTH + PANEL_GAP);
                let panel = Panel {
                    x,
                    title,
                    target,
                    target_x: x + PANEL_WIDTH * target as f64 / scale,
                };
                (panel, scale)
            })
            .collect();
        let groups = units
            .iter()
            .enumerate()
            .map(|(k, u)| Group {
                href: u.href.clone(),
                name: u.name.clone(),
                y: HEADER_HEIGHT + k as f64 * GROUP_HEIGHT,
                bars: panels
                    .iter()
                    .zip(&u.rates)
                    .map(|((panel, scale), rate)| bar(panel.x, *scale, rate))
                    .collect(),
            })
            .collect();
        Chart {
            height: HEADER_HEIGHT + units.len() as f64 * GROUP_HEIGHT + MARGIN,
            panels: panels.into_iter().map(|(p, _)| p).collect(),
            groups,
        }
    }

    fn width(&self) -> f64 {
        CHART_WIDTH
    }
}

/// A panel's full width in percent: a whole number of targets, at least two, that holds every
/// known rate.
fn scale(rates: impl Iterator<Item = Option<Decimal>>, target: i64) -> f64 {
    let highest = rates
        .flatten()
        .max()
        .and_then(|r| r.to_f64())
        .unwrap_or(0.0);
    let target = target as f64;
    (highest / target).ceil().max(2.0) * target
}

fn bar(x: f64, scale: f64, rate: &RateView) -> Bar {
    match rate.value.and_then(|v| v.to_f64()) {
        Some(v) => Bar {
            x,
            // A rate of nothing still shows as a sliver at the axis.
            width: (PANEL_WIDTH * v / scale).clamp(1.5, PANEL_WIDTH),
            class: if rate.met.0 == Some(true) {
                "met"
            } else {
                "short"
            },
            label: format!("{} {}", rate.percent(), rate.met.mark()),
            note: None,
        },
        None => Bar {
            x,
            width: PANEL_WIDTH,
            class: "unknown",
            label: String::new(),
            note: Some(rate.note_text()),
        },
    }
}

#[derive(Template)]
#[template(path = "console/targets.html")]
struct DashboardPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    year: i32,
    /// (year, link, whether shown) of the years offered.
    years: Vec<(i32, String, bool)>,
    csv_href: String,
    /// The page of the unit above, when the caller may see it.
    up_href: Option<String>,
    /// (name, link) of each unit the caller holds a role on, when they hold more than one.
    roots: Vec<(String, String)>,
    kind: &'static str,
    unit: UnitView,
    /// "Communities without a population for 2026: 3", when some are.
    without_population: Option<String>,
    /// "In 2025": last year's rates.
    previous_year: String,
    under: Vec<UnitView>,
    chart: Chart,
}

impl DashboardPage {
    /// The text keys and targets of the three rates, beside the unit's own.
    fn rates(&self) -> Vec<(&'static str, i64, &RateView, Option<Decimal>)> {
        RATES
            .iter()
            .zip(&self.unit.rates)
            .zip(self.unit.previous)
            .map(|((&(key, _, target), rate), before)| (key, target, rate, before))
            .collect()
    }

    /// (text key, count, target text, met) of the organisations and social workers.
    fn counts(&self) -> Vec<(&'static str, i64, String, Met)> {
        let per_community = self.lang.text("targets_per_community");
        let [orgs, social, workers] = self.unit.counts;
        vec![
            (
                "targets_volunteer_orgs",
                orgs.0,
                format!("≥ 5 {per_community}"),
                orgs.1,
            ),
            (
                "targets_social_orgs",
                social.0,
                format!("≥ 10 {per_community}"),
                social.1,
            ),
            (
                "targets_social_workers",
                workers.0,
                self.lang.text("targets_per_station").to_owned(),
                workers.1,
            ),
        ]
    }

    fn qualified_staff_target(&self) -> i64 {
        QUALIFIED_STAFF_TARGET
    }

    /// The table's headings of the three rates: (text key, target).
    fn rate_targets(&self) -> Vec<(&'static str, i64)> {
        RATES
            .iter()
            .map(|&(key, _, target)| (key, target))
            .collect()
    }
}

/// `/console/targets`: the targets dashboard of a unit the caller holds any staff role on (or
/// above), for a year.
pub async fn dashboard(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(q): Query<DashboardQuery>,
) -> Result<Response> {
    let caller = &session.caller;
    let scope = Scope::of(&state, caller, &Role::ALL, &q.unit_id).await?;
    let this_year = state.settings.local_now().year();
    let year = match q.year.trim() {
        "" => this_year,
        y => y
            .parse()
            .map_err(|_| Error::invalid(INVALID_YEAR, "the year is a number, such as 2026"))?,
    };
    let rows = targets::report(&state.store, &scope.unit, year).await?;
    let unit = &scope.unit;
    let lang_query = match lang {
        Lang::En => "&lang=en",
        Lang::Zh => "",
    };
    let own = rows.first().ok_or(Error::NotFound("unit"))?;
    let mut under: Vec<UnitView> = rows
        .iter()
        .filter(|r| r.parent_id == Some(unit.id))
        .map(|r| UnitView::of(r, year, lang_query))
        .collect();
    if under.is_empty() && unit.kind == UnitKind::Community {
        under.push(UnitView::of(own, year, lang_query));
    }
    worst_first(&mut under);
    let link =
        |id: i64, year: i32| format!("/console/targets?unit_id={id}&year={year}{lang_query}");
    let years = (this_year - PICKED_YEARS + 1..=this_year)
        .map(|y| (y, link(unit.id, y), y == year))
        .collect();
    let up_href = unit
        .parent_id
        .filter(|_| caller.may(&Role::ALL, parent_path(&unit.path)))
        .map(|id| link(id, year));
    let held = caller.roots(&Role::ALL);
    let roots: Vec<(String, String)> = scope
        .units
        .iter()
        .filter(|u| held.contains(&u.path))
        .map(|u| (u.name.clone(), link(u.id, year)))
        .collect();
    let fill = |key: &str| {
        lang.text(key)
            .replace("{n}", &own.communities_without_population.to_string())
            .replace("{y}", &year.to_string())
    };
    let view = DashboardPage {
        head: head(lang),
        lang,
        year,
        years,
        csv_href: format!(
            "/api/v1/reports/targets.csv?unit_id={}&year={year}",
            unit.id
        ),
        up_href,
        roots: if roots.len() > 1 { roots } else { Vec::new() },
        kind: kind_text(unit.kind),
        without_population: (own.communities_without_population > 0)
            .then(|| fill("targets_without_population")),
        previous_year: lang
            .text("targets_in_year")
            .replace("{y}", &(year - 1).to_string()),
        unit: UnitView::of(own, year, lang_query),
        chart: Chart::of(&under),
        under,
        session: Some(session),
    };
    page(StatusCode::OK, &view)
}

/// The path of the unit above the one at `path`: `/1/4/` for `/1/4/17/`.
fn parent_path(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rfind('/').map_or(path, |cut| &trimmed[..=cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, rates: [Option<&str>; 3]) -> UnitView {
        let rate = |r: Option<&str>| RateView {
            value: r.map(|r| r.parse().unwrap()),
            note: r.is_none().then_some(NO_POPULATION),
            met: Met(None),
        };
        UnitView {
            id: 0,
            href: String::new(),
            name: name.to_owned(),
            registered: 0,
            population: None,
            rates: rates.map(rate),
            counts: [(0, Met(None)); 3],
            qualified_staff: rate(None),
            previous: [None; 3],
        }
    }

    #[test]
    fn the_unit_furthest_below_any_target_comes_first_and_unknowns_last() {
        let mut units = vec![
            unit("unknown", [None, None, None]),
            // Backbone at half its target: 0.5.
            unit("backbone", [Some("20.00"), Some("60.00"), Some("0.50")]),
            // Registration at 0.8 of its target.
            unit("registration", [Some("8.00"), Some("40.00"), Some("2.00")]),
            // Participation at 0.1; registration not known.
            unit("participation", [None, Some("3.00"), Some("1.00")]),
            // Nobody backbone, as "none", but registration only at 0.5 of its target.
            unit("none", [Some("5.00"), Some("60.00"), Some("0.00")]),
            unit(
                "none-but-participation",
                [Some("20.00"), Some("45.00"), Some("0.00")],
            ),
        ];
        worst_first(&mut units);
        let order: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(
            order,
            [
                "none",
                "none-but-participation",
                "participation",
                "backbone",
                "registration",
                "unknown"
            ]
        );
    }

    #[test]
    fn each_panel_holds_its_highest_rate_in_whole_targets() {
        let rates = |r: &[&str]| {
            r.iter()
                .map(|r| Some(r.parse().unwrap()))
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert_eq!(scale(rates(&["3.00"]), 10), 20.0);
        assert_eq!(scale(rates(&["25.00", "4.00"]), 10), 30.0);
        assert_eq!(scale(rates(&["2.50"]), 1), 3.0);
        assert_eq!(scale(std::iter::once(None), 30), 60.0);
    }

    #[test]
    fn the_unit_above() {
        assert_eq!(parent_path("/1/4/17/"), "/1/4/");
        assert_eq!(parent_path("/1/"), "/");
    }
}
