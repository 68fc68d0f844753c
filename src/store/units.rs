//! The unit tree 区 → 街道 → 社区, resident populations 常住人口 and organisations.

use super::db::{query, query_as, query_scalar};
use super::{NewAudit, Organisation, Population, Store, Unit, audit, conflict_on};
use crate::domain::units::{OrganisationType, UnitKind, child_path, tree_order};
use crate::error::Result;
use crate::error::codes::{DUPLICATE_ORGANISATION, DUPLICATE_UNIT};
use chrono::Utc;

/// A unit of the tree with its resident population in the year asked for and the year before
/// (`None`: not recorded).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TreeUnit {
    #[sqlx(flatten)]
    pub unit: Unit,
    pub population: Option<i64>,
    pub population_before: Option<i64>,
}

/// SQL true for a `column` of unit paths within any of `count` subtrees, whose paths are the
/// statement's arguments from `$first` on: one index range each.
pub(super) fn within_any(column: &str, first: usize, count: usize) -> String {
    let ranges: Vec<String> = (first..first + count)
        .map(|n| format!("({column} >= ${n} AND {column} < ${n} || '~')"))
        .collect();
    format!("({})", ranges.join(" OR "))
}

impl Store {
    pub async fn create_unit(
        &self,
        name: &str,
        kind: UnitKind,
        parent: Option<&Unit>,
        actor: Option<i64>,
    ) -> Result<Unit> {
        let mut tx = self.db.begin().await?;
        // The path holds the new id, which is known only after the insert.
        let id: i64 = query_scalar(
            "INSERT INTO units (name, kind, parent_id, path, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(kind.as_str())
        .bind(parent.map(|p| p.id))
        .bind(format!("new:{:016x}", rand::random::<u64>()))
        .bind(Utc::now())
        .one(&mut tx)
        .await
        .map_err(|e| conflict_on(e, DUPLICATE_UNIT, "a unit of that name already exists here"))?;
        let path = child_path(parent.map_or("/", |p| p.path.as_str()), id);
        query("UPDATE units SET path = $1 WHERE id = $2")
            .bind(&path)
            .bind(id)
            .execute(&mut tx)
            .await?;
        let unit = Unit {
            id,
            name: name.to_owned(),
            kind,
            parent_id: parent.map(|p| p.id),
            path,
        };
        audit(
            &mut tx,
            NewAudit {
                actor_id: actor,
                action: "create",
                entity: "unit",
                entity_id: id.to_string(),
                unit_id: Some(unit.id),
                unit_path: Some(&unit.path),
                before: None,
                after: Some(serde_json::json!({"name": name, "kind": kind})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(unit)
    }

    pub async fn unit(&self, id: i64) -> Result<Option<Unit>> {
        Ok(
            query_as("SELECT id, name, kind, parent_id, path FROM units WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.db)
                .await?,
        )
    }

    pub async fn root_unit(&self) -> Result<Option<Unit>> {
        Ok(
            query_as("SELECT id, name, kind, parent_id, path FROM units WHERE parent_id IS NULL")
                .fetch_optional(&self.db)
                .await?,
        )
    }

    pub async fn units_within(&self, paths: &[String]) -> Result<Vec<Unit>> {
        let mut units: Vec<Unit> = Vec::new();
        for path in paths {
            let found: Vec<Unit> = query_as(
                "SELECT id, name, kind, parent_id, path FROM units
                 WHERE path >= $1 AND path < $1 || '~' ORDER BY path",
            )
            .bind(path)
            .fetch_all(&self.db)
            .await?;
            units.extend(found);
        }
        units.sort_by(|a, b| a.path.cmp(&b.path));
        units.dedup_by_key(|u| u.id);
        Ok(units)
    }

    pub async fn set_population(
        &self,
        unit: &Unit,
        year: i32,
        resident_population: i64,
        actor: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let before: Option<i64> = query_scalar(
            "SELECT resident_population FROM unit_populations WHERE unit_id = $1 AND year = $2",
        )
        .bind(unit.id)
        .bind(year)
        .optional(&mut tx)
        .await?;
        query(
            "INSERT INTO unit_populations (unit_id, year, resident_population) VALUES ($1, $2, $3)
             ON CONFLICT (unit_id, year) DO UPDATE SET resident_population = excluded.resident_population",
        )
        .bind(unit.id)
        .bind(year)
        .bind(resident_population)
        .execute(&mut tx)
        .await?;
        audit(
            &mut tx,
            NewAudit {
                actor_id: actor,
                action: "set_population",
                entity: "unit",
                entity_id: unit.id.to_string(),
                unit_id: Some(unit.id),
                unit_path: Some(&unit.path),
                before: before.map(|p| serde_json::json!({"year": year, "resident_population": p})),
                after: Some(
                    serde_json::json!({"year": year, "resident_population": resident_population}),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn populations(&self, unit_id: i64) -> Result<Vec<Population>> {
        Ok(query_as(
            "SELECT year, resident_population FROM unit_populations WHERE unit_id = $1 ORDER BY year",
        )
        .bind(unit_id)
        .fetch_all(&self.db)
        .await?)
    }

    pub async fn create_organisation(
        &self,
        unit: &Unit,
        name: &str,
        org_type: OrganisationType,
        actor: Option<i64>,
    ) -> Result<Organisation> {
        let mut tx = self.db.begin().await?;
        let id: i64 = query_scalar(
            "INSERT INTO organisations (unit_id, name, org_type, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(unit.id)
        .bind(name)
        .bind(org_type.as_str())
        .bind(Utc::now())
        .one(&mut tx)
        .await
        .map_err(|e| conflict_on(e, DUPLICATE_ORGANISATION, "this unit already has an organisation of that name"))?;
        audit(
            &mut tx,
            NewAudit {
                actor_id: actor,
                action: "create",
                entity: "organisation",
                entity_id: id.to_string(),
                unit_id: Some(unit.id),
                unit_path: Some(&unit.path),
                before: None,
                after: Some(serde_json::json!({"name": name, "org_type": org_type})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Organisation {
            id,
            unit_id: unit.id,
            name: name.to_owned(),
            org_type,
        })
    }

    pub async fn organisations_within(&self, path: &str) -> Result<Vec<Organisation>> {
        Ok(query_as(
            "SELECT o.id, o.unit_id, o.name, o.org_type FROM organisations o
             JOIN units u ON u.id = o.unit_id WHERE u.path >= $1 AND u.path < $1 || '~' ORDER BY o.id",
        )
        .bind(path)
        .fetch_all(&self.db)
        .await?)
    }

    /// The units within any of the subtrees at `paths`, each once, in [`tree_order`], with their
    /// resident populations in `year` and the year before.
    pub async fn unit_tree(&self, paths: &[String], year: i32) -> Result<Vec<TreeUnit>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT u.id, u.name, u.kind, u.parent_id, u.path,
                 p.resident_population AS population, b.resident_population AS population_before
             FROM units u
             LEFT JOIN unit_populations p ON p.unit_id = u.id AND p.year = $1
             LEFT JOIN unit_populations b ON b.unit_id = u.id AND b.year = $1 - 1
             WHERE {}",
            within_any("u.path", 2, paths.len())
        );
        let mut tree = query_as(sql).bind(year);
        for path in paths {
            tree = tree.bind(path);
        }
        let mut units: Vec<TreeUnit> = tree.fetch_all(&self.db).await?;
        units.sort_by_cached_key(|t| tree_order(&t.unit.path));
        Ok(units)
    }

    /// The units right under `parent_id`, in the order they were added.
    pub async fn child_units(&self, parent_id: i64) -> Result<Vec<Unit>> {
        Ok(query_as(
            "SELECT id, name, kind, parent_id, path FROM units WHERE parent_id = $1 ORDER BY id",
        )
        .bind(parent_id)
        .fetch_all(&self.db)
        .await?)
    }
}
