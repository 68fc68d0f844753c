//! Social workers lead volunteers 社工引领志愿者: a staff account's social-work qualification
//! 社会工作职业资格 (what makes a social worker professional in the targets report), and when a
//! social worker's volunteer has gone quiet 沉寂.

use super::text::{InvalidText, TextRule};
use crate::error::codes::INVALID_QUALIFICATION;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The level of the national social-work qualification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QualificationLevel {
    /// 助理社会工作师
    Assistant,
    /// 社会工作师
    Intermediate,
    /// 高级社会工作师
    Senior,
}

impl QualificationLevel {
    pub const ALL: [QualificationLevel; 3] = [
        QualificationLevel::Assistant,
        QualificationLevel::Intermediate,
        QualificationLevel::Senior,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QualificationLevel::Assistant => "assistant",
            QualificationLevel::Intermediate => "intermediate",
            QualificationLevel::Senior => "senior",
        }
    }

    pub fn parse(s: &str) -> Option<QualificationLevel> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// The number on the qualification certificate.
const CERTIFICATE_NO: TextRule = TextRule::new(
    INVALID_QUALIFICATION,
    "a qualification needs its certificate number (1 to 50 characters)",
    50,
);

/// A qualification held: its level and certificate number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Qualification {
    pub level: QualificationLevel,
    pub certificate_no: String,
}

impl Qualification {
    /// The qualification `level` and `certificate_no` describe; `None` (no level) clears it,
    /// whatever number comes with it.
    pub fn parse(
        level: Option<&str>,
        certificate_no: Option<&str>,
    ) -> Result<Option<Qualification>, InvalidText> {
        let Some(level) = level else {
            return Ok(None);
        };
        let level = QualificationLevel::parse(level.trim()).ok_or_else(|| InvalidText {
            code: INVALID_QUALIFICATION,
            message: "the level is assistant, intermediate or senior".to_owned(),
        })?;
        let certificate_no = CERTIFICATE_NO.parse(certificate_no.unwrap_or_default())?;
        Ok(Some(Qualification {
            level,
            certificate_no,
        }))
    }
}

/// The earliest service date that still keeps a volunteer from being quiet on `today`: `months`
/// calendar months before it (the end of a shorter month when that day does not exist).
pub fn quiet_before(today: NaiveDate, months: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// Whether a volunteer whose last service was on `last_service` (`None`: never) has gone quiet
/// on `today`: no service in the last `months` months.
pub fn is_quiet(last_service: Option<NaiveDate>, today: NaiveDate, months: u32) -> bool {
    last_service.is_none_or(|day| day < quiet_before(today, months))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn quiet_after_months_without_service() {
        let today = day(2026, 11, 27);
        assert!(is_quiet(None, today, 3), "never served");
        assert!(!is_quiet(Some(today), today, 3));
        assert!(
            !is_quiet(Some(day(2026, 8, 27)), today, 3),
            "exactly 3 months"
        );
        assert!(is_quiet(Some(day(2026, 8, 26)), today, 3));
    }

    #[test]
    fn a_short_month_ends_the_span() {
        assert_eq!(quiet_before(day(2026, 5, 31), 3), day(2026, 2, 28));
        assert_eq!(quiet_before(day(2024, 5, 31), 3), day(2024, 2, 29));
        assert_eq!(quiet_before(day(2026, 1, 15), 3), day(2025, 10, 15));
    }

    #[test]
    fn a_qualification_needs_a_known_level_and_its_number() {
        let q = Qualification::parse(Some("intermediate"), Some(" Z2024-0031 "))
            .unwrap()
            .unwrap();
        assert_eq!(q.level, QualificationLevel::Intermediate);
        assert_eq!(q.certificate_no, "Z2024-0031");
        assert_eq!(Qualification::parse(None, Some("anything")), Ok(None));
        for (level, no) in [
            (Some("expert"), Some("1")),
            (Some("senior"), None),
            (Some("senior"), Some("  ")),
            (Some("senior"), Some(&*"9".repeat(51))),
        ] {
            let refused = Qualification::parse(level, no).unwrap_err();
            assert_eq!(refused.code, INVALID_QUALIFICATION, "{level:?} {no:?}");
        }
    }

    #[test]
    fn levels_round_trip_through_their_names() {
        for l in QualificationLevel::ALL {
            assert_eq!(QualificationLevel::parse(l.as_str()), Some(l));
        }
        assert_eq!(QualificationLevel::parse("Senior"), None);
    }
}
