//! Mainland China mobile numbers (11 digits, `1[3-9]…`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidPhone;

impl fmt::Display for InvalidPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mainland mobile number has 11 digits and starts with 13–19")
    }
}

impl Phone {
    /// Accepts the common ways people type a number: spaces or dashes between groups and an
    /// optional `+86` / `86` country prefix.
    pub fn parse(raw: &str) -> Result<Self, InvalidPhone> {
        let digits: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("86").filter(|rest| rest.len() == 11))
            .unwrap_or(&digits);
        let b = digits.as_bytes();
        if b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
        {
            Ok(Phone(digits.to_owned()))
        } else {
            Err(InvalidPhone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `138****5678`: the form shown in lists and to staff with no call to make. Anything other than
/// eleven digits is hidden whole.
pub fn masked(phone: &str) -> String {
    if phone.len() == 11 && phone.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "*".repeat(phone.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_spellings() {
        for raw in [
            "13812345678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "8613812345678",
        ] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "13812345678", "{raw}");
        }
    }

    #[test]
    fn refuses_landlines_short_and_foreign_numbers() {
        for raw in [
            "12812345678",
            "1381234567",
            "138123456789",
            "02112345678",
            "abc",
            "",
        ] {
            assert_eq!(Phone::parse(raw), Err(InvalidPhone), "{raw}");
        }
    }

    #[test]
    fn a_masked_number_keeps_the_first_three_and_last_four_digits() {
        assert_eq!(masked("13812345678"), "138****5678");
        assert_eq!(masked("1381234"), "*******");
        assert_eq!(masked(""), "");
    }
}
