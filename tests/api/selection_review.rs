//! The committee's review of a round and its public notice 公示: decisions with reasons, publishing,
//! objections from anyone logged in and their resolution, and finalising, which grants the award
//! only once the notice has ended and every objection is answered.

use crate::both_backends;
use crate::selections::{last_year, open, round};
use crate::support::{
    Db, Service, TestApp, assert_error, browser, console_page, csrf_token, id_number, id_of, phone,
    post_form, settings,
};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::{Value, json};

both_backends!(
    a_committee_reviews_publishes_answers_objections_and_finalises,
    the_public_notice_shows_the_list_without_personal_numbers,
    a_logged_in_visitor_objects_from_the_notice_page,
);

async fn decide(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/selections/{id}/decisions"),
        Some(token),
        body,
    )
    .await
}

fn winners(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["volunteer_no"].as_str().unwrap().to_owned(),
                w["basis"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The volunteer number of volunteer `id`.
async fn number_of(app: &TestApp, token: &str, id: i64) -> String {
    let (status, v) = app
        .get(&format!("/api/v1/volunteers/{id}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["volunteer_no"].as_str().unwrap().to_owned()
}

/// A published round of 花园社区: volunteer 2 (ranked first) excluded, 1 (second) nominated.
pub(crate) struct Published {
    pub id: i64,
    pub committee: String,
    pub admin: String,
    pub community: i64,
    /// Volunteer numbers of volunteers 1, 2 and 3.
    pub no: [String; 3],
    /// Ids by person number.
    pub volunteers: Vec<i64>,
}

async fn published(app: &TestApp) -> Published {
    let r = round(app).await;
    let (status, draft) = open(app, &r.committee, r.community, last_year()).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let id = id_of(&draft);
    let mut no = Vec::new();
    for n in 1..=3 {
        no.push(number_of(app, &r.admin, r.volunteers[n]).await);
    }
    let no: [String; 3] = no.try_into().unwrap();
    let excluded = decide(
        app,
        &r.committee,
        id,
        json!({"volunteer_no": no[1], "decision": "exclude", "reason": "年内有两次未按约定到岗"}),
    )
    .await;
    assert_eq!(excluded.0, StatusCode::CREATED, "{}", excluded.1);
    assert_eq!(excluded.1["winners"], json!([]));
    let (status, nominated) = decide(
        app,
        &r.committee,
        id,
        json!({"volunteer_no": no[0], "decision": "nominate", "reason": "长期照护独居老人，居民推荐"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{nominated}");
    assert_eq!(
        winners(&nominated["winners"]),
        [(no[0].clone(), "nomination".to_owned())]
    );
    assert_eq!(nominated["beyond_quota"], false);
    Published {
        id,
        committee: r.committee,
        admin: r.admin,
        community: r.community,
        no,
        volunteers: r.volunteers,
    }
}

async fn a_committee_reviews_publishes_answers_objections_and_finalises(app: TestApp) {
    let p = published(&app).await;
    let id = p.id;

    // Refusals while it is a draft, each changing nothing.
    let ineligible = json!({"volunteer_no": p.no[2], "decision": "nominate", "reason": "热心"});
    let refused = decide(&app, &p.committee, id, ineligible).await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "not_eligible");
    let unknown = json!({"volunteer_no": "V99999999", "decision": "nominate", "reason": "热心"});
    let refused = decide(&app, &p.committee, id, unknown).await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_a_candidate",
    );
    let no_reason = json!({"volunteer_no": p.no[1], "decision": "nominate", "reason": "  "});
    let refused = decide(&app, &p.committee, id, no_reason).await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reason_required",
    );
    let (_, organizer) = app
        .staff(&p.admin, "organizer-x", "organizer", p.community)
        .await;
    let by_organizer = json!({"volunteer_no": p.no[1], "decision": "nominate", "reason": "好"});
    let refused = decide(&app, &organizer, id, by_organizer).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    let refused = app
        .post(
            &format!("/api/v1/selections/{id}/publish"),
            Some(&organizer),
            json!({}),
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");

    // A later decision counts: 2 is back, beyond the quota of one, which is marked.
    let (status, back) = decide(
        &app,
        &p.committee,
        id,
        json!({"volunteer_no": p.no[1], "decision": "nominate", "reason": "核实后缺勤有正当理由"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{back}");
    assert_eq!(back["beyond_quota"], true);
    assert_eq!(
        winners(&back["winners"]),
        [
            (p.no[1].clone(), "rank".to_owned()),
            (p.no[0].clone(), "nomination".to_owned())
        ]
    );
    let (_, round) = app
        .get(&format!("/api/v1/selections/{id}"), Some(&p.committee))
        .await;
    let decisions = round["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 3);
    assert_eq!(decisions[2]["member_name"], "committee-a");
    assert_eq!(decisions[2]["beyond_quota"], true);
    assert_eq!(decisions[0]["reason"], "年内有两次未按约定到岗");

    // Publishing starts the notice; the list is fixed from then on.
    let (status, notice) = app
        .post(
            &format!("/api/v1/selections/{id}/publish"),
            Some(&p.committee),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{notice}");
    assert_eq!(notice["state"], "notice");
    assert!(
        notice["notice_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/notice/{id}"))
    );
    let late = json!({"volunteer_no": p.no[0], "decision": "exclude", "reason": "迟到的决定"});
    let refused = decide(&app, &p.committee, id, late).await;
    assert_error(&refused, StatusCode::CONFLICT, "selection_not_draft");
    let refused = app
        .post(
            &format!("/api/v1/selections/{id}/publish"),
            Some(&p.committee),
            json!({}),
        )
        .await;
    assert_error(&refused, StatusCode::CONFLICT, "selection_not_draft");

    // Anyone logged in objects to a winner; not to someone off the list.
    let (_, resident) = app.quick_volunteer(&p.admin, 9, p.community).await;
    let objections = format!("/api/v1/selections/{id}/objections");
    let refused = app
        .post(
            &objections,
            Some(&resident),
            json!({"volunteer_no": p.no[2], "reason": "不符合条件"}),
        )
        .await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "not_a_winner");
    let refused = app
        .post(
            &objections,
            None,
            json!({"volunteer_no": p.no[1], "reason": "不符合条件"}),
        )
        .await;
    assert_eq!(refused.0, StatusCode::UNAUTHORIZED);
    let (status, against_2) = app
        .post(
            &objections,
            Some(&resident),
            json!({"volunteer_no": p.no[1], "reason": "他去年多次缺勤"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{against_2}");
    let (status, against_1) = app
        .post(
            &objections,
            Some(&organizer),
            json!({"volunteer_no": p.no[0], "reason": "时长有误"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{against_1}");

    // Finalising waits for the end of the notice, then for every objection.
    let finalize = format!("/api/v1/selections/{id}/finalize");
    let refused = app.post(&finalize, Some(&p.committee), json!({})).await;
    assert_error(&refused, StatusCode::CONFLICT, "notice_running");
    end_notice(&app, id).await;
    let refused = app
        .post(
            &objections,
            Some(&resident),
            json!({"volunteer_no": p.no[0], "reason": "公示期后"}),
        )
        .await;
    assert_error(&refused, StatusCode::CONFLICT, "selection_not_in_notice");
    let refused = app.post(&finalize, Some(&p.committee), json!({})).await;
    assert_error(&refused, StatusCode::CONFLICT, "objections_open");

    let resolution = |o: &Value| format!("{objections}/{}/resolution", id_of(o));
    let (status, _) = app
        .post(
            &resolution(&against_2),
            Some(&p.committee),
            json!({"upheld": true, "reason": "经核实缺勤属实"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let refused = app
        .post(
            &resolution(&against_2),
            Some(&p.committee),
            json!({"upheld": false, "reason": "再议"}),
        )
        .await;
    assert_error(&refused, StatusCode::CONFLICT, "already_resolved");
    let refused = app
        .post(
            &resolution(&against_1),
            Some(&resident),
            json!({"upheld": false, "reason": "x"}),
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    let refused = app.post(&finalize, Some(&p.committee), json!({})).await;
    assert_error(&refused, StatusCode::CONFLICT, "objections_open");
    let (status, _) = app
        .post(
            &resolution(&against_1),
            Some(&p.committee),
            json!({"upheld": false, "reason": "时长与台账一致"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, done) = app.post(&finalize, Some(&p.committee), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "final");
    let refused = app.post(&finalize, Some(&p.committee), json!({})).await;
    assert_error(&refused, StatusCode::CONFLICT, "selection_not_in_notice");

    let (_, round) = app
        .get(&format!("/api/v1/selections/{id}"), Some(&p.committee))
        .await;
    assert_eq!(round["state"], "final");
    assert_eq!(
        winners(&round["winners"]),
        [(p.no[0].clone(), "nomination".to_owned())]
    );
    let objections = round["objections"].as_array().unwrap();
    assert_eq!(objections[0]["upheld"], true);
    assert_eq!(objections[0]["resolver_name"], "committee-a");
    assert_eq!(objections[1]["upheld"], false);
    let awarded = crate::sql!(
        &app,
        "SELECT COUNT(*) FROM awards WHERE selection_id = $1",
        id
    );
    assert_eq!(awarded, Some(1));
    let audited = crate::sql!(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('selection_decision', 'publish_selection',
             'file_objection', 'resolve_objection', 'finalize_selection')"
    );
    assert_eq!(audited, Some(3 + 1 + 2 + 2 + 1));

    let (status, _, csv) = app
        .fetch_text(
            &format!("/api/v1/selections/{id}/winners.csv"),
            Some(&p.committee),
            "text/csv",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("序号,姓名,志愿者编号"), "{csv}");
    assert!(
        lines[1].starts_with(&format!("1,志愿者1,{}", p.no[0])),
        "{csv}"
    );
    assert!(lines[1].ends_with("委员会提名"), "{csv}");
}

/// The round of [`published`] made final without objections: volunteer 1, its one winner, holds
/// its award.
pub(crate) async fn finalised(app: &TestApp) -> Published {
    let p = published(app).await;
    publish(app, &p).await;
    end_notice(app, p.id).await;
    let finalize = format!("/api/v1/selections/{}/finalize", p.id);
    let (status, done) = app.post(&finalize, Some(&p.committee), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    p
}

/// The committee publishes the round: its notice starts.
async fn publish(app: &TestApp, p: &Published) {
    let publish = format!("/api/v1/selections/{}/publish", p.id);
    let (status, answer) = app.post(&publish, Some(&p.committee), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// The notice's days pass: it ends when it was published.
pub(crate) async fn end_notice(app: &TestApp, id: i64) {
    let mut db = Db::open(app).await;
    let ended = db
        .run(
            "UPDATE selections SET notice_ends_at = published_at WHERE id = ?",
            &[id],
        )
        .await
        .unwrap();
    assert_eq!(ended, 1);
}

async fn the_public_notice_shows_the_list_without_personal_numbers(app: TestApp) {
    let p = published(&app).await;
    let notice = format!("/notice/{}", p.id);
    let (status, _, _) = app.fetch_text(&notice, None, "application/json").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a draft has no notice");
    publish(&app, &p).await;

    let (status, _, json) = app.fetch_text(&notice, None, "application/json").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let n: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(n["state"], "notice");
    assert_eq!(n["year"], last_year());
    assert_eq!(n["unit"], "花园社区");
    assert_eq!(
        n["winners"],
        json!([{"name": "志愿者1", "volunteer_no": p.no[0], "community": "花园社区",
                "hours": "23.00", "activities": 1}])
    );
    assert_eq!(n["rules"]["min_hours"], 20);
    let text = n.to_string();
    for n in 1..=4 {
        assert!(
            !text.contains(&id_number(n)) && !text.contains(&phone(n)),
            "{text}"
        );
    }

    let (status, _, html) = app.fetch_text(&notice, None, "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("优秀志愿者评选公示") && html.contains("志愿者1"),
        "{html}"
    );
    assert!(html.contains("请先登录后再提出异议"), "{html}");
    for n in 1..=4 {
        assert!(!html.contains(&id_number(n)) && !html.contains(&phone(n)));
    }

    // Where names are masked, only their first and last characters show.
    let mut masked = settings(&app.database_url);
    masked.jobs = false;
    masked.selection_mask_names = true;
    let masked = Service::start(masked, None).await;
    let (_, _, json) = masked.fetch_text(&notice, None, "application/json").await;
    let n: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(n["winners"][0]["name"], "志**1");
    let (_, _, html) = masked.fetch_text(&notice, None, "text/html").await;
    assert!(
        html.contains("志**1") && !html.contains("志愿者1"),
        "{html}"
    );
    masked.stop().await;
}

async fn a_logged_in_visitor_objects_from_the_notice_page(app: TestApp) {
    let p = published(&app).await;
    publish(&app, &p).await;
    let (_, resident) = app.quick_volunteer(&p.admin, 9, p.community).await;
    let notice = format!("/notice/{}", p.id);
    let (status, page) = console_page(&app, &notice, Some(&resident)).await;
    assert_eq!(status, StatusCode::OK);
    let token = csrf_token(&page);

    let wrong = [
        ("csrf_token", token.as_str()),
        ("volunteer_no", "V00000000"),
        ("reason", "不认识此人"),
    ];
    let (status, page) = post_form(&app, &notice, &resident, &wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("该志愿者编号不在公示名单中"), "{page}");
    assert!(
        page.contains("不认识此人"),
        "what was typed is kept: {page}"
    );
    let forged = [("volunteer_no", p.no[0].as_str()), ("reason", "伪造的表单")];
    let (status, _) = post_form(&app, &notice, &resident, &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let filed = [
        ("csrf_token", token.as_str()),
        ("volunteer_no", p.no[0].as_str()),
        ("reason", "该志愿者去年下半年已搬离本社区"),
    ];
    let r = browser()
        .post(format!("{}{notice}", app.base))
        .header(COOKIE, format!("vledger_session={resident}"))
        .form(&filed)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(to, format!("{notice}?filed=1"));
    let (_, page) = console_page(&app, &to, Some(&resident)).await;
    assert!(page.contains("异议已提交"), "{page}");
    let (_, round) = app
        .get(&format!("/api/v1/selections/{}", p.id), Some(&p.committee))
        .await;
    let objections = round["objections"].as_array().unwrap();
    assert_eq!(objections.len(), 1, "{objections:?}");
    assert_eq!(objections[0]["reason"], "该志愿者去年下半年已搬离本社区");
    assert_eq!(objections[0]["upheld"], Value::Null);
    assert!(
        objections[0].get("filed_by").is_none(),
        "the committee does not see who objected"
    );

    // The one who objected follows it on the notice, and no one else sees it there.
    let mine = |page: &str| {
        let at = page.find("我提出的异议")?;
        Some(
            page[at..]
                .split("class=\"card\"")
                .next()
                .unwrap()
                .to_owned(),
        )
    };
    let (_, page) = console_page(&app, &notice, Some(&resident)).await;
    let shown = mine(&page).expect("their objections");
    assert!(
        shown.contains(p.no[0].as_str())
            && shown.contains("该志愿者去年下半年已搬离本社区")
            && shown.contains("处理中"),
        "{shown}"
    );
    let (_, neighbour) = app.quick_volunteer(&p.admin, 10, p.community).await;
    let (_, page) = console_page(&app, &notice, Some(&neighbour)).await;
    assert_eq!(mine(&page), None, "{page}");
    let (_, page) = console_page(&app, &notice, None).await;
    assert_eq!(mine(&page), None, "{page}");

    let path = format!(
        "/api/v1/selections/{}/objections/{}/resolution",
        p.id, objections[0]["id"]
    );
    let answer = json!({"upheld": false, "reason": "经核实其仍在本社区居住服务"});
    let (status, body) = app.post(&path, Some(&p.committee), answer).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = console_page(&app, &notice, Some(&resident)).await;
    let shown = mine(&page).expect("their objections");
    assert!(
        shown.contains("异议不成立：该志愿者保留在名单中")
            && shown.contains("委员会答复：经核实其仍在本社区居住服务"),
        "{shown}"
    );
}
