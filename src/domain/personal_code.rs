//! The volunteer's personal code 志愿者码: what an organizer scans from the volunteer's phone, or
//! from the card printed for a volunteer without one, to check them in or out of an activity.
//!
//! A code is a letter saying what carries it, the volunteer's id and a 50-bit signature, all in
//! Crockford's base 32 (digits and capitals without I, L, O and U), e.g. `P3KQ7D2WA9MXB`: it fits
//! the smallest QR code and can be typed from a screen, read whatever its case, spaces or
//! dashes. The signature is an HMAC keyed by the service over the volunteer and
//! - on a phone (`P`), the rotation step of [`qr::rotation_step`]: the code shown changes every
//!   30 s and is accepted for its step and the next, so a screenshot is stale within a minute;
//! - on a card (`C`), the card's serial: a card lasts until a new one is issued to the volunteer.
//!
//! Neither step nor serial is written in the code, since the service knows the current ones; a
//! code of an earlier step or card then simply does not verify. 50 bits leave an organizer
//! guessing codes at the API some 10^15 tries.

use super::qr::{self, constant_time_eq, in_digits};
use chrono::{DateTime, Utc};

/// Crockford's base 32.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const SIGNATURE_BITS: u32 = 50;
const SIGNATURE_CHARS: usize = 10;
/// Most digits of a volunteer id (60 bits).
const MAX_ID_CHARS: usize = 12;

/// What shows the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    /// The volunteer's own page, refreshed as the steps go by.
    Phone,
    /// A printed card, valid until the next is issued.
    Card,
}

impl Carrier {
    fn letter(self) -> char {
        match self {
            Carrier::Phone => 'P',
            Carrier::Card => 'C',
        }
    }
}

/// What a code claims before its signature is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalCode {
    pub volunteer_id: i64,
    pub carrier: Carrier,
    signature: String,
}

/// Not a current code of a volunteer: malformed, forged, stale, or of a card since replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidCode;

fn signature(key: &[u8; 32], carrier: Carrier, volunteer_id: i64, counter: i64) -> String {
    let what = format!("{}|{volunteer_id}|{counter}", carrier.letter());
    let mac = qr::mac(key, &[b"vledger personal code v1|", what.as_bytes()]);
    let head = u64::from_be_bytes(mac[..8].try_into().expect("8 bytes"));
    let bits = head >> (64 - SIGNATURE_BITS);
    format!("{:0>SIGNATURE_CHARS$}", in_digits(bits, ALPHABET))
}

fn code(key: &[u8; 32], carrier: Carrier, volunteer_id: i64, counter: i64) -> String {
    format!(
        "{}{}{}",
        carrier.letter(),
        in_digits(volunteer_id.max(0) as u64, ALPHABET),
        signature(key, carrier, volunteer_id, counter)
    )
}

/// The code a volunteer's phone shows during rotation `step`.
pub fn phone_code(key: &[u8; 32], volunteer_id: i64, step: i64) -> String {
    code(key, Carrier::Phone, volunteer_id, step)
}

/// The code printed on the volunteer's card number `serial`.
pub fn card_code(key: &[u8; 32], volunteer_id: i64, serial: i64) -> String {
    code(key, Carrier::Card, volunteer_id, serial)
}

/// The code in groups of four, to read out and type.
pub fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|group| std::str::from_utf8(group).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a code as scanned or typed: any case, spaces and dashes ignored, O read as 0 and I or L
/// as 1.
pub fn parse(typed: &str) -> Result<PersonalCode, InvalidCode> {
    let code: Vec<u8> = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => b'0',
            'I' | 'L' => b'1',
            c if c.is_ascii() => c as u8,
            _ => b'?',
        })
        .collect();
    if code.len() < 2 + SIGNATURE_CHARS || code.len() > 1 + MAX_ID_CHARS + SIGNATURE_CHARS {
        return Err(InvalidCode);
    }
    let carrier = match code[0] {
        b'P' => Carrier::Phone,
        b'C' => Carrier::Card,
        _ => return Err(InvalidCode),
    };
    let (id, signature) = code[1..].split_at(code.len() - 1 - SIGNATURE_CHARS);
    if id[0] == b'0' || !signature.iter().all(|b| ALPHABET.contains(b)) {
        return Err(InvalidCode);
    }
    let volunteer_id = id.iter().try_fold(0i64, |n, b| {
        let digit = ALPHABET.iter().position(|a| a == b).ok_or(InvalidCode)?;
        Ok(n * 32 + digit as i64)
    })?;
    Ok(PersonalCode {
        volunteer_id,
        carrier,
        signature: String::from_utf8(signature.to_vec()).expect("ASCII"),
    })
}

impl PersonalCode {
    /// Checks the signature at `now`: a phone's code of the current rotation step or the one
    /// before, a card's of the volunteer's current card, `card_serial`.
    pub fn verify(
        &self,
        key: &[u8; 32],
        card_serial: i64,
        now: DateTime<Utc>,
    ) -> Result<(), InvalidCode> {
        let counters = match self.carrier {
            Carrier::Phone => {
                let step = qr::rotation_step(now);
                vec![step, step - 1]
            }
            Carrier::Card => vec![card_serial],
        };
        let genuine = counters.into_iter().any(|counter| {
            let expected = signature(key, self.carrier, self.volunteer_id, counter);
            constant_time_eq(expected.as_bytes(), self.signature.as_bytes())
        });
        if genuine { Ok(()) } else { Err(InvalidCode) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const KEY: [u8; 32] = [5; 32];

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, 0).unwrap()
    }

    fn check(typed: &str, serial: i64, now: DateTime<Utc>) -> Result<i64, InvalidCode> {
        let code = parse(typed)?;
        code.verify(&KEY, serial, now)?;
        Ok(code.volunteer_id)
    }

    #[test]
    fn codes_are_short_capitals_and_digits() {
        let now = at(1_800_000_000);
        for id in [1, 31, 32, 123_456, 1 << 40] {
            let c = phone_code(&KEY, id, qr::rotation_step(now));
            assert!(c.len() <= 40, "{c}");
            assert!(c.bytes().all(|b| ALPHABET.contains(&b)), "{c}");
            assert_eq!(check(&c, 1, now), Ok(id));
        }
        assert_eq!(phone_code(&KEY, 123_456, 1).len(), 1 + 4 + 10);
    }

    #[test]
    fn a_phone_code_lives_for_its_step_and_the_next_only() {
        let now = at(1_800_000_000);
        let step = qr::rotation_step(now);
        let c = phone_code(&KEY, 42, step);
        assert_eq!(check(&c, 1, now), Ok(42));
        assert_eq!(check(&c, 1, at(1_800_000_000 + 30)), Ok(42));
        assert_eq!(check(&c, 1, at(1_800_000_000 + 60)), Err(InvalidCode));
        assert_eq!(check(&c, 1, at(1_800_000_000 - 30)), Err(InvalidCode));
        let two_steps_ago = phone_code(&KEY, 42, step - 2);
        assert_eq!(check(&two_steps_ago, 1, now), Err(InvalidCode));
    }

    #[test]
    fn a_card_lasts_until_the_next_is_issued() {
        let years_later = at(2_000_000_000);
        let first = card_code(&KEY, 42, 1);
        assert_eq!(check(&first, 1, years_later), Ok(42));
        assert_eq!(check(&first, 2, years_later), Err(InvalidCode));
        let second = card_code(&KEY, 42, 2);
        assert_eq!(check(&second, 2, years_later), Ok(42));
    }

    #[test]
    fn forged_altered_and_moved_codes_are_invalid() {
        let now = at(1_800_000_000);
        let c = phone_code(&KEY, 42, qr::rotation_step(now));
        let other = phone_code(&KEY, 43, qr::rotation_step(now));
        let moved = format!("{}{}", &other[..other.len() - 10], &c[c.len() - 10..]);
        let mut altered = c.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        let as_card = c.replacen('P', "C", 1);
        let other_key = phone_code(&[6; 32], 42, qr::rotation_step(now));
        for forged in [moved, altered, as_card, other_key] {
            assert_eq!(check(&forged, 1, now), Err(InvalidCode), "{forged}");
        }
        for junk in [
            "",
            "P",
            "P0000000000",
            "X1ABCDEFGHJK",
            "P01ABCDEFGHJK",
            "P1ABCDEFGHJU",
            "P1ABCDEFGH",
            "P1234567890123ABCDEFGHJK",
            "https://example.gov.cn/s/2n9c.AbCdEfGhIjKl",
            "志愿者码",
        ] {
            assert_eq!(check(junk, 1, now), Err(InvalidCode), "{junk}");
        }
    }

    #[test]
    fn a_code_reads_as_typed_from_its_groups() {
        let now = at(1_800_000_000);
        let c = card_code(&KEY, 987_654, 3);
        let shown = grouped(&c);
        assert!(shown.split(' ').all(|g| g.len() <= 4), "{shown}");
        assert_eq!(check(&shown, 3, now), Ok(987_654));
        let typed = shown.to_lowercase().replace(' ', "-").replace('0', "o");
        assert_eq!(check(&format!("  {typed} "), 3, now), Ok(987_654));
        let ones = c.replace('1', "l");
        assert_eq!(check(&ones, 3, now), Ok(987_654));
    }
}
