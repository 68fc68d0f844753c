//! The unit tree most unit stories start from, the requests about a unit's records, and the
//! audit log of its changes.

use super::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A unit as `token` sees it.
pub async fn unit_detail(app: &TestApp, token: &str, id: i64) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/units/{id}"), Some(token)).await
}

/// Sets the resident population of `unit` in `year`.
pub async fn set_population(
    app: &TestApp,
    token: &str,
    unit: i64,
    year: i32,
    population: Value,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/units/{unit}/population/{year}");
    app.put(
        &path,
        Some(token),
        json!({"resident_population": population}),
    )
    .await
}

/// Registers an organisation of `org_type` in `unit`.
pub async fn create_organisation(
    app: &TestApp,
    token: &str,
    unit: i64,
    name: &str,
    org_type: &str,
) -> (StatusCode, Value) {
    let body = json!({"unit_id": unit, "name": name, "org_type": org_type});
    app.post("/api/v1/organisations", Some(token), body).await
}

/// The organisations of `unit` and the units under it.
pub async fn organisations(app: &TestApp, token: &str, unit: i64) -> (StatusCode, Value) {
    app.get(
        &format!("/api/v1/organisations?unit_id={unit}"),
        Some(token),
    )
    .await
}

/// The ids of a list, sorted.
pub fn ids(list: &Value) -> Vec<i64> {
    sorted(
        list.as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect(),
    )
}

pub fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort();
    ids
}

/// Two streets; the east one holds communities A and B, the west one community C.
pub struct Tree {
    pub admin: String,
    pub east: i64,
    pub a: i64,
    pub b: i64,
    pub west: i64,
    pub c: i64,
}

impl TestApp {
    pub async fn tree(&self) -> Tree {
        let admin = self.district_admin().await;
        let (east, a) = self
            .street_and_community(&admin, "东街道", "幸福社区")
            .await;
        let b = self
            .create_unit(&admin, "和平社区", "community", east)
            .await;
        let (west, c) = self
            .street_and_community(&admin, "西街道", "光明社区")
            .await;
        Tree {
            admin,
            east,
            a,
            b,
            west,
            c,
        }
    }
}

/// The audit entries of `action` about the units under `unit`, as its admin sees them.
pub async fn audit_entries(app: &TestApp, admin: &str, unit: i64, action: &str) -> Vec<Value> {
    let (status, entries) = app
        .get(&format!("/api/v1/audit?unit_id={unit}"), Some(admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{entries}");
    let entries = entries.as_array().unwrap();
    entries
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}
