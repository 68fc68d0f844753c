//! The rewards a redemption story needs: points earned, a partner of the community, its rewards.

use super::{Db, Scene, TestApp, id_of};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Credits `points` earned by service to a volunteer, as confirming their hours would: a
/// `service` points entry and the balance, straight in the database.
pub async fn give_points(app: &TestApp, volunteer: i64, points: i64) {
    let mut db = Db::open(app).await;
    db.run(
        "INSERT INTO points_entries (volunteer_id, points, source, created_at)
         VALUES (?, ?, 'service', CURRENT_TIMESTAMP)",
        &[volunteer, points],
    )
    .await
    .unwrap();
    db.run(
        "INSERT INTO points_balances (volunteer_id, balance) VALUES (?, ?)
         ON CONFLICT (volunteer_id)
         DO UPDATE SET balance = points_balances.balance + excluded.balance",
        &[volunteer, points],
    )
    .await
    .unwrap();
}

/// The scene, an admin of its community and a partner registered there.
pub struct Shop {
    pub s: Scene,
    pub station_admin: String,
    pub partner: i64,
}

impl TestApp {
    pub async fn shop(&self) -> Shop {
        let s = self.scene().await;
        let (_, station_admin) = self
            .staff(&s.admin, "station-admin", "unit_admin", s.community)
            .await;
        let partner = create_partner(self, &station_admin, s.community, "惠民超市").await;
        Shop {
            s,
            station_admin,
            partner,
        }
    }
}

pub async fn create_partner(app: &TestApp, token: &str, unit: i64, name: &str) -> i64 {
    let (status, body) = app
        .post(
            "/api/v1/partners",
            Some(token),
            json!({"unit_id": unit, "name": name}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["unit_id"], unit);
    assert_eq!(body["name"], name);
    id_of(&body)
}

pub fn reward_body(partner: i64, points_cost: i64, stock: i64) -> Value {
    json!({
        "partner_id": partner,
        "name": "大米一袋",
        "description": "5 kg 东北大米",
        "points_cost": points_cost,
        "stock": stock,
    })
}

pub async fn create_reward(app: &TestApp, token: &str, partner: i64, cost: i64, stock: i64) -> i64 {
    let (status, body) = app
        .post(
            "/api/v1/rewards",
            Some(token),
            reward_body(partner, cost, stock),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id_of(&body)
}

pub async fn redeem(app: &TestApp, token: &str, reward: i64) -> (StatusCode, Value) {
    app.request(
        Method::POST,
        &format!("/api/v1/rewards/{reward}/redemptions"),
        Some(token),
        None,
    )
    .await
}
