//! What the targets report reads: the counts per community and year (`community_year_counts`),
//! kept in the transactions that change them, and the unit tree's populations, organisations
//! and staff. The report sums a few rows per unit and never scans volunteers or the ledger.

use super::Store;
use super::db::{Backend, Tx, query, query_as, query_scalar};
use crate::domain::targets::{OwnCounts, UnitCounts};
use crate::domain::units::UnitKind;
use crate::error::Result;
use chrono::FixedOffset;
use std::collections::HashMap;

const COUNTS_BUILT: &str = "community_year_counts_built";

/// Adds `change` to the volunteers active in `year` of the volunteer's community.
pub(crate) async fn add_active(
    tx: &mut Tx,
    volunteer_id: i64,
    year: i32,
    change: i32,
) -> Result<()> {
    add(tx, "active", volunteer_id, year, change).await
}

/// Adds `change` to the backbone volunteers of the volunteer's community from `year` on.
pub(crate) async fn add_backbone(
    tx: &mut Tx,
    volunteer_id: i64,
    year: i32,
    change: i32,
) -> Result<()> {
    add(tx, "backbone_change", volunteer_id, year, change).await
}

/// Adds `change` to the registered volunteers of the volunteer's community from `year` on.
pub(crate) async fn add_registered(
    tx: &mut Tx,
    volunteer_id: i64,
    year: i32,
    change: i32,
) -> Result<()> {
    add(tx, "registered_change", volunteer_id, year, change).await
}

/// Adds `change` to the backbone volunteers of `community_id` from `year` on.
pub(crate) async fn add_backbone_in(
    tx: &mut Tx,
    community_id: i64,
    year: i32,
    change: i32,
) -> Result<()> {
    query(
        "INSERT INTO community_year_counts (unit_id, year, backbone_change) VALUES ($1, $2, $3)
         ON CONFLICT (unit_id, year) DO UPDATE SET
             backbone_change = community_year_counts.backbone_change + excluded.backbone_change",
    )
    .bind(community_id)
    .bind(year)
    .bind(change)
    .execute(tx)
    .await?;
    Ok(())
}

async fn add(
    tx: &mut Tx,
    column: &'static str,
    volunteer_id: i64,
    year: i32,
    change: i32,
) -> Result<()> {
    query(format!(
        "INSERT INTO community_year_counts (unit_id, year, {column})
         SELECT community_id, $1, $2 FROM volunteers WHERE id = $3
         ON CONFLICT (unit_id, year) DO UPDATE SET {column} = community_year_counts.{column} + excluded.{column}"
    ))
    .bind(year)
    .bind(change)
    .bind(volunteer_id)
    .execute(tx)
    .await?;
    Ok(())
}

/// The year of a stored time, read at `offset`, in SQL.
fn local_year(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("CAST(strftime('%Y', {column}, $1 || ' minutes') AS INTEGER)"),
        Backend::Postgres => format!(
            "CAST(EXTRACT(YEAR FROM ({column} AT TIME ZONE 'UTC') + make_interval(mins => CAST($1 AS INTEGER))) AS INTEGER)"
        ),
    }
}

impl Store {
    /// Fills the counts from what they count, unless they were filled before: once, the first
    /// time the service starts on a database whose volunteers predate them.
    pub async fn ensure_target_counts(&self, offset: FixedOffset) -> Result<()> {
        let built: Option<String> = query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(COUNTS_BUILT)
            .optional(&self.db)
            .await?;
        if built.is_none() {
            self.rebuild_target_counts(offset).await?;
        }
        Ok(())
    }

    /// Computes the counts afresh from the volunteers, the yearly totals and the backbone
    /// history, with years read at `offset`.
    pub async fn rebuild_target_counts(&self, offset: FixedOffset) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let minutes = offset.local_minus_utc() / 60;
        let backend = tx.backend();
        query("DELETE FROM community_year_counts")
            .execute(&mut tx)
            .await?;
        query(format!(
            "INSERT INTO community_year_counts (unit_id, year, registered_change)
             SELECT community_id, {}, COUNT(*) FROM volunteers
             WHERE status IN ('active', 'withdrawn') GROUP BY 1, 2",
            local_year(backend, "registered_at")
        ))
        .bind(minutes.to_string())
        .execute(&mut tx)
        .await?;
        // A withdrawn volunteer counted as registered until the year they withdrew.
        query(format!(
            "INSERT INTO community_year_counts (unit_id, year, registered_change)
             SELECT community_id, {}, -COUNT(*) FROM volunteers WHERE status = 'withdrawn' GROUP BY 1, 2
             ON CONFLICT (unit_id, year) DO UPDATE
                 SET registered_change = community_year_counts.registered_change + excluded.registered_change",
            local_year(backend, "withdrawn_at")
        ))
        .bind(minutes.to_string())
        .execute(&mut tx)
        .await?;
        query(
            "INSERT INTO community_year_counts (unit_id, year, active)
             SELECT v.community_id, t.year, COUNT(*) FROM volunteer_year_totals t
             JOIN volunteers v ON v.id = t.volunteer_id WHERE t.minutes > 0 GROUP BY 1, 2
             ON CONFLICT (unit_id, year) DO UPDATE SET active = excluded.active",
        )
        .execute(&mut tx)
        .await?;
        query(format!(
            "INSERT INTO community_year_counts (unit_id, year, backbone_change)
             SELECT v.community_id, {}, SUM(CASE WHEN c.backbone THEN 1 ELSE -1 END)
             FROM backbone_changes c JOIN volunteers v ON v.id = c.volunteer_id GROUP BY 1, 2
             ON CONFLICT (unit_id, year) DO UPDATE SET backbone_change = excluded.backbone_change",
            local_year(backend, "c.at")
        ))
        .bind(minutes.to_string())
        .execute(&mut tx)
        .await?;
        query("INSERT INTO meta (key, value) VALUES ($1, 'yes') ON CONFLICT (key) DO NOTHING")
            .bind(COUNTS_BUILT)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every count row, for comparing the kept counts with a rebuild.
    pub async fn target_count_rows(&self) -> Result<Vec<(i64, i32, i64, i64, i64)>> {
        Ok(query_as(
            "SELECT unit_id, year, CAST(registered_change AS BIGINT), CAST(active AS BIGINT),
                 CAST(backbone_change AS BIGINT)
             FROM community_year_counts
             WHERE registered_change <> 0 OR active <> 0 OR backbone_change <> 0
             ORDER BY unit_id, year",
        )
        .fetch_all(&self.db)
        .await?)
    }

    /// The units of the subtree at `path`, in tree order, each with what it holds itself in
    /// `year`.
    pub async fn target_counts(&self, path: &str, year: i32) -> Result<Vec<UnitCounts>> {
        let units: Vec<(i64, Option<i64>, String, String, String)> = query_as(
            "SELECT id, parent_id, name, kind, path FROM units
             WHERE path >= $1 AND path < $1 || '~'",
        )
        .bind(path)
        .fetch_all(&self.db)
        .await?;
        let mut own: HashMap<i64, OwnCounts> = HashMap::new();
        let counts: Vec<(i64, i64, i64, i64)> = query_as(
            "SELECT c.unit_id,
                 CAST(COALESCE(SUM(c.registered_change), 0) AS BIGINT),
                 CAST(COALESCE(SUM(CASE WHEN c.year = $2 THEN c.active ELSE 0 END), 0) AS BIGINT),
                 CAST(COALESCE(SUM(c.backbone_change), 0) AS BIGINT)
             FROM community_year_counts c JOIN units u ON u.id = c.unit_id
             WHERE u.path >= $1 AND u.path < $1 || '~' AND c.year <= $2
             GROUP BY c.unit_id",
        )
        .bind(path)
        .bind(year)
        .fetch_all(&self.db)
        .await?;
        for (unit, registered, active, backbone) in counts {
            let o = own.entry(unit).or_default();
            (o.registered, o.active, o.backbone) = (registered, active, backbone);
        }
        let populations: Vec<(i64, i64)> = query_as(
            "SELECT p.unit_id, p.resident_population FROM unit_populations p
             JOIN units u ON u.id = p.unit_id
             WHERE u.path >= $1 AND u.path < $1 || '~' AND p.year = $2",
        )
        .bind(path)
        .bind(year)
        .fetch_all(&self.db)
        .await?;
        for (unit, population) in populations {
            own.entry(unit).or_default().population = Some(population);
        }
        let organisations: Vec<(i64, i64, i64)> = query_as(
            "SELECT o.unit_id, CAST(SUM(CASE WHEN o.org_type = 'volunteer_service' THEN 1 ELSE 0 END) AS BIGINT),
                 CAST(COUNT(*) AS BIGINT)
             FROM organisations o JOIN units u ON u.id = o.unit_id
             WHERE u.path >= $1 AND u.path < $1 || '~' GROUP BY o.unit_id",
        )
        .bind(path)
        .fetch_all(&self.db)
        .await?;
        for (unit, volunteer_orgs, social_orgs) in organisations {
            let o = own.entry(unit).or_default();
            (o.volunteer_orgs, o.social_orgs) = (volunteer_orgs, social_orgs);
        }
        // Staff accounts of a unit are those granted a role on it; professional social workers
        // are its social workers holding a qualification.
        let staff: Vec<(i64, i64, i64, i64)> = query_as(
            "SELECT g.unit_id, CAST(COUNT(DISTINCT g.user_id) AS BIGINT),
                 CAST(COUNT(DISTINCT CASE WHEN us.qualification_level IS NOT NULL THEN g.user_id END) AS BIGINT),
                 CAST(COUNT(DISTINCT CASE WHEN us.qualification_level IS NOT NULL AND g.role = 'social_worker'
                     THEN g.user_id END) AS BIGINT)
             FROM grants g JOIN units u ON u.id = g.unit_id JOIN users us ON us.id = g.user_id
             WHERE u.path >= $1 AND u.path < $1 || '~' GROUP BY g.unit_id",
        )
        .bind(path)
        .fetch_all(&self.db)
        .await?;
        for (unit, all, qualified, professional) in staff {
            let o = own.entry(unit).or_default();
            (o.staff, o.qualified_staff, o.professional_social_workers) =
                (all, qualified, professional);
        }
        let mut units: Vec<(String, UnitCounts)> = units
            .into_iter()
            .filter_map(|(id, parent_id, name, kind, path)| {
                let kind = UnitKind::parse(&kind)?;
                let own = own.remove(&id).unwrap_or_default();
                Some((
                    path,
                    UnitCounts {
                        id,
                        parent_id,
                        name,
                        kind,
                        own,
                    },
                ))
            })
            .collect();
        units.sort_by_cached_key(|(path, _)| crate::domain::units::tree_order(path));
        Ok(units.into_iter().map(|(_, u)| u).collect())
    }
}
