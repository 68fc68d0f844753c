//! The unit tree: district 区 → street 街道/镇/开发区 → community 社区/村.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    District,
    Street,
    Community,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::District => "district",
            UnitKind::Street => "street",
            UnitKind::Community => "community",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        [UnitKind::District, UnitKind::Street, UnitKind::Community]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The kind a unit of this kind must hang under (`None`: the root).
    pub fn parent_kind(self) -> Option<UnitKind> {
        match self {
            UnitKind::District => None,
            UnitKind::Street => Some(UnitKind::District),
            UnitKind::Community => Some(UnitKind::Street),
        }
    }

    /// The kind of the units hanging under one of this kind (`None`: nothing does).
    pub fn child_kind(self) -> Option<UnitKind> {
        match self {
            UnitKind::District => Some(UnitKind::Street),
            UnitKind::Street => Some(UnitKind::Community),
            UnitKind::Community => None,
        }
    }
}

/// A unit's materialised path: the ids from the root down to the unit, `/1/4/17/`. A unit is in
/// another's subtree exactly when its path starts with the other's.
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id}/")
}

/// The path of the unit above the one at `path`: `/1/4/` for `/1/4/17/`.
pub fn parent_path(path: &str) -> &str {
    let inner = path.strip_suffix('/').unwrap_or(path);
    inner.rfind('/').map_or("", |end| &path[..=end])
}

/// The ids along a unit's path, from the district down: units sorted by it stand each after the
/// one above it, siblings in the order they were added (paths themselves compare as text, so
/// `/1/10/` would come before `/1/9/`).
pub fn tree_order(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|id| id.parse().ok()).collect()
}

/// Organisation types counted by the targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationType {
    /// 志愿服务组织
    VolunteerService,
    /// 社区社会组织 (other community social organisation)
    CommunitySocial,
}

impl OrganisationType {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationType::VolunteerService => "volunteer_service",
            OrganisationType::CommunitySocial => "community_social",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            OrganisationType::VolunteerService,
            OrganisationType::CommunitySocial,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parent_path_drops_the_last_id() {
        assert_eq!(parent_path("/1/4/17/"), "/1/4/");
        assert_eq!(parent_path("/1/"), "/");
        assert_eq!(parent_path(&child_path("/1/4/", 17)), "/1/4/");
    }

    #[test]
    fn kinds_nest_district_street_community() {
        assert_eq!(UnitKind::Community.parent_kind(), Some(UnitKind::Street));
        assert_eq!(UnitKind::Street.parent_kind(), Some(UnitKind::District));
        assert_eq!(UnitKind::District.parent_kind(), None);
        for kind in [UnitKind::District, UnitKind::Street, UnitKind::Community] {
            if let Some(child) = kind.child_kind() {
                assert_eq!(child.parent_kind(), Some(kind));
            }
        }
        assert_eq!(UnitKind::Community.child_kind(), None);
        assert_eq!(child_path("/1/", 4), "/1/4/");
    }

    #[test]
    fn tree_order_puts_each_unit_under_its_parent_and_siblings_by_id() {
        let mut paths = ["/1/10/", "/1/9/12/", "/1/", "/1/9/"];
        paths.sort_by_key(|p| tree_order(p));
        assert_eq!(paths, ["/1/", "/1/9/", "/1/9/12/", "/1/10/"]);
    }
}
