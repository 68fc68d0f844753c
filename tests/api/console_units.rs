//! The unit administrator's structure pages in the console: the unit tree with each unit's
//! resident population this year and last, and a unit's page, where a population is set, a
//! street or community added and an organisation registered — only on the caller's own units.

use crate::both_backends;
use crate::support::{
    TestApp, audit_entries, console_page, csrf_token, organisations, post_form, unit_detail,
};
use chrono::{Datelike, Utc};
use reqwest::StatusCode;

both_backends!(
    an_admin_sets_a_population_and_sees_it_on_the_tree,
    a_refused_population_shows_why_and_changes_nothing,
    an_admin_registers_an_organisation_and_sees_its_type,
    an_admin_adds_a_street_and_a_community_under_it,
    a_community_admin_keeps_only_their_own_community,
);

/// The table row of `html` whose element has `id`.
pub fn row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no {id} in {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}

/// The year it is now where the service shows its dates.
fn this_year(app: &TestApp) -> i32 {
    Utc::now()
        .with_timezone(&app.state.settings.display_offset())
        .year()
}

/// Posts `form` to `path` as `session`, with the token of the page at `from`.
pub async fn post_from(
    app: &TestApp,
    session: &str,
    from: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let (status, html) = console_page(app, from, Some(session)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let token = csrf_token(&html);
    let mut form = form.to_vec();
    form.push(("csrf_token", &token));
    post_form(app, path, session, &form).await
}

/// Posts `form` to `path` under the unit `unit` from its page.
async fn post_on_unit(
    app: &TestApp,
    session: &str,
    unit: i64,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let page = format!("/console/units/{unit}");
    post_from(app, session, &page, &format!("{page}/{path}"), form).await
}

async fn an_admin_sets_a_population_and_sees_it_on_the_tree(app: TestApp) {
    let (admin, street, community) = app.district_with_community().await;
    let year = this_year(&app);
    let (status, html) = console_page(&app, "/console/units", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for name in ["示范区", "东湖街道", "花园社区"] {
        assert!(html.contains(name), "{name} missing: {html}");
    }
    assert!(row(&html, &format!("unit-{street}")).contains("街道"));
    assert_eq!(
        row(&html, &format!("unit-{community}"))
            .matches("未填")
            .count(),
        2
    );

    let this = year.to_string();
    let last = (year - 1).to_string();
    for (year, population) in [(&this, "12000"), (&last, "11500")] {
        let form = [("year", year.as_str()), ("resident_population", population)];
        let (status, _) = post_on_unit(&app, &admin, community, "populations", &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }

    let (_, html) = console_page(&app, "/console/units", Some(&admin)).await;
    let listed = row(&html, &format!("unit-{community}"));
    let (now, before) = (listed.find("12000"), listed.find("11500"));
    assert!(
        now.is_some() && before.is_some() && now < before,
        "{listed}"
    );
    assert!(!listed.contains("未填"), "{listed}");
    let (_, page) = console_page(&app, &format!("/console/units/{community}"), Some(&admin)).await;
    assert!(page.contains("12000") && page.contains("11500"), "{page}");
    let (_, english) = console_page(&app, "/console/units?lang=en", Some(&admin)).await;
    assert!(english.contains("Resident population"), "{english}");

    let (_, stored) = unit_detail(&app, &admin, community).await;
    assert_eq!(
        stored["populations"].as_array().unwrap().len(),
        2,
        "{stored}"
    );
    let audited = audit_entries(&app, &admin, community, "set_population").await;
    assert_eq!(audited.len(), 2, "{audited:?}");
}

async fn a_refused_population_shows_why_and_changes_nothing(app: TestApp) {
    let (admin, street, community) = app.district_with_community().await;
    let year = this_year(&app).to_string();
    for (population, status) in [
        ("-5", StatusCode::UNPROCESSABLE_ENTITY),
        ("很多", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let form = [("year", year.as_str()), ("resident_population", population)];
        let (got, html) = post_on_unit(&app, &admin, community, "populations", &form).await;
        assert_eq!(got, status, "{html}");
        assert!(html.contains("未作任何更改"), "{html}");
        assert!(html.contains("population"), "{html}");
        // The form shows again as typed.
        assert!(html.contains(&format!(r#"value="{population}""#)), "{html}");
    }
    // A street keeps no population of its own.
    let form = [("year", year.as_str()), ("resident_population", "100")];
    let (got, html) = post_on_unit(&app, &admin, street, "populations", &form).await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    // Without the page's token the form is refused before anything is read.
    let (got, _) = post_form(
        &app,
        &format!("/console/units/{community}/populations"),
        &admin,
        &form,
    )
    .await;
    assert_eq!(got, StatusCode::FORBIDDEN);

    for unit in [community, street] {
        let (_, stored) = unit_detail(&app, &admin, unit).await;
        assert_eq!(stored["populations"], serde_json::json!([]), "{stored}");
    }
    assert!(
        audit_entries(&app, &admin, street, "set_population")
            .await
            .is_empty()
    );
}

async fn an_admin_registers_an_organisation_and_sees_its_type(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let add = |name: &'static str, org_type: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let form = [("name", name), ("org_type", org_type)];
            post_on_unit(app, &admin, community, "organisations", &form).await
        }
    };
    assert_eq!(
        add("阳光志愿服务队", "volunteer_service").await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        add("花园社区舞蹈队", "community_social").await.0,
        StatusCode::SEE_OTHER
    );
    let (_, html) = console_page(&app, &format!("/console/units/{community}"), Some(&admin)).await;
    let listed = |name: &str| {
        let at = html.find(name).unwrap_or_else(|| panic!("{name}: {html}"));
        html[at..].split("</tr>").next().unwrap().to_owned()
    };
    assert!(listed("阳光志愿服务队").contains("志愿服务组织"));
    assert!(listed("花园社区舞蹈队").contains("社区社会组织"));

    // The same name again, or no type: refused, saying why, and nothing more is stored.
    let (status, html) = add("阳光志愿服务队", "volunteer_service").await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("未作任何更改"), "{html}");
    assert!(html.contains(r#"value="阳光志愿服务队""#), "{html}");
    let (status, _) = add("新的队伍", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, stored) = organisations(&app, &admin, community).await;
    let types: Vec<&str> = stored
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["org_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["volunteer_service", "community_social"], "{stored}");
    let created = audit_entries(&app, &admin, community, "create").await;
    let registered = created.iter().filter(|e| e["entity"] == "organisation");
    assert_eq!(registered.count(), 2, "{created:?}");
}

async fn an_admin_adds_a_street_and_a_community_under_it(app: TestApp) {
    let admin = app.district_admin().await;
    let district = app.district_id().await;
    let form = [("kind", "street"), ("name", "西湖街道")];
    let (status, _) = post_on_unit(&app, &admin, district, "children", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = console_page(&app, &format!("/console/units/{district}"), Some(&admin)).await;
    assert!(html.contains("新增街道"), "{html}");
    let at = html.find("西湖街道").expect("the street is listed");
    let (_, street) = html[..at].rsplit_once("/console/units/").unwrap();
    let street: i64 = street.split('"').next().unwrap().parse().unwrap();

    // A community does not go under the district.
    let wrong = [("kind", "community"), ("name", "错位社区")];
    let (status, html) = post_on_unit(&app, &admin, district, "children", &wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("未作任何更改"), "{html}");

    let form = [("kind", "community"), ("name", "湖滨社区")];
    let (status, _) = post_on_unit(&app, &admin, street, "children", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, tree) = console_page(&app, "/console/units", Some(&admin)).await;
    let (s, c) = (tree.find("西湖街道"), tree.find("湖滨社区"));
    assert!(s.is_some() && s < c, "{tree}");
    assert!(!tree.contains("错位社区"));
    let (_, units) = app.get("/api/v1/units", Some(&admin)).await;
    assert_eq!(units.as_array().unwrap().len(), 3, "{units}");
}

async fn a_community_admin_keeps_only_their_own_community(app: TestApp) {
    let tree = app.tree().await;
    let (_, admin_a) = app
        .staff(&tree.admin, "station-a", "unit_admin", tree.a)
        .await;
    let (_, html) = console_page(&app, "/console/units", Some(&admin_a)).await;
    assert!(html.contains("幸福社区"), "{html}");
    for other in ["和平社区", "光明社区", "东街道", "示范区"] {
        assert!(!html.contains(other), "{other} shown: {html}");
    }
    assert!(html.contains("单位与组织"), "the menu links here: {html}");

    let (status, _) =
        console_page(&app, &format!("/console/units/{}", tree.b), Some(&admin_a)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, own) = console_page(&app, &format!("/console/units/{}", tree.a), Some(&admin_a)).await;
    let token = csrf_token(&own);
    let year = this_year(&app).to_string();
    let form = [
        ("csrf_token", token.as_str()),
        ("year", year.as_str()),
        ("resident_population", "900"),
    ];
    let path = format!("/console/units/{}/populations", tree.b);
    let (status, _) = post_form(&app, &path, &admin_a, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, stored) = unit_detail(&app, &tree.admin, tree.b).await;
    assert_eq!(stored["populations"], serde_json::json!([]));

    // An organizer keeps no units at all.
    let (_, organizer) = app
        .staff(&tree.admin, "organizer-a", "organizer", tree.a)
        .await;
    let (status, _) = console_page(&app, "/console/units", Some(&organizer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
