//! Short codes drawn at random, for people to read out, type and compare: eight characters of
//! RFC 4648 base 32 (40 bits) after a prefix that says what they name — a certificate number
//! (`VC` and the year) or a redemption code 兑换码 (`RD`).

/// RFC 4648 base 32: upper case, no 0/1/8/9 that could be misread.
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// The characters drawn.
const DRAWN_LEN: usize = 8;
const REDEMPTION_PREFIX: &str = "RD";

/// Eight characters drawn from `random`.
pub fn draw(random: [u8; 5]) -> String {
    let bits = random.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
    (0..DRAWN_LEN)
        .rev()
        .map(|i| char::from(ALPHABET[(bits >> (5 * i) & 31) as usize]))
        .collect()
}

/// Whether `s` is eight characters as [`draw`] makes them.
pub fn is_drawn(s: &[u8]) -> bool {
    s.len() == DRAWN_LEN && s.iter().all(|c| ALPHABET.contains(c))
}

/// A redemption code, e.g. `RDK7QW2M4D`: what a partner checks before handing a reward over.
pub fn redemption_code(random: [u8; 5]) -> String {
    format!("{REDEMPTION_PREFIX}{}", draw(random))
}

/// `typed` as a redemption code, in upper case and without the spaces or dashes a person may
/// put between its groups; `None` when it cannot be one (and is not looked up).
pub fn parse_redemption_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let drawn = code.strip_prefix(REDEMPTION_PREFIX)?;
    is_drawn(drawn.as_bytes()).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_bits_make_eight_characters() {
        assert_eq!(draw([0; 5]), "AAAAAAAA");
        assert_eq!(draw([0xff; 5]), "77777777");
        assert_eq!(draw([0x84, 0x21, 0x08, 0x42, 0x10]), "QQQQQQQQ");
    }

    #[test]
    fn a_redemption_code_is_read_as_people_type_it() {
        let code = redemption_code([1, 2, 3, 4, 5]);
        assert_eq!(code, "RDAEBAGBAF");
        assert_eq!(
            parse_redemption_code("rd-aeba gbaf").as_deref(),
            Some("RDAEBAGBAF")
        );
        for wrong in [
            "",
            "RD",
            "RDAEBAGBA",
            "RDAEBAGBA1",
            "VCAEBAGBAF",
            "RDAEBAGBAFF",
        ] {
            assert_eq!(parse_redemption_code(wrong), None, "{wrong}");
        }
    }
}
