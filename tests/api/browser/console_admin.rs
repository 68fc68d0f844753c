//! The unit administrator's day in the staff console, on a phone (360 px) and on a desktop
//! (1280 px): log in as the admin of a street, give one of its communities this year's resident
//! population and a volunteer service organisation, create an organizer's account and grant it
//! the organizer's role on the community, then import volunteers from a pasted CSV of which one
//! row is refused. Each step is checked on the page and in what the API then answers.

use super::{
    DESKTOP, PHONE, Screen, assert_fits, assert_policy_kept, choose, click, element, log_in,
    open_browser, start_driver, text_of, type_into, wait_for_text,
};
use crate::both_backends;
use crate::support::{
    PASSWORD, Scene, TestApp, id_number, is_volunteer_no, organisations, phone, unit_detail,
    volunteers_of,
};
use chrono::{Datelike, Utc};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(a_unit_admins_day_on_a_phone, a_unit_admins_day_at_a_desk,);

async fn a_unit_admins_day_on_a_phone(app: TestApp) {
    unit_admins_day(app, PHONE).await;
}

async fn a_unit_admins_day_at_a_desk(app: TestApp) {
    unit_admins_day(app, DESKTOP).await;
}

/// The street admin's login, as typed into the console's login form.
const STREET_ADMIN: &str = "street-admin";
/// The organizer's account the street admin creates.
const NEW_ORGANIZER: &str = "organizer-b";

/// The element `id` of the next page, once it has opened.
async fn arrival(browser: &Client, id: &str) -> Element {
    browser.wait().for_element(Locator::Id(id)).await.unwrap()
}

/// Opens the console's menu entry named `name`.
async fn open_menu(browser: &Client, name: &str) {
    let menu = browser.find(Locator::Id("menu")).await.unwrap();
    let entry = menu
        .find(Locator::LinkText(name))
        .await
        .unwrap_or_else(|e| panic!("the menu's {name}: {e}"));
    entry.click().await.unwrap();
}

/// The visible texts of the table rows under the element `css`.
async fn rows_under(browser: &Client, css: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for row in browser
        .find_all(Locator::Css(&format!("{css} tr")))
        .await
        .unwrap()
    {
        texts.push(row.text().await.unwrap());
    }
    texts
}

async fn unit_admins_day(app: TestApp, screen: Screen) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let s = app.scene().await;
    app.staff(&s.admin, STREET_ADMIN, "unit_admin", s.street)
        .await;

    let profile = tempfile::tempdir().unwrap();
    let browser = open_browser(&driver, screen, profile.path()).await;
    browser
        .goto(&format!("{}/console", app.base))
        .await
        .unwrap();
    log_in(&browser, "login", STREET_ADMIN, PASSWORD).await;
    let menu = wait_for_text(&browser, "menu", |t| t.contains("单位与组织")).await;
    assert!(
        menu.contains("工作人员") && menu.contains("志愿者"),
        "{menu}"
    );
    assert_fits(&browser, screen.width).await;

    keeps_the_communitys_records(&app, &browser, &s, screen).await;
    creates_an_organizer(&app, &browser, &s, screen).await;
    imports_volunteers(&app, &browser, &s, screen).await;

    assert_policy_kept(&driver, &browser).await;
    browser.close().await.unwrap();
}

/// 单位与组织: the community's resident population this year (in the display time zone) and a
/// volunteer service organisation, through the community's forms.
async fn keeps_the_communitys_records(app: &TestApp, browser: &Client, s: &Scene, screen: Screen) {
    let year = Utc::now()
        .with_timezone(&app.state.settings.display_offset())
        .year();
    open_menu(browser, "单位与组织").await;
    let tree = wait_for_text(browser, "unit-tree", |t| t.contains("花园社区")).await;
    assert!(tree.contains("东湖街道"), "{tree}");
    let community_row = format!("unit-{}", s.community);
    assert!(
        text_of(browser, &community_row).await.contains("未填"),
        "no population yet"
    );
    assert_fits(browser, screen.width).await;

    click(browser, &format!("#{community_row} a")).await;
    wait_for_text(browser, "populations", |t| t.contains("暂无")).await;
    assert_fits(browser, screen.width).await;
    let year_field = element(browser, "#populations input[name=year]").await;
    assert_eq!(
        year_field.prop("value").await.unwrap(),
        Some(year.to_string()),
        "the form offers this year"
    );
    type_into(
        browser,
        "#populations input[name=resident_population]",
        "8321",
    )
    .await;
    click(browser, "#populations button[type=submit]").await;
    wait_for_text(browser, "populations", |t| t.contains("8321")).await;

    type_into(
        browser,
        "#organisations input[name=name]",
        "花园社区志愿服务队",
    )
    .await;
    choose(
        browser,
        "#organisations select[name=org_type]",
        "volunteer_service",
    )
    .await;
    click(browser, "#organisations button[type=submit]").await;
    wait_for_text(browser, "organisations", |t| {
        t.contains("花园社区志愿服务队")
    })
    .await;
    assert_fits(browser, screen.width).await;

    // The page shows both.
    let populations = rows_under(browser, "#populations").await;
    assert!(
        populations
            .iter()
            .any(|r| r.contains(&year.to_string()) && r.contains("8321")),
        "{populations:?}"
    );
    let listed = rows_under(browser, "#organisations").await;
    assert!(
        listed
            .iter()
            .any(|r| r.contains("花园社区志愿服务队") && r.contains("志愿服务组织")),
        "{listed:?}"
    );
    // And the tree too.
    browser
        .goto(&format!("{}/console/units", app.base))
        .await
        .unwrap();
    wait_for_text(browser, &community_row, |t| t.contains("8321")).await;

    let (status, unit) = unit_detail(app, &s.admin, s.community).await;
    assert_eq!(status, StatusCode::OK, "{unit}");
    assert_eq!(
        unit["populations"],
        json!([{"year": year, "resident_population": 8321}])
    );
    let (status, orgs) = organisations(app, &s.admin, s.community).await;
    assert_eq!(status, StatusCode::OK, "{orgs}");
    let orgs = orgs.as_array().unwrap();
    assert_eq!(orgs.len(), 1, "{orgs:?}");
    assert_eq!(orgs[0]["name"], "花园社区志愿服务队");
    assert_eq!(orgs[0]["org_type"], "volunteer_service");
}

/// 工作人员: a new account, then the organizer's role on the community granted to it.
async fn creates_an_organizer(app: &TestApp, browser: &Client, s: &Scene, screen: Screen) {
    open_menu(browser, "工作人员").await;
    let accounts = wait_for_text(browser, "accounts", |t| t.contains(STREET_ADMIN)).await;
    assert!(!accounts.contains(NEW_ORGANIZER), "{accounts}");
    assert_fits(browser, screen.width).await;
    for (field, value) in [
        ("#new-account #login", NEW_ORGANIZER),
        ("#new-account #name", "陈志明"),
        ("#new-account #password", PASSWORD),
    ] {
        type_into(browser, field, value).await;
    }
    click(browser, "#new-account button[type=submit]").await;
    let listed = wait_for_text(browser, "accounts", |t| t.contains(NEW_ORGANIZER)).await;
    assert!(
        listed.contains("陈志明") && listed.contains("尚未授予角色"),
        "{listed}"
    );
    assert_fits(browser, screen.width).await;

    choose(browser, "#grant-form select[name=role]", "organizer").await;
    choose(
        browser,
        "#grant-form select[name=unit_id]",
        &s.community.to_string(),
    )
    .await;
    click(
        browser,
        &format!(r#"button[aria-label="授予 {NEW_ORGANIZER}"]"#),
    )
    .await;
    let listed = wait_for_text(browser, "accounts", |t| t.contains("活动负责人 · 花园社区")).await;
    assert!(!listed.contains("尚未授予角色"), "{listed}");
    assert_fits(browser, screen.width).await;

    let token = app.login(NEW_ORGANIZER, PASSWORD).await;
    let (status, me) = app.get("/api/v1/auth/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        me["roles"],
        json!([{"role": "organizer", "unit_id": s.community}])
    );
}

/// 志愿者 → 批量导入: three rows pasted, the second with a wrong check digit; two registered.
async fn imports_volunteers(app: &TestApp, browser: &Client, s: &Scene, screen: Screen) {
    open_menu(browser, "志愿者").await;
    let import = arrival(browser, "import-volunteers").await;
    assert_fits(browser, screen.width).await;
    import.click().await.unwrap();
    let pasted = arrival(browser, "csv").await;
    assert_fits(browser, screen.width).await;
    let mut wrong = id_number(12);
    let check = wrong.pop().unwrap();
    wrong.push(if check == '0' { '1' } else { '0' });
    let c = s.community;
    let csv = format!(
        "姓名,身份证号,手机号,社区编号,技能\n\
         林小雨,{},{},{c},急救\n\
         错号码,{wrong},{},{c},\n\
         王建国,{},{},{c},\n",
        id_number(11),
        phone(11),
        phone(12),
        id_number(13),
        phone(13),
    );
    pasted.send_keys(&csv).await.unwrap();
    click(browser, "#import").await;

    let summary = wait_for_text(browser, "summary", |t| t.contains("已注册")).await;
    let counts: Vec<String> = summary.split_whitespace().map(String::from).collect();
    assert_eq!(
        counts,
        ["2", "已注册", "0", "此前已注册", "1", "未导入"],
        "{summary}"
    );
    let refused = text_of(browser, "row-3").await;
    assert!(
        refused.contains("未导入") && refused.contains("身份证号无效"),
        "{refused}"
    );
    assert!(!refused.contains(&wrong), "{refused}");
    assert_fits(browser, screen.width).await;

    let stored = volunteers_of(app, &s.admin, s.community).await;
    let names: Vec<_> = stored.iter().map(|v| v["name"].clone()).collect();
    assert_eq!(names, [json!("林小雨"), json!("王建国")]);
    for (row, v) in [("row-2", &stored[0]), ("row-4", &stored[1])] {
        let line = text_of(browser, row).await;
        let no = v["volunteer_no"].as_str().unwrap();
        assert!(is_volunteer_no(no), "{no}");
        assert!(line.contains("已注册") && line.contains(no), "{line}");
    }
}
