//! Attendance 签到记录: what a scan does, and how much of an attendance counts as service time.

use super::enums::named_enum;
use chrono::{DateTime, Duration, Utc};

/// Check-in opens this long before the activity starts.
pub const CHECK_IN_OPENS_BEFORE_MINUTES: i64 = 30;
/// A second scan within this time changes nothing (a double tap, a retry on a weak signal).
pub const REPEAT_SECS: i64 = 60;

named_enum! {
    /// Where an attendance stands after its scans.
    pub enum AttendanceState {
        CheckedIn = "checked_in",
        CheckedOut = "checked_out",
        /// Closed by the forgotten-check-out job; waits for the organizer's review.
        AutoClosed = "auto_closed",
    }
}

named_enum! {
    /// 活动状态
    pub enum ActivityStatus {
        Scheduled = "scheduled",
        Cancelled = "cancelled",
    }
}

/// The scheduled time of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl Window {
    pub fn check_in_opens(&self) -> DateTime<Utc> {
        self.starts_at - Duration::minutes(CHECK_IN_OPENS_BEFORE_MINUTES)
    }

    /// Whether a first scan at `at` may check in.
    pub fn accepts_check_in(&self, at: DateTime<Utc>) -> bool {
        at >= self.check_in_opens() && at <= self.ends_at
    }

    /// Whether a scan at `at` may check out, `grace` after the end at the latest.
    pub fn accepts_check_out(&self, at: DateTime<Utc>, grace: Duration) -> bool {
        at <= self.ends_at + grace
    }

    pub fn scheduled_minutes(&self) -> i64 {
        (self.ends_at - self.starts_at).num_minutes().max(0)
    }
}

/// The volunteer's attendance as the scan finds it.
#[derive(Debug, Clone, Copy)]
pub struct Current {
    pub state: AttendanceState,
    pub last_scan_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanDecision {
    CheckIn,
    CheckOut,
    /// Nothing changes; answer the current state again.
    Unchanged,
    OutsideWindow,
}

pub fn decide(
    current: Option<Current>,
    window: Window,
    grace: Duration,
    now: DateTime<Utc>,
) -> ScanDecision {
    match current {
        None if window.accepts_check_in(now) => ScanDecision::CheckIn,
        None => ScanDecision::OutsideWindow,
        Some(c) if c.state != AttendanceState::CheckedIn => ScanDecision::Unchanged,
        Some(c) if now - c.last_scan_at < Duration::seconds(REPEAT_SECS) => ScanDecision::Unchanged,
        Some(_) if window.accepts_check_out(now, grace) => ScanDecision::CheckOut,
        Some(_) => ScanDecision::OutsideWindow,
    }
}

/// Service time of an attendance: its part inside the scheduled window, in whole minutes, so never
/// more than the scheduled duration (travel and waiting before the start do not count).
pub fn credited_minutes(
    checked_in_at: DateTime<Utc>,
    checked_out_at: DateTime<Utc>,
    window: Window,
) -> i64 {
    let from = checked_in_at.max(window.starts_at);
    let to = checked_out_at.min(window.ends_at);
    (to - from).num_minutes().max(0)
}

/// An activity's geofence: a circle on the map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geofence {
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
}

impl Geofence {
    /// Great-circle distance in metres (haversine on a sphere of the Earth's mean radius).
    pub fn distance_m(&self, lat: f64, lon: f64) -> f64 {
        const EARTH_RADIUS_M: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), lat.to_radians());
        let dp = p2 - p1;
        let dl = (lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().asin()
    }

    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.distance_m(lat, lon) <= self.radius_m
    }
}

/// Whether a latitude/longitude pair is on the globe.
pub fn valid_position(lat: f64, lon: f64) -> bool {
    lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, h, m, 0).unwrap()
    }

    fn window() -> Window {
        Window {
            starts_at: t(9, 0),
            ends_at: t(11, 0),
        }
    }

    const GRACE: Duration = Duration::hours(2);

    #[test]
    fn first_scan_checks_in_from_half_an_hour_before_until_the_end() {
        assert_eq!(
            decide(None, window(), GRACE, t(8, 29)),
            ScanDecision::OutsideWindow
        );
        assert_eq!(
            decide(None, window(), GRACE, t(8, 30)),
            ScanDecision::CheckIn
        );
        assert_eq!(
            decide(None, window(), GRACE, t(11, 0)),
            ScanDecision::CheckIn
        );
        assert_eq!(
            decide(None, window(), GRACE, t(11, 1)),
            ScanDecision::OutsideWindow
        );
    }

    #[test]
    fn a_later_scan_checks_out_a_repeat_within_a_minute_does_nothing() {
        let c = Current {
            state: AttendanceState::CheckedIn,
            last_scan_at: t(9, 0),
        };
        assert_eq!(
            decide(Some(c), window(), GRACE, t(9, 0) + Duration::seconds(59)),
            ScanDecision::Unchanged
        );
        assert_eq!(
            decide(Some(c), window(), GRACE, t(9, 1)),
            ScanDecision::CheckOut
        );
        assert_eq!(
            decide(Some(c), window(), GRACE, t(13, 0)),
            ScanDecision::CheckOut
        );
        assert_eq!(
            decide(Some(c), window(), GRACE, t(13, 1)),
            ScanDecision::OutsideWindow
        );
        let out = Current {
            state: AttendanceState::CheckedOut,
            last_scan_at: t(10, 0),
        };
        assert_eq!(
            decide(Some(out), window(), GRACE, t(10, 30)),
            ScanDecision::Unchanged
        );
    }

    #[test]
    fn credit_is_clipped_to_the_window() {
        assert_eq!(credited_minutes(t(8, 30), t(11, 45), window()), 120);
        assert_eq!(credited_minutes(t(9, 15), t(10, 45), window()), 90);
        assert_eq!(
            credited_minutes(t(9, 15), t(9, 15) + Duration::seconds(119), window()),
            1
        );
        assert_eq!(credited_minutes(t(11, 30), t(12, 0), window()), 0);
    }

    #[test]
    fn geofence_distance_matches_known_points() {
        // Two points 0.01° of latitude apart are about 1,112 m apart.
        let fence = Geofence {
            lat: 31.8206,
            lon: 117.2272,
            radius_m: 200.0,
        };
        let d = fence.distance_m(31.8306, 117.2272);
        assert!((d - 1112.0).abs() < 2.0, "{d}");
        assert!(fence.contains(31.8210, 117.2275));
        assert!(!fence.contains(31.8306, 117.2272));
        assert!(
            valid_position(31.8, 117.2)
                && !valid_position(91.0, 0.0)
                && !valid_position(f64::NAN, 0.0)
        );
    }
}
