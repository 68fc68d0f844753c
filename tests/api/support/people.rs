//! The people and places a story begins with: the district and its admin, streets and
//! communities, and staff holding a role.

use super::{ADMIN_LOGIN, PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::json;

/// The district admin, 花园社区 under 东湖街道, and an organizer granted on 花园社区.
pub struct Scene {
    pub admin: String,
    pub street: i64,
    pub community: i64,
    pub organizer_id: i64,
    pub organizer: String,
}

impl TestApp {
    /// The district (named 示范区) with its first admin, logged in.
    pub async fn district_admin(&self) -> String {
        vledger::service::create_admin(&self.state, ADMIN_LOGIN, PASSWORD, "区管理员", "示范区")
            .await
            .unwrap();
        self.login(ADMIN_LOGIN, PASSWORD).await
    }

    pub async fn district_id(&self) -> i64 {
        self.state.store.root_unit().await.unwrap().unwrap().id
    }

    /// The district admin and 花园社区 under 东湖街道: `(admin token, street, community)`.
    pub async fn district_with_community(&self) -> (String, i64, i64) {
        let admin = self.district_admin().await;
        let (street, community) = self
            .street_and_community(&admin, "东湖街道", "花园社区")
            .await;
        (admin, street, community)
    }

    pub async fn scene(&self) -> Scene {
        let (admin, street, community) = self.district_with_community().await;
        let (organizer_id, organizer) = self
            .staff(&admin, "organizer-a", "organizer", community)
            .await;
        Scene {
            admin,
            street,
            community,
            organizer_id,
            organizer,
        }
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
        let district = self.district_id().await;
        let s = self.create_unit(token, street, "street", district).await;
        let c = self.create_unit(token, community, "community", s).await;
        (s, c)
    }

    /// A staff account without roles, named after its login, created by `admin`.
    pub async fn account(&self, admin: &str, login: &str) -> i64 {
        let (status, user) = self
            .post(
                "/api/v1/users",
                Some(admin),
                json!({"login": login, "password": PASSWORD, "name": login}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        user["id"].as_i64().unwrap()
    }

    /// A staff account holding `role` on `unit_id`, logged in.
    pub async fn staff(&self, admin: &str, login: &str, role: &str, unit_id: i64) -> (i64, String) {
        let id = self.account(admin, login).await;
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
