//! Rules of the hours ledger: what a review credits, stars 星级, points 积分 and the
//! confirmation deadline of 10 working days.

use super::attendance::AttendanceState;
use super::enums::named_enum;
use chrono::{Datelike, Duration, NaiveDate, Weekday};

named_enum! {
    /// How a ledger entry came to be.
    pub enum EntrySource {
        /// Scanned in and out.
        Qr = "qr",
        /// Closed by the forgotten-check-out job, then reviewed.
        AutoClose = "auto_close",
        /// 补录 by an organizer for a volunteer who could not scan.
        Manual = "manual",
        /// Corrects an earlier entry, which it names.
        Correction = "correction",
        /// Brought over from another system.
        Import = "import",
    }
}

impl EntrySource {
    /// The source of the entry that reviewing an attendance in `state` appends.
    pub fn of_reviewed(state: AttendanceState) -> Self {
        match state {
            AttendanceState::AutoClosed => EntrySource::AutoClose,
            AttendanceState::CheckedIn | AttendanceState::CheckedOut => EntrySource::Qr,
        }
    }

    /// Only service scanned in and out earns points; a closed-for-you or typed-in record does not.
    pub fn earns_points(self) -> bool {
        self == EntrySource::Qr
    }
}

named_enum! {
    /// What a volunteer's report 纠错 says is wrong.
    pub enum ReportKind {
        /// No record at all.
        Missing = "missing",
        /// A record with the wrong time.
        Wrong = "wrong",
    }
}

/// What a report is about: a record that is missing, or one entry that is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTarget {
    Missing,
    Wrong { entry_id: i64 },
}

/// Why a report's kind and entry do not go together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidReportTarget {
    UnknownKind,
    /// `wrong` without the entry that is wrong.
    EntryNeeded,
    /// `missing` naming an entry.
    EntryGiven,
}

impl ReportTarget {
    /// Reads a report's `kind` and `entry_id` as a volunteer sends them.
    pub fn parse(kind: &str, entry_id: Option<i64>) -> Result<Self, InvalidReportTarget> {
        match (ReportKind::parse(kind), entry_id) {
            (Some(ReportKind::Missing), None) => Ok(ReportTarget::Missing),
            (Some(ReportKind::Wrong), Some(entry_id)) => Ok(ReportTarget::Wrong { entry_id }),
            (Some(ReportKind::Wrong), None) => Err(InvalidReportTarget::EntryNeeded),
            (Some(ReportKind::Missing), Some(_)) => Err(InvalidReportTarget::EntryGiven),
            (None, _) => Err(InvalidReportTarget::UnknownKind),
        }
    }

    pub fn kind(self) -> ReportKind {
        match self {
            ReportTarget::Missing => ReportKind::Missing,
            ReportTarget::Wrong { .. } => ReportKind::Wrong,
        }
    }

    pub fn entry_id(self) -> Option<i64> {
        match self {
            ReportTarget::Missing => None,
            ReportTarget::Wrong { entry_id } => Some(entry_id),
        }
    }
}

named_enum! {
    pub enum ReportStatus {
        Open = "open",
        Accepted = "accepted",
        Declined = "declined",
    }
}

/// An organizer's decision on one attendance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    /// Credit the attendance's own clipped time.
    Confirm,
    /// Credit `minutes` instead, for `reason`.
    Adjust { minutes: i64, reason: String },
    /// Credit nothing, for `reason`; `fraudulent` bars the volunteer from that year's selection.
    Reject { reason: String, fraudulent: bool },
}

impl Review {
    pub fn name(&self) -> &'static str {
        match self {
            Review::Confirm => "confirmed",
            Review::Adjust { .. } => "adjusted",
            Review::Reject { .. } => "rejected",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Review::Confirm => None,
            Review::Adjust { reason, .. } | Review::Reject { reason, .. } => Some(reason),
        }
    }

    /// Minutes credited for an attendance whose clipped time is `credited`; `None` for a rejection.
    pub fn minutes(&self, credited: i64) -> Option<i64> {
        match self {
            Review::Confirm => Some(credited),
            Review::Adjust { minutes, .. } => Some(*minutes),
            Review::Reject { .. } => None,
        }
    }
}

/// Stars from cumulative service minutes: one per threshold (in hours) reached.
pub fn stars(total_minutes: i64, thresholds_hours: &[i64]) -> u8 {
    thresholds_hours
        .iter()
        .filter(|&&h| total_minutes >= h * 60)
        .count() as u8
}

/// Points for confirmed scanned minutes: `per_hour` a full hour, nothing for a part hour.
pub fn service_points(minutes: i64, per_hour: i64) -> i64 {
    minutes.max(0) * per_hour / 60
}

/// The last day on which an activity that ended on `ended_on` may still be confirmed: the
/// `working_days`-th working day after it, weekends and `holidays` not counted.
pub fn confirmation_deadline(
    ended_on: NaiveDate,
    working_days: u32,
    holidays: &[NaiveDate],
) -> NaiveDate {
    let mut day = ended_on;
    let mut left = working_days;
    while left > 0 {
        day += Duration::days(1);
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if !weekend && !holidays.contains(&day) {
            left -= 1;
        }
    }
    day
}

/// Working days left from `today` to `deadline` (`today` not counted, `deadline` counted: 0 on the
/// deadline itself); `None` once the deadline has passed.
pub fn working_days_left(
    today: NaiveDate,
    deadline: NaiveDate,
    holidays: &[NaiveDate],
) -> Option<i64> {
    if today > deadline {
        return None;
    }
    let working = |day: &NaiveDate| {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(day)
    };
    Some(
        today
            .iter_days()
            .skip(1)
            .take_while(|day| *day <= deadline)
            .filter(working)
            .count() as i64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_left_count_to_the_deadline_and_none_past_it() {
        let deadline = d(2026, 12, 4); // a Friday
        assert_eq!(working_days_left(d(2026, 12, 4), deadline, &[]), Some(0));
        assert_eq!(working_days_left(d(2026, 12, 3), deadline, &[]), Some(1));
        assert_eq!(working_days_left(d(2026, 11, 27), deadline, &[]), Some(5));
        let holiday = [d(2026, 12, 1)];
        assert_eq!(
            working_days_left(d(2026, 11, 27), deadline, &holiday),
            Some(4)
        );
        assert_eq!(working_days_left(d(2026, 12, 5), deadline, &[]), None);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn stars_follow_the_default_thresholds() {
        let t = [100, 300, 600, 1000, 1500];
        assert_eq!(stars(0, &t), 0);
        assert_eq!(stars(99 * 60 + 59, &t), 0);
        assert_eq!(stars(100 * 60, &t), 1);
        assert_eq!(stars(650 * 60, &t), 3);
        assert_eq!(stars(2000 * 60, &t), 5);
    }

    #[test]
    fn points_count_whole_hours() {
        assert_eq!(service_points(150, 1), 2);
        assert_eq!(service_points(59, 1), 0);
        assert_eq!(service_points(120, 3), 6);
        assert_eq!(service_points(-30, 1), 0);
    }

    #[test]
    fn the_deadline_skips_weekends_and_holidays() {
        // Friday 2026-05-01 (a holiday itself): ten working days later, with 5 May off too.
        let holidays = [d(2026, 5, 1), d(2026, 5, 4), d(2026, 5, 5)];
        assert_eq!(
            confirmation_deadline(d(2026, 5, 1), 10, &holidays),
            d(2026, 5, 19)
        );
        // Monday 2026-11-23 with no holidays: two full weeks on.
        assert_eq!(
            confirmation_deadline(d(2026, 11, 23), 10, &[]),
            d(2026, 12, 7)
        );
    }

    #[test]
    fn only_scanned_service_earns_points() {
        assert_eq!(
            EntrySource::of_reviewed(AttendanceState::CheckedOut),
            EntrySource::Qr
        );
        assert_eq!(
            EntrySource::of_reviewed(AttendanceState::AutoClosed),
            EntrySource::AutoClose
        );
        let earning: Vec<_> = EntrySource::ALL
            .iter()
            .filter(|s| s.earns_points())
            .collect();
        assert_eq!(earning, [&EntrySource::Qr]);
    }

    #[test]
    fn a_report_names_an_entry_only_when_one_is_wrong() {
        let wrong = ReportTarget::parse("wrong", Some(7)).unwrap();
        assert_eq!(
            (wrong.kind(), wrong.entry_id()),
            (ReportKind::Wrong, Some(7))
        );
        assert_eq!(
            ReportTarget::parse("missing", None),
            Ok(ReportTarget::Missing)
        );
        assert_eq!(
            ReportTarget::parse("wrong", None),
            Err(InvalidReportTarget::EntryNeeded)
        );
        assert_eq!(
            ReportTarget::parse("missing", Some(7)),
            Err(InvalidReportTarget::EntryGiven)
        );
        assert_eq!(
            ReportTarget::parse("late", None),
            Err(InvalidReportTarget::UnknownKind)
        );
    }

    #[test]
    fn reviews_credit_what_they_say() {
        assert_eq!(Review::Confirm.minutes(90), Some(90));
        assert_eq!(
            Review::Adjust {
                minutes: 60,
                reason: "left early".into()
            }
            .minutes(90),
            Some(60)
        );
        assert_eq!(
            Review::Reject {
                reason: "not there".into(),
                fraudulent: true
            }
            .minutes(90),
            None
        );
    }
}
