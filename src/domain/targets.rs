//! The policy targets (DESIGN.md §2): each community's counts, rolled up over a street and the
//! district by summing counts and dividing sums by sums, against the policy's targets.

use super::units::UnitKind;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use utoipa::ToSchema;

/// Registered volunteers per 100 residents.
pub const REGISTRATION_TARGET: i64 = 10;
/// Volunteers who served in the year per 100 registered.
pub const PARTICIPATION_TARGET: i64 = 30;
/// Backbone volunteers per 100 registered.
pub const BACKBONE_TARGET: i64 = 1;
/// Volunteer service organisations per community.
pub const VOLUNTEER_ORGS_TARGET: i64 = 5;
/// Community social organisations per community, volunteer service organisations included.
pub const SOCIAL_ORGS_TARGET: i64 = 10;
/// Professional social workers per street centre and per community station.
pub const STREET_SOCIAL_WORKERS_TARGET: i64 = 2;
pub const COMMUNITY_SOCIAL_WORKERS_TARGET: i64 = 1;
/// Staff holding a social-work qualification per 100 staff accounts.
pub const QUALIFIED_STAFF_TARGET: i64 = 30;

/// How a volunteer's total service time in a year changes the count of volunteers active in
/// it: +1 when it becomes positive, −1 when a correction takes it back to nothing.
pub fn active_change(minutes_before: i64, minutes_after: i64) -> i32 {
    match (minutes_before > 0, minutes_after > 0) {
        (false, true) => 1,
        (true, false) => -1,
        _ => 0,
    }
}

/// What one unit holds itself (not its subtree) for the year.
#[derive(Debug, Clone, Default)]
pub struct OwnCounts {
    /// Communities only: the resident population 常住人口 of the year, when recorded.
    pub population: Option<i64>,
    pub registered: i64,
    pub active: i64,
    pub backbone: i64,
    pub volunteer_orgs: i64,
    /// All community social organisations, volunteer service organisations included.
    pub social_orgs: i64,
    pub professional_social_workers: i64,
    pub staff: i64,
    pub qualified_staff: i64,
}

/// A unit of the report with its own counts.
#[derive(Debug, Clone)]
pub struct UnitCounts {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub kind: UnitKind,
    pub own: OwnCounts,
}

/// A percentage with two places, or why it cannot be known.
#[derive(Debug, Clone, PartialEq)]
pub enum Rate {
    Known(Decimal),
    Unknown(&'static str),
}

impl Rate {
    fn of(part: i64, whole: i64, unknown: &'static str) -> Rate {
        if whole <= 0 {
            return Rate::Unknown(unknown);
        }
        let mut percent = (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        percent.rescale(2);
        Rate::Known(percent)
    }

    pub fn value(&self) -> Option<Decimal> {
        match self {
            Rate::Known(d) => Some(*d),
            Rate::Unknown(_) => None,
        }
    }

    pub fn note(&self) -> Option<&'static str> {
        match self {
            Rate::Known(_) => None,
            Rate::Unknown(why) => Some(why),
        }
    }
}

pub const NO_POPULATION: &str = "no resident population is recorded for the year";
pub const NO_VOLUNTEERS: &str = "no registered volunteers";
pub const NO_STAFF: &str = "no staff accounts";

/// Whether each target is met: `None` when it cannot be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Met {
    pub registration: Option<bool>,
    pub participation: Option<bool>,
    pub backbone: Option<bool>,
    /// Every community of the subtree has its volunteer service organisations.
    pub volunteer_orgs: Option<bool>,
    /// Every community of the subtree has its community social organisations.
    pub social_orgs: Option<bool>,
    /// Every street centre and community station of the subtree has its social workers.
    pub social_workers: Option<bool>,
    pub qualified_staff: Option<bool>,
}

/// One row of the report: a unit and its whole subtree.
#[derive(Debug, Clone)]
pub struct TargetRow {
    pub unit_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub kind: UnitKind,
    pub registered: i64,
    /// The population of the communities that have one for the year.
    pub resident_population: Option<i64>,
    pub registration_rate: Rate,
    pub active: i64,
    pub participation_rate: Rate,
    pub backbone: i64,
    pub backbone_share: Rate,
    pub volunteer_orgs: i64,
    pub social_orgs: i64,
    pub professional_social_workers: i64,
    pub staff: i64,
    pub qualified_staff: i64,
    pub qualified_staff_share: Rate,
    pub communities: i64,
    pub communities_without_population: i64,
    pub met: Met,
}

/// Sums over a subtree.
#[derive(Default)]
struct Sums {
    registered: i64,
    /// Registered volunteers of the communities that have a population.
    registered_counted: i64,
    population: Option<i64>,
    active: i64,
    backbone: i64,
    volunteer_orgs: i64,
    social_orgs: i64,
    professional_social_workers: i64,
    staff: i64,
    qualified_staff: i64,
    communities: i64,
    communities_without_population: i64,
    /// Communities and streets that fall short of their own count targets.
    short_of_volunteer_orgs: i64,
    short_of_social_orgs: i64,
    short_of_social_workers: i64,
    /// Street centres and community stations (the units with a social-worker target).
    stations: i64,
}

impl Sums {
    fn add_own(&mut self, kind: UnitKind, own: &OwnCounts) {
        self.registered += own.registered;
        self.active += own.active;
        self.backbone += own.backbone;
        self.volunteer_orgs += own.volunteer_orgs;
        self.social_orgs += own.social_orgs;
        self.professional_social_workers += own.professional_social_workers;
        self.staff += own.staff;
        self.qualified_staff += own.qualified_staff;
        let workers_target = match kind {
            UnitKind::Street => Some(STREET_SOCIAL_WORKERS_TARGET),
            UnitKind::Community => Some(COMMUNITY_SOCIAL_WORKERS_TARGET),
            UnitKind::District => None,
        };
        if let Some(target) = workers_target {
            self.stations += 1;
            self.short_of_social_workers += i64::from(own.professional_social_workers < target);
        }
        if kind == UnitKind::Community {
            self.communities += 1;
            self.short_of_volunteer_orgs += i64::from(own.volunteer_orgs < VOLUNTEER_ORGS_TARGET);
            self.short_of_social_orgs += i64::from(own.social_orgs < SOCIAL_ORGS_TARGET);
            match own.population {
                Some(p) => {
                    self.population = Some(self.population.unwrap_or(0) + p);
                    self.registered_counted += own.registered;
                }
                None => self.communities_without_population += 1,
            }
        }
    }

    fn add(&mut self, other: &Sums) {
        self.registered += other.registered;
        self.registered_counted += other.registered_counted;
        if let Some(p) = other.population {
            self.population = Some(self.population.unwrap_or(0) + p);
        }
        self.active += other.active;
        self.backbone += other.backbone;
        self.volunteer_orgs += other.volunteer_orgs;
        self.social_orgs += other.social_orgs;
        self.professional_social_workers += other.professional_social_workers;
        self.staff += other.staff;
        self.qualified_staff += other.qualified_staff;
        self.communities += other.communities;
        self.communities_without_population += other.communities_without_population;
        self.short_of_volunteer_orgs += other.short_of_volunteer_orgs;
        self.short_of_social_orgs += other.short_of_social_orgs;
        self.short_of_social_workers += other.short_of_social_workers;
        self.stations += other.stations;
    }

    fn row(&self, unit: &UnitCounts) -> TargetRow {
        let registration_rate = match self.population {
            Some(p) if p > 0 => Rate::of(self.registered_counted, p, NO_POPULATION),
            _ => Rate::Unknown(NO_POPULATION),
        };
        let participation_rate = Rate::of(self.active, self.registered, NO_VOLUNTEERS);
        let backbone_share = Rate::of(self.backbone, self.registered, NO_VOLUNTEERS);
        let qualified_staff_share = Rate::of(self.qualified_staff, self.staff, NO_STAFF);
        let at_least = |rate: &Rate, target: i64| rate.value().map(|r| r >= Decimal::from(target));
        let all_of = |units: i64, short: i64| (units > 0).then_some(short == 0);
        TargetRow {
            unit_id: unit.id,
            parent_id: unit.parent_id,
            name: unit.name.clone(),
            kind: unit.kind,
            registered: self.registered,
            resident_population: self.population,
            met: Met {
                registration: at_least(&registration_rate, REGISTRATION_TARGET),
                participation: at_least(&participation_rate, PARTICIPATION_TARGET),
                backbone: at_least(&backbone_share, BACKBONE_TARGET),
                volunteer_orgs: all_of(self.communities, self.short_of_volunteer_orgs),
                social_orgs: all_of(self.communities, self.short_of_social_orgs),
                social_workers: all_of(self.stations, self.short_of_social_workers),
                qualified_staff: at_least(&qualified_staff_share, QUALIFIED_STAFF_TARGET),
            },
            registration_rate,
            active: self.active,
            participation_rate,
            backbone: self.backbone,
            backbone_share,
            volunteer_orgs: self.volunteer_orgs,
            social_orgs: self.social_orgs,
            professional_social_workers: self.professional_social_workers,
            staff: self.staff,
            qualified_staff: self.qualified_staff,
            qualified_staff_share,
            communities: self.communities,
            communities_without_population: self.communities_without_population,
        }
    }
}

/// The report's rows, one per unit in `units` (in their order), each over its subtree within
/// `units`. A unit's parent, when listed, must come before it (tree order).
pub fn rows(units: &[UnitCounts]) -> Vec<TargetRow> {
    let index: std::collections::HashMap<i64, usize> =
        units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let mut sums: Vec<Sums> = units
        .iter()
        .map(|u| {
            let mut s = Sums::default();
            s.add_own(u.kind, &u.own);
            s
        })
        .collect();
    // Children come after their parents, so walking backwards adds each finished subtree to
    // its parent.
    for i in (0..units.len()).rev() {
        if let Some(&p) = units[i].parent_id.and_then(|p| index.get(&p)) {
            let (head, tail) = sums.split_at_mut(i);
            head[p].add(&tail[0]);
        }
    }
    units.iter().zip(&sums).map(|(u, s)| s.row(u)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent: Option<i64>, kind: UnitKind, own: OwnCounts) -> UnitCounts {
        UnitCounts {
            id,
            parent_id: parent,
            name: format!("u{id}"),
            kind,
            own,
        }
    }

    fn pct(s: &str) -> Rate {
        Rate::Known(s.parse().unwrap())
    }

    #[test]
    fn roll_ups_divide_sums_by_sums_and_skip_communities_without_population() {
        let c1 = OwnCounts {
            population: Some(1000),
            registered: 150,
            active: 30,
            backbone: 2,
            volunteer_orgs: 5,
            social_orgs: 10,
            professional_social_workers: 1,
            ..Default::default()
        };
        let c2 = OwnCounts {
            population: Some(3000),
            registered: 50,
            active: 40,
            backbone: 0,
            volunteer_orgs: 2,
            social_orgs: 3,
            ..Default::default()
        };
        let c3 = OwnCounts {
            population: None,
            registered: 100,
            active: 10,
            ..Default::default()
        };
        let street = OwnCounts {
            professional_social_workers: 2,
            staff: 4,
            qualified_staff: 1,
            ..Default::default()
        };
        let rows = rows(&[
            unit(1, None, UnitKind::District, OwnCounts::default()),
            unit(2, Some(1), UnitKind::Street, street),
            unit(3, Some(2), UnitKind::Community, c1),
            unit(4, Some(2), UnitKind::Community, c2),
            unit(5, Some(2), UnitKind::Community, c3),
        ]);
        let c1 = &rows[2];
        assert_eq!(c1.registration_rate, pct("15.00"));
        assert_eq!(c1.registration_rate.value().unwrap().to_string(), "15.00");
        assert_eq!(c1.participation_rate, pct("20.00"));
        assert_eq!(c1.met.registration, Some(true));
        assert_eq!(c1.met.participation, Some(false));
        assert_eq!(c1.met.backbone, Some(true));
        assert_eq!(c1.met.social_workers, Some(true));
        let c3 = &rows[4];
        assert_eq!(c3.registration_rate, Rate::Unknown(NO_POPULATION));
        assert_eq!(c3.met.registration, None);
        assert_eq!(c3.communities_without_population, 1);
        assert_eq!(c3.participation_rate, pct("10.00"));
        // The street: (150 + 50) / (1000 + 3000), not the mean of 15 % and 1.67 %; c3 counts
        // in every rate but this one.
        let street = &rows[1];
        assert_eq!(street.registered, 300);
        assert_eq!(street.resident_population, Some(4000));
        assert_eq!(street.registration_rate, pct("5.00"));
        assert_eq!(street.communities_without_population, 1);
        assert_eq!(street.participation_rate, pct("26.67"));
        assert_eq!(street.backbone_share, pct("0.67"));
        assert_eq!(street.volunteer_orgs, 7);
        assert_eq!(street.met.volunteer_orgs, Some(false));
        assert_eq!(street.met.social_workers, Some(false));
        assert_eq!(street.qualified_staff_share, pct("25.00"));
        assert_eq!(street.met.qualified_staff, Some(false));
        assert_eq!(rows[0].registered, 300);
        assert_eq!(rows[0].professional_social_workers, 3);
    }

    #[test]
    fn nothing_to_divide_by_is_unknown_not_zero() {
        let rows = rows(&[unit(1, None, UnitKind::Community, OwnCounts::default())]);
        assert_eq!(rows[0].registration_rate, Rate::Unknown(NO_POPULATION));
        assert_eq!(rows[0].participation_rate, Rate::Unknown(NO_VOLUNTEERS));
        assert_eq!(rows[0].qualified_staff_share, Rate::Unknown(NO_STAFF));
        assert_eq!(rows[0].met.participation, None);
        assert_eq!(rows[0].met.volunteer_orgs, Some(false));
    }

    #[test]
    fn service_time_going_above_and_back_to_nothing() {
        assert_eq!(active_change(0, 60), 1);
        assert_eq!(active_change(60, 90), 0);
        assert_eq!(active_change(60, 0), -1);
        assert_eq!(active_change(0, 0), 0);
    }
}
