//! Partners and their rewards: which volunteers see them, who keeps them, and the refusals of bad
//! input.

use crate::both_backends;
use crate::support::{
    Db, TestApp, assert_error, create_partner, create_reward, give_points, id_of, redeem,
    reward_body, with,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(
    a_volunteer_sees_the_rewards_of_their_community_street_and_district,
    only_admins_of_the_partners_unit_keep_partners_and_rewards,
    bad_input_is_refused_with_clear_codes_and_unknown_ids_are_not_found
);

/// Sends each request with `token` and expects each to be refused with `status` and `code`.
async fn refused(
    app: &TestApp,
    token: &str,
    requests: &[(Method, String, Option<Value>)],
    status: StatusCode,
    code: &str,
) {
    for (method, path, body) in requests {
        let answer = app
            .request(method.clone(), path, Some(token), body.clone())
            .await;
        assert_eq!(
            (answer.0, answer.1["error"].as_str()),
            (status, Some(code)),
            "{method} {path}: {}",
            answer.1
        );
    }
}

async fn a_volunteer_sees_the_rewards_of_their_community_street_and_district(app: TestApp) {
    let shop = app.shop().await;
    let admin = &shop.s.admin;
    let district = app.state.store.root_unit().await.unwrap().unwrap().id;
    let other = app
        .create_unit(admin, "幸福社区", "community", shop.s.street)
        .await;
    let at_district = create_partner(&app, admin, district, "区图书馆").await;
    let at_street = create_partner(&app, admin, shop.s.street, "街道影院").await;
    let at_other = create_partner(&app, admin, other, "幸福药店").await;
    let mine = create_reward(&app, admin, shop.partner, 10, 1).await;
    let district_reward = create_reward(&app, admin, at_district, 10, 1).await;
    let street_reward = create_reward(&app, admin, at_street, 10, 0).await;
    let elsewhere = create_reward(&app, admin, at_other, 10, 1).await;
    let withdrawn = create_reward(&app, admin, shop.partner, 10, 1).await;
    let (status, body) = app
        .put(
            &format!("/api/v1/rewards/{withdrawn}/active"),
            Some(admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(
        (status, &body["active"]),
        (StatusCode::OK, &json!(false)),
        "{body}"
    );

    let (volunteer_id, token) = app.volunteer(1, shop.s.community).await;
    let (status, list) = app.get("/api/v1/rewards", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<i64> = list.as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(ids, vec![mine, district_reward, street_reward]);

    // A reward of another community is not theirs to redeem, points or not.
    give_points(&app, volunteer_id, 100).await;
    assert_error(
        &redeem(&app, &token, elsewhere).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    // Staff list by unit: everything under it, withdrawn rewards included.
    let (status, list) = app
        .get(
            &format!("/api/v1/rewards?unit_id={}", shop.s.community),
            Some(&shop.station_admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<i64> = list.as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(ids, vec![mine, withdrawn]);
    let (status, list) = app
        .get(&format!("/api/v1/rewards?unit_id={district}"), Some(admin))
        .await;
    assert_eq!(
        (status, list.as_array().unwrap().len()),
        (StatusCode::OK, 5)
    );
    let (status, partners) = app
        .get(
            &format!("/api/v1/partners?unit_id={}", shop.s.street),
            Some(admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{partners}");
    let ids: Vec<i64> = partners.as_array().unwrap().iter().map(id_of).collect();
    assert_eq!(ids, vec![shop.partner, at_street, at_other]);
    // Staff must name a unit.
    assert_error(
        &app.get("/api/v1/rewards", Some(admin)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_query",
    );
}

async fn only_admins_of_the_partners_unit_keep_partners_and_rewards(app: TestApp) {
    let shop = app.shop().await;
    let (s, c) = (&shop.s, shop.s.community);
    let other = app
        .create_unit(&s.admin, "幸福社区", "community", s.street)
        .await;
    let (_, other_admin) = app
        .staff(&s.admin, "other-admin", "unit_admin", other)
        .await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 10, 3).await;
    let (volunteer_id, token) = app.volunteer(1, c).await;
    let (_, other_token) = app.volunteer(2, other).await;
    give_points(&app, volunteer_id, 50).await;

    let partner = json!({"unit_id": c, "name": "便民药房"});
    let keeping = [
        (
            Method::POST,
            "/api/v1/partners".into(),
            Some(partner.clone()),
        ),
        (
            Method::POST,
            "/api/v1/rewards".into(),
            Some(reward_body(shop.partner, 10, 1)),
        ),
        (
            Method::PUT,
            format!("/api/v1/rewards/{reward}/stock"),
            Some(json!({"stock": 9})),
        ),
        (
            Method::PUT,
            format!("/api/v1/rewards/{reward}/active"),
            Some(json!({"active": false})),
        ),
    ];
    let looking = [
        (Method::GET, format!("/api/v1/partners?unit_id={c}"), None),
        (Method::GET, format!("/api/v1/rewards?unit_id={c}"), None),
        (
            Method::GET,
            format!("/api/v1/volunteers/{volunteer_id}/redemptions"),
            None,
        ),
    ];
    for token in [&s.organizer, &other_admin, &token] {
        refused(&app, token, &keeping, StatusCode::FORBIDDEN, "forbidden").await;
    }
    for token in [&other_admin, &other_token] {
        refused(&app, token, &looking, StatusCode::FORBIDDEN, "forbidden").await;
    }
    // The organizer is staff of the unit: they may look.
    for (_, path, _) in &looking {
        assert_eq!(
            app.get(path, Some(&s.organizer)).await.0,
            StatusCode::OK,
            "{path}"
        );
    }
    // A street admin keeps the partners of its communities.
    let (_, street_admin) = app
        .staff(&s.admin, "street-admin", "unit_admin", s.street)
        .await;
    let created = app
        .post("/api/v1/partners", Some(&street_admin), partner.clone())
        .await;
    assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
    let again = app
        .post("/api/v1/partners", Some(&street_admin), partner)
        .await;
    assert_error(&again, StatusCode::CONFLICT, "duplicate_partner");

    // Redeeming is for the volunteer themself, of a community the reward is offered to.
    let staff = redeem(&app, &shop.station_admin, reward).await;
    assert_error(&staff, StatusCode::FORBIDDEN, "not_a_volunteer");
    let stranger = redeem(&app, &other_token, reward).await;
    assert_error(&stranger, StatusCode::FORBIDDEN, "forbidden");
    let anonymous = redeem(&app, "not-a-token", reward).await;
    assert_error(&anonymous, StatusCode::UNAUTHORIZED, "unauthorized");
    let mut db = Db::open(&app).await;
    assert_eq!(
        (db.stock(reward).await, db.balance(volunteer_id).await),
        (3, 50)
    );
}

async fn bad_input_is_refused_with_clear_codes_and_unknown_ids_are_not_found(app: TestApp) {
    let shop = app.shop().await;
    let (admin, partner, c) = (&shop.station_admin, shop.partner, shop.s.community);
    let reward = create_reward(&app, admin, partner, 10, 3).await;
    let (_, token) = app.volunteer(1, c).await;

    let post = |path: &str, body: Value| (Method::POST, path.to_owned(), Some(body));
    let stock = |stock: i64| {
        let path = format!("/api/v1/rewards/{reward}/stock");
        (Method::PUT, path, Some(json!({"stock": stock})))
    };
    let mut names = Vec::new();
    for name in ["", "   ", "坏\u{0}名"] {
        names.push(post(
            "/api/v1/partners",
            json!({"unit_id": c, "name": name}),
        ));
        let body = json!({"partner_id": partner, "name": name, "points_cost": 10, "stock": 1});
        names.push(post("/api/v1/rewards", body));
    }
    let costs = [0, -5, 1_000_001, 10_000_000_000]
        .map(|cost| post("/api/v1/rewards", reward_body(partner, cost, 1)));
    let mut stocks = Vec::new();
    for n in [-1, 1_000_001, 10_000_000_000] {
        stocks.push(post("/api/v1/rewards", reward_body(partner, 10, n)));
        stocks.push(stock(n));
    }
    let long = with(
        reward_body(partner, 10, 1),
        "description",
        json!("长".repeat(2001)),
    );
    let description = [post("/api/v1/rewards", long)];
    let unreadable = [
        post(
            "/api/v1/rewards",
            with(reward_body(partner, 10, 1), "points_cost", json!("ten")),
        ),
        (
            Method::PUT,
            format!("/api/v1/rewards/{reward}/stock"),
            Some(json!({})),
        ),
    ];
    for (requests, code) in [
        (&names[..], "invalid_name"),
        (&costs[..], "invalid_points_cost"),
        (&stocks[..], "invalid_stock"),
        (&description[..], "invalid_description"),
        (&unreadable[..], "invalid_body"),
    ] {
        refused(
            &app,
            admin,
            requests,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        )
        .await;
    }

    let unknown = 987_654;
    let missing = [
        post(
            "/api/v1/partners",
            json!({"unit_id": unknown, "name": "店"}),
        ),
        (
            Method::GET,
            format!("/api/v1/partners?unit_id={unknown}"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/rewards?unit_id={unknown}"),
            None,
        ),
        post("/api/v1/rewards", reward_body(unknown, 10, 1)),
        (
            Method::PUT,
            format!("/api/v1/rewards/{unknown}/stock"),
            Some(json!({"stock": 1})),
        ),
        (
            Method::PUT,
            format!("/api/v1/rewards/{unknown}/active"),
            Some(json!({"active": true})),
        ),
        (
            Method::GET,
            format!("/api/v1/volunteers/{unknown}/redemptions"),
            None,
        ),
        // Staff have no redemptions of their own.
        (
            Method::GET,
            "/api/v1/volunteers/me/redemptions".into(),
            None,
        ),
    ];
    refused(&app, admin, &missing, StatusCode::NOT_FOUND, "not_found").await;
    for id in [unknown, -1] {
        assert_error(
            &redeem(&app, &token, id).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    let mut db = Db::open(&app).await;
    assert_eq!(
        (db.count("rewards").await, db.count("partners").await),
        (1, 1)
    );
}
