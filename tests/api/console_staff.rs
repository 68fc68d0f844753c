//! Staff accounts in the console: an administrator lists the accounts of their units with their
//! roles, searches and pages through them, creates an account and grants it a role on one of
//! their own units — and on no other.

use crate::both_backends;
use crate::console_units::{post_from, row};
use crate::support::{
    ADMIN_LOGIN, PASSWORD, TestApp, audit_entries, console_login, console_page, csrf_token,
    post_form,
};
use reqwest::StatusCode;
use serde_json::json;
use vledger::domain::roles::Role;

both_backends!(
    an_admin_creates_an_organizer_who_then_works_in_the_console,
    a_refused_account_shows_why_and_creates_nothing,
    a_community_admin_grants_only_on_their_own_community,
    the_staff_list_is_searched_and_paged,
);

/// The id of the staff account `login`.
async fn account_id(app: &TestApp, login: &str) -> i64 {
    let found = app.state.store.credentials(login, None).await.unwrap();
    found.first().expect("the account exists").user_id
}

/// The staff page `path` as `session` sees it, and its forms' token.
async fn staff_page(app: &TestApp, path: &str, session: &str) -> (String, String) {
    let (status, html) = console_page(app, path, Some(session)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let token = csrf_token(&html);
    (html, token)
}

/// Grants `role` on `unit` to the account `user` from the staff page, as `session`.
async fn grant(
    app: &TestApp,
    session: &str,
    user: i64,
    role: &str,
    unit: i64,
) -> (StatusCode, String) {
    let unit = unit.to_string();
    let form = [("role", role), ("unit_id", &unit), ("q", ""), ("page", "1")];
    let path = format!("/console/staff/{user}/grants");
    post_from(app, session, "/console/staff", &path, &form).await
}

async fn an_admin_creates_an_organizer_who_then_works_in_the_console(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let (_, token) = staff_page(&app, "/console/staff", &admin).await;
    let form = [
        ("csrf_token", token.as_str()),
        ("login", "wang.wu"),
        ("name", "王五"),
        ("password", PASSWORD),
    ];
    let (status, _) = post_form(&app, "/console/staff", &admin, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id = account_id(&app, "wang.wu").await;
    let (html, _) = staff_page(&app, "/console/staff?q=wang", &admin).await;
    let listed = row(&html, &format!("account-{id}"));
    assert!(
        listed.contains("王五") && listed.contains("尚未授予角色"),
        "{listed}"
    );

    let (status, html) = grant(&app, &admin, id, "organizer", community).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (html, _) = staff_page(&app, "/console/staff?q=wang", &admin).await;
    let listed = row(&html, &format!("account-{id}"));
    assert!(listed.contains("活动负责人 · 花园社区"), "{listed}");
    assert_eq!(
        audit_entries(&app, &admin, community, "grant").await.len(),
        1
    );

    let session = console_login(&app, "wang.wu", PASSWORD).await;
    let (status, home) = console_page(&app, "/console", Some(&session)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("我的活动") && home.contains(r#"href="/console/activities""#),
        "{home}"
    );
    // An organizer keeps no staff.
    let (status, _) = console_page(&app, "/console/staff", Some(&session)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn a_refused_account_shows_why_and_creates_nothing(app: TestApp) {
    let admin = app.district_admin().await;
    let (_, token) = staff_page(&app, "/console/staff", &admin).await;
    let create = |login: &'static str, password: &'static str| {
        let (app, admin, token) = (&app, admin.clone(), token.clone());
        async move {
            let form = [
                ("csrf_token", token.as_str()),
                ("login", login),
                ("name", "赵六"),
                ("password", password),
            ];
            post_form(app, "/console/staff", &admin, &form).await
        }
    };
    let (status, html) = create(ADMIN_LOGIN, "another-password-1").await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("未作任何更改"), "{html}");
    assert!(
        html.contains(&format!(r#"value="{ADMIN_LOGIN}""#)),
        "{html}"
    );
    assert!(
        !html.contains("another-password-1"),
        "a password is never shown"
    );

    let (status, html) = create("zhao.liu", "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("未作任何更改"), "{html}");
    let (status, _) = post_form(
        &app,
        "/console/staff",
        &admin,
        &[
            ("login", "zhao.liu"),
            ("name", "赵六"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no account");

    let (html, _) = staff_page(&app, "/console/staff?q=zhao", &admin).await;
    assert!(!html.contains("赵六") && html.contains("暂无"), "{html}");
    assert_eq!(
        app.try_login(ADMIN_LOGIN, "another-password-1").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        app.state
            .store
            .credentials("zhao.liu", None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_community_admin_grants_only_on_their_own_community(app: TestApp) {
    let tree = app.tree().await;
    let (_, admin_a) = app
        .staff(&tree.admin, "station-a", "unit_admin", tree.a)
        .await;
    app.staff(&tree.admin, "organizer-c", "organizer", tree.c)
        .await;
    let helper = app.account(&tree.admin, "helper").await;

    let (html, _) = staff_page(&app, "/console/staff", &admin_a).await;
    assert!(row(&html, &format!("account-{helper}")).contains("尚未授予角色"));
    assert!(html.contains("station-a"), "{html}");
    for hidden in [
        "organizer-c",
        ADMIN_LOGIN,
        "和平社区",
        "光明社区",
        "区管理员",
    ] {
        assert!(!html.contains(hidden), "{hidden} shown: {html}");
    }

    for (role, unit) in [("organizer", tree.b), ("district_admin", tree.a)] {
        let (status, html) = grant(&app, &admin_a, helper, role, unit).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {html}");
        assert!(html.contains("未作任何更改"), "{html}");
    }
    let helper_session = app.login("helper", PASSWORD).await;
    assert_eq!(app.me(&helper_session).await["roles"], json!([]));
    assert!(
        audit_entries(&app, &tree.admin, tree.b, "grant")
            .await
            .is_empty()
    );

    // On their own community it works.
    let (status, _) = grant(&app, &admin_a, helper, "social_worker", tree.a).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (html, _) = staff_page(&app, "/console/staff", &admin_a).await;
    assert!(row(&html, &format!("account-{helper}")).contains("社工 · 幸福社区"));
}

async fn the_staff_list_is_searched_and_paged(app: TestApp) {
    let (admin, _, community) = app.district_with_community().await;
    let store = &app.state.store;
    let unit = store.unit(community).await.unwrap().unwrap();
    for n in 1..=55 {
        let id = store
            .create_user(&format!("user-{n:02}"), None, &format!("职员{n:02}"))
            .await
            .unwrap();
        store
            .add_grant(id, Role::Organizer, &unit, None)
            .await
            .unwrap();
    }
    let accounts = |html: &str| html.matches(r#"id="account-"#).count();
    let (first, _) = staff_page(&app, "/console/staff", &admin).await;
    assert_eq!(accounts(&first), 50);
    assert!(first.contains(r#"rel="next""#) && first.contains(ADMIN_LOGIN));
    let (second, _) = staff_page(&app, "/console/staff?q=&page=2", &admin).await;
    assert_eq!(accounts(&second), 6, "{second}");
    assert!(second.contains("user-55") && !second.contains("user-01"));

    for (q, found) in [
        ("USER-07", 1),
        ("员1", 10),
        ("user-5", 6),
        ("%", 0),
        ("_", 0),
    ] {
        let (html, _) =
            staff_page(&app, &format!("/console/staff?q={}", urlencoded(q)), &admin).await;
        assert_eq!(accounts(&html), found, "{q}: {html}");
    }
}

fn urlencoded(q: &str) -> String {
    serde_urlencoded::to_string([("q", q)])
        .unwrap()
        .trim_start_matches("q=")
        .to_owned()
}
