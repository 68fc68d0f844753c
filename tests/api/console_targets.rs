//! The targets dashboard in the console: a street admin sees their street's rates and each of its
//! communities worst first against the targets, in a chart and a table, and downloads the CSV in
//! the same session; nobody sees a street they hold no role on.

use crate::both_backends;
use crate::console_units::row;
use crate::support::{TestApp, activity_at, confirm, console_page, id_of, set_population, time};
use chrono::{Datelike, Duration};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE};
use serde_json::json;

both_backends!(
    a_street_admin_sees_their_communities_worst_first,
    another_streets_admin_is_refused,
);

/// The east street with communities 幸福社区 (a: 10 residents, two volunteers, one who served),
/// 和平社区 (b: no population, one volunteer who served) and 新村社区 (d: 100 residents, one
/// volunteer who did nothing); nobody is backbone yet.
struct Street {
    district: String,
    admin: String,
    east: i64,
    west: i64,
    a: i64,
    b: i64,
    d: i64,
    year: i32,
}

async fn street(app: &TestApp) -> Street {
    let t = app.tree().await;
    let d = app
        .create_unit(&t.admin, "新村社区", "community", t.east)
        .await;
    let year = app.state.settings.local_now().year();
    for (unit, population) in [(t.a, 10), (d, 100)] {
        let (status, body) = set_population(app, &t.admin, unit, year, json!(population)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let served = app.registered_by(&t.admin, 1, t.a).await;
    app.registered_by(&t.admin, 2, t.a).await;
    let unpopulated = app.registered_by(&t.admin, 3, t.b).await;
    app.registered_by(&t.admin, 4, d).await;

    let activity = activity_at(
        app,
        &t.admin,
        t.east,
        -Duration::hours(4),
        -Duration::hours(1),
        "static",
    )
    .await;
    let start = time(&activity["starts_at"]);
    let mut attendances = Vec::new();
    for volunteer in [served, unpopulated] {
        let attendance = app
            .served(
                id_of(&activity),
                volunteer,
                start,
                Some(start + Duration::hours(2)),
            )
            .await;
        attendances.push(attendance);
    }
    let (status, body) = confirm(
        app,
        &t.admin,
        id_of(&activity),
        json!({"confirm": attendances}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, street_admin) = app
        .staff(&t.admin, "east-admin", "unit_admin", t.east)
        .await;
    Street {
        district: t.admin,
        admin: street_admin,
        east: t.east,
        west: t.west,
        a: t.a,
        b: t.b,
        d,
        year,
    }
}

/// The dashboard at `path` as `session` sees it, its links' `&` unescaped.
async fn dashboard(app: &TestApp, path: &str, session: &str) -> (StatusCode, String) {
    let (status, html) = console_page(app, path, Some(session)).await;
    (status, html.replace("&#38;", "&"))
}

/// What the dashboard's summary says of `measure`.
fn summary<'a>(html: &'a str, measure: &str) -> &'a str {
    let id = format!(r#"id="summary-{measure}">"#);
    let start = html.find(&id).unwrap_or_else(|| panic!("no {id}")) + id.len();
    let rest = &html[start..];
    &rest[..rest.find("</dd>").unwrap()]
}

/// Where `needle` first appears in `html` after `from`.
fn position(html: &str, from: &str, needle: &str) -> usize {
    let start = html.find(from).unwrap_or_else(|| panic!("no {from}"));
    start
        + html[start..]
            .find(needle)
            .unwrap_or_else(|| panic!("no {needle} after {from}"))
}

async fn a_street_admin_sees_their_communities_worst_first(app: TestApp) {
    let s = street(&app).await;
    let (status, html) = dashboard(&app, "/console/targets", &s.admin).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("东街道"), "the street admin's own street");
    assert!(html.contains(r#"href="/console/targets""#), "in the menu");
    assert!(!html.contains("光明社区"), "another street's community");

    // The street's own row: (2 + 1) ÷ (10 + 100) registered, 2 of 4 served, none backbone.
    let registration = summary(&html, "targets_registration");
    assert!(
        registration.starts_with(r#"<b class="bad">2.73%</b>"#),
        "{registration}"
    );
    assert!(registration.contains("≥ 10%") && registration.contains("✗ 未达标"));
    let participation = summary(&html, "targets_participation");
    assert!(participation.contains("50.00%") && participation.contains("✓ 达标"));
    let backbone = summary(&html, "targets_backbone");
    assert!(
        backbone.contains("0.00%") && backbone.contains("≥ 1%"),
        "{backbone}"
    );
    let workers = summary(&html, "targets_social_workers");
    assert!(workers.contains("✗ 未达标"), "{workers}");
    assert!(
        html.contains(&format!("未填 {} 年常住人口的社区：1 个", s.year)),
        "{html}"
    );

    // Worst first: with nobody backbone anywhere, 新村社区 where nobody served either, then
    // 幸福社区 (participation 50 % of 30 %), then 和平社区 (100 %, its registration unknown).
    for section in [r#"id="targets-chart""#, r#"id="targets-table""#] {
        let (d, a, b) = (
            position(&html, section, "新村社区"),
            position(&html, section, "幸福社区"),
            position(&html, section, "和平社区"),
        );
        assert!(d < a && a < b, "{section} worst first: {html}");
    }
    let d = row(&html, &format!("target-{}", s.d));
    assert!(d.contains("1.00% ✗") && d.contains("0.00% ✗"), "{d}");
    let a = row(&html, &format!("target-{}", s.a));
    assert!(
        a.contains("20.00% ✓") && a.contains("50.00% ✓") && a.contains("0.00% ✗"),
        "{a}"
    );
    let b = row(&html, &format!("target-{}", s.b));
    assert!(b.contains("无人口数据") && b.contains("100.00% ✓"), "{b}");

    // The chart: three panels with a dashed target mark across each unit's bar, the unknown
    // rate hatched and named, each unit linked to its own view.
    let chart = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert!(chart.contains("viewBox=") && chart.contains(r#"width="100%""#));
    assert_eq!(chart.matches(r#"class="target""#).count(), 3 * 3, "{chart}");
    assert_eq!(chart.matches(r#"fill="url(#hatch)""#).count(), 1, "{chart}");
    assert!(chart.contains("无人口数据"), "{chart}");
    for unit in [s.a, s.b, s.d] {
        let link = format!("/console/targets?unit_id={unit}&year={}", s.year);
        assert!(chart.contains(&link), "{link}: {chart}");
    }
    let (status, own) = dashboard(
        &app,
        &format!("/console/targets?unit_id={}&year={}", s.d, s.year),
        &s.admin,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert!(own.contains("新村社区") && !own.contains("幸福社区"));
    assert!(own.contains(&format!("/console/targets?unit_id={}&", s.east)));

    // The CSV the page links to, in the page's session.
    let csv_href = html
        .split(r#"id="download-csv""#)
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .map(|href| href.trim_end_matches(['"', ' ']).to_owned())
        .unwrap();
    assert_eq!(
        csv_href,
        format!(
            "/api/v1/reports/targets.csv?unit_id={}&year={}",
            s.east, s.year
        )
    );
    let r = app
        .client
        .get(format!("{}{csv_href}", app.base))
        .header(COOKIE, format!("vledger_session={}", s.admin))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len(),
        5,
        "the street and its three communities: {csv}"
    );
    assert!(
        lines[1].contains("东街道,street,4,110,2.73,2,50.00,0,0.00"),
        "{csv}"
    );

    // Last year, in English: nobody had registered yet.
    let (status, english) = dashboard(
        &app,
        &format!("/console/targets?year={}&lang=en", s.year - 1),
        &s.admin,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{english}");
    assert!(
        english.contains(&format!("Targets {}", s.year - 1)),
        "{english}"
    );
    assert!(english.contains("no population"), "{english}");
    assert!(
        english.contains(&format!("unit_id={}&year={}&lang=en", s.east, s.year)),
        "the year picker keeps the language: {english}"
    );

    let (status, body) = console_page(&app, "/console/targets?year=soon", Some(&s.admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("invalid_year"), "{body}");
}

async fn another_streets_admin_is_refused(app: TestApp) {
    let s = street(&app).await;
    let (_, west_admin) = app
        .staff(&s.district, "west-admin", "unit_admin", s.west)
        .await;
    for unit in [s.east, s.a] {
        let path = format!("/console/targets?unit_id={unit}");
        let (status, body) = console_page(&app, &path, Some(&west_admin)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(!body.contains("幸福社区"), "{body}");
    }
    let (status, html) = console_page(&app, "/console/targets", Some(&west_admin)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("西街道") && html.contains("光明社区"));
    assert!(!html.contains("幸福社区"), "{html}");
    // The east street admin neither goes up to the district nor sees the west.
    let (status, _) = console_page(
        &app,
        &format!("/console/targets?unit_id={}", s.west),
        Some(&s.admin),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, own) = console_page(&app, "/console/targets", Some(&s.admin)).await;
    assert!(!own.contains(r#"id="targets-up""#), "{own}");
}
