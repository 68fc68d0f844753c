//! The pages' style sheets and scripts: served from the binary, kept by browsers for a year under
//! a URL that changes with their content; no page runs a script written into it.

use crate::both_backends;
use crate::support::TestApp;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};

/// The `/assets/…` URLs a page links, in order.
fn asset_urls(html: &str) -> Vec<String> {
    html.split("\"/assets/")
        .skip(1)
        .map(|rest| format!("/assets/{}", &rest[..rest.find('"').unwrap()]))
        .collect()
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    let res = app.client.get(format!("{}{path}", app.base)).send().await;
    res.unwrap()
}

both_backends!(pages_link_their_assets_with_a_version_and_run_no_inline_script);

async fn pages_link_their_assets_with_a_version_and_run_no_inline_script(app: TestApp) {
    let page = get(&app, "/me").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[CACHE_CONTROL], "no-store");
    let html = page.text().await.unwrap();
    let urls = asset_urls(&html);
    let names: Vec<_> = urls.iter().map(|u| u.split('?').next().unwrap()).collect();
    assert_eq!(
        names,
        ["/assets/app.css", "/assets/page.js", "/assets/me.js"]
    );
    for script in html.split("<script").skip(1) {
        let tag = &script[..script.find('>').unwrap()];
        assert!(
            tag.contains(" src=") || tag.contains(r#"type="application/json""#),
            "inline script: <script{tag}>"
        );
    }
    for (url, kind) in urls
        .iter()
        .zip(["text/css", "text/javascript", "text/javascript"])
    {
        assert!(url.contains("?v="), "{url} names its version");
        let res = get(&app, url).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        let content_type = res.headers()[CONTENT_TYPE].to_str().unwrap();
        assert_eq!(content_type, format!("{kind}; charset=utf-8"), "{url}");
        let cache = &res.headers()[CACHE_CONTROL];
        assert_eq!(cache, "public, max-age=31536000, immutable", "{url}");
        assert!(!res.text().await.unwrap().is_empty(), "{url}");
    }
    let missing = get(&app, "/assets/nothing.js").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
