//! 公民身份号码: the 18-digit resident ID number of GB 11643-1999.
//!
//! Six region digits, an eight-digit birth date, a three-digit sequence whose last digit is odd for
//! men and even for women, and an ISO 7064 mod 11-2 check character (`X` stands for 10).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::fmt;

/// Province-level region codes (the first two digits) in use in the national standard GB/T 2260,
/// plus 71/81/82 used for Taiwan, Hong Kong and Macao residence permits.
const PROVINCES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

/// Why a string is not a valid resident ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdNumberError {
    Length,
    Characters,
    Region,
    BirthDate,
    CheckDigit,
}

impl fmt::Display for IdNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdNumberError::Length => "an ID number has 18 characters",
            IdNumberError::Characters => "an ID number has 17 digits and a final digit or X",
            IdNumberError::Region => "the region code of the ID number does not exist",
            IdNumberError::BirthDate => "the birth date in the ID number is not a real past date",
            IdNumberError::CheckDigit => "the check digit of the ID number is wrong",
        })
    }
}

/// A validated ID number, upper-cased. Its `Debug` output is masked so that logs never hold it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl IdNumber {
    /// Parses and validates `raw` (surrounding spaces ignored, `x` read as `X`); `today` bounds the
    /// birth date.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let s = raw.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(IdNumberError::Length);
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdNumberError::Characters);
        }
        let province = (b[0] - b'0') * 10 + (b[1] - b'0');
        if !PROVINCES.contains(&province) {
            return Err(IdNumberError::Region);
        }
        let birth =
            NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").map_err(|_| IdNumberError::BirthDate)?;
        if birth > today || birth.year() < 1850 {
            return Err(IdNumberError::BirthDate);
        }
        if b[17] != check_char(&b[..17]) {
            return Err(IdNumberError::CheckDigit);
        }
        Ok(IdNumber(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("validated at parse")
    }

    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The only form that leaves the service: the province and city (the first four characters)
    /// and the check character, `1101*************X`. Birth date and sequence stay hidden, so that
    /// with the birth year and gender staff see, a number cannot be narrowed down (see the tests).
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(13), &self.0[17..])
    }
}

/// The mod 11-2 check character over the first 17 digits.
pub fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// Builds a valid ID number from a six-digit region code, a birth date and a sequence number
/// (0..=999; odd for men). Used to make synthetic volunteers.
pub fn compose(region: u32, birth: NaiveDate, sequence: u32) -> String {
    let mut s = format!("{region:06}{}{sequence:03}", birth.format("%Y%m%d"));
    let c = check_char(s.as_bytes());
    s.push(c as char);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn accepts_the_standards_own_example() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.masked(), "1101*************X");
    }

    #[test]
    fn reads_lower_case_x_and_spaces() {
        let id = IdNumber::parse(" 11010519491231002x ", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn derives_male_from_an_odd_sequence() {
        // 440524188001010014: the example of GB 11643's predecessor, check digit 4.
        let id = IdNumber::parse("440524188001010014", today()).unwrap();
        assert_eq!(id.gender(), Gender::Male);
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1880, 1, 1).unwrap()
        );
    }

    #[test]
    fn refuses_a_wrong_check_digit() {
        assert_eq!(
            IdNumber::parse("110105194912310021", today()),
            Err(IdNumberError::CheckDigit)
        );
    }

    #[test]
    fn refuses_unknown_regions_dates_and_shapes() {
        let bad_region = compose(991234, NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(), 12);
        assert_eq!(
            IdNumber::parse(&bad_region, today()),
            Err(IdNumberError::Region)
        );
        // 30 February, and a birth date tomorrow.
        let mut feb30 = String::from("34010119900230123");
        feb30.push(check_char(feb30.as_bytes()) as char);
        assert_eq!(
            IdNumber::parse(&feb30, today()),
            Err(IdNumberError::BirthDate)
        );
        let future = compose(340101, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(), 123);
        assert_eq!(
            IdNumber::parse(&future, today()),
            Err(IdNumberError::BirthDate)
        );
        assert_eq!(
            IdNumber::parse("1101051949123100", today()),
            Err(IdNumberError::Length)
        );
        assert_eq!(
            IdNumber::parse("1101051949123100X2", today()),
            Err(IdNumberError::Characters)
        );
        assert_eq!(
            IdNumber::parse("一二三", today()),
            Err(IdNumberError::Length)
        );
    }

    #[test]
    fn composed_numbers_validate_and_round_trip() {
        let birth = NaiveDate::from_ymd_opt(1985, 6, 15).unwrap();
        for seq in 0..1000 {
            let s = compose(340104, birth, seq);
            let id = IdNumber::parse(&s, today()).unwrap();
            assert_eq!(id.birth_date(), birth);
            assert_eq!(id.gender() == Gender::Male, seq % 2 == 1);
        }
    }

    /// How many valid numbers share each mask among those of one county, birth year and gender:
    /// what a staff member who is not a district admin sees of a volunteer, with the county
    /// assumed known (the worst case; the mask shows only the city).
    fn numbers_per_mask(county: u32, year: i32, gender: Gender) -> HashMap<String, usize> {
        let mut per_mask = HashMap::new();
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        for birth in first.iter_days().take_while(|d| d.year() == year) {
            for sequence in 0..1000 {
                let id = IdNumber::parse(&compose(county, birth, sequence), today()).unwrap();
                if id.gender() == gender {
                    *per_mask.entry(id.masked()).or_default() += 1;
                }
            }
        }
        per_mask
    }

    #[test]
    fn what_staff_see_leaves_at_least_10000_numbers() {
        let standard = IdNumber::parse("11010519491231002X", today()).unwrap();
        let alike = numbers_per_mask(110105, 1949, Gender::Female)[&standard.masked()];
        assert_eq!(alike, 16_591);
        for (county, year, gender) in [
            (110105, 1949, Gender::Female),
            (340104, 1980, Gender::Male),
            (340104, 2000, Gender::Female),
        ] {
            // Every check character occurs, and none narrows the number down below 10,000.
            let per_mask = numbers_per_mask(county, year, gender);
            assert_eq!(per_mask.len(), 11, "{county} {year}");
            let fewest = per_mask.values().min().unwrap();
            assert!(*fewest >= 10_000, "{county} {year} {gender:?}: {fewest}");
        }
    }

    #[test]
    fn debug_output_is_masked() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(format!("{id:?}"), "IdNumber(1101*************X)");
    }
}
