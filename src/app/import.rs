//! Bulk import of existing volunteers from CSV: valid rows go in, each bad row is reported with
//! its line number and reason, and a row whose person is already registered adds nothing, so the
//! same file can be imported twice.

use super::registration::{Applicant, Channel, prepare, split_list};
use crate::crypto::Keys;
use crate::domain::roles::{Caller, Role};
use crate::domain::units::UnitKind;
use crate::error::codes::{
    DUPLICATE_PHONE, FORBIDDEN, INVALID_COMMUNITY, INVALID_CSV, INVALID_REGISTERED_ON, OUT_OF_SCOPE,
};
use crate::error::{Error, Result};
use crate::store::{NewVolunteer, Registration, Store, Unit};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// Rows written per transaction.
const BATCH: usize = 1000;

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    /// Rows whose ID number was already registered: skipped, not errors.
    pub already_registered: usize,
    pub errors: Vec<RowError>,
    /// The rows registered, with their new volunteer numbers, for a report row by row.
    #[serde(skip)]
    pub registered_rows: Vec<(u64, String)>,
    /// The rows whose person was already registered.
    #[serde(skip)]
    pub already_registered_rows: Vec<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowError {
    /// The line of the file, the header being line 1.
    pub row: u64,
    pub error: String,
    pub message: String,
}

/// Column names, English or Chinese, and the field each fills.
const COLUMNS: [(&str, &str, &str); 7] = [
    ("name", "姓名", "name"),
    ("id_number", "身份证号", "id_number"),
    ("phone", "手机号", "phone"),
    ("community_id", "社区编号", "community_id"),
    ("skills", "技能", "skills"),
    ("service_categories", "服务类别", "service_categories"),
    ("registered_on", "注册日期", "registered_on"),
];

/// The largest CSV file an import accepts.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// Imports `csv` for a staff member: a unit admin, whose rows must all be in communities they
/// administer; the importer vouches for each volunteer's consent.
pub async fn import_by_staff(
    store: &Store,
    keys: &Keys,
    caller: &Caller,
    now: DateTime<FixedOffset>,
    csv: impl std::io::Read,
) -> Result<ImportReport> {
    if !caller.is_admin() {
        return Err(Error::denied(
            FORBIDDEN,
            "only unit admins import volunteers",
        ));
    }
    let channel = Channel {
        via: "import",
        recorded_by: Some(caller.user_id),
    };
    import_csv(store, keys, csv, channel, now, |unit| {
        caller.may(&Role::ADMINS, &unit.path)
    })
    .await
}

/// Imports `csv`. `in_scope` says whether the importer may register volunteers in a community.
pub async fn import_csv(
    store: &Store,
    keys: &Keys,
    csv: impl std::io::Read,
    channel: Channel,
    now: DateTime<FixedOffset>,
    in_scope: impl Fn(&Unit) -> bool,
) -> Result<ImportReport> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv);
    let headers = reader
        .headers()
        .map_err(|e| Error::invalid(INVALID_CSV, e.to_string()))?
        .clone();
    let index = |field: &str| {
        let (en, zh, _) = COLUMNS.iter().find(|c| c.2 == field).expect("known field");
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == *en || h == *zh)
    };
    let required = ["name", "id_number", "phone", "community_id"];
    if let Some(missing) = required.iter().find(|f| index(f).is_none()) {
        return Err(Error::invalid(
            INVALID_CSV,
            format!("the header has no column {missing}"),
        ));
    }
    let col: HashMap<&str, Option<usize>> = COLUMNS.iter().map(|c| (c.2, index(c.2))).collect();

    let mut report = ImportReport::default();
    let mut communities: HashMap<i64, Option<Unit>> = HashMap::new();
    let mut batch = Batch::default();
    for (i, record) in reader.records().enumerate() {
        let row = i as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.errors.push(RowError {
                    row,
                    error: INVALID_CSV.into(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let cell = |f: &str| col[f].and_then(|i| record.get(i)).unwrap_or("");
        let prepared = async {
            let community_id: i64 = cell("community_id")
                .parse()
                .map_err(|_| Error::invalid(INVALID_COMMUNITY, "community_id is not a number"))?;
            if let std::collections::hash_map::Entry::Vacant(slot) = communities.entry(community_id)
            {
                let unit = store
                    .unit(community_id)
                    .await?
                    .filter(|u| u.kind == UnitKind::Community);
                slot.insert(unit);
            }
            match &communities[&community_id] {
                None => {
                    return Err(Error::invalid(
                        INVALID_COMMUNITY,
                        "no community has this id",
                    ));
                }
                Some(u) if !in_scope(u) => {
                    return Err(Error::invalid(
                        OUT_OF_SCOPE,
                        "you are not an admin of this community",
                    ));
                }
                Some(_) => {}
            }
            let applicant = Applicant {
                name: cell("name").into(),
                id_number: cell("id_number").into(),
                phone: cell("phone").into(),
                community_id,
                skills: split_list(cell("skills")),
                service_categories: split_list(cell("service_categories")),
                // Imported volunteers are already registered elsewhere; the importer vouches for
                // their consent (recorded as `channel.recorded_by`).
                consent: true,
            };
            let registered = match cell("registered_on") {
                "" => now,
                typed => registered_on(typed, now)?,
            };
            prepare(&applicant, None, channel, keys, registered)
        }
        .await;
        match prepared {
            Ok(v) => {
                batch.rows.push(row);
                batch.volunteers.push(v);
            }
            Err(Error::Invalid { code, message }) => report.errors.push(RowError {
                row,
                error: code.into(),
                message,
            }),
            Err(e) => return Err(e),
        }
        if batch.rows.len() == BATCH {
            batch.write(store, &mut report).await?;
        }
    }
    batch.write(store, &mut report).await?;
    report.errors.sort_by_key(|e| e.row);
    Ok(report)
}

/// The start of the day a volunteer registered elsewhere (`YYYY-MM-DD`), in the display time;
/// never after `now`.
fn registered_on(typed: &str, now: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>> {
    let invalid = || {
        Error::invalid(
            INVALID_REGISTERED_ON,
            "registered_on is a date (YYYY-MM-DD) no later than today",
        )
    };
    let day = NaiveDate::parse_from_str(typed, "%Y-%m-%d").map_err(|_| invalid())?;
    if day > now.date_naive() {
        return Err(invalid());
    }
    day.and_time(NaiveTime::MIN)
        .and_local_timezone(now.timezone())
        .single()
        .ok_or_else(invalid)
}

/// Valid rows waiting to be written, with their line numbers.
#[derive(Default)]
struct Batch {
    rows: Vec<u64>,
    volunteers: Vec<NewVolunteer>,
}

impl Batch {
    async fn write(&mut self, store: &Store, report: &mut ImportReport) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let outcomes = store.register_volunteers(&self.volunteers).await?;
        self.volunteers.clear();
        for (row, outcome) in self.rows.drain(..).zip(outcomes) {
            match outcome {
                Registration::Registered { volunteer_no, .. } => {
                    report.imported += 1;
                    report.registered_rows.push((row, volunteer_no));
                }
                Registration::DuplicateIdNumber => {
                    report.already_registered += 1;
                    report.already_registered_rows.push(row);
                }
                Registration::DuplicatePhone => report.errors.push(RowError {
                    row,
                    error: DUPLICATE_PHONE.into(),
                    message: "another account already uses this phone number".into(),
                }),
            }
        }
        Ok(())
    }
}
