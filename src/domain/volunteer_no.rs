//! 志愿者编号: the unified volunteer number, `V` + eight digits + a Luhn check digit, so that a
//! number read out over the phone with one wrong digit is caught.

pub fn volunteer_no(id: i64) -> String {
    let digits = format!("{id:08}");
    format!("V{digits}{}", luhn_check_digit(&digits))
}

/// Whether `s` is a well-formed volunteer number.
pub fn is_valid(s: &str) -> bool {
    s.len() >= 10
        && s.starts_with('V')
        && s[1..].bytes().all(|b| b.is_ascii_digit())
        && luhn_check_digit(&s[1..s.len() - 1]) == s.as_bytes()[s.len() - 1] - b'0'
}

/// The volunteer numbers typed into a list, once each in the order given: one a line or
/// separated by commas (either width) or spaces, in either case.
pub fn listed(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    text.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|n| !n.is_empty())
        .map(str::to_ascii_uppercase)
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

fn luhn_check_digit(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_carry_a_luhn_digit() {
        // 7992739871 is the classic Luhn example: check digit 3.
        assert_eq!(luhn_check_digit("7992739871"), 3);
        assert_eq!(volunteer_no(1), "V000000018");
        assert!(is_valid(&volunteer_no(123_456)));
    }

    #[test]
    fn a_typed_list_holds_each_number_once() {
        assert_eq!(
            listed(" v000000018\r\nV000000026，V000000018, V000000034、\n\n"),
            ["V000000018", "V000000026", "V000000034"]
        );
        assert!(listed(" \n ,").is_empty());
    }

    #[test]
    fn a_single_wrong_digit_is_caught() {
        let no = volunteer_no(4711);
        for i in 1..no.len() {
            let mut b = no.clone().into_bytes();
            b[i] = if b[i] == b'9' { b'0' } else { b[i] + 1 };
            assert!(!is_valid(std::str::from_utf8(&b).unwrap()), "{i}");
        }
    }
}
