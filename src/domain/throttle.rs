//! How often a client may try again: delays that grow with failures in a row ([`Backoff`]) and
//! a number of tries refilled evenly over a period ([`Budget`]). Arithmetic over the instants
//! given; the caller keeps the state.

use std::time::{Duration, Instant};

/// No wait after the first `free` failures in a row; then `first`, doubling with each further
/// failure up to `max`. Failures are forgotten after `forget_after` without a new one.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub free: u32,
    pub first: Duration,
    pub max: Duration,
    pub forget_after: Duration,
}

/// A client's failures in a row and when the last one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last: Instant,
}

impl Backoff {
    /// The wait after `failures` failures in a row.
    pub fn delay(&self, failures: u32) -> Duration {
        if failures < self.free {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free).min(30);
        self.first.saturating_mul(1 << doublings).min(self.max)
    }

    /// How long the client must still wait at `now`; zero when it may try.
    pub fn wait(&self, f: &Failures, now: Instant) -> Duration {
        self.delay(f.count)
            .saturating_sub(now.saturating_duration_since(f.last))
    }

    /// Whether `f` counts for nothing any more at `now`.
    pub fn forgotten(&self, f: &Failures, now: Instant) -> bool {
        now.saturating_duration_since(f.last) >= self.forget_after.max(self.delay(f.count))
    }

    /// The failures after one more at `now`.
    pub fn fail(&self, f: Option<Failures>, now: Instant) -> Failures {
        Failures {
            count: f.map_or(0, |f| f.count).saturating_add(1),
            last: now,
        }
    }
}

/// `size` tries, refilled evenly over `period` (e.g. 10 an hour).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub size: u32,
    pub period: Duration,
}

/// How much of its budget a client had used at an instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spent {
    pub used: f64,
    pub at: Instant,
}

impl Budget {
    fn refilled(&self, s: &Spent, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(s.at).as_secs_f64();
        (s.used - elapsed * self.size as f64 / self.period.as_secs_f64()).max(0.0)
    }

    /// Takes one try at `now`: what is then spent, or how long until a try is free.
    pub fn take(&self, s: Option<Spent>, now: Instant) -> Result<Spent, Duration> {
        let used = s.map_or(0.0, |s| self.refilled(&s, now));
        if used + 1.0 <= self.size as f64 {
            return Ok(Spent {
                used: used + 1.0,
                at: now,
            });
        }
        let excess = used + 1.0 - self.size as f64;
        Err(self.period.mul_f64(excess / self.size.max(1) as f64))
    }

    /// Gives back a try taken earlier.
    pub fn give_back(&self, s: &Spent, now: Instant) -> Spent {
        Spent {
            used: (self.refilled(s, now) - 1.0).max(0.0),
            at: now,
        }
    }

    /// Whether `s` is as good as an untouched budget at `now`.
    pub fn forgotten(&self, s: &Spent, now: Instant) -> bool {
        self.refilled(s, now) == 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn backoff() -> Backoff {
        Backoff {
            free: 5,
            first: S,
            max: 60 * S,
            forget_after: 3600 * S,
        }
    }

    #[test]
    fn delays_start_after_the_free_failures_and_double_up_to_the_ceiling() {
        let b = backoff();
        let delays: Vec<u64> = (0..14).map(|n| b.delay(n).as_secs()).collect();
        assert_eq!(delays, [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(b.delay(u32::MAX), 60 * S);
    }

    #[test]
    fn the_wait_runs_from_the_last_failure() {
        let b = backoff();
        let t0 = Instant::now();
        let mut f = None;
        for _ in 0..7 {
            f = Some(b.fail(f, t0));
        }
        let f = f.unwrap();
        assert_eq!(b.wait(&f, t0), 4 * S);
        assert_eq!(b.wait(&f, t0 + 3 * S), S);
        assert_eq!(b.wait(&f, t0 + 5 * S), Duration::ZERO);
        assert!(!b.forgotten(&f, t0 + 3599 * S));
        assert!(b.forgotten(&f, t0 + 3600 * S));
    }

    #[test]
    fn a_budget_refills_evenly_over_its_period() {
        let budget = Budget {
            size: 10,
            period: 3600 * S,
        };
        let t0 = Instant::now();
        let mut s = None;
        for _ in 0..10 {
            s = Some(budget.take(s, t0).unwrap());
        }
        let wait = |at| budget.take(s, at).unwrap_err().as_secs_f64().round();
        assert_eq!(wait(t0), 360.0);
        assert_eq!(wait(t0 + 60 * S), 300.0);
        let after = budget.take(s, t0 + 360 * S).unwrap();
        assert!(budget.take(Some(after), t0 + 360 * S).is_err());
        assert!(!budget.forgotten(&s.unwrap(), t0 + 3599 * S));
        assert!(budget.forgotten(&s.unwrap(), t0 + 3600 * S));
    }

    #[test]
    fn a_try_given_back_can_be_taken_again() {
        let budget = Budget { size: 1, period: S };
        let t0 = Instant::now();
        let s = budget.take(None, t0).unwrap();
        assert!(budget.take(Some(s), t0).is_err());
        let s = budget.give_back(&s, t0);
        assert!(budget.take(Some(s), t0).is_ok());
        assert!(budget.forgotten(&s, t0));
    }
}
