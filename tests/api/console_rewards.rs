//! Partners and rewards in the console: added, restocked and withdrawn from the page, as the API
//! shows them; a refused form changes nothing.

use crate::both_backends;
use crate::support::{Scene, TestApp, console_page, csrf_token, post_fields};
use reqwest::StatusCode;
use serde_json::Value;

both_backends!(
    admins_add_a_partner_and_a_reward_restock_and_withdraw_it,
    a_reward_with_negative_points_is_refused_and_nothing_is_stored,
);

/// The scene, a unit admin of its community and the token of their rewards page's forms.
async fn station(app: &TestApp) -> (Scene, String, String) {
    let s = app.scene().await;
    let (_, admin) = app
        .staff(&s.admin, "station-admin", "unit_admin", s.community)
        .await;
    let (status, html) = console_page(app, "/console/rewards", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    (s, admin, csrf_token(&html))
}

/// The form of a new reward of `partner`, costing `points`.
fn reward_form(unit: i64, partner: &str, points: &str) -> Vec<(&'static str, String)> {
    vec![
        ("unit_id", unit.to_string()),
        ("partner_id", partner.to_owned()),
        ("name", "大米一袋".to_owned()),
        ("description", "5 kg 东北大米".to_owned()),
        ("points_cost", points.to_owned()),
        ("stock", "10".to_owned()),
    ]
}

/// `form` carrying the session's `token`.
fn with_token(token: &str, mut form: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    form.push(("csrf_token", token.to_owned()));
    form
}

/// Registers a partner from the page; its id.
async fn add_partner(app: &TestApp, admin: &str, token: &str, unit: i64) -> String {
    let form = with_token(
        token,
        vec![("unit_id", unit.to_string()), ("name", "惠民超市".into())],
    );
    let (status, _) = post_fields(app, "/console/rewards/partners", admin, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let partners = listed(app, admin, "partners", unit).await;
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0]["name"], "惠民超市");
    partners[0]["id"].to_string()
}

async fn listed(app: &TestApp, token: &str, what: &str, unit: i64) -> Vec<Value> {
    let (status, list) = app
        .get(&format!("/api/v1/{what}?unit_id={unit}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

async fn admins_add_a_partner_and_a_reward_restock_and_withdraw_it(app: TestApp) {
    let (s, admin, token) = station(&app).await;
    let community = s.community;
    let partner = add_partner(&app, &admin, &token, community).await;
    let form = with_token(&token, reward_form(community, &partner, "50"));
    assert_eq!(
        post_fields(&app, "/console/rewards", &admin, &form).await.0,
        StatusCode::SEE_OTHER
    );
    let rewards = listed(&app, &admin, "rewards", community).await;
    assert_eq!(rewards.len(), 1);
    let r = &rewards[0];
    assert_eq!(
        (r["name"].as_str(), r["points_cost"].as_i64()),
        (Some("大米一袋"), Some(50))
    );
    assert_eq!(
        (r["stock"].as_i64(), r["active"].as_bool()),
        (Some(10), Some(true))
    );
    let back = format!("/console/rewards?unit_id={community}");
    let (_, html) = console_page(&app, &back, Some(&admin)).await;
    assert!(
        html.contains("惠民超市") && html.contains("大米一袋"),
        "{html}"
    );
    assert!(html.contains("兑换中"), "{html}");

    let id = &r["id"];
    let change = |path: &str, field: &'static str, value: &str| {
        let form = with_token(
            &token,
            vec![
                ("unit_id", community.to_string()),
                (field, value.to_owned()),
            ],
        );
        let (app, admin, path) = (&app, admin.clone(), format!("/console/rewards/{id}/{path}"));
        async move { post_fields(app, &path, &admin, &form).await }
    };
    assert_eq!(
        change("stock", "stock", "25").await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        change("active", "active", "false").await.0,
        StatusCode::SEE_OTHER
    );
    let r = &listed(&app, &admin, "rewards", community).await[0];
    assert_eq!(
        (r["stock"].as_i64(), r["active"].as_bool()),
        (Some(25), Some(false))
    );
    let (_, html) = console_page(&app, &back, Some(&admin)).await;
    assert!(
        html.contains("已下架") && html.contains(r#"value="25""#),
        "{html}"
    );

    // A stock that is no number: said so on the page, the stock stays.
    let (status, html) = change("stock", "stock", "很多").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("未作任何更改"), "{html}");
    assert_eq!(
        listed(&app, &admin, "rewards", community).await[0]["stock"],
        25
    );

    // Another community's admin sees none of it and changes nothing.
    let (_, elsewhere) = app.street_and_community(&s.admin, "西街道", "西社区").await;
    let (_, other) = app
        .staff(&s.admin, "station-admin-b", "unit_admin", elsewhere)
        .await;
    let (_, html) = console_page(&app, "/console/rewards", Some(&other)).await;
    assert!(!html.contains("大米一袋"), "{html}");
    let form = with_token(
        &csrf_token(&html),
        vec![
            ("unit_id", elsewhere.to_string()),
            ("active", "true".into()),
        ],
    );
    let path = format!("/console/rewards/{id}/active");
    assert_eq!(
        post_fields(&app, &path, &other, &form).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        listed(&app, &admin, "rewards", community).await[0]["active"],
        false
    );
}

async fn a_reward_with_negative_points_is_refused_and_nothing_is_stored(app: TestApp) {
    let (s, admin, token) = station(&app).await;
    let partner = add_partner(&app, &admin, &token, s.community).await;

    let form = with_token(&token, reward_form(s.community, &partner, "-5"));
    let (status, html) = post_fields(&app, "/console/rewards", &admin, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("未作任何更改"), "{html}");
    assert!(
        html.contains(r#"value="大米一袋""#),
        "the form as typed: {html}"
    );
    let form = with_token(&token, reward_form(s.community, &partner, "五十"));
    let (status, _) = post_fields(&app, "/console/rewards", &admin, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Without the session's token.
    let form = reward_form(s.community, &partner, "50");
    let (status, _) = post_fields(&app, "/console/rewards", &admin, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        listed(&app, &admin, "rewards", s.community)
            .await
            .is_empty()
    );
}
