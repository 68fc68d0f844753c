//! Roles are granted on a unit and hold for the unit's whole subtree.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 活动负责人
    Organizer,
    /// 社工
    SocialWorker,
    /// station or centre admin 站点管理员
    UnitAdmin,
    /// 评选委员会
    Committee,
    DistrictAdmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Organizer,
        Role::SocialWorker,
        Role::UnitAdmin,
        Role::Committee,
        Role::DistrictAdmin,
    ];
    /// Roles that may keep units, accounts and volunteers.
    pub const ADMINS: [Role; 2] = [Role::UnitAdmin, Role::DistrictAdmin];
    /// Who runs activities and confirms their hours: organizers and the admins above them.
    pub const ORGANIZERS: [Role; 3] = [Role::Organizer, Role::UnitAdmin, Role::DistrictAdmin];
    /// Who records trainings: social workers and the admins above them.
    pub const RECORDERS: [Role; 3] = [Role::SocialWorker, Role::UnitAdmin, Role::DistrictAdmin];
    /// Who runs a selection round 优秀志愿者评选: the awards committee, and district admins.
    pub const COMMITTEE: [Role; 2] = [Role::Committee, Role::DistrictAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organizer => "organizer",
            Role::SocialWorker => "social_worker",
            Role::UnitAdmin => "unit_admin",
            Role::Committee => "committee",
            Role::DistrictAdmin => "district_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A role held on a unit, with the unit's tree path (see [`crate::domain::units::UnitPath`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub unit_id: i64,
    pub unit_path: String,
}

/// Whether any of `grants` gives one of `roles` on the unit at `target_path`.
pub fn permits(grants: &[Grant], roles: &[Role], target_path: &str) -> bool {
    grants
        .iter()
        .any(|g| roles.contains(&g.role) && target_path.starts_with(&g.unit_path))
}

/// The person behind a request: an account, the grants that hold for it, and whether it is also
/// a registered volunteer (volunteers have the same id as their account).
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub name: String,
    pub grants: Vec<Grant>,
    pub is_volunteer: bool,
}

impl Caller {
    /// Whether the caller holds one of `roles` on the unit at `unit_path` or above it.
    pub fn may(&self, roles: &[Role], unit_path: &str) -> bool {
        permits(&self.grants, roles, unit_path)
    }

    /// Whether the caller is a unit or district admin anywhere.
    pub fn is_admin(&self) -> bool {
        self.grants.iter().any(|g| Role::ADMINS.contains(&g.role))
    }

    pub fn is_staff(&self) -> bool {
        !self.grants.is_empty()
    }

    /// The subtrees where the caller holds one of `roles`: the outermost paths only, each once.
    pub fn roots(&self, roles: &[Role]) -> Vec<String> {
        let held: Vec<&str> = self
            .grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .map(|g| g.unit_path.as_str())
            .collect();
        let mut roots: Vec<String> = held
            .iter()
            .filter(|p| !held.iter().any(|q| q != *p && p.starts_with(q)))
            .map(|p| (*p).to_owned())
            .collect();
        roots.sort();
        roots.dedup();
        roots
    }

    /// The paths of the subtrees the caller may see as staff.
    pub fn visible_roots(&self) -> Vec<String> {
        self.grants.iter().map(|g| g.unit_path.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, path: &str) -> Grant {
        Grant {
            role,
            unit_id: 0,
            unit_path: path.into(),
        }
    }

    #[test]
    fn roots_are_the_outermost_units_of_the_roles_asked_for() {
        let caller = Caller {
            user_id: 1,
            name: "x".into(),
            grants: vec![
                grant(Role::Organizer, "/1/2/3/"),
                grant(Role::UnitAdmin, "/1/2/"),
                grant(Role::Organizer, "/1/4/"),
                grant(Role::SocialWorker, "/1/"),
                grant(Role::Organizer, "/1/4/"),
            ],
            is_volunteer: false,
        };
        assert_eq!(caller.roots(&Role::ORGANIZERS), ["/1/2/", "/1/4/"]);
        assert_eq!(caller.roots(&[Role::SocialWorker]), ["/1/"]);
        assert!(caller.roots(&[Role::Committee]).is_empty());
    }

    #[test]
    fn a_grant_holds_for_the_subtree_only() {
        let g = [grant(Role::UnitAdmin, "/1/2/")];
        assert!(permits(&g, &Role::ADMINS, "/1/2/"));
        assert!(permits(&g, &Role::ADMINS, "/1/2/7/"));
        assert!(!permits(&g, &Role::ADMINS, "/1/"));
        assert!(!permits(&g, &Role::ADMINS, "/1/3/"));
        // "/1/2/" must not match "/1/23/": paths end with a slash for this reason.
        assert!(!permits(&g, &Role::ADMINS, "/1/23/"));
    }

    #[test]
    fn the_role_must_be_one_asked_for() {
        let g = [grant(Role::Organizer, "/1/")];
        assert!(!permits(&g, &Role::ADMINS, "/1/2/"));
        assert!(permits(&g, &[Role::Organizer], "/1/2/"));
    }

    #[test]
    fn an_admin_is_one_on_any_unit() {
        let caller = |grants| Caller {
            user_id: 1,
            name: "张三".into(),
            grants,
            is_volunteer: false,
        };
        assert!(caller(vec![grant(Role::UnitAdmin, "/1/2/")]).is_admin());
        assert!(!caller(vec![grant(Role::Organizer, "/1/")]).is_admin());
        assert!(!caller(vec![]).is_admin());
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
