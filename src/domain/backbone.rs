//! Backbone volunteers 骨干志愿者 (DESIGN.md §6; no national definition, ours): enough confirmed
//! service hours and distinct activities in the trailing months, or a social worker's
//! designation with a reason. A person's decision (designation or revocation) stands over the
//! rule until a person changes it.

use super::hours::hours;
use chrono::{Datelike, Months, NaiveDate};

/// The rule, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct BackboneRule {
    pub hours: i64,
    pub activities: i64,
    /// Calendar months counted, the current one included.
    pub months: u32,
}

/// How a status came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    Rule,
    Designation,
    Revocation,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Rule => "rule",
            Basis::Designation => "designation",
            Basis::Revocation => "revocation",
        }
    }

    pub fn parse(s: &str) -> Option<Basis> {
        [Basis::Rule, Basis::Designation, Basis::Revocation]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
}

/// A month as kept in the monthly totals: year × 100 + month.
pub fn month_key(day: NaiveDate) -> i32 {
    day.year() * 100 + day.month() as i32
}

impl BackboneRule {
    /// The first and last month (as [`month_key`]) the rule counts on `today`.
    pub fn window(&self, today: NaiveDate) -> (i32, i32) {
        let first = today
            .with_day(1)
            .expect("day 1 exists")
            .checked_sub_months(Months::new(self.months.max(1) - 1))
            .unwrap_or(NaiveDate::MIN);
        (month_key(first), month_key(today))
    }

    pub fn min_minutes(&self) -> i64 {
        self.hours * 60
    }

    pub fn qualifies(&self, minutes: i64, activities: i64) -> bool {
        minutes >= self.min_minutes() && activities >= self.activities
    }

    /// Why the rule gives the status, in the words the volunteer reads.
    pub fn reason_met(&self, minutes: i64, activities: i64) -> String {
        format!(
            "近{}个月服务{}小时、参加{}项活动，达到骨干志愿者标准（{}小时、{}项）",
            self.months,
            hours(minutes),
            activities,
            self.hours,
            self.activities
        )
    }

    /// What the rule asks, for a volunteer who has never held the status.
    pub fn standard(&self) -> String {
        format!(
            "骨干志愿者标准：近{}个月服务满{}小时且参加至少{}项活动，或由社工认定",
            self.months, self.hours, self.activities
        )
    }

    /// Why the rule takes the status away.
    pub fn reason_lapsed(&self) -> String {
        format!(
            "近{}个月服务不足{}小时或参加活动不足{}项",
            self.months, self.hours, self.activities
        )
    }
}

/// The status a volunteer holds: a person's decision if there is one, else the rule's.
pub fn effective(by_rule: bool, designated: Option<bool>) -> bool {
    designated.unwrap_or(by_rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: BackboneRule = BackboneRule {
        hours: 40,
        activities: 10,
        months: 12,
    };

    #[test]
    fn twelve_months_end_with_the_current_one() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(RULE.window(day), (202512, 202611));
        let january = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(RULE.window(january), (202502, 202601));
    }

    #[test]
    fn both_thresholds_are_needed() {
        assert!(RULE.qualifies(2400, 10));
        assert!(!RULE.qualifies(2399, 30));
        assert!(!RULE.qualifies(6000, 9));
    }

    #[test]
    fn a_person_stands_over_the_rule() {
        assert!(effective(true, None));
        assert!(!effective(true, Some(false)));
        assert!(effective(false, Some(true)));
        assert!(!effective(false, None));
    }

    #[test]
    fn the_reason_names_the_figures() {
        assert_eq!(
            RULE.reason_met(2430, 12),
            "近12个月服务40.50小时、参加12项活动，达到骨干志愿者标准（40小时、10项）"
        );
    }
}
