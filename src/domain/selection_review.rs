//! The committee's part of a selection round 优秀志愿者评选 (DESIGN.md §7): what its decisions and
//! the upheld objections make of the draft's list, how the public notice 公示 shows a name, and
//! what the award is called.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// A committee member's decision on one volunteer of the round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Not a winner, whatever the rank.
    Exclude,
    /// A winner, whatever the rank.
    Nominate,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Exclude => "exclude",
            Decision::Nominate => "nominate",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "exclude" => Some(Decision::Exclude),
            "nominate" => Some(Decision::Nominate),
            _ => None,
        }
    }
}

/// Why a volunteer is on the winners' list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Ranked within the quota.
    Rank,
    /// Nominated by the committee.
    Nomination,
}

/// A ranked candidate as the list needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub volunteer_id: i64,
    pub rank: u32,
    pub within_quota: bool,
}

/// The winners, best rank first: those ranked within the quota and those nominated, less those
/// excluded (a volunteer's latest decision counts: `decisions` in the order they were made) and
/// those an upheld objection removed.
pub fn winners(
    ranked: &[Placed],
    decisions: &[(i64, Decision)],
    removed: &HashSet<i64>,
) -> Vec<(i64, Basis)> {
    let latest: HashMap<i64, Decision> = decisions.iter().copied().collect();
    let mut by_rank: Vec<&Placed> = ranked.iter().collect();
    by_rank.sort_by_key(|p| p.rank);
    by_rank
        .into_iter()
        .filter(|p| !removed.contains(&p.volunteer_id))
        .filter_map(|p| match (latest.get(&p.volunteer_id), p.within_quota) {
            (Some(Decision::Exclude), _) => None,
            (Some(Decision::Nominate), false) => Some((p.volunteer_id, Basis::Nomination)),
            (_, true) => Some((p.volunteer_id, Basis::Rank)),
            (None, false) => None,
        })
        .collect()
}

/// A name as the public notice shows it when names are masked: the first and last characters
/// kept and those between starred (张*丰, 欧**娜); a two-character name keeps its first (李*).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_owned(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// The award a round's winners receive, e.g. 2025年度优秀志愿者.
pub fn award_name(year: i32) -> String {
    format!("{year}年度优秀志愿者")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(id: i64, rank: u32, within_quota: bool) -> Placed {
        Placed {
            volunteer_id: id,
            rank,
            within_quota,
        }
    }

    #[test]
    fn decisions_and_upheld_objections_shape_the_list() {
        let ranked = [
            placed(10, 1, true),
            placed(20, 2, true),
            placed(30, 3, false),
            placed(40, 4, false),
        ];
        let none = HashSet::new();
        assert_eq!(
            winners(&ranked, &[], &none),
            [(10, Basis::Rank), (20, Basis::Rank)]
        );
        let decisions = [
            (20, Decision::Exclude),
            (40, Decision::Nominate),
            (30, Decision::Nominate),
            (30, Decision::Exclude),
        ];
        assert_eq!(
            winners(&ranked, &decisions, &none),
            [(10, Basis::Rank), (40, Basis::Nomination)]
        );
        let removed = HashSet::from([10]);
        assert_eq!(
            winners(&ranked, &decisions, &removed),
            [(40, Basis::Nomination)]
        );
    }

    #[test]
    fn a_later_nomination_restores_an_excluded_winner() {
        let ranked = [placed(10, 1, true)];
        let decisions = [(10, Decision::Exclude), (10, Decision::Nominate)];
        assert_eq!(
            winners(&ranked, &decisions, &HashSet::new()),
            [(10, Basis::Rank)]
        );
    }

    #[test]
    fn masked_names_keep_the_first_and_last_characters() {
        assert_eq!(mask_name("李娜"), "李*");
        assert_eq!(mask_name("张三丰"), "张*丰");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn the_award_is_named_for_the_year() {
        assert_eq!(award_name(2025), "2025年度优秀志愿者");
    }
}
