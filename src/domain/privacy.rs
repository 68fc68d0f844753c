//! 个人信息: how much of a volunteer's personal information a viewer is shown. The ID number is
//! always masked ([`super::id_number::IdNumber::masked`]); the birth date and the full phone number
//! go only to those who need them, and a list never holds a full phone number.

use super::roles::{Caller, Role};

/// Who may call the volunteers of their communities: social workers and admins.
const CALLERS: [Role; 3] = [Role::SocialWorker, Role::UnitAdmin, Role::DistrictAdmin];

/// Which personal data a viewer sees in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disclosure {
    /// 出生日期; otherwise the birth year only. Not the age besides: age and year together tell on
    /// which side of today's date the birthday falls.
    pub birth_date: bool,
    /// The full phone number; otherwise `138****5678`.
    pub phone: bool,
}

impl Disclosure {
    /// For the volunteer themselves, and for an answer that repeats what its request gave.
    pub const ALL: Disclosure = Disclosure {
        birth_date: true,
        phone: true,
    };

    /// What `caller` sees of a volunteer of the community at `community_path` in a list of many:
    /// a district admin the birth date, nobody the full phone number.
    pub fn in_list(caller: &Caller, community_path: &str) -> Disclosure {
        Disclosure {
            birth_date: caller.may(&[Role::DistrictAdmin], community_path),
            phone: false,
        }
    }

    /// What `caller` sees of the one volunteer `volunteer_id`, of the community at
    /// `community_path`, whose activities (those they signed up for or attended) are held by the
    /// units at `activity_paths`. The full phone number goes to those who must call: social
    /// workers and admins of the community, and whoever runs one of those activities.
    pub fn of_one(
        caller: &Caller,
        volunteer_id: i64,
        community_path: &str,
        activity_paths: &[String],
    ) -> Disclosure {
        if caller.user_id == volunteer_id {
            return Disclosure::ALL;
        }
        Disclosure {
            phone: caller.may(&CALLERS, community_path) || runs_one(caller, activity_paths),
            ..Disclosure::in_list(caller, community_path)
        }
    }
}

/// Whether `caller` runs (as organizer or admin above) an activity of a unit at one of
/// `activity_paths`.
pub fn runs_one(caller: &Caller, activity_paths: &[String]) -> bool {
    activity_paths
        .iter()
        .any(|p| caller.may(&Role::ORGANIZERS, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roles::Grant;

    const DISTRICT: &str = "/1/";
    const EAST: &str = "/1/2/";
    const HOME: &str = "/1/2/5/";
    const WEST_COMMUNITY: &str = "/1/3/7/";

    fn staff(role: Role, path: &str) -> Caller {
        Caller {
            user_id: 100,
            name: "张三".into(),
            grants: vec![Grant {
                role,
                unit_id: 0,
                unit_path: path.into(),
            }],
            is_volunteer: false,
        }
    }

    fn of_one(caller: &Caller, activities: &[&str]) -> Disclosure {
        let paths: Vec<String> = activities.iter().map(|p| p.to_string()).collect();
        Disclosure::of_one(caller, 9, HOME, &paths)
    }

    const MASKED: Disclosure = Disclosure {
        birth_date: false,
        phone: false,
    };
    const PHONE: Disclosure = Disclosure {
        birth_date: false,
        phone: true,
    };

    #[test]
    fn the_volunteer_sees_everything_of_their_own() {
        let mut me = staff(Role::Committee, DISTRICT);
        me.user_id = 9;
        assert_eq!(of_one(&me, &[]), Disclosure::ALL);
    }

    #[test]
    fn only_a_district_admin_sees_the_birth_date() {
        assert_eq!(
            of_one(&staff(Role::DistrictAdmin, DISTRICT), &[]),
            Disclosure::ALL
        );
        for role in [Role::UnitAdmin, Role::Committee, Role::SocialWorker] {
            assert!(!of_one(&staff(role, DISTRICT), &[]).birth_date, "{role:?}");
        }
    }

    #[test]
    fn social_workers_and_admins_of_the_community_see_the_phone() {
        assert_eq!(of_one(&staff(Role::SocialWorker, EAST), &[]), PHONE);
        assert_eq!(of_one(&staff(Role::UnitAdmin, HOME), &[]), PHONE);
        assert_eq!(of_one(&staff(Role::UnitAdmin, WEST_COMMUNITY), &[]), MASKED);
        assert_eq!(of_one(&staff(Role::Organizer, HOME), &[]), MASKED);
        assert_eq!(of_one(&staff(Role::Committee, DISTRICT), &[]), MASKED);
    }

    #[test]
    fn whoever_runs_one_of_their_activities_sees_the_phone() {
        let west_organizer = staff(Role::Organizer, WEST_COMMUNITY);
        assert_eq!(of_one(&west_organizer, &[EAST, WEST_COMMUNITY]), PHONE);
        assert_eq!(of_one(&west_organizer, &[EAST]), MASKED);
        let committee = staff(Role::Committee, WEST_COMMUNITY);
        assert_eq!(of_one(&committee, &[WEST_COMMUNITY]), MASKED);
    }

    #[test]
    fn a_list_never_shows_a_full_phone_number() {
        assert_eq!(
            Disclosure::in_list(&staff(Role::DistrictAdmin, DISTRICT), HOME),
            Disclosure {
                birth_date: true,
                phone: false
            }
        );
        assert_eq!(
            Disclosure::in_list(&staff(Role::UnitAdmin, HOME), HOME),
            MASKED
        );
    }
}
