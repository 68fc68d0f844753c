//! Which unit a console page shows: one the caller holds a role on, or a unit under it, chosen
//! with `?unit_id=` from those the page offers; and the pages of a list of that unit.

use super::paging::{ListQuery, Pager};
use crate::app::AppState;
use crate::domain::roles::{Caller, Role};
use crate::error::{Error, Result};
use crate::http::access::scoped_unit;
use crate::store::Unit;
use serde::Deserialize;

/// `?unit_id=&page=`: the unit a list is of (empty: the caller's first) and which page, from 1.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UnitQuery {
    pub unit_id: String,
    pub page: Option<i64>,
}

/// The units a page offers and the one it shows.
pub struct Scope {
    /// The units `caller` holds one of the page's roles on and every unit under them, in tree
    /// order.
    pub units: Vec<Unit>,
    pub unit: Unit,
}

impl Scope {
    /// The units `caller` holds one of `roles` on (and under them), and the one `asked` names
    /// (empty: the first): 403 when they hold none of `roles`, or not on that unit.
    pub async fn of(
        state: &AppState,
        caller: &Caller,
        roles: &[Role],
        asked: &str,
    ) -> Result<Scope> {
        let units = state.store.units_within(&caller.roots(roles)).await?;
        let unit = match asked.trim() {
            "" => units.first().cloned().ok_or_else(Error::forbidden)?,
            id => named_unit(state, caller, id, roles).await?,
        };
        Ok(Scope { units, unit })
    }
}

/// The unit a query or form names by its id, if the caller holds one of `roles` on it or above.
pub async fn named_unit(
    state: &AppState,
    caller: &Caller,
    id: &str,
    roles: &[Role],
) -> Result<Unit> {
    let id = id.trim().parse().map_err(|_| Error::NotFound("unit"))?;
    scoped_unit(state, caller, id, roles).await
}

/// One page of a list of a unit, at `path`: [`ListQuery`]'s paging, its links keeping the unit.
pub struct UnitList {
    paging: ListQuery,
    path: &'static str,
    unit_id: i64,
}

impl UnitList {
    pub fn new(path: &'static str, unit: &Unit, page: Option<i64>) -> UnitList {
        UnitList {
            paging: ListQuery {
                q: String::new(),
                page,
            },
            path,
            unit_id: unit.id,
        }
    }

    /// How many rows to fetch and after how many: the page and one more.
    pub fn window(&self) -> (i64, i64) {
        (self.paging.limit(), self.paging.offset())
    }

    /// Cuts `rows` (fetched in [`window`](Self::window)) to the page, and links its neighbours.
    pub fn pager<T>(&self, rows: &mut Vec<T>) -> Pager {
        let (path, unit_id) = (self.path, self.unit_id);
        self.paging
            .pager(path, rows)
            .linked(|page| format!("{path}?unit_id={unit_id}&page={page}"))
    }
}
