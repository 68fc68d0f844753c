//! The audit log in the console: what just happened, filtered by action, actor and days, fifty
//! entries a page, and only for the admins of the unit it is about.

use crate::both_backends;
use crate::support::{Db, TestApp, console_page, create_partner};
use chrono::{Duration, FixedOffset, Utc};
use reqwest::StatusCode;

both_backends!(
    admins_see_what_just_happened_and_filter_it_by_action_actor_and_days,
    the_log_pages_past_fifty_entries,
    another_communitys_admin_does_not_see_it,
);

/// The part of `html` listing the entries.
fn entries(html: &str) -> &str {
    let start = html.find(r#"id="audit-entries""#).expect("the list");
    &html[start..]
}

/// How many entries the page lists.
fn rows(html: &str) -> usize {
    // Every row but the header's.
    entries(html).matches("<tr>").count().saturating_sub(1)
}

/// A day in the display time zone, `days` from today.
fn day(days: i64) -> String {
    let china = FixedOffset::east_opt(8 * 3600).unwrap();
    (Utc::now().with_timezone(&china) + Duration::days(days))
        .date_naive()
        .to_string()
}

/// Writes `n` entries of `action` about `unit`, `days_ago` days old and a second apart, straight
/// into the log: the `n`th is the newest, `test {n-1}`.
async fn old_entries(app: &TestApp, unit: i64, action: &str, days_ago: i64, n: i64) {
    let mut db = Db::open(app).await;
    let sql = match db {
        Db::Sqlite(_) => format!(
            "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
             INSERT INTO audit_log (at, action, entity, entity_id, unit_id, unit_path)
             SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-{days_ago} days', '+' || i || ' seconds'),
                    '{action}', 'test', CAST(i AS TEXT), u.id, u.path
             FROM n, units u WHERE u.id = ?"
        ),
        Db::Postgres(_) => format!(
            "INSERT INTO audit_log (at, action, entity, entity_id, unit_id, unit_path)
             SELECT now() - interval '{days_ago} days' + i * interval '1 second',
                    '{action}', 'test', CAST(i AS TEXT), u.id, u.path
             FROM generate_series(0, ? - 1) i, units u WHERE u.id = ?"
        ),
    };
    db.run(&sql, &[n, unit]).await.unwrap();
}

async fn admins_see_what_just_happened_and_filter_it_by_action_actor_and_days(app: TestApp) {
    let s = app.scene().await;
    create_partner(&app, &s.admin, s.community, "惠民超市").await;
    old_entries(&app, s.community, "old_import", 10, 1).await;
    let page = |query: String| {
        let (app, admin) = (&app, s.admin.clone());
        async move { console_page(app, &format!("/console/audit?{query}"), Some(&admin)).await }
    };
    let community = s.community;

    let (status, html) = page(format!("unit_id={community}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let list = entries(&html);
    assert!(
        list.contains("惠民超市") && list.contains("partner"),
        "{list}"
    );
    assert!(
        list.contains("区管理员") && list.contains("district-admin"),
        "{list}"
    );
    assert!(list.contains("old_import"), "{list}");
    // Every action of the log is offered as a filter.
    assert!(html.contains(r#"<option value="old_import">"#), "{html}");

    // By action: the partner's creation, not the grant nor the old entry.
    let (_, html) = page(format!("unit_id={community}&action=create")).await;
    assert!(entries(&html).contains("惠民超市"));
    assert!(!entries(&html).contains("old_import"));
    let (_, html) = page(format!("unit_id={community}&action=old_import")).await;
    assert!(!entries(&html).contains("惠民超市"));
    assert_eq!(rows(&html), 1);

    // By actor, a login or a name.
    for actor in ["district-admin", "%E5%8C%BA%E7%AE%A1%E7%90%86%E5%91%98"] {
        let (_, html) = page(format!("unit_id={community}&actor={actor}")).await;
        assert!(entries(&html).contains("惠民超市"), "{actor}");
        assert!(!entries(&html).contains("old_import"), "{actor}");
    }
    let (_, html) = page(format!("unit_id={community}&actor=nobody")).await;
    assert_eq!(rows(&html), 0);

    // By days in the display time zone, both ends included.
    let (from, to) = (day(-12), day(-8));
    let (_, html) = page(format!("unit_id={community}&from={from}&to={to}")).await;
    assert!(entries(&html).contains("old_import"));
    assert!(!entries(&html).contains("惠民超市"));
    let today = day(0);
    let (_, html) = page(format!("unit_id={community}&from={today}&to={today}")).await;
    assert!(entries(&html).contains("惠民超市"));
    assert!(!entries(&html).contains("old_import"));

    // A date that is none: said so, nothing listed.
    let (status, html) = page(format!("unit_id={community}&from=2026-13-45")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("筛选条件有误") && rows(&html) == 0, "{html}");
}

/// The address of the page after this one.
fn next_page(html: &str) -> String {
    html.split(r#"rel="next""#)
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .map(|href| {
            href.trim_end_matches(['"', ' '])
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        })
        .expect("a link to the next page")
}

async fn the_log_pages_past_fifty_entries(app: TestApp) {
    let s = app.scene().await;
    // More than a few thousand, so that SQLite walks the log rather than sort the unit's entries.
    old_entries(&app, s.community, "bulk", 1, 5060).await;
    let path = format!("/console/audit?unit_id={}&action=bulk", s.community);
    let (status, html) = console_page(&app, &path, Some(&s.admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&html), 50);
    // Newest first: the last written leads.
    assert!(entries(&html).contains("test 5059<"), "{html}");
    assert!(!entries(&html).contains("test 5009<"));
    let next = next_page(&html);
    assert!(
        next.contains("action=bulk") && next.contains("page=2"),
        "{next}"
    );
    let (status, html) = console_page(&app, &next, Some(&s.admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&html), 50);
    assert!(entries(&html).contains("test 5009<") && entries(&html).contains("test 4960<"));

    let last = next.replace("page=2", "page=102");
    let (status, html) = console_page(&app, &last, Some(&s.admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&html), 10);
    assert!(entries(&html).contains("test 0<"));
    assert!(!html.contains(r#"rel="next""#));
    // The same without the action filter, through the whole unit's log.
    let (_, html) = console_page(
        &app,
        &last.replace("&action=bulk", "&action="),
        Some(&s.admin),
    )
    .await;
    assert!(entries(&html).contains("test 0<"), "{html}");
}

async fn another_communitys_admin_does_not_see_it(app: TestApp) {
    let s = app.scene().await;
    create_partner(&app, &s.admin, s.community, "惠民超市").await;
    let (_, other_community) = app.street_and_community(&s.admin, "西街道", "西社区").await;
    let (_, other) = app
        .staff(&s.admin, "station-admin-b", "unit_admin", other_community)
        .await;
    let path = format!("/console/audit?unit_id={}", s.community);
    assert_eq!(
        console_page(&app, &path, Some(&other)).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, html) = console_page(&app, "/console/audit", Some(&other)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(!html.contains("惠民超市"), "{html}");
    // An organizer administers nothing.
    assert_eq!(
        console_page(&app, "/console/audit", Some(&s.organizer))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}
