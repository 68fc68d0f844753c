//! The committee's selection pages in the console: a member opens a round from the list, excludes
//! one candidate and nominates another with reasons, publishes, answers an objection and, once
//! the notice has ended, finalises — each refusal shown on the page in words, nothing changed; a
//! post without the page's token, or by another street's committee, is refused.

use crate::both_backends;
use crate::selection_review::end_notice;
use crate::selections::{Round, another_streets_committee, last_year, open, round};
use crate::support::{TestApp, browser, console_page, csrf_token, id_of, post_form};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use serde_json::{Value, json};
use vledger::domain::volunteer_no::volunteer_no;

both_backends!(
    a_committee_takes_a_round_from_draft_to_final_in_the_console,
    refused_forms_say_why_and_strangers_are_kept_out,
    the_list_counts_each_rounds_winners_as_its_review_does,
);

/// A form's answer: its status, where it sends the browser and the page it shows.
struct Answer {
    status: StatusCode,
    location: String,
    html: String,
}

/// Posts `fields` to `action` with the token of the page at `from`, as the page's form would.
async fn submit(
    app: &TestApp,
    session: &str,
    (from, action): (&str, &str),
    fields: &[(&str, &str)],
) -> Answer {
    let (status, page) = console_page(app, from, Some(session)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = csrf_token(&page);
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    let r = browser()
        .post(format!("{}{action}", app.base))
        .header(COOKIE, format!("vledger_session={session}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    Answer {
        status: r.status(),
        location,
        html: r.text().await.unwrap(),
    }
}

/// Opens the community's round for last year from the list page: its id.
async fn open_from_the_list(app: &TestApp, r: &Round) -> i64 {
    let unit = r.community.to_string();
    let year = last_year().to_string();
    let from = "/console/selections";
    let fields = [("unit_id", unit.as_str()), ("year", year.as_str())];
    let opened = submit(app, &r.committee, (from, from), &fields).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.html);
    let id = opened
        .location
        .strip_prefix("/console/selections/")
        .and_then(|rest| rest.strip_suffix("?done=opened"))
        .unwrap_or_else(|| panic!("{}", opened.location));
    id.parse().unwrap()
}

/// A form of the round's page, posted from its first view.
async fn on_round(
    app: &TestApp,
    session: &str,
    id: i64,
    action: &str,
    fields: &[(&str, &str)],
) -> Answer {
    let from = format!("/console/selections/{id}");
    let action = format!("/console/selections/{id}/{action}?show=all&q=&page=1");
    submit(app, session, (&from, &action), fields).await
}

/// The page a form sent the browser to.
async fn followed(app: &TestApp, session: &str, answer: &Answer) -> String {
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.html);
    let (status, html) = console_page(app, &answer.location, Some(session)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    html
}

/// The candidates' table of the page: from its card to the end.
fn candidates(html: &str) -> &str {
    html.split(r#"id="candidates""#).nth(1).unwrap_or_default()
}

/// The winners' card of the page.
fn winners(html: &str) -> &str {
    let after = html.split(r#"id="winners""#).nth(1).unwrap_or_default();
    after.split(r#"class="card""#).next().unwrap()
}

async fn a_committee_takes_a_round_from_draft_to_final_in_the_console(app: TestApp) {
    let r = round(&app).await;
    let no = |n: usize| volunteer_no(r.volunteers[n]);
    let (status, list) = console_page(&app, "/console/selections", Some(&r.committee)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(
        list.contains(r#"href="/console/selections">优秀评选"#)
            && list.contains("该年度尚未开启评选"),
        "{list}"
    );

    let id = open_from_the_list(&app, &r).await;
    let (_, list) = console_page(&app, "/console/selections", Some(&r.committee)).await;
    let row = list
        .split(&format!(r#"id="round-{id}""#))
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        row.contains("花园社区") && row.contains("草稿") && row.contains(r#"<td class="h">1</td>"#),
        "quota 1, one winner so far: {row}"
    );

    let page_path = format!("/console/selections/{id}");
    let (_, page) = console_page(&app, &page_path, Some(&r.committee)).await;
    assert!(page.contains("默认评选规则 v1") && page.contains("草稿（评审中）"));
    let listed = candidates(&page);
    // 2 first (29 points: 25 h, 2 activities), then 1 (28); 3 left out for registering late.
    let first = listed.find(&no(2)).unwrap();
    let second = listed.find(&no(1)).unwrap();
    assert!(first < second, "{listed}");
    assert!(
        listed.contains("志愿者2") && listed.contains("29.00") && listed.contains("时长 25.00"),
        "{listed}"
    );
    assert!(listed.contains("注册晚于规定日期"), "{listed}");

    // The filters: the winners, those below the line, those the rules left out; a search.
    let shown = |show: &str| format!("/console/selections/{id}?show={show}");
    let (_, w) = console_page(&app, &shown("winners"), Some(&r.committee)).await;
    let w = candidates(&w);
    assert!(w.contains(&no(2)) && !w.contains(&no(1)) && !w.contains(&no(3)));
    let (_, below) = console_page(&app, &shown("below"), Some(&r.committee)).await;
    let below = candidates(&below);
    assert!(below.contains(&no(1)) && !below.contains(&no(2)));
    let (_, out) = console_page(&app, &shown("excluded"), Some(&r.committee)).await;
    let out = candidates(&out);
    assert!(out.contains(&no(3)) && !out.contains(&no(1)), "{out}");
    let searched = format!("{}&q={}", shown("all"), no(1).to_lowercase());
    let (_, found) = console_page(&app, &searched, Some(&r.committee)).await;
    let found = candidates(&found);
    assert!(found.contains(&no(1)) && !found.contains(&no(2)));

    // Exclude 2 and nominate 1, each with a reason.
    let excluded = on_round(
        &app,
        &r.committee,
        id,
        "decisions",
        &[
            ("volunteer_no", &no(2)),
            ("decision", "exclude"),
            ("reason", "年内有两次未按约定到岗"),
        ],
    )
    .await;
    let page = followed(&app, &r.committee, &excluded).await;
    assert!(page.contains("已记录委员会的决定"), "{page}");
    assert!(winners(&page).contains("暂无"), "{page}");
    let nominated = on_round(
        &app,
        &r.committee,
        id,
        "decisions",
        &[
            ("volunteer_no", &no(1)),
            ("decision", "nominate"),
            ("reason", "长期照护独居老人，居民推荐"),
        ],
    )
    .await;
    let page = followed(&app, &r.committee, &nominated).await;
    let listed = winners(&page);
    assert!(
        listed.contains("志愿者1") && listed.contains("委员会提名") && !listed.contains("志愿者2"),
        "{listed}"
    );
    let log = page.split(r#"id="decisions""#).nth(1).unwrap();
    assert!(
        log.contains("committee-a")
            && log.contains("年内有两次未按约定到岗")
            && log.contains("长期照护独居老人，居民推荐"),
        "{log}"
    );

    // Publishing starts the notice; finalising waits for its end.
    let published = on_round(&app, &r.committee, id, "publish", &[]).await;
    let page = followed(&app, &r.committee, &published).await;
    assert!(
        page.contains("名单已发布公示") && page.contains(&format!(r#"href="/notice/{id}""#)),
        "{page}"
    );
    assert!(
        !page.contains("排除或提名"),
        "no decisions after publishing"
    );
    let early = on_round(&app, &r.committee, id, "finalize", &[]).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(early.html.contains("公示期尚未结束"), "{}", early.html);

    // An objection through the API, answered from the page once the notice has ended.
    let (_, resident) = app.quick_volunteer(&r.admin, 9, r.community).await;
    let (status, filed) = app
        .post(
            &format!("/api/v1/selections/{id}/objections"),
            Some(&resident),
            json!({"volunteer_no": no(1), "reason": "时长有误"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    end_notice(&app, id).await;
    let open = on_round(&app, &r.committee, id, "finalize", &[]).await;
    assert_eq!(open.status, StatusCode::CONFLICT);
    assert!(open.html.contains("还有异议未处理"), "{}", open.html);
    let objection = filed["id"].as_i64().unwrap();
    let resolved = on_round(
        &app,
        &r.committee,
        id,
        &format!("objections/{objection}/resolution"),
        &[("outcome", "dismissed"), ("reason", "时长与台账一致")],
    )
    .await;
    let page = followed(&app, &r.committee, &resolved).await;
    let answered = page.split(r#"id="objections""#).nth(1).unwrap();
    assert!(
        answered.contains("异议不成立，保留") && answered.contains("时长与台账一致"),
        "{answered}"
    );

    let finalised = on_round(&app, &r.committee, id, "finalize", &[]).await;
    let page = followed(&app, &r.committee, &finalised).await;
    assert!(page.contains("最终名单已确定") && page.contains("已确定"));
    let awarded = crate::sql!(
        &app,
        "SELECT volunteer_id FROM awards WHERE selection_id = $1",
        id
    );
    assert_eq!(awarded, Some(r.volunteers[1]));

    // The CSV the page links to, in the page's session.
    assert!(page.contains(&format!(
        r#"href="/api/v1/selections/{id}/winners.csv" id="download-winners""#
    )));
    let csv = app
        .client
        .get(format!("{}/api/v1/selections/{id}/winners.csv", app.base))
        .header(COOKIE, format!("vledger_session={}", r.committee))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains(&format!("1,志愿者1,{},花园社区", no(1))),
        "{csv}"
    );
}

async fn refused_forms_say_why_and_strangers_are_kept_out(app: TestApp) {
    let r = round(&app).await;
    let id = open_from_the_list(&app, &r).await;
    let no = volunteer_no(r.volunteers[1]);

    // No reason: the page again, saying so, with nothing decided.
    let blank = on_round(
        &app,
        &r.committee,
        id,
        "decisions",
        &[
            ("volunteer_no", &no),
            ("decision", "nominate"),
            ("reason", " "),
        ],
    )
    .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        blank.html.contains(r#"id="refused""#) && blank.html.contains("请填写理由"),
        "{}",
        blank.html
    );
    // Nominating someone the rules left out.
    let late = volunteer_no(r.volunteers[3]);
    let refused = on_round(
        &app,
        &r.committee,
        id,
        "decisions",
        &[
            ("volunteer_no", &late),
            ("decision", "nominate"),
            ("reason", "热心"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.html.contains("只能提名有排名的候选人"),
        "{}",
        refused.html
    );
    // Publishing an empty list.
    let emptied = on_round(
        &app,
        &r.committee,
        id,
        "decisions",
        &[
            ("volunteer_no", &volunteer_no(r.volunteers[2])),
            ("decision", "exclude"),
            ("reason", "缺勤"),
        ],
    )
    .await;
    assert_eq!(emptied.status, StatusCode::SEE_OTHER, "{}", emptied.html);
    let refused = on_round(&app, &r.committee, id, "publish", &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.html.contains("请先提名候选人再发布"),
        "{}",
        refused.html
    );
    // The same round twice.
    let unit = r.community.to_string();
    let year = last_year().to_string();
    let from = "/console/selections";
    let fields = [("unit_id", unit.as_str()), ("year", year.as_str())];
    let again = submit(&app, &r.committee, (from, from), &fields).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.html.contains("该单位该年度的评选已经开启"),
        "{}",
        again.html
    );
    let decided = crate::sql!(&app, "SELECT COUNT(*) FROM selection_decisions");
    assert_eq!(decided, Some(1));

    // Without the page's token.
    let form = [
        ("volunteer_no", no.as_str()),
        ("decision", "nominate"),
        ("reason", "理由"),
    ];
    let action = format!("/console/selections/{id}/decisions");
    let (status, _) = post_form(&app, &action, &r.committee, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Another street's committee neither sees nor changes the round.
    let stranger = another_streets_committee(&app, &r.admin).await;
    let (status, list) = console_page(&app, "/console/selections", Some(&stranger)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!list.contains(&format!("round-{id}")), "{list}");
    let (status, _) =
        console_page(&app, &format!("/console/selections/{id}"), Some(&stranger)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let theirs = "/console/selections";
    let stranger_decides = submit(
        &app,
        &stranger,
        (theirs, &action),
        &[
            ("volunteer_no", &no),
            ("decision", "nominate"),
            ("reason", "理由"),
        ],
    )
    .await;
    assert_eq!(stranger_decides.status, StatusCode::FORBIDDEN);
    let stranger_opens = submit(&app, &stranger, (theirs, theirs), &fields).await;
    assert_eq!(stranger_opens.status, StatusCode::FORBIDDEN);
    let decided = crate::sql!(&app, "SELECT COUNT(*) FROM selection_decisions");
    assert_eq!(decided, Some(1));
    // Organizers hold no committee role: no such section.
    let (_, organizer) = app
        .staff(&r.admin, "organizer-x", "organizer", r.community)
        .await;
    let (status, _) = console_page(&app, "/console/selections", Some(&organizer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The winners' count in the list's row of round `id`.
fn listed_winners(list: &str, id: i64) -> String {
    let row = list
        .split(&format!(r#"id="round-{id}""#))
        .nth(1)
        .unwrap_or_else(|| panic!("round {id} is listed: {list}"))
        .split("</tr>")
        .next()
        .unwrap();
    // The quota's cell, then the winners'.
    let cell = row.split(r#"<td class="h">"#).nth(2).unwrap();
    cell.split("</td>").next().unwrap().to_owned()
}

async fn the_list_counts_each_rounds_winners_as_its_review_does(app: TestApp) {
    let r = round(&app).await;
    let no = |n: usize| volunteer_no(r.volunteers[n]);
    let street = crate::sql!(
        &app,
        "SELECT parent_id FROM units WHERE id = $1",
        r.community
    )
    .unwrap();
    let mut ids = Vec::new();
    for unit in [r.community, street] {
        let (status, opened) = open(&app, &r.committee, unit, last_year()).await;
        assert_eq!(status, StatusCode::CREATED, "{opened}");
        ids.push(id_of(&opened));
    }
    let (community, street) = (ids[0], ids[1]);
    // The committee's step on round `id`, which it takes.
    let step = |id: i64, action: String, body: Value| {
        let (app, committee) = (&app, &r.committee);
        async move {
            let path = format!("/api/v1/selections/{id}/{action}");
            let (status, answer) = app.post(&path, Some(committee), body).await;
            assert!(status.is_success(), "{action}: {answer}");
            answer
        }
    };
    let decision = |n: usize, decision: &str| json!({"volunteer_no": no(n), "decision": decision, "reason": "委员会决定"});
    // The community's: 2 excluded then nominated again (its latest decision counts), and 1
    // nominated beyond the quota.
    for (n, decided) in [(2, "exclude"), (2, "nominate"), (1, "nominate")] {
        step(community, "decisions".into(), decision(n, decided)).await;
    }
    // The street's: published, its one winner removed by an upheld objection.
    step(street, "publish".into(), json!({})).await;
    let against = json!({"volunteer_no": no(2), "reason": "时长有误"});
    let filed = step(street, "objections".into(), against).await;
    let resolution = format!("objections/{}/resolution", id_of(&filed));
    let upheld = json!({"upheld": true, "reason": "经核实属实"});
    step(street, resolution, upheld).await;

    let (status, list) = console_page(&app, "/console/selections", Some(&r.committee)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    for (id, expected) in [(community, "2"), (street, "0")] {
        let (status, round) = app
            .get(&format!("/api/v1/selections/{id}"), Some(&r.committee))
            .await;
        assert_eq!(status, StatusCode::OK, "{round}");
        let reviewed = round["winners"].as_array().unwrap().len().to_string();
        assert_eq!(reviewed, expected, "{round}");
        assert_eq!(listed_winners(&list, id), expected, "round {id}");
    }
}
