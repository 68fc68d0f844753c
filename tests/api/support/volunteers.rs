//! Volunteers: the people registered by person number, the example ID number, and what
//! registration, the lists and the CSV import answer.

use super::{PASSWORD, TestApp, id_of};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

impl TestApp {
    /// A volunteer who registered themselves as person `n` and logged in with their phone:
    /// `(id, token)`.
    pub async fn volunteer(&self, n: u32, community: i64) -> (i64, String) {
        let body = applicant(&format!("志愿者{n}"), &id_number(n), &phone(n), community);
        let (status, registered) = self.post("/api/v1/volunteers", None, body).await;
        assert_eq!(status, StatusCode::CREATED, "{registered}");
        (id_of(&registered), self.login(&phone(n), PASSWORD).await)
    }

    /// Person `n` registered by `staff` without a password (no password hashing: quick).
    pub async fn registered_by(&self, staff: &str, n: u32, community: i64) -> i64 {
        let mut body = applicant(&format!("志愿者{n}"), &id_number(n), &phone(n), community);
        body.as_object_mut().unwrap().remove("password");
        let (status, registered) = self.post("/api/v1/volunteers", Some(staff), body).await;
        assert_eq!(status, StatusCode::CREATED, "{registered}");
        id_of(&registered)
    }

    /// Person `n` registered by `staff`, with a session opened directly (no password hashing,
    /// so that many can be made quickly): `(id, token)`.
    pub async fn quick_volunteer(&self, staff: &str, n: u32, community: i64) -> (i64, String) {
        let id = self.registered_by(staff, n, community).await;
        (id, self.session_of(id).await)
    }

    /// A session of the account `id` opened directly, as if they had logged in (an imported
    /// volunteer has no password): its token.
    pub async fn session_of(&self, id: i64) -> String {
        let (token, hash) = vledger::crypto::new_session_token();
        self.state
            .store
            .start_session(id, &hash, Utc::now() + Duration::hours(1))
            .await
            .unwrap();
        token
    }
}

/// A registration body for a person; `id_number` and `phone` vary per person.
pub fn applicant(name: &str, id_number: &str, phone: &str, community_id: i64) -> Value {
    json!({
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "password": PASSWORD,
        "community_id": community_id,
        "skills": ["急救"],
        "service_categories": ["扶老助残"],
        "consent": true,
    })
}

/// A valid ID number for person `n` (born 1980 + n days, region 340104).
pub fn id_number(n: u32) -> String {
    let birth =
        chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap() + chrono::Duration::days(i64::from(n));
    vledger::domain::id_number::compose(340104, birth, n % 1000)
}

/// A valid mobile number for person `n`.
pub fn phone(n: u32) -> String {
    format!("139{:08}", n)
}

/// The example of GB 11643: a woman born on 31 December 1949.
pub const STANDARD_ID: &str = "11010519491231002X";

/// The part of [`STANDARD_ID`] that its masked form hides.
const HIDDEN_PART: &str = "0519491231";

/// A self-registration that must succeed: the volunteer.
pub async fn register(app: &TestApp, body: Value) -> Value {
    let (status, volunteer) = app.post("/api/v1/volunteers", None, body).await;
    assert_eq!(status, StatusCode::CREATED, "{volunteer}");
    volunteer
}

/// A self-registration that must fail: `(status, error code)`.
pub async fn refused(app: &TestApp, body: Value) -> (StatusCode, String) {
    let (status, answer) = app.post("/api/v1/volunteers", None, body).await;
    (
        status,
        answer["error"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The volunteers of `unit` and the units under it, as `token` sees them.
pub async fn volunteers_of(app: &TestApp, token: &str, unit: i64) -> Vec<Value> {
    let (status, page) = app
        .get(
            &format!("/api/v1/volunteers?unit_id={unit}&limit=500"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["volunteers"].as_array().unwrap().clone()
}

/// Neither [`STANDARD_ID`] nor the part its mask hides appears in `answer`.
pub fn assert_hides_id_number(answer: &Value) {
    let text = answer.to_string();
    assert!(
        !text.contains(STANDARD_ID) && !text.contains(HIDDEN_PART),
        "full ID number shown: {text}"
    );
}

pub fn is_volunteer_no(s: &str) -> bool {
    s.len() == 10 && s.starts_with('V') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Uploads `csv` to the volunteer import: `(status, report)`.
pub async fn import(app: &TestApp, token: &str, csv: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .post(format!("{}/api/v1/volunteers/import", app.base))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{status} answer is not JSON: {text}"));
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    (status, body)
}

/// The refused rows of an import report: `(row, error code)`.
pub fn row_errors(report: &Value) -> Vec<(u64, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["error"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}
