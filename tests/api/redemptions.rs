//! Redemptions 积分兑换: points spent and stock taken, never below zero even when redemptions
//! arrive at once, and nothing written when one is refused.

use crate::both_backends;
use crate::support::{Db, TestApp, assert_error, create_reward, give_points, redeem};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    a_redemption_spends_points_takes_stock_and_is_recorded_and_audited,
    a_refused_redemption_changes_nothing,
    out_of_stock_and_withdrawn_rewards_are_conflicts_until_restocked,
    simultaneous_redemptions_never_overdraw_a_balance,
    simultaneous_volunteers_never_take_more_than_the_stock,
    points_entries_cannot_be_changed_or_deleted
);

/// How many of `answers` have `status`.
fn with_status(answers: &[(StatusCode, Value)], status: StatusCode) -> usize {
    answers.iter().filter(|(s, _)| *s == status).count()
}

async fn a_redemption_spends_points_takes_stock_and_is_recorded_and_audited(app: TestApp) {
    let shop = app.shop().await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 30, 5).await;
    let (volunteer_id, token) = app.volunteer(1, shop.s.community).await;
    give_points(&app, volunteer_id, 100).await;

    let (status, body) = redeem(&app, &token, reward).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["points"], 30);
    assert_eq!(body["balance"], 70);
    assert_eq!(body["reward"]["id"], reward);
    assert_eq!(body["reward"]["stock"], 4);
    assert_eq!(body["reward"]["partner_name"], "惠民超市");
    let redemption = body["redemption_id"].as_i64().unwrap();

    let mut db = Db::open(&app).await;
    assert_eq!(db.balance(volunteer_id).await, 70);
    assert_eq!(db.stock(reward).await, 4);
    let sql = "SELECT CAST(points AS BIGINT) FROM points_entries
               WHERE source = 'redemption' AND redemption_id = ? AND volunteer_id = ?";
    assert_eq!(db.number(sql, &[redemption, volunteer_id]).await, -30);

    // An empty JSON object is as good as no body.
    let (status, body) = app
        .post(
            &format!("/api/v1/rewards/{reward}/redemptions"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["balance"], 40);

    let (status, mine) = app
        .get("/api/v1/volunteers/me/redemptions", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(mine[1]["id"], redemption);
    assert_eq!(mine[1]["reward_name"], "大米一袋");
    assert_eq!(mine[1]["points"], 30);
    // Staff of the volunteer's community see them too.
    let (status, theirs) = app
        .get(
            &format!("/api/v1/volunteers/{volunteer_id}/redemptions"),
            Some(&shop.station_admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{theirs}");
    assert_eq!(theirs.as_array().unwrap().len(), 2);

    let (status, audit) = app
        .get(
            &format!("/api/v1/audit?unit_id={}", shop.s.community),
            Some(&shop.station_admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let entity_id = redemption.to_string();
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "redeem" && e["entity_id"] == entity_id.as_str())
        .unwrap_or_else(|| panic!("no audit entry: {audit}"));
    assert_eq!(entry["entity"], "redemption");
    assert_eq!(entry["actor_id"], volunteer_id);
    assert_eq!(entry["unit_id"], shop.s.community);
    assert_eq!(entry["before"]["balance"], 100);
    assert_eq!(entry["after"]["balance"], 70);
    assert_eq!(entry["before"]["stock"], 5);
    assert_eq!(entry["after"]["stock"], 4);
}

async fn a_refused_redemption_changes_nothing(app: TestApp) {
    let shop = app.shop().await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 30, 5).await;
    let (poor, poor_token) = app.volunteer(1, shop.s.community).await;
    let (_, penniless_token) = app.volunteer(2, shop.s.community).await;
    give_points(&app, poor, 29).await;
    let mut db = Db::open(&app).await;
    let entries = db.count("points_entries").await;
    let audits = db.count("audit_log").await;

    assert_error(
        &redeem(&app, &poor_token, reward).await,
        StatusCode::CONFLICT,
        "insufficient_points",
    );
    // No balance row at all is a balance of 0.
    assert_error(
        &redeem(&app, &penniless_token, reward).await,
        StatusCode::CONFLICT,
        "insufficient_points",
    );

    assert_eq!(db.balance(poor).await, 29);
    assert_eq!(db.stock(reward).await, 5);
    assert_eq!(db.count("redemptions").await, 0);
    assert_eq!(db.count("points_entries").await, entries);
    assert_eq!(db.count("audit_log").await, audits);
    let (_, mine) = app
        .get("/api/v1/volunteers/me/redemptions", Some(&poor_token))
        .await;
    assert_eq!(mine, json!([]));
}

async fn out_of_stock_and_withdrawn_rewards_are_conflicts_until_restocked(app: TestApp) {
    let shop = app.shop().await;
    let admin = &shop.station_admin;
    let reward = create_reward(&app, admin, shop.partner, 10, 1).await;
    let (volunteer_id, token) = app.volunteer(1, shop.s.community).await;
    give_points(&app, volunteer_id, 100).await;

    assert_eq!(redeem(&app, &token, reward).await.0, StatusCode::CREATED);
    assert_error(
        &redeem(&app, &token, reward).await,
        StatusCode::CONFLICT,
        "out_of_stock",
    );
    let mut db = Db::open(&app).await;
    assert_eq!(
        (db.balance(volunteer_id).await, db.stock(reward).await),
        (90, 0)
    );

    let (status, body) = app
        .put(
            &format!("/api/v1/rewards/{reward}/stock"),
            Some(admin),
            json!({"stock": 2}),
        )
        .await;
    assert_eq!(
        (status, &body["stock"]),
        (StatusCode::OK, &json!(2)),
        "{body}"
    );
    let (status, body) = app
        .put(
            &format!("/api/v1/rewards/{reward}/active"),
            Some(admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_error(
        &redeem(&app, &token, reward).await,
        StatusCode::CONFLICT,
        "reward_inactive",
    );
    assert_eq!(
        (db.balance(volunteer_id).await, db.stock(reward).await),
        (90, 2)
    );

    app.put(
        &format!("/api/v1/rewards/{reward}/active"),
        Some(admin),
        json!({"active": true}),
    )
    .await;
    let (status, body) = redeem(&app, &token, reward).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (body["balance"].as_i64(), body["reward"]["stock"].as_i64()),
        (Some(80), Some(1))
    );

    let (_, audit) = app
        .get(
            &format!("/api/v1/audit?unit_id={}", shop.s.community),
            Some(admin),
        )
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "reward")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["activate", "deactivate", "restock", "create"]);
}

async fn simultaneous_redemptions_never_overdraw_a_balance(app: TestApp) {
    let shop = app.shop().await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 25, 100).await;
    let (volunteer_id, token) = app.volunteer(1, shop.s.community).await;
    give_points(&app, volunteer_id, 75).await;

    let answers = join_all((0..10).map(|_| redeem(&app, &token, reward))).await;
    assert_eq!(with_status(&answers, StatusCode::CREATED), 3, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_error(
            &(*status, body.clone()),
            StatusCode::CONFLICT,
            "insufficient_points",
        );
    }
    let mut balances: Vec<i64> = answers
        .iter()
        .filter_map(|(_, b)| b["balance"].as_i64())
        .collect();
    balances.sort();
    assert_eq!(balances, [0, 25, 50]);

    let mut db = Db::open(&app).await;
    assert_eq!(db.balance(volunteer_id).await, 0);
    assert_eq!(db.stock(reward).await, 97);
    assert_eq!(db.count("redemptions").await, 3);
    let spent = "SELECT CAST(SUM(points) AS BIGINT) FROM points_entries WHERE volunteer_id = ?";
    assert_eq!(db.number(spent, &[volunteer_id]).await, 0);
}

async fn simultaneous_volunteers_never_take_more_than_the_stock(app: TestApp) {
    let shop = app.shop().await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 10, 3).await;
    let mut volunteers = Vec::new();
    for n in 1..=10 {
        let v = app
            .quick_volunteer(&shop.s.admin, n, shop.s.community)
            .await;
        give_points(&app, v.0, 50).await;
        volunteers.push(v);
    }

    let answers = join_all(
        volunteers
            .iter()
            .map(|(_, token)| redeem(&app, token, reward)),
    )
    .await;
    assert_eq!(with_status(&answers, StatusCode::CREATED), 3, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_error(
            &(*status, body.clone()),
            StatusCode::CONFLICT,
            "out_of_stock",
        );
    }

    let mut db = Db::open(&app).await;
    assert_eq!(db.stock(reward).await, 0);
    assert_eq!(db.count("redemptions").await, 3);
    let mut balances = Vec::new();
    for (id, _) in &volunteers {
        balances.push(db.balance(*id).await);
    }
    balances.sort();
    assert_eq!(balances, [40, 40, 40, 50, 50, 50, 50, 50, 50, 50]);
}

async fn points_entries_cannot_be_changed_or_deleted(app: TestApp) {
    let shop = app.shop().await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 10, 3).await;
    let (volunteer_id, token) = app.volunteer(1, shop.s.community).await;
    give_points(&app, volunteer_id, 50).await;
    assert_eq!(redeem(&app, &token, reward).await.0, StatusCode::CREATED);

    let mut db = Db::open(&app).await;
    let update = db
        .run(
            "UPDATE points_entries SET points = 1000 WHERE volunteer_id = ?",
            &[volunteer_id],
        )
        .await;
    assert!(update.is_err(), "{update:?}");
    let delete = db
        .run(
            "DELETE FROM points_entries WHERE volunteer_id = ?",
            &[volunteer_id],
        )
        .await;
    assert!(delete.is_err(), "{delete:?}");
    assert!(db.run("DELETE FROM points_entries", &[]).await.is_err());
    assert_eq!(db.count("points_entries").await, 2);
    // Neither can a balance go below zero by hand.
    let overdraw = db
        .run(
            "UPDATE points_balances SET balance = balance - 41 WHERE volunteer_id = ?",
            &[volunteer_id],
        )
        .await;
    assert!(overdraw.is_err(), "{overdraw:?}");
    assert_eq!(db.balance(volunteer_id).await, 40);
}
