//! The redemption code 兑换码: a volunteer redeems a reward and gets a code; the partner checks it
//! on its page, as typed, and marks the reward handed over, once. Nothing of the volunteer shows.

use crate::both_backends;
use crate::support::{
    TestApp, audit_entries, browser, create_reward, decode_qr, give_points, redeem,
};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, LOCATION};
use serde_json::{Value, json};

both_backends!(
    the_partner_checks_a_code_and_hands_the_reward_over_once,
    unknown_codes_are_not_found,
);

/// What `/redemptions/{code}{tail}` answers a request accepting `accept`: `(status, content
/// type, text)`.
async fn code_page(
    app: &TestApp,
    code: &str,
    tail: &str,
    accept: &str,
) -> (StatusCode, String, String) {
    let path = format!("/redemptions/{code}{tail}");
    app.fetch_text(&path, None, accept).await
}

/// The check of `code` as JSON.
async fn checked(app: &TestApp, code: &str) -> (StatusCode, Value) {
    let (status, _, text) = code_page(app, code, "", "application/json").await;
    (status, serde_json::from_str(&text).unwrap())
}

/// The hand-over of `code`, answered as JSON: `(status, body)`.
async fn hand_over(app: &TestApp, code: &str) -> (StatusCode, Value) {
    let res = browser()
        .post(format!("{}/redemptions/{code}/handover", app.base))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

async fn the_partner_checks_a_code_and_hands_the_reward_over_once(app: TestApp) {
    let shop = app.shop().await;
    let reward = create_reward(&app, &shop.station_admin, shop.partner, 30, 5).await;
    let (volunteer, token) = app.volunteer(1, shop.s.community).await;
    give_points(&app, volunteer, 100).await;
    let (status, redeemed) = redeem(&app, &token, reward).await;
    assert_eq!(status, StatusCode::CREATED, "{redeemed}");
    let code = redeemed["code"].as_str().unwrap().to_owned();
    assert!(
        code.len() == 10 && code.starts_with("RD"),
        "{code} is not a redemption code"
    );

    // As typed from the volunteer's screen: in groups, in lower case.
    let typed = format!("{}-{}", &code[..6], &code[6..]).to_lowercase();
    let (status, check) = checked(&app, &typed).await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert_eq!(
        (
            &check["status"],
            &check["code"],
            &check["reward"],
            &check["partner"],
            &check["points"]
        ),
        (
            &json!("redeemed"),
            &json!(code),
            &json!("大米一袋"),
            &json!("惠民超市"),
            &json!(30)
        )
    );
    assert!(!check.to_string().contains("志愿者1") && !check.to_string().contains("1390000"));
    let (status, _, page) = code_page(&app, &code, "", "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("✔ 兑换码有效") && page.contains("大米一袋"),
        "{page}"
    );
    assert!(page.contains(&format!(r#"action="/redemptions/{code}/handover""#)));

    // The partner scans the code's QR code from the volunteer's screen.
    let (status, kind, svg) = code_page(&app, &code, "/qr.svg", "image/svg+xml").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/svg+xml"));
    assert_eq!(
        decode_qr(&svg, 480),
        format!("{}/redemptions/{code}", app.base)
    );

    // The page's button, as the partner's browser posts it: back to the page.
    let handover = format!("{}/redemptions/{code}/handover", app.base);
    let res = browser().post(&handover).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], format!("/redemptions/{code}"));
    let (_, check) = checked(&app, &code).await;
    assert_eq!(check["status"], "handed_over");
    assert!(check["handed_over_at"].is_string());
    let (_, _, page) = code_page(&app, &code, "", "text/html").await;
    assert!(page.contains("该兑换码的物品已领取") && !page.contains("hand-over"));

    // Once only.
    let (status, body) = hand_over(&app, &code).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::CONFLICT, &json!("already_handed_over"))
    );

    let (status, mine) = app
        .get("/api/v1/volunteers/me/redemptions", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine[0]["code"], json!(code));
    assert_eq!(mine[0]["handed_over_at"], check["handed_over_at"]);
    let audited = audit_entries(&app, &shop.s.admin, shop.s.community, "hand_over").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0]["actor_id"], Value::Null);
}

async fn unknown_codes_are_not_found(app: TestApp) {
    for code in ["RDAAAAAAAA", "RD1", "VC2026AAAAAAAA", "%E5%A4%A7"] {
        let (status, check) = checked(&app, code).await;
        assert_eq!(
            (status, &check["status"]),
            (StatusCode::NOT_FOUND, &json!("unknown"))
        );
        let (status, _, page) = code_page(&app, code, "", "text/html").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("未找到该兑换码"));
        let (status, _, _) = code_page(&app, code, "/qr.svg", "image/svg+xml").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            hand_over(&app, code).await.0,
            StatusCode::NOT_FOUND,
            "{code}"
        );
    }
}
