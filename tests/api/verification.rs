//! Verifying a certificate: its printed QR code, and the answers for a genuine, an unknown and an
//! altered one.

use crate::both_backends;
use crate::support::{TestApp, assert_error, decode_page_qr, id_number, issued, today, verify};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    the_printed_certificate_scans_to_its_verification,
    anyone_verifies_a_genuine_certificate,
    an_unknown_number_is_unknown,
    an_altered_certificate_is_reported
);

async fn the_printed_certificate_scans_to_its_verification(app: TestApp) {
    let s = app.credited().await;
    let cert = issued(&app, &s).await;
    let number = cert["number"].as_str().unwrap();
    let (status, _, page) = app
        .fetch_text(
            &format!("/certificates/{number}"),
            Some(&s.volunteer),
            "text/html",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let full = id_number(1);
    let masked = format!("{}*************{}", &full[..4], &full[17..]);
    for text in [
        "志愿服务记录证明",
        "志愿者1",
        &masked,
        number,
        "3.75",
        "敬老院义务理发",
        "花园社区志愿服务队",
        "size:A4",
    ] {
        assert!(page.contains(text), "{text} missing from the page");
    }
    for external in ["<link", "<script", "src=", "url("] {
        assert!(
            !page.contains(external),
            "no external resources: {external}"
        );
    }
    assert_eq!(decode_page_qr(&page), cert["verify_url"].as_str().unwrap());
    // Only the volunteer and their community's staff print it.
    let (_, other) = app.volunteer(2, s.community).await;
    let (status, _, _) = app
        .fetch_text(
            &format!("/certificates/{number}"),
            Some(&other),
            "text/html",
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .fetch_text(
            &format!("/certificates/{number}"),
            Some(&s.admin),
            "text/html",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = app
        .fetch_text(&format!("/certificates/{number}"), None, "text/html")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn anyone_verifies_a_genuine_certificate(app: TestApp) {
    let s = app.credited().await;
    let cert = issued(&app, &s).await;
    let number = cert["number"].as_str().unwrap();
    let (status, answer) = verify(&app, number).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], "genuine");
    assert_eq!(answer["number"], number);
    assert_eq!(answer["name"], "志愿者1");
    assert_eq!(answer["total_hours"], cert["total_hours"]);
    assert_eq!(answer["activity_count"], 3);
    assert_eq!(answer["issuer"], "花园社区");
    assert_eq!(answer["period_from"], json!(s.from));
    assert_eq!(answer["period_to"], json!(today()));
    assert!(answer["id_number_masked"].as_str().unwrap().contains('*'));
    // Typed in lower case, it is the same certificate.
    let (status, _) = verify(&app, &number.to_lowercase()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, page) = app
        .fetch_text(&format!("/verify/{number}"), None, "text/html")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("证明真实有效") && page.contains("3.75") && page.contains("lang=\"zh-CN\""),
        "{page}"
    );
}

async fn an_unknown_number_is_unknown(app: TestApp) {
    let s = app.credited().await;
    issued(&app, &s).await;
    for number in ["VC2026AAAAAAAA", "nonsense", "VC2026%E5%BF%97"] {
        let (status, answer) = verify(&app, number).await;
        assert_eq!(
            (status, &answer["status"]),
            (StatusCode::NOT_FOUND, &json!("unknown")),
            "{number}"
        );
    }
    let (status, _, page) = app
        .fetch_text("/verify/VC2026AAAAAAAA", None, "text/html")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("未找到"), "{page}");
}

async fn an_altered_certificate_is_reported(app: TestApp) {
    let s = app.credited().await;
    let cert = issued(&app, &s).await;
    let number = cert["number"].as_str().unwrap().to_owned();
    crate::sql!(
        app,
        "UPDATE certificates
         SET content = replace(content, '\"total_hours\":\"3.75\"', '\"total_hours\":\"99.00\"')
         WHERE number = $1",
        &number,
    );
    let changed = crate::sql!(
        app,
        "SELECT COUNT(*) FROM certificates WHERE content LIKE '%99.00%'"
    );
    assert_eq!(changed, Some(1), "the content was changed");
    let answer = verify(&app, &number).await;
    assert_error(&answer, StatusCode::CONFLICT, "certificate_altered");
    assert_eq!(answer.1["status"], "altered");
    assert!(
        answer.1.get("total_hours").is_none(),
        "an altered content is not repeated"
    );
    let (status, _, page) = app
        .fetch_text(&format!("/verify/{number}"), None, "text/html")
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("已被改动") && !page.contains("99.00"),
        "{page}"
    );
    let (status, _, _) = app
        .fetch_text(
            &format!("/certificates/{number}"),
            Some(&s.volunteer),
            "text/html",
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}
