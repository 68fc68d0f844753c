//! Awards 表彰奖励: the winner of a final round sees the award on their profile, on `/me` and in
//! the console, and issues a certificate of it 荣誉证书 — the award and the service of the year —
//! which `/verify` confirms; certificates issued before awards still verify as they were signed.

use crate::both_backends;
use crate::selection_review::finalised;
use crate::selections::last_year;
use crate::support::{
    TestApp, assert_error, console_page, decode_page_qr, id_of, issued, today, verify,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    the_winner_sees_the_award_and_issues_its_certificate,
    an_award_certificate_is_of_the_volunteers_own_award,
    a_certificate_issued_before_awards_still_verifies,
);

/// Issues a certificate of the award `award_id` to volunteer `who` (`me` for the caller).
async fn issue_of_award(
    app: &TestApp,
    token: &str,
    who: &str,
    award_id: i64,
) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/volunteers/{who}/certificates"),
        Some(token),
        json!({"award_id": award_id}),
    )
    .await
}

async fn the_winner_sees_the_award_and_issues_its_certificate(app: TestApp) {
    let p = finalised(&app).await;
    let y = last_year();
    let winner = p.volunteers[1];
    let token = app.session_of(winner).await;

    // The award on the volunteer's own profile, as staff see it too, and only on the winner's.
    let (status, me) = app.get("/api/v1/volunteers/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let award = json!({"name": format!("{y}年度优秀志愿者"), "granted_on": today(),
                       "granting_unit": "花园社区"});
    let awards = me["awards"].as_array().unwrap();
    assert_eq!(awards.len(), 1, "{me}");
    let award_id = id_of(&awards[0]);
    assert_eq!(awards[0], with_id(&award, award_id));
    let (_, seen_by_staff) = app
        .get(&format!("/api/v1/volunteers/{winner}"), Some(&p.admin))
        .await;
    assert_eq!(seen_by_staff["awards"], me["awards"]);
    let (_, runner_up) = app
        .get(
            &format!("/api/v1/volunteers/{}", p.volunteers[2]),
            Some(&p.admin),
        )
        .await;
    assert_eq!(runner_up["awards"], json!([]));

    // /me has the section its script fills from the profile; the console's profile lists it.
    let (status, _, page) = app.fetch_text("/me", None, "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"id="awards-card""#) && page.contains("出具荣誉证书"),
        "{page}"
    );
    let (status, html) = console_page(
        &app,
        &format!("/console/volunteers/{winner}"),
        Some(&p.admin),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let listed = &html[html.find(r#"id="awards""#).expect("the awards section")..];
    assert!(
        listed.contains(&format!("{y}年度优秀志愿者")) && listed.contains(&today().to_string()),
        "{listed}"
    );

    // The certificate: the award, and the year's service below it.
    let (status, cert) = issue_of_award(&app, &token, "me", award_id).await;
    assert_eq!(status, StatusCode::CREATED, "{cert}");
    assert_eq!(cert["award"], award);
    assert_eq!(cert["total_hours"], "23.00");
    assert_eq!(cert["activities"].as_array().unwrap().len(), 1, "{cert}");
    assert_eq!(cert["activities"][0]["evaluation"], "优秀");
    let number = cert["number"].as_str().unwrap();

    let (status, answer) = verify(&app, number).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], "genuine");
    assert_eq!(answer["award"], award);
    assert_eq!(answer["name"], "志愿者1");
    assert_eq!(answer["issuer"], "花园社区");
    assert_eq!(answer["period_from"], format!("{y}-01-01"));
    assert_eq!(answer["period_to"], format!("{y}-12-31"));
    assert_eq!(answer["total_hours"], "23.00");

    let (status, _, print) = app
        .fetch_text(
            &format!("/certificates/{number}"),
            Some(&token),
            "text/html",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{print}");
    for text in [
        "<title>荣誉证书",
        "兹授予 <b>志愿者1</b>",
        &format!("<b>{y}年度优秀志愿者</b> 称号"),
        "23.00",
        "授予单位：花园社区",
        "特发此证",
    ] {
        assert!(print.contains(text), "{text} missing from {print}");
    }
    assert_eq!(decode_page_qr(&print), cert["verify_url"].as_str().unwrap());
    let (status, _, page) = app
        .fetch_text(&format!("/verify/{number}"), None, "text/html")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("证明真实有效") && page.contains(&format!("{y}年度优秀志愿者")),
        "{page}"
    );

    // A stored award changed afterwards no longer verifies.
    crate::sql!(
        app,
        "UPDATE certificates SET content = replace(content, '年度优秀志愿者', '年度十佳志愿者')
         WHERE number = $1",
        number,
    );
    let answer = verify(&app, number).await;
    assert_error(&answer, StatusCode::CONFLICT, "certificate_altered");
    assert_eq!(answer.1["status"], "altered");
}

fn with_id(award: &Value, id: i64) -> Value {
    let mut award = award.clone();
    award["id"] = json!(id);
    award
}

async fn an_award_certificate_is_of_the_volunteers_own_award(app: TestApp) {
    let p = finalised(&app).await;
    let winner = p.volunteers[1];
    let award_id =
        crate::sql!(app, "SELECT id FROM awards WHERE volunteer_id = $1", winner).unwrap();
    let runner_up = app.session_of(p.volunteers[2]).await;
    assert_error(
        &issue_of_award(&app, &runner_up, "me", award_id).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &issue_of_award(&app, &p.admin, &winner.to_string(), award_id + 1000).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // A certificate is of a period or of an award, never both or neither.
    let token = app.session_of(winner).await;
    let (y, to) = (last_year(), today());
    for body in [
        json!({"from": format!("{y}-01-01"), "to": to, "award_id": award_id}),
        json!({"from": format!("{y}-01-01"), "award_id": award_id}),
        json!({"from": format!("{y}-01-01")}),
        json!({}),
    ] {
        let answer = app
            .post("/api/v1/volunteers/me/certificates", Some(&token), body)
            .await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    }
    let count = crate::sql!(app, "SELECT COUNT(*) FROM certificates");
    assert_eq!(count, Some(0), "nothing was issued");

    // Staff of the volunteer's community issue it as they issue any of their certificates.
    let (status, by_staff) = issue_of_award(&app, &p.admin, &winner.to_string(), award_id).await;
    assert_eq!(status, StatusCode::CREATED, "{by_staff}");
    assert_eq!(by_staff["award"]["granting_unit"], "花园社区");
}

/// A period certificate as issued before certificates could state an award: its text as it was
/// signed.
const SIGNED_BEFORE_AWARDS: &str = concat!(
    r#"{"number":"VC2026AEBAGBAF","name":"志愿者1","id_number_masked":"3401**********123X","#,
    r#""volunteer_no":"V000000018","period_from":"2026-03-01","period_to":"2026-03-31","#,
    r#""total_hours":"2.50","activities":[{"title":"敬老院义务理发","date":"2026-03-02","#,
    r#""hours":"2.50","organiser":"花园社区"}],"issuer":"花园社区","issued_on":"2026-03-31"}"#
);

async fn a_certificate_issued_before_awards_still_verifies(app: TestApp) {
    let s = app.credited().await;
    let signature =
        vledger::domain::certificate::sign(&app.state.keys.certificate, SIGNED_BEFORE_AWARDS);
    crate::sql!(
        app,
        "INSERT INTO certificates (number, volunteer_id, period_from, period_to, content,
             signature, issued_by, issued_at)
         VALUES ('VC2026AEBAGBAF', $1, '2026-03-01', '2026-03-31', $2, $3, $1, $4)",
        s.volunteer_id,
        SIGNED_BEFORE_AWARDS,
        signature,
        chrono::Utc::now(),
    );
    let (status, answer) = verify(&app, "VC2026AEBAGBAF").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["total_hours"], "2.50");
    assert!(answer.get("award").is_none(), "{answer}");
    let (status, _, print) = app
        .fetch_text(
            "/certificates/VC2026AEBAGBAF",
            Some(&s.volunteer),
            "text/html",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        print.contains("<h1>志愿服务记录证明</h1>") && !print.contains("荣誉证书"),
        "{print}"
    );

    // A period certificate issued now reads as before: no award.
    let cert = issued(&app, &s).await;
    assert!(cert.get("award").is_none(), "{cert}");
    let (status, answer) = verify(&app, cert["number"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer.get("award").is_none(), "{answer}");
}
