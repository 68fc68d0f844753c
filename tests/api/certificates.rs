//! Certificates 志愿服务记录证明: issuing a signed snapshot of the ledger, the printable page with
//! its QR code, and public verification (genuine, unknown, altered).

use crate::activities::{activity_body, assert_error, create_activity, id_of, volunteer, with};
use crate::both_backends;
use crate::support::{TestApp, id_number};
use chrono::{Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Runs one statement on the app's database directly, on either backend (`$1`, `$2`… placeholders);
/// answers the `i64` the statement returns, if any.
macro_rules! sql {
    ($app:expr, $sql:expr $(, $bind:expr)* $(,)?) => {{
        use sqlx::Connection;
        let url = &$app.database_url;
        if url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query_scalar::<_, i64>($sql)$(.bind($bind))*.fetch_optional(&mut c).await.unwrap()
        } else {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar::<_, i64>($sql)$(.bind($bind))*.fetch_optional(&mut c).await.unwrap()
        }
    }};
}

/// Appends a ledger entry by hand, as confirmed hours would (the confirmation code is not needed
/// for certificates): `minutes` for the volunteer on `date`, for `activity` (or none), a
/// correction when `corrects` names the entry corrected. Answers the entry's id.
async fn credit(
    app: &TestApp,
    volunteer: i64,
    activity: Option<i64>,
    unit: i64,
    minutes: i32,
    date: NaiveDate,
    corrects: Option<i64>,
) -> i64 {
    let source = match (corrects, activity) {
        (Some(_), _) => "correction",
        (None, Some(_)) => "qr",
        (None, None) => "manual",
    };
    let reason = (source != "qr").then_some("测试录入");
    sql!(
        app,
        "INSERT INTO ledger_entries (volunteer_id, activity_id, unit_id, service_date, year,
             minutes, source, corrects_id, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        volunteer,
        activity,
        unit,
        date,
        chrono::Datelike::year(&date),
        minutes,
        source,
        corrects,
        reason,
        Utc::now(),
    )
    .unwrap()
}

/// A non-JSON answer: `(status, text)`.
async fn fetch(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    accept: &str,
) -> (StatusCode, String) {
    let mut req = app
        .client
        .get(format!("{}{path}", app.base))
        .header(reqwest::header::ACCEPT, accept);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The verification answer as JSON.
async fn verify(app: &TestApp, number: &str) -> (StatusCode, Value) {
    let (status, text) = fetch(app, &format!("/verify/{number}"), None, "application/json").await;
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
    )
}

/// Decodes the QR code of the one inline SVG of a page.
fn decode_page_qr(html: &str) -> String {
    let start = html.find("<svg").expect("an inline SVG");
    let end = html[start..].find("</svg>").expect("the SVG ends") + start + "</svg>".len();
    crate::poster::decode_qr(&html[start..end], 480)
}

/// Today where the service runs (UTC+8).
fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// A volunteer of 花园社区 with service in the last two months, and the people around them.
struct Scene {
    admin: String,
    community: i64,
    volunteer_id: i64,
    volunteer: String,
    from: NaiveDate,
}

/// Credits, within [today − 60 days, today]: 敬老院义务理发 120 min less a 30 min correction,
/// 社区环境整治 90 min, 45 min recorded without activity; and 600 min before the period.
async fn scene(app: &TestApp) -> Scene {
    let admin = app.district_admin().await;
    let (_, community) = app
        .street_and_community(&admin, "东湖街道", "花园社区")
        .await;
    let (volunteer_id, volunteer) = volunteer(app, 1, community).await;
    let starts = Utc::now() - Duration::days(30);
    let body = activity_body(community, starts, starts + Duration::hours(3));
    let haircut = id_of(
        &create_activity(
            app,
            &admin,
            with(body, "organiser", json!("花园社区志愿服务队")),
        )
        .await,
    );
    let body = activity_body(community, starts, starts + Duration::hours(2));
    let cleanup =
        id_of(&create_activity(app, &admin, with(body, "title", json!("社区环境整治"))).await);
    let day = |n: i64| today() - Duration::days(n);
    let v = volunteer_id;
    let first = credit(app, v, Some(haircut), community, 120, day(30), None).await;
    credit(app, v, None, community, -30, day(30), Some(first)).await;
    credit(app, v, Some(cleanup), community, 90, day(10), None).await;
    credit(app, v, None, community, 45, day(5), None).await;
    credit(app, v, Some(cleanup), community, 600, day(90), None).await;
    Scene {
        admin,
        community,
        volunteer_id,
        volunteer,
        from: day(60),
    }
}

async fn issue(
    app: &TestApp,
    token: &str,
    who: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/volunteers/{who}/certificates"),
        Some(token),
        json!({"from": from, "to": to}),
    )
    .await
}

async fn issued(app: &TestApp, s: &Scene) -> Value {
    let (status, cert) = issue(app, &s.volunteer, "me", s.from, today()).await;
    assert_eq!(status, StatusCode::CREATED, "{cert}");
    cert
}

both_backends!(
    a_certificate_states_the_service_of_the_period,
    the_printed_certificate_scans_to_its_verification,
    anyone_verifies_a_genuine_certificate,
    an_unknown_number_is_unknown,
    an_altered_certificate_is_reported,
    only_the_volunteer_and_their_staff_issue,
    a_period_must_be_sensible,
    the_full_id_number_never_appears
);

async fn a_certificate_states_the_service_of_the_period(app: TestApp) {
    let s = scene(&app).await;
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

async fn the_printed_certificate_scans_to_its_verification(app: TestApp) {
    let s = scene(&app).await;
    let cert = issued(&app, &s).await;
    let number = cert["number"].as_str().unwrap();
    let (status, page) = fetch(
        &app,
        &format!("/certificates/{number}"),
        Some(&s.volunteer),
        "text/html",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let full = id_number(1);
    let masked = format!("{}**********{}", &full[..4], &full[14..]);
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
    let (_, other) = volunteer(&app, 2, s.community).await;
    let (status, _) = fetch(
        &app,
        &format!("/certificates/{number}"),
        Some(&other),
        "text/html",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = fetch(
        &app,
        &format!("/certificates/{number}"),
        Some(&s.admin),
        "text/html",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = fetch(&app, &format!("/certificates/{number}"), None, "text/html").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn anyone_verifies_a_genuine_certificate(app: TestApp) {
    let s = scene(&app).await;
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
    let (status, page) = fetch(&app, &format!("/verify/{number}"), None, "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("证明真实有效") && page.contains("3.75") && page.contains("lang=\"zh-CN\""),
        "{page}"
    );
}

async fn an_unknown_number_is_unknown(app: TestApp) {
    let s = scene(&app).await;
    issued(&app, &s).await;
    for number in ["VC2026AAAAAAAA", "nonsense", "VC2026%E5%BF%97"] {
        let (status, answer) = verify(&app, number).await;
        assert_eq!(
            (status, &answer["status"]),
            (StatusCode::NOT_FOUND, &json!("unknown")),
            "{number}"
        );
    }
    let (status, page) = fetch(&app, "/verify/VC2026AAAAAAAA", None, "text/html").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("未找到"), "{page}");
}

async fn an_altered_certificate_is_reported(app: TestApp) {
    let s = scene(&app).await;
    let cert = issued(&app, &s).await;
    let number = cert["number"].as_str().unwrap().to_owned();
    sql!(
        app,
        "UPDATE certificates
         SET content = replace(content, '\"total_hours\":\"3.75\"', '\"total_hours\":\"99.00\"')
         WHERE number = $1",
        &number,
    );
    let changed = sql!(
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
    let (status, page) = fetch(&app, &format!("/verify/{number}"), None, "text/html").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("已被改动") && !page.contains("99.00"),
        "{page}"
    );
    let (status, _) = fetch(
        &app,
        &format!("/certificates/{number}"),
        Some(&s.volunteer),
        "text/html",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn only_the_volunteer_and_their_staff_issue(app: TestApp) {
    let s = scene(&app).await;
    let (other_id, other) = volunteer(&app, 2, s.community).await;
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
    let s = scene(&app).await;
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
    let count = sql!(app, "SELECT COUNT(*) FROM certificates");
    assert_eq!(count, Some(0), "nothing was issued");
}

async fn the_full_id_number_never_appears(app: TestApp) {
    let s = scene(&app).await;
    let full = id_number(1);
    let cert = issued(&app, &s).await;
    let number = cert["number"].as_str().unwrap();
    let mut seen = vec![cert.to_string()];
    seen.push(
        fetch(
            &app,
            &format!("/certificates/{number}"),
            Some(&s.volunteer),
            "text/html",
        )
        .await
        .1,
    );
    seen.push(
        fetch(&app, &format!("/verify/{number}"), None, "text/html")
            .await
            .1,
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
