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
    fn a_single_wrong_digit_is_caught() {
        let no = volunteer_no(4711);
        for i in 1..no.len() {
            let mut b = no.clone().into_bytes();
            b[i] = if b[i] == b'9' { b'0' } else { b[i] + 1 };
            assert!(!is_valid(std::str::from_utf8(&b).unwrap()), "{i}");
        }
    }
}
