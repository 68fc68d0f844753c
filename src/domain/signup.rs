//! Sign-up 招募报名: who gets a place at an activity and who waits on its list 候补, when an
//! activity takes sign-ups and cancellations, and what a check-in finds of them.

use super::enums::named_enum;
use chrono::{DateTime, Utc};

named_enum! {
    /// Where a volunteer's sign-up stands.
    pub enum SignupState {
        /// Holds one of the activity's places.
        Confirmed = "confirmed",
        /// On the waiting list; moves up, in the order of signing up, when a place frees.
        Waitlisted = "waitlisted",
    }
}

/// What of an activity decides its sign-ups.
#[derive(Debug, Clone, Copy)]
pub struct Recruitment {
    pub cancelled: bool,
    /// The organizer has not closed it.
    pub open: bool,
    pub starts_at: DateTime<Utc>,
    /// Places; `None` for as many as come.
    pub capacity: Option<i32>,
}

/// Why an activity takes no sign-up now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRecruiting {
    Cancelled,
    /// Closed by its organizer, or started.
    Closed,
}

impl Recruitment {
    /// Whether a volunteer may sign up at `now`: until the start, while the organizer keeps
    /// recruitment open.
    pub fn takes_signups(&self, now: DateTime<Utc>) -> Result<(), NotRecruiting> {
        if self.cancelled {
            Err(NotRecruiting::Cancelled)
        } else if !self.open || now >= self.starts_at {
            Err(NotRecruiting::Closed)
        } else {
            Ok(())
        }
    }

    /// Whether a volunteer may still cancel their sign-up at `now`: until the start, closed
    /// recruitment or not.
    pub fn takes_cancellations(&self, now: DateTime<Utc>) -> bool {
        now < self.starts_at
    }

    /// The state of a new sign-up while `confirmed` places are taken.
    pub fn place(&self, confirmed: i64) -> SignupState {
        match self.free_places(confirmed) {
            Some(0) => SignupState::Waitlisted,
            _ => SignupState::Confirmed,
        }
    }

    /// How many places are free while `confirmed` are taken; `None` without a limit.
    pub fn free_places(&self, confirmed: i64) -> Option<i64> {
        self.capacity.map(|c| (i64::from(c) - confirmed).max(0))
    }
}

/// Whether a check-in finds a place: a volunteer holding a confirmed sign-up always does (the
/// place was kept for them); anyone else while the places `taken` — by those checked in and by
/// those holding a sign-up, each counted once — are fewer than the capacity.
pub fn admits_check_in(capacity: Option<i32>, taken: i64, holds_place: bool) -> bool {
    holds_place || capacity.is_none_or(|c| taken < i64::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn recruitment(capacity: Option<i32>) -> Recruitment {
        Recruitment {
            cancelled: false,
            open: true,
            starts_at: Utc.with_ymd_and_hms(2026, 12, 12, 9, 0, 0).unwrap(),
            capacity,
        }
    }

    #[test]
    fn places_go_to_the_first_and_the_rest_wait() {
        let r = recruitment(Some(2));
        assert_eq!(r.place(0), SignupState::Confirmed);
        assert_eq!(r.place(1), SignupState::Confirmed);
        assert_eq!(r.place(2), SignupState::Waitlisted);
        // A capacity lowered below the places taken frees none.
        assert_eq!(r.free_places(3), Some(0));
        assert_eq!(r.place(3), SignupState::Waitlisted);
    }

    #[test]
    fn without_a_capacity_everyone_is_confirmed() {
        let r = recruitment(None);
        assert_eq!(r.place(10_000), SignupState::Confirmed);
        assert_eq!(r.free_places(10_000), None);
    }

    #[test]
    fn sign_ups_close_at_the_start_or_when_the_organizer_closes_them() {
        let r = recruitment(None);
        let before = r.starts_at - Duration::minutes(1);
        assert_eq!(r.takes_signups(before), Ok(()));
        assert_eq!(r.takes_signups(r.starts_at), Err(NotRecruiting::Closed));
        let closed = Recruitment { open: false, ..r };
        assert_eq!(closed.takes_signups(before), Err(NotRecruiting::Closed));
        let cancelled = Recruitment {
            cancelled: true,
            ..r
        };
        assert_eq!(
            cancelled.takes_signups(before),
            Err(NotRecruiting::Cancelled)
        );
    }

    #[test]
    fn cancelling_is_possible_until_the_start_even_when_closed() {
        let closed = Recruitment {
            open: false,
            ..recruitment(Some(1))
        };
        assert!(closed.takes_cancellations(closed.starts_at - Duration::seconds(1)));
        assert!(!closed.takes_cancellations(closed.starts_at));
    }

    #[test]
    fn a_held_place_always_admits_and_others_only_while_places_remain() {
        assert!(admits_check_in(Some(2), 5, true));
        assert!(admits_check_in(Some(2), 1, false));
        assert!(!admits_check_in(Some(2), 2, false));
        assert!(admits_check_in(None, 1000, false));
    }
}
