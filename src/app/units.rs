//! The unit tree's changes, one way for the API and the console: adding a street or a community
//! under the unit above it, setting a community's resident population 常住人口 for a year, and
//! registering an organisation to a community. The caller's role on the unit is checked before
//! (`http::access::scoped_unit`); these check what is asked and store it, audited. And the one
//! view of the tree anyone may read: the streets and their communities a volunteer chooses from.

use super::AppState;
use crate::domain::roles::Caller;
use crate::domain::text::NAME;
use crate::domain::units::{OrganisationType, UnitKind, tree_order};
use crate::error::codes::{
    INVALID_KIND, INVALID_ORG_TYPE, INVALID_PARENT, INVALID_POPULATION, INVALID_YEAR,
    NOT_A_COMMUNITY,
};
use crate::error::{Error, Result};
use crate::store::{Organisation, Unit};

/// A street or a community as asked for, checked, not yet placed under its parent.
pub struct NewUnit {
    pub kind: UnitKind,
    pub name: String,
}

impl NewUnit {
    /// `kind` is `street` or `community`; `name` a name.
    pub fn parse(kind: &str, name: &str) -> Result<NewUnit> {
        let kind = UnitKind::parse(kind)
            .filter(|k| *k != UnitKind::District)
            .ok_or_else(|| Error::invalid(INVALID_KIND, "kind is street or community"))?;
        Ok(NewUnit {
            kind,
            name: NAME.parse(name)?,
        })
    }
}

/// Creates `new` under `parent`, which must be of the kind above it (a street under the
/// district, a community under a street).
pub async fn create_unit(
    state: &AppState,
    caller: &Caller,
    parent: &Unit,
    new: &NewUnit,
) -> Result<Unit> {
    let kind = new.kind;
    if Some(parent.kind) != kind.parent_kind() {
        return Err(Error::invalid(
            INVALID_PARENT,
            format!(
                "a {} belongs under a {}",
                kind.as_str(),
                kind.parent_kind().map_or("", |k| k.as_str())
            ),
        ));
    }
    state
        .store
        .create_unit(&new.name, kind, Some(parent), Some(caller.user_id))
        .await
}

/// Sets the resident population of the community `unit` in `year`.
pub async fn set_population(
    state: &AppState,
    caller: &Caller,
    unit: &Unit,
    year: i32,
    resident_population: i64,
) -> Result<()> {
    if unit.kind != UnitKind::Community {
        return Err(Error::invalid(
            NOT_A_COMMUNITY,
            "resident population is kept per community",
        ));
    }
    if !(1949..=2100).contains(&year) {
        return Err(Error::invalid(
            INVALID_YEAR,
            "the year must be between 1949 and 2100",
        ));
    }
    if !(0..=10_000_000).contains(&resident_population) {
        return Err(Error::invalid(
            INVALID_POPULATION,
            "a population is between 0 and 10,000,000",
        ));
    }
    state
        .store
        .set_population(unit, year, resident_population, Some(caller.user_id))
        .await
}

/// An organisation as asked for, checked, not yet registered.
pub struct NewOrganisation {
    pub org_type: OrganisationType,
    pub name: String,
}

impl NewOrganisation {
    /// `org_type` is `volunteer_service` or `community_social`; `name` a name.
    pub fn parse(org_type: &str, name: &str) -> Result<NewOrganisation> {
        let org_type = OrganisationType::parse(org_type).ok_or_else(|| {
            Error::invalid(
                INVALID_ORG_TYPE,
                "org_type is volunteer_service or community_social",
            )
        })?;
        Ok(NewOrganisation {
            org_type,
            name: NAME.parse(name)?,
        })
    }
}

/// Registers `new` to the community `unit`.
pub async fn create_organisation(
    state: &AppState,
    caller: &Caller,
    unit: &Unit,
    new: &NewOrganisation,
) -> Result<Organisation> {
    if unit.kind != UnitKind::Community {
        return Err(Error::invalid(
            NOT_A_COMMUNITY,
            "organisations are registered to a community",
        ));
    }
    state
        .store
        .create_organisation(unit, &new.name, new.org_type, Some(caller.user_id))
        .await
}

/// A street 街道 with its communities 社区, in the order they were added.
pub struct Street {
    pub unit: Unit,
    pub communities: Vec<Unit>,
}

/// Every street that has a community, with its communities: what a volunteer registering picks
/// their home community from. Names and ids only, which are no secret.
pub async fn streets_with_communities(state: &AppState) -> Result<Vec<Street>> {
    let Some(district) = state.store.root_unit().await? else {
        return Ok(Vec::new());
    };
    let mut units = state.store.units_within(&[district.path]).await?;
    units.sort_by_cached_key(|u| tree_order(&u.path));
    let mut streets: Vec<Street> = Vec::new();
    // In tree order each community comes right after its street and the street's other ones.
    for unit in units {
        match unit.kind {
            UnitKind::Street => streets.push(Street {
                unit,
                communities: Vec::new(),
            }),
            UnitKind::Community => {
                if let Some(street) = streets.last_mut() {
                    street.communities.push(unit);
                }
            }
            UnitKind::District => {}
        }
    }
    streets.retain(|s| !s.communities.is_empty());
    Ok(streets)
}
