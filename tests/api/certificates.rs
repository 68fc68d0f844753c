//! Certificates 志愿服务记录证明: a signed snapshot of the ledger over a period, issued to the
//! volunteer and their staff only, never showing the full ID number.

use crate::both_backends;
use crate::support::{TestApp, assert_error, id_number, issue, issued, today, verify};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    a_certificate_states_the_service_of_the_period,
    only_the_volunteer_and_their_staff_issue,
    a_period_must_be_sensible,
    the_full_id_number_never_appears
);

async fn a_certificate_states_the_service_of_the_period(app: TestApp) {
    let s = app.credited().await;
    let cert = issued(&app, &s).await;
    let number = cert["number"].as_str().unwrap();
    assert!(number.starts_with("VC20") && number.len() == 14, "{number}");
    assert_eq!(cert["verify_url"], format!("{}/verify/{number}", app.base));
    assert_eq!(cert["total_hours"], "3.75", "{cert}");
    let lines: Vec<_> = cert["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["title"].as_str().unwrap(),
                l["hours"].as_str().unwrap(),
                l["organiser"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("敬老院义务理发", "1.50", "花园社区志愿服务队"),
            ("社区环境整治", "1.50", "花园社区"),
            ("补录服务记录", "0.75", "花园社区"),
        ]
    );
    let d = today() - Duration::days(30);
    assert_eq!(cert["activities"][0]["date"], json!(d));

    // Staff of the community issue too; the audit log has both.
    let (status, by_staff) =
        issue(&app, &s.admin, &s.volunteer_id.to_string(), s.from, today()).await;
    assert_eq!(status, StatusCode::CREATED, "{by_staff}");
    assert_ne!(by_staff["number"], cert["number"]);
    let (status, audit) = app
        .get(
            &format!("/api/v1/audit?unit_id={}", s.community),
            Some(&s.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let issued: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "issue_certificate")
        .map(|e| e["entity_id"].clone())
        .collect();
    assert_eq!(issued, [by_staff["number"].clone(), cert["number"].clone()]);
}

async fn only_the_volunteer_and_their_staff_issue(app: TestApp) {
    let s = app.credited().await;
    let (other_id, other) = app.volunteer(2, s.community).await;
    let to = today();
    let who = s.volunteer_id.to_string();
    assert_error(
        &issue(&app, &other, &who, s.from, to).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (_, elsewhere) = app
        .street_and_community(&s.admin, "西湖街道", "柳园社区")
        .await;
    let (_, staff) = app
        .staff(&s.admin, "admin-b", "unit_admin", elsewhere)
        .await;
    assert_error(
        &issue(&app, &staff, &who, s.from, to).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (status, _) = app
        .post(
            &format!("/api/v1/volunteers/{who}/certificates"),
            None,
            json!({"from": s.from, "to": to}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(
        &issue(&app, &s.admin, "999999", s.from, to).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // The other volunteer's own certificate holds none of the first one's service.
    let (status, own) = issue(&app, &other, &other_id.to_string(), s.from, to).await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    assert_eq!(own["total_hours"], "0.00");
    assert_eq!(own["activities"], json!([]));
}

async fn a_period_must_be_sensible(app: TestApp) {
    let s = app.credited().await;
    let t = today();
    for (from, to) in [
        (t, t - Duration::days(1)),
        (t - Duration::days(1), t + Duration::days(1)),
        (t - Duration::days(3700), t),
    ] {
        assert_error(
            &issue(&app, &s.volunteer, "me", from, to).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_period",
        );
    }
    let (status, _) = app
        .post(
            "/api/v1/volunteers/me/certificates",
            Some(&s.volunteer),
            json!({"from": "2026-02-30", "to": t}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let count = crate::sql!(app, "SELECT COUNT(*) FROM certificates");
    assert_eq!(count, Some(0), "nothing was issued");
}

async fn the_full_id_number_never_appears(app: TestApp) {
    let s = app.credited().await;
    let full = id_number(1);
    let cert = issued(&app, &s).await;
    let number = cert["number"].as_str().unwrap();
    let mut seen = vec![cert.to_string()];
    seen.push(
        app.fetch_text(
            &format!("/certificates/{number}"),
            Some(&s.volunteer),
            "text/html",
        )
        .await
        .2,
    );
    seen.push(
        app.fetch_text(&format!("/verify/{number}"), None, "text/html")
            .await
            .2,
    );
    seen.push(verify(&app, number).await.1.to_string());
    for text in seen {
        assert!(!text.contains(&full), "{text}");
        assert!(
            !text.contains(&full[6..14]),
            "not even the birth date: {text}"
        );
    }
}
