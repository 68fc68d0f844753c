//! Service time is kept in whole minutes and shown as hours with two decimals.

use rust_decimal::Decimal;

pub fn hours(minutes: i64) -> Decimal {
    let mut h = Decimal::from(minutes) / Decimal::from(60);
    // rescale rounds half away from zero and always keeps two places: "2.50", not "2.5".
    h.rescale(2);
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_show_as_hours_with_two_places() {
        assert_eq!(hours(150).to_string(), "2.50");
        assert_eq!(hours(0).to_string(), "0.00");
        assert_eq!(hours(1).to_string(), "0.02");
        assert_eq!(hours(20).to_string(), "0.33");
    }
}
