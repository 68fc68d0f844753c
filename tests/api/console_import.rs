//! Importing volunteers from a CSV file in the console: uploaded or pasted, checked against the
//! session's token, and answered row by row.

use crate::both_backends;
use crate::support::{
    STANDARD_ID, TestApp, console_page, csrf_token, id_number, is_volunteer_no, phone,
    volunteers_of,
};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE};

both_backends!(
    an_uploaded_file_is_reported_row_by_row,
    pasted_text_imports_too_and_a_file_that_cannot_be_read_is_refused,
    an_upload_without_the_sessions_token_or_by_a_non_admin_imports_nothing,
);

/// Posts a multipart form of `(name, file name, content)` parts in `session`'s browser.
async fn upload(
    app: &TestApp,
    session: &str,
    parts: &[(&str, Option<&str>, &str)],
) -> (StatusCode, String) {
    let boundary = "----vledger-test-boundary";
    let mut body = String::new();
    for (name, file, content) in parts {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
        ));
        if let Some(file) = file {
            body.push_str(&format!("; filename=\"{file}\"\r\nContent-Type: text/csv"));
        }
        body.push_str(&format!("\r\n\r\n{content}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let r = app
        .client
        .post(format!("{}/console/volunteers/import", app.base))
        .header(COOKIE, format!("vledger_session={session}"))
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Three people of `community`, the second with a wrong check digit in their ID number.
fn three_rows(community: i64) -> String {
    format!(
        "姓名,身份证号,手机号,社区编号,技能\n\
         林小雨,{STANDARD_ID},{},{community},急救\n\
         错号码,110105194912310021,{},{community},\n\
         王建国,{},{},{community},\n",
        phone(1),
        phone(2),
        id_number(3),
        phone(3),
    )
}

/// The text of the report's row for line `row`.
fn report_row(html: &str, row: u64) -> &str {
    let start = html
        .find(&format!(r#"id="row-{row}""#))
        .unwrap_or_else(|| panic!("line {row} reported: {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

async fn an_uploaded_file_is_reported_row_by_row(app: TestApp) {
    let s = app.scene().await;
    let (_, station) = app
        .staff(&s.admin, "station-a", "unit_admin", s.community)
        .await;
    let (status, form) = console_page(&app, "/console/volunteers/import", Some(&station)).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert!(form.contains(r#"enctype="multipart/form-data""#), "{form}");
    let token = csrf_token(&form);
    let csv = three_rows(s.community);
    let (status, html) = upload(
        &app,
        &station,
        &[
            ("csrf_token", None, &token),
            ("file", Some("志愿者.csv"), &csv),
            ("csv", None, ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let stored = volunteers_of(&app, &station, s.community).await;
    assert_eq!(stored.len(), 2);
    for (row, v) in [(2, &stored[0]), (4, &stored[1])] {
        let line = report_row(&html, row);
        let no = v["volunteer_no"].as_str().unwrap();
        assert!(is_volunteer_no(no) && line.contains(no), "{line}");
        assert!(line.contains("已注册"), "{line}");
    }
    let refused = report_row(&html, 3);
    assert!(
        refused.contains("未导入") && refused.contains("身份证号无效"),
        "{refused}"
    );
    assert!(!html.contains(STANDARD_ID), "{html}");
    assert_eq!(stored[0]["name"], "林小雨");
    assert_eq!(stored[1]["name"], "王建国");
    assert!(stored.iter().all(|v| v["registered_via"] == "import"));

    // The same file again: nobody twice.
    let (status, html) = upload(
        &app,
        &station,
        &[("csrf_token", None, &token), ("file", Some("a.csv"), &csv)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(report_row(&html, 2).contains("此前已注册"), "{html}");
    assert_eq!(volunteers_of(&app, &station, s.community).await.len(), 2);
}

async fn pasted_text_imports_too_and_a_file_that_cannot_be_read_is_refused(app: TestApp) {
    let s = app.scene().await;
    let (_, html) = console_page(&app, "/console/volunteers/import", Some(&s.admin)).await;
    let token = csrf_token(&html);
    let no_id_column = format!(
        "姓名,手机号,社区编号\n林小雨,{},{}\n",
        phone(1),
        s.community
    );
    let (status, html) = upload(
        &app,
        &s.admin,
        &[("csrf_token", None, &token), ("csv", None, &no_id_column)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("文件无法读取") && html.contains("id_number"),
        "{html}"
    );
    let (status, html) = upload(&app, &s.admin, &[("csrf_token", None, &token)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请选择文件或粘贴内容"), "{html}");
    assert!(volunteers_of(&app, &s.admin, s.community).await.is_empty());

    let (status, html) = upload(
        &app,
        &s.admin,
        &[
            ("csrf_token", None, &token),
            ("file", Some(""), ""),
            ("csv", None, &three_rows(s.community)),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(report_row(&html, 3).contains("身份证号无效"), "{html}");
    assert_eq!(volunteers_of(&app, &s.admin, s.community).await.len(), 2);
}

async fn an_upload_without_the_sessions_token_or_by_a_non_admin_imports_nothing(app: TestApp) {
    let s = app.scene().await;
    let csv = three_rows(s.community);
    let (status, _) = upload(&app, &s.admin, &[("file", Some("a.csv"), &csv)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = upload(
        &app,
        &s.admin,
        &[("csrf_token", None, "0000"), ("file", Some("a.csv"), &csv)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(volunteers_of(&app, &s.admin, s.community).await.is_empty());

    let (status, _) = console_page(&app, "/console/volunteers/import", Some(&s.organizer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, html) = console_page(&app, "/console/activities", Some(&s.organizer)).await;
    let token = csrf_token(&html);
    let (status, _) = upload(
        &app,
        &s.organizer,
        &[("csrf_token", None, &token), ("file", Some("a.csv"), &csv)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(volunteers_of(&app, &s.admin, s.community).await.is_empty());

    // Logged out: the login form.
    let (status, html) = upload(&app, "stale", &[("file", Some("a.csv"), &csv)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains(r#"name="password""#), "{html}");
}
