//! A phone-sized Chromium, driven through chromedriver, logs in from a scanned code, checks in and
//! later checks out, and sees its hours.

use crate::both_backends;
use crate::support::{PASSWORD, TestApp, applicant, id_number, open_activity, phone, qr_url};
use chrono::{DateTime, Duration, Utc};
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const WIDTH: u32 = 360;
const HEIGHT: u32 = 740;
/// The phone page after check-in, left in the temporary folder for a person to look at.
const SCREENSHOT: &str = "vledger-phone.png";

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// chromedriver and the browsers it starts, killed with their process group when dropped.
struct Driver {
    child: Child,
    url: String,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver on a free loopback port; `None` (skipped) when it is missing outside CI.
async fn start_driver() -> Option<Driver> {
    use std::os::unix::process::CommandExt;
    let path = env_or("VLEDGER_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
    if !std::path::Path::new(&path).exists() {
        assert!(!ci(), "{path} is required (CI is set) but missing");
        eprintln!("SKIPPED: {path} is missing; .ci/run installs chromium-driver");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {path}: {e}"));
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        profile: tempfile::tempdir().unwrap(),
    };
    let started = Instant::now();
    loop {
        let status = reqwest::get(format!("{}/status", driver.url)).await;
        if let Ok(s) = status
            && let Ok(body) = s.json::<Value>().await
            && body["value"]["ready"] == true
        {
            return Some(driver);
        }
        assert!(
            started.elapsed().as_secs() < 10,
            "chromedriver did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn phone_browser(driver: &Driver) -> Client {
    let chrome = env_or("VLEDGER_TEST_CHROME", "/usr/bin/chromium");
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .map(String::from)
    .into_iter()
    .chain([
        "--lang=zh-CN".into(),
        format!("--window-size={WIDTH},{HEIGHT}"),
        format!("--user-data-dir={}", driver.profile.path().display()),
    ])
    .collect::<Vec<_>>();
    let options = json!({
        "binary": chrome,
        "args": args,
        "prefs": {"intl.accept_languages": "zh-CN,zh"},
        "mobileEmulation": {
            "deviceMetrics": {"width": WIDTH, "height": HEIGHT, "pixelRatio": 2.0, "touch": true, "mobile": true},
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
        },
    });
    let caps = json!({"browserName": "chrome", "goog:chromeOptions": options});
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&driver.url)
        .await
        .expect("a headless Chromium session")
}

async fn text_of(browser: &Client, id: &str) -> String {
    match browser.find(Locator::Id(id)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits up to 10 s for the element's visible text to satisfy `ready`, and answers it.
async fn wait_for_text(browser: &Client, id: &str, ready: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let text = text_of(browser, id).await;
        if ready(&text) {
            return text;
        }
        if started.elapsed().as_secs() >= 10 {
            let note = text_of(browser, "note").await;
            panic!("#{id} still shows {text:?} (note {note:?})");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn assert_fits_the_screen(browser: &Client) {
    let widths = browser
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        widths,
        json!([WIDTH, WIDTH]),
        "the page fits a 360 px screen"
    );
}

/// Saves a screenshot whole, even while the other backend's test writes the same file.
async fn save_screenshot(browser: &Client, name: &str) {
    let path = std::env::temp_dir().join(name);
    let partial = path.with_extension(format!("png.{}", rand::random::<u32>()));
    std::fs::write(&partial, browser.screenshot().await.unwrap()).unwrap();
    std::fs::rename(&partial, path).unwrap();
}

/// Moves the volunteer's check-in back in time, so that the next scan checks out.
async fn move_check_in_back(database_url: &str, by: Duration) {
    use sqlx::Connection;
    let at = Utc::now() - by;
    if database_url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(database_url).await.unwrap();
        sqlx::query("UPDATE attendances SET checked_in_at = ?1, last_scan_at = ?1")
            .bind(at)
            .execute(&mut c)
            .await
            .unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(database_url).await.unwrap();
        sqlx::query("UPDATE attendances SET checked_in_at = $1, last_scan_at = $1")
            .bind(at)
            .execute(&mut c)
            .await
            .unwrap();
    }
}

/// Lets the page at `origin` read the phone's position, fixed at `(lat, lon)`.
async fn give_position(driver: &Driver, browser: &Client, origin: &str, (lat, lon): (f64, f64)) {
    let session = browser.session_id().await.unwrap().unwrap();
    let endpoint = format!("{}/session/{session}/goog/cdp/execute", driver.url);
    for (cmd, params) in [
        (
            "Browser.grantPermissions",
            json!({"origin": origin, "permissions": ["geolocation"]}),
        ),
        (
            "Emulation.setGeolocationOverride",
            json!({"latitude": lat, "longitude": lon, "accuracy": 10}),
        ),
    ] {
        let res = reqwest::Client::new()
            .post(&endpoint)
            .json(&json!({"cmd": cmd, "params": params}))
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_success(),
            "{cmd}: {}",
            res.text().await.unwrap()
        );
    }
}

async fn phone_checks_in_and_out(app: &TestApp, driver: &Driver, browser: &Client) {
    let position = (30.657, 104.066);
    let s = app.scene().await;
    let id = open_activity(app, &s, "static").await;
    let title = app.stored_activity(id).await.title;
    let volunteer = applicant("林小雨", &id_number(1), &phone(1), s.community);
    let (status, body) = app.post("/api/v1/volunteers", None, volunteer).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = qr_url(app, &s.organizer, id).await;
    assert!(url.starts_with(&app.base), "{url}");

    give_position(driver, browser, &app.base, position).await;
    browser.goto(&url).await.unwrap();
    wait_for_text(browser, "login-title", |t| t == "请先登录").await;
    assert_eq!(text_of(browser, "phone-label").await, "手机号");
    assert_eq!(text_of(browser, "password-label").await, "密码");
    assert_eq!(text_of(browser, "title").await, title);
    assert_fits_the_screen(browser).await;
    let phone_field = browser.find(Locator::Id("phone")).await.unwrap();
    phone_field.send_keys(&phone(1)).await.unwrap();
    let password = browser.find(Locator::Id("password")).await.unwrap();
    password.send_keys(PASSWORD).await.unwrap();
    let button = browser.find(Locator::Id("login-button")).await.unwrap();
    assert_eq!(button.text().await.unwrap(), "登录并签到");
    button.click().await.unwrap();

    let shown = wait_for_text(browser, "result", |t| t.starts_with("签到成功")).await;
    let (_, rows) = app
        .get(
            &format!("/api/v1/activities/{id}/attendances"),
            Some(&s.organizer),
        )
        .await;
    let at: DateTime<Utc> = serde_json::from_value(rows[0]["checked_in_at"].clone()).unwrap();
    assert_eq!(
        (rows[0]["in_lat"].as_f64(), rows[0]["in_lon"].as_f64()),
        (Some(position.0), Some(position.1))
    );
    let local = at.with_timezone(&app.state.settings.display_offset());
    assert_eq!(
        shown,
        format!("签到成功 {} · {title}", local.format("%H:%M"))
    );
    assert_fits_the_screen(browser).await;
    save_screenshot(browser, SCREENSHOT).await;

    move_check_in_back(&app.database_url, Duration::minutes(90)).await;
    browser.goto(&url).await.unwrap();
    let shown = wait_for_text(browser, "result", |t| t.starts_with("已签退")).await;
    assert_eq!(shown, "已签退 · 1.50 小时");
    assert_eq!(text_of(browser, "detail").await, title);

    browser.goto(&format!("{url}?lang=en")).await.unwrap();
    let shown = wait_for_text(browser, "result", |t| t.starts_with("Checked out")).await;
    assert_eq!(shown, "Checked out · 1.50 h");
    assert_eq!(
        text_of(browser, "note").await,
        "Already recorded a moment ago"
    );

    let confirm = json!({"confirm_all_checked_out": true});
    let path = format!("/api/v1/activities/{id}/confirmations");
    let (status, body) = app.post(&path, Some(&s.organizer), confirm).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    browser.goto(&format!("{}/me", app.base)).await.unwrap();
    wait_for_text(browser, "year-hours", |t| t == "1.50").await;
    assert_eq!(text_of(browser, "who").await, "林小雨");
    assert_eq!(text_of(browser, "points").await, "1");
    assert_eq!(text_of(browser, "l-year").await, "本年服务时长");
    let record = text_of(browser, "records").await;
    assert!(
        record.contains(&title) && record.contains("扫码 · 已确认") && record.contains("1.50"),
        "{record}"
    );
    assert_fits_the_screen(browser).await;
}

both_backends!(a_phone_logs_in_checks_in_and_later_checks_out);

async fn a_phone_logs_in_checks_in_and_later_checks_out(app: TestApp) {
    let Some(driver) = start_driver().await else {
        return;
    };
    let browser = phone_browser(&driver).await;
    phone_checks_in_and_out(&app, &driver, &browser).await;
    browser.close().await.unwrap();
}
