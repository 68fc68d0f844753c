//! The people and places a story begins with: the district and its admin, streets and
//! communities, staff holding a role, and volunteers.

use super::{ADMIN_LOGIN, PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

impl TestApp {
    /// The district (named 示范区) with its first admin, logged in.
    pub async fn district_admin(&self) -> String {
        vledger::service::create_admin(&self.state, ADMIN_LOGIN, PASSWORD, "区管理员", "示范区")
            .await
            .unwrap();
        self.login(ADMIN_LOGIN, PASSWORD).await
    }

    pub async fn create_unit(&self, token: &str, name: &str, kind: &str, parent_id: i64) -> i64 {
        let (status, body) = self
            .post(
                "/api/v1/units",
                Some(token),
                json!({"name": name, "kind": kind, "parent_id": parent_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().unwrap()
    }

    /// A street under the district and a community under it: `(street, community)`.
    pub async fn street_and_community(
        &self,
        token: &str,
        street: &str,
        community: &str,
    ) -> (i64, i64) {
        let district = self.state.store.root_unit().await.unwrap().unwrap().id;
        let s = self.create_unit(token, street, "street", district).await;
        let c = self.create_unit(token, community, "community", s).await;
        (s, c)
    }

    /// A staff account holding `role` on `unit_id`, logged in.
    pub async fn staff(&self, admin: &str, login: &str, role: &str, unit_id: i64) -> (i64, String) {
        let (status, user) = self
            .post(
                "/api/v1/users",
                Some(admin),
                json!({"login": login, "password": PASSWORD, "name": login}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let id = user["id"].as_i64().unwrap();
        let (status, body) = self
            .post(
                "/api/v1/grants",
                Some(admin),
                json!({"user_id": id, "role": role, "unit_id": unit_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (id, self.login(login, PASSWORD).await)
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
