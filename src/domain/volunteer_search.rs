//! What staff type in the box that finds a volunteer: a whole mobile number, the start of a
//! volunteer number 志愿者编号 (`V0000` or just its digits), or the start of a name. Each is
//! answered from one index: the phone exactly, the others as a range of texts that start with it.

use super::phone::Phone;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolunteerSearch {
    /// A whole mobile number, as numbers are stored (11 digits).
    Phone(String),
    /// The start of a volunteer number, `V` and digits.
    Number(String),
    /// The start of a name.
    Name(String),
}

impl VolunteerSearch {
    /// What `typed` asks for; `None` when it is blank (everyone).
    pub fn parse(typed: &str) -> Option<VolunteerSearch> {
        let typed = typed.trim();
        if typed.is_empty() {
            return None;
        }
        if let Ok(phone) = Phone::parse(typed) {
            return Some(VolunteerSearch::Phone(phone.as_str().to_owned()));
        }
        let digits = typed.strip_prefix(['V', 'v']).unwrap_or(typed).trim_start();
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Some(VolunteerSearch::Number(format!("V{digits}")));
        }
        Some(VolunteerSearch::Name(typed.to_owned()))
    }
}

/// The first text after every text that starts with `prefix`, comparing byte by byte (as UTF-8,
/// which is the order of the characters): `prefix` with its last character replaced by the next
/// one. `None` when no text follows them all (a prefix of nothing but the last character).
pub fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(typed: &str) -> Option<VolunteerSearch> {
        VolunteerSearch::parse(typed)
    }

    #[test]
    fn a_whole_mobile_number_is_a_phone_in_its_stored_form() {
        for typed in ["13812345678", " 138-1234-5678 ", "+86 138 1234 5678"] {
            assert_eq!(
                parse(typed),
                Some(VolunteerSearch::Phone("13812345678".into())),
                "{typed}"
            );
        }
    }

    #[test]
    fn digits_with_or_without_the_v_start_a_volunteer_number() {
        assert_eq!(
            parse("v0000123"),
            Some(VolunteerSearch::Number("V0000123".into()))
        );
        assert_eq!(
            parse("0000123"),
            Some(VolunteerSearch::Number("V0000123".into()))
        );
        assert_eq!(
            parse("V000012345"),
            Some(VolunteerSearch::Number("V000012345".into()))
        );
        // Eleven digits that are no mobile number are a number too.
        assert_eq!(
            parse("12812345678"),
            Some(VolunteerSearch::Number("V12812345678".into()))
        );
    }

    #[test]
    fn anything_else_starts_a_name_and_blank_is_everyone() {
        assert_eq!(parse(" 王 "), Some(VolunteerSearch::Name("王".into())));
        assert_eq!(parse("V王"), Some(VolunteerSearch::Name("V王".into())));
        assert_eq!(parse("V"), Some(VolunteerSearch::Name("V".into())));
        assert_eq!(parse("  "), None);
    }

    #[test]
    fn the_end_of_a_prefix_range_follows_every_text_starting_with_it() {
        assert_eq!(prefix_end("王").as_deref(), Some("玌"));
        assert_eq!(prefix_end("V0012").as_deref(), Some("V0013"));
        assert_eq!(prefix_end("V0019").as_deref(), Some("V001:"));
        for name in ["王", "王芳", "王\u{10FFFF}", "王芳芳"] {
            let end = prefix_end("王").unwrap();
            assert!(name.as_bytes() >= "王".as_bytes() && name.as_bytes() < end.as_bytes());
        }
        assert!("玌".as_bytes() >= prefix_end("王").unwrap().as_bytes());
        // Past the last character: the one before it moves on; past everything: no end.
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
        assert_eq!(prefix_end(""), None);
    }
}
