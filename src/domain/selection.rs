//! The yearly outstanding-volunteer selection 优秀志愿者评选 (DESIGN.md §7): who is eligible, how
//! a candidate is scored, how many are chosen and how ties break — a named, versioned rule set,
//! applied the same way to the same inputs every time, with the digest of those inputs.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use utoipa::ToSchema;

/// The rules of a round, kept with the draft they produced. Read from the settings, where a field
/// left out takes its default here, and back from a stored round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RuleSet {
    pub name: String,
    pub version: u32,
    /// Registered on or before this many months before the year's end (6: by 30 June).
    pub registered_months_before_end: u32,
    /// Confirmed service hours in the year, at least.
    pub min_hours: i64,
    /// Whether an attendance rejected as fraudulent in the year excludes the volunteer.
    pub exclude_fraud: bool,
    /// Points per confirmed hour.
    #[schema(value_type = String)]
    #[serde(deserialize_with = "points")]
    pub per_hour: Decimal,
    /// Points per distinct activity.
    #[schema(value_type = String)]
    #[serde(deserialize_with = "points")]
    pub per_activity: Decimal,
    /// Points per rating 优秀 / 良好 / 合格 / 不合格 of the year's service.
    #[schema(value_type = [String; 4])]
    #[serde(deserialize_with = "points_per_rating")]
    pub per_rating: [Decimal; 4],
    /// Points for being a backbone volunteer at the year's end.
    #[schema(value_type = String)]
    #[serde(deserialize_with = "points")]
    pub backbone: Decimal,
    /// Winners per 100 eligible volunteers (rounded up), at least `quota_min`.
    pub quota_percent: u32,
    pub quota_min: u32,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet {
            name: "默认评选规则".into(),
            version: 1,
            registered_months_before_end: 6,
            min_hours: 20,
            exclude_fraud: true,
            per_hour: Decimal::ONE,
            per_activity: Decimal::from(2),
            per_rating: [
                Decimal::from(3),
                Decimal::from(2),
                Decimal::ONE,
                Decimal::from(-2),
            ],
            backbone: Decimal::from(10),
            quota_percent: 5,
            quota_min: 1,
        }
    }
}

/// Points written as a number (`2`, `1.5`) or as decimal text (`"1.5"`): by hand in the
/// settings, or as a round keeps them.
fn points<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    struct Points;
    impl Visitor<'_> for Points {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("points, as a number or decimal text")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            Decimal::try_from(v).map_err(E::custom)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            v.trim()
                .parse()
                .map_err(|_| E::custom(format!("{v:?} is not a number of points")))
        }
    }
    d.deserialize_any(Points)
}

fn points_per_rating<'de, D: Deserializer<'de>>(d: D) -> Result<[Decimal; 4], D::Error> {
    #[derive(Deserialize)]
    struct Points(#[serde(deserialize_with = "points")] Decimal);
    let [a, b, c, e] = <[Points; 4]>::deserialize(d)?;
    Ok([a.0, b.0, c.0, e.0])
}

/// What the selection knows of one volunteer for the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Input {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    /// The day they registered, in the display time.
    pub registered_on: NaiveDate,
    pub minutes: i64,
    pub activities: i64,
    /// How many of the year's services were rated 优秀, 良好, 合格 and 不合格 (latest ratings).
    pub ratings: [i64; 4],
    pub backbone: bool,
    /// Attendances rejected as fraudulent in the year.
    pub fraudulent: i64,
}

/// Why a volunteer is not eligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    RegisteredTooLate,
    TooFewHours,
    Fraud,
}

/// The points a candidate's score is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Breakdown {
    #[schema(value_type = String)]
    pub hours: Decimal,
    #[schema(value_type = String)]
    pub activities: Decimal,
    #[schema(value_type = String)]
    pub evaluations: Decimal,
    #[schema(value_type = String)]
    pub backbone: Decimal,
}

impl Breakdown {
    pub fn total(&self) -> Decimal {
        self.hours + self.activities + self.evaluations + self.backbone
    }
}

/// An eligible volunteer with their place in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Ranked {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    /// 1 for the best; every eligible volunteer has a distinct rank.
    pub rank: u32,
    #[schema(value_type = String)]
    pub score: Decimal,
    pub breakdown: Breakdown,
    /// Within the quota: proposed as a winner.
    pub within_quota: bool,
}

/// An ineligible volunteer and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Excluded {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub reasons: Vec<Exclusion>,
}

/// The outcome of the rules over a round's inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub quota: u32,
    pub ranked: Vec<Ranked>,
    pub excluded: Vec<Excluded>,
    /// SHA-256 (hex) of the rule set and the inputs, in volunteer order.
    pub input_digest: String,
}

impl RuleSet {
    /// Why these rules cannot select anyone sensibly, if they cannot.
    pub fn check(&self) -> Result<(), String> {
        let problem = if self.name.trim().is_empty() {
            "name must not be empty".to_owned()
        } else if self.version < 1 {
            "version must be at least 1".to_owned()
        } else if !(1..=100).contains(&self.quota_percent) {
            format!("quota_percent must be 1 to 100, not {}", self.quota_percent)
        } else if self.min_hours < 0 {
            format!("min_hours must not be negative, not {}", self.min_hours)
        } else if self.registered_months_before_end > 12 {
            format!(
                "registered_months_before_end must be 0 to 12, not {}",
                self.registered_months_before_end
            )
        } else {
            return Ok(());
        };
        Err(problem)
    }

    /// The last day a volunteer may register and be eligible for `year`.
    pub fn registered_by(&self, year: i32) -> NaiveDate {
        let end = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists");
        end.checked_sub_months(chrono::Months::new(self.registered_months_before_end))
            .unwrap_or(end)
    }

    fn exclusions(&self, year: i32, v: &Input) -> Vec<Exclusion> {
        let mut why = Vec::new();
        if v.registered_on > self.registered_by(year) {
            why.push(Exclusion::RegisteredTooLate);
        }
        if v.minutes < self.min_hours * 60 {
            why.push(Exclusion::TooFewHours);
        }
        if self.exclude_fraud && v.fraudulent > 0 {
            why.push(Exclusion::Fraud);
        }
        why
    }

    pub fn breakdown(&self, v: &Input) -> Breakdown {
        let evaluations = v
            .ratings
            .iter()
            .zip(&self.per_rating)
            .map(|(n, points)| Decimal::from(*n) * points)
            .sum();
        let mut hours = (Decimal::from(v.minutes) / Decimal::from(60) * self.per_hour).round_dp(2);
        hours.rescale(2);
        Breakdown {
            hours,
            activities: Decimal::from(v.activities) * self.per_activity,
            evaluations,
            backbone: if v.backbone {
                self.backbone
            } else {
                Decimal::ZERO
            },
        }
    }

    /// Winners for `eligible` volunteers: `quota_percent` of them rounded up, at least `quota_min`
    /// (never more than there are).
    pub fn quota(&self, eligible: usize) -> u32 {
        let share = (eligible as u64 * u64::from(self.quota_percent)).div_ceil(100) as u32;
        share.max(self.quota_min).min(eligible as u32)
    }

    /// Applies the rules to `inputs` for `year`: the same inputs, in any order, give the same
    /// draft.
    pub fn draft<'a>(&self, year: i32, inputs: impl IntoIterator<Item = &'a Input>) -> Draft {
        let mut sorted: Vec<&Input> = inputs.into_iter().collect();
        sorted.sort_by_key(|v| v.volunteer_id);
        let mut ranked = Vec::new();
        let mut excluded = Vec::new();
        let mut eligible: Vec<(&Input, Breakdown)> = Vec::new();
        for v in &sorted {
            let why = self.exclusions(year, v);
            if why.is_empty() {
                eligible.push((v, self.breakdown(v)));
            } else {
                let would_score = self.breakdown(v).total();
                let e = Excluded {
                    volunteer_id: v.volunteer_id,
                    volunteer_no: v.volunteer_no.clone(),
                    reasons: why,
                };
                excluded.push((e, would_score));
            }
        }
        // Score, then hours, then the earlier registration, then the volunteer number.
        eligible.sort_by(|(a, sa), (b, sb)| {
            sb.total()
                .cmp(&sa.total())
                .then(b.minutes.cmp(&a.minutes))
                .then(a.registered_on.cmp(&b.registered_on))
                .then_with(|| a.volunteer_no.cmp(&b.volunteer_no))
        });
        let quota = self.quota(eligible.len());
        // The excluded kept are those near the line: whose score would have reached it.
        let line = (quota > 0).then(|| eligible[quota as usize - 1].1.total());
        let excluded: Vec<Excluded> = excluded
            .into_iter()
            .filter(|(_, score)| line.is_none_or(|line| *score >= line))
            .map(|(e, _)| e)
            .collect();
        for (i, (v, breakdown)) in eligible.into_iter().enumerate() {
            ranked.push(Ranked {
                volunteer_id: v.volunteer_id,
                volunteer_no: v.volunteer_no.clone(),
                rank: i as u32 + 1,
                score: breakdown.total(),
                breakdown,
                within_quota: (i as u32) < quota,
            });
        }
        Draft {
            quota,
            ranked,
            excluded,
            input_digest: digest(self, year, &sorted),
        }
    }
}

/// Where a volunteer stands on a round's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Place {
    /// `null` for a volunteer the rules left out.
    pub rank: Option<u32>,
    #[schema(value_type = Option<String>)]
    pub score: Option<Decimal>,
    pub within_quota: bool,
    /// Why the rules left the volunteer out (empty for the ranked).
    pub exclusions: Vec<Exclusion>,
}

/// A volunteer on a round's list: ranked, or left out near the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Standing {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    #[serde(flatten)]
    pub place: Place,
}

/// A volunteer on both lists whose rank, score or exclusions differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Moved {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub before: Place,
    pub after: Place,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Volunteer {
    pub volunteer_id: i64,
    pub volunteer_no: String,
}

/// What changed between two lists of one round, each part in the order of the list it is read
/// from (the new one, or the old one for those who left).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DraftDiff {
    /// On the new list only, as they stand now.
    pub entered: Vec<Standing>,
    /// On the old list only, as they stood.
    pub left: Vec<Standing>,
    pub moved: Vec<Moved>,
    /// Within the quota now and not before (new entrants included).
    pub into_quota: Vec<Volunteer>,
    /// Within the quota before and not now (those who left included).
    pub out_of_quota: Vec<Volunteer>,
}

impl DraftDiff {
    pub fn is_empty(&self) -> bool {
        *self == DraftDiff::default()
    }
}

impl Draft {
    /// The list as stored: the ranked in rank order, then those left out near the line.
    pub fn standings(&self) -> Vec<Standing> {
        let ranked = self.ranked.iter().map(|r| Standing {
            volunteer_id: r.volunteer_id,
            volunteer_no: r.volunteer_no.clone(),
            place: Place {
                rank: Some(r.rank),
                score: Some(r.score),
                within_quota: r.within_quota,
                exclusions: Vec::new(),
            },
        });
        let excluded = self.excluded.iter().map(|e| Standing {
            volunteer_id: e.volunteer_id,
            volunteer_no: e.volunteer_no.clone(),
            place: Place {
                rank: None,
                score: None,
                within_quota: false,
                exclusions: e.reasons.clone(),
            },
        });
        ranked.chain(excluded).collect()
    }
}

/// What changed from the list `before` to the list `after` of one round.
pub fn diff(before: &[Standing], after: &[Standing]) -> DraftDiff {
    let by_id = |list: &[Standing]| -> HashMap<i64, Place> {
        list.iter()
            .map(|s| (s.volunteer_id, s.place.clone()))
            .collect()
    };
    let (was, is) = (by_id(before), by_id(after));
    let within = |places: &HashMap<i64, Place>, id| places.get(&id).is_some_and(|p| p.within_quota);
    let who = |s: &Standing| Volunteer {
        volunteer_id: s.volunteer_id,
        volunteer_no: s.volunteer_no.clone(),
    };
    let mut d = DraftDiff::default();
    for s in after {
        match was.get(&s.volunteer_id) {
            None => d.entered.push(s.clone()),
            Some(old) => {
                let (a, b) = (old, &s.place);
                if (a.rank, a.score, &a.exclusions) != (b.rank, b.score, &b.exclusions) {
                    d.moved.push(Moved {
                        volunteer_id: s.volunteer_id,
                        volunteer_no: s.volunteer_no.clone(),
                        before: old.clone(),
                        after: s.place.clone(),
                    });
                }
            }
        }
        if s.place.within_quota && !within(&was, s.volunteer_id) {
            d.into_quota.push(who(s));
        }
    }
    for s in before {
        if !is.contains_key(&s.volunteer_id) {
            d.left.push(s.clone());
        }
        if s.place.within_quota && !within(&is, s.volunteer_id) {
            d.out_of_quota.push(who(s));
        }
    }
    d
}

fn digest(rules: &RuleSet, year: i32, sorted: &[&Input]) -> String {
    let text = serde_json::to_string(&(rules, year, sorted)).expect("inputs serialize");
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(id: i64, hours: i64, activities: i64) -> Input {
        Input {
            volunteer_id: id,
            volunteer_no: format!("V{id:08}"),
            registered_on: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            minutes: hours * 60,
            activities,
            ratings: [0; 4],
            backbone: false,
            fraudulent: 0,
        }
    }

    #[test]
    fn eligibility_needs_an_early_registration_enough_hours_and_no_fraud() {
        let rules = RuleSet::default();
        assert_eq!(
            rules.registered_by(2025),
            NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
        );
        let mut late = input(1, 40, 4);
        late.registered_on = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let short = input(2, 19, 4);
        let mut cheat = input(3, 50, 9);
        cheat.fraudulent = 1;
        let fine = input(4, 20, 1);
        let d = rules.draft(2025, &[late, short, cheat, fine]);
        let why: Vec<_> = d
            .excluded
            .iter()
            .map(|e| (e.volunteer_id, e.reasons.clone()))
            .collect();
        assert_eq!(
            why,
            [
                (1, vec![Exclusion::RegisteredTooLate]),
                (2, vec![Exclusion::TooFewHours]),
                (3, vec![Exclusion::Fraud])
            ]
        );
        assert_eq!(d.ranked.len(), 1);
        assert_eq!(d.ranked[0].volunteer_id, 4);
    }

    #[test]
    fn the_score_adds_hours_activities_ratings_and_backbone() {
        let rules = RuleSet::default();
        let mut v = input(1, 30, 5);
        v.minutes += 30;
        v.ratings = [2, 1, 0, 1];
        v.backbone = true;
        let b = rules.breakdown(&v);
        assert_eq!(b.hours.to_string(), "30.50");
        assert_eq!(b.activities, Decimal::from(10));
        assert_eq!(b.evaluations, Decimal::from(6));
        assert_eq!(b.backbone, Decimal::from(10));
        assert_eq!(b.total().to_string(), "56.50");
    }

    #[test]
    fn the_quota_is_five_percent_rounded_up_and_at_least_one() {
        let rules = RuleSet::default();
        assert_eq!(rules.quota(0), 0);
        assert_eq!(rules.quota(1), 1);
        assert_eq!(rules.quota(20), 1);
        assert_eq!(rules.quota(21), 2);
        assert_eq!(rules.quota(400), 20);
    }

    #[test]
    fn ties_break_by_hours_then_registration_then_number_and_the_order_of_inputs_does_not_matter() {
        let rules = RuleSet::default();
        // Same score 40: 40 h and no activity, or 30 h and 5 activities.
        let many_hours = input(7, 40, 0);
        let fewer_hours = input(3, 30, 5);
        let mut earlier = input(9, 30, 5);
        earlier.registered_on = NaiveDate::from_ymd_opt(2020, 5, 1).unwrap();
        let twin = input(2, 30, 5);
        let inputs = vec![many_hours, fewer_hours, earlier, twin];
        let d = rules.draft(2025, &inputs);
        let order: Vec<i64> = d.ranked.iter().map(|r| r.volunteer_id).collect();
        assert_eq!(order, [7, 9, 2, 3]);
        assert_eq!(d.quota, 1);
        assert!(d.ranked[0].within_quota && !d.ranked[1].within_quota);
        let reversed: Vec<Input> = inputs.into_iter().rev().collect();
        let again = rules.draft(2025, &reversed);
        assert_eq!(again, d);
        assert_eq!(d.input_digest.len(), 64);
        let mut changed = reversed.clone();
        changed[0].minutes += 1;
        assert_ne!(rules.draft(2025, &changed).input_digest, d.input_digest);
    }

    #[test]
    fn the_same_inputs_give_no_difference() {
        let rules = RuleSet::default();
        let d = rules.draft(2025, &[input(1, 40, 2), input(2, 30, 1), input(3, 5, 0)]);
        assert!(diff(&d.standings(), &d.standings()).is_empty());
    }

    #[test]
    fn a_late_correction_shows_who_entered_left_moved_and_crossed_the_line() {
        let rules = RuleSet::default();
        let mut late = input(4, 60, 0);
        late.registered_on = NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
        let before = vec![input(1, 40, 2), input(2, 30, 1), input(3, 21, 0), late];
        let old = rules.draft(2025, &before);
        // 1 (44) within the quota, 2 (32), 3 (21); 4 would score 60 but registered too late.
        assert_eq!(old.standings().len(), 4);
        let mut after = before.clone();
        after[1].minutes = 50 * 60; // 2: 52, now first
        after[2].minutes = 19 * 60; // 3: too few hours, far below the line
        after.push(input(5, 45, 0)); // 5: 45, now second
        let new = rules.draft(2025, &after);
        let d = diff(&old.standings(), &new.standings());

        let ids = |v: &[Standing]| v.iter().map(|s| s.volunteer_id).collect::<Vec<_>>();
        assert_eq!(ids(&d.entered), [5]);
        assert_eq!(d.entered[0].place.rank, Some(2));
        assert_eq!(ids(&d.left), [3]);
        assert_eq!(d.left[0].place.rank, Some(3));
        let moved: Vec<_> = d
            .moved
            .iter()
            .map(|m| (m.volunteer_id, m.before.rank, m.after.rank))
            .collect();
        assert_eq!(moved, [(2, Some(2), Some(1)), (1, Some(1), Some(3))]);
        assert_eq!(d.moved[0].after.score.unwrap().to_string(), "52.00");
        let no = |v: &[Volunteer]| v.iter().map(|w| w.volunteer_no.clone()).collect::<Vec<_>>();
        assert_eq!(no(&d.into_quota), ["V00000002"]);
        assert_eq!(no(&d.out_of_quota), ["V00000001"]);
        // 4 stays left out near the line, unchanged.
        assert!(d.moved.iter().all(|m| m.volunteer_id != 4));
    }

    #[test]
    fn leaving_the_list_from_within_the_quota_is_leaving_the_quota() {
        let rules = RuleSet::default();
        let old = rules.draft(2025, &[input(1, 40, 0), input(2, 30, 0)]);
        let new = rules.draft(2025, &[input(2, 30, 0)]);
        let d = diff(&old.standings(), &new.standings());
        assert_eq!(d.left.len(), 1);
        assert_eq!(d.out_of_quota[0].volunteer_id, 1);
        assert_eq!(d.into_quota[0].volunteer_id, 2);
        assert_eq!(d.moved[0].before.rank, Some(2));
        assert_eq!(d.moved[0].after.rank, Some(1));
    }
}
