//! The pages in a phone-sized Chromium, driven through chromedriver: what a person sees and does
//! on them.

mod certificate;
mod check_in;
mod console;
mod console_admin;
mod console_pages;
mod crafted_text;
mod journey;
mod me;
mod personal_code;

use crate::support::{PASSWORD, TestApp, phone};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// A browser window: its size, and whether it is a phone's (touch, mobile user agent).
#[derive(Clone, Copy)]
struct Screen {
    width: u32,
    height: u32,
    mobile: bool,
}

const PHONE: Screen = Screen {
    width: 360,
    height: 740,
    mobile: true,
};
const DESKTOP: Screen = Screen {
    width: 1280,
    height: 800,
    mobile: false,
};
const WIDTH: u32 = PHONE.width;

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
    open_browser(driver, PHONE, driver.profile.path()).await
}

/// A headless Chromium on `screen`, keeping its profile in `profile` (one per open browser).
async fn open_browser(driver: &Driver, screen: Screen, profile: &std::path::Path) -> Client {
    let Screen {
        width,
        height,
        mobile,
    } = screen;
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
        format!("--window-size={width},{height}"),
        format!("--user-data-dir={}", profile.display()),
    ])
    .collect::<Vec<_>>();
    let mut options = json!({
        "binary": chrome,
        "args": args,
        "prefs": {"intl.accept_languages": "zh-CN,zh"},
    });
    if mobile {
        options["mobileEmulation"] = json!({
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": true, "mobile": true},
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
        });
    }
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": options,
        "goog:loggingPrefs": {"browser": "ALL"},
    });
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
    wait_for_text_within(browser, id, 10, ready).await
}

/// Waits up to `secs` seconds for the element's visible text to satisfy `ready`, and answers it.
async fn wait_for_text_within(
    browser: &Client,
    id: &str,
    secs: u64,
    ready: impl Fn(&str) -> bool,
) -> String {
    let started = Instant::now();
    loop {
        let text = text_of(browser, id).await;
        if ready(&text) {
            return text;
        }
        if started.elapsed().as_secs() >= secs {
            let note = text_of(browser, "note").await;
            panic!("#{id} still shows {text:?} (note {note:?})");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Waits up to 10 s for the page's path to start with `prefix`.
async fn wait_for_path(browser: &Client, prefix: &str) {
    let started = Instant::now();
    while !browser
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with(prefix)
    {
        assert!(started.elapsed().as_secs() < 10, "{prefix} did not open");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn assert_fits_the_screen(browser: &Client) {
    assert_fits(browser, WIDTH).await;
}

/// The page is no wider than the window, `width` pixels: nothing to scroll sideways.
async fn assert_fits(browser: &Client, width: u32) {
    let widths = browser
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth]",
            vec![],
        )
        .await
        .unwrap();
    let (window, page) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
    assert_eq!(window, u64::from(width), "a {width} px window");
    // A desktop's scroll bar takes some of the window; the page may be narrower, never wider.
    assert!(
        page <= window,
        "the page ({page} px) fits a {width} px screen"
    );
}

/// Saves a screenshot whole, even while the other backend's test writes the same file.
async fn save_screenshot(browser: &Client, name: &str) {
    let path = std::env::temp_dir().join(name);
    let partial = path.with_extension(format!("png.{}", rand::random::<u32>()));
    std::fs::write(&partial, browser.screenshot().await.unwrap()).unwrap();
    std::fs::rename(&partial, path).unwrap();
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

/// The element `css` picks on the page.
async fn element(browser: &Client, css: &str) -> fantoccini::elements::Element {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

/// Clicks the element `css` picks.
async fn click(browser: &Client, css: &str) {
    element(browser, css).await.click().await.unwrap();
}

/// Picks the option `value` of the select `css` picks.
async fn choose(browser: &Client, css: &str, value: &str) {
    element(browser, css)
        .await
        .select_by_value(value)
        .await
        .unwrap();
}

/// Types `text` into the field `css` picks.
async fn type_into(browser: &Client, css: &str, text: &str) {
    element(browser, css).await.send_keys(text).await.unwrap();
}

/// Types `login` and `password` into the page's login form and submits it.
async fn log_in(browser: &Client, login_field: &str, login: &str, password: &str) {
    let field = browser.find(Locator::Id(login_field)).await.unwrap();
    field.send_keys(login).await.unwrap();
    let field = browser.find(Locator::Id("password")).await.unwrap();
    field.send_keys(password).await.unwrap();
    let button = browser.find(Locator::Id("login-button")).await.unwrap();
    button.click().await.unwrap();
}

/// Opens `/me` and logs volunteer `n` (registered with their phone and [`PASSWORD`]) in.
async fn volunteer_logs_in(app: &TestApp, browser: &Client, n: u32) {
    browser.goto(&format!("{}/me", app.base)).await.unwrap();
    wait_for_text(browser, "login-button", |t| t == "登录").await;
    log_in(browser, "phone", &phone(n), PASSWORD).await;
    wait_for_text(browser, "who", |t| t == format!("志愿者{n}")).await;
}

/// What the browser's console said since the last call.
async fn console(driver: &Driver, browser: &Client) -> Vec<String> {
    let session = browser.session_id().await.unwrap().unwrap();
    let endpoint = format!("{}/session/{session}/se/log", driver.url);
    let res = reqwest::Client::new()
        .post(&endpoint)
        .json(&json!({"type": "browser"}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let entries = body["value"].as_array().expect("the browser's log");
    entries
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The pages run so far broke none of the Content-Security-Policy the service sends with them.
async fn assert_policy_kept(driver: &Driver, browser: &Client) {
    let refused: Vec<_> = console(driver, browser)
        .await
        .into_iter()
        .filter(|m| m.contains("Content Security Policy"))
        .collect();
    assert!(refused.is_empty(), "the browser refused: {refused:#?}");
}

/// Moves every check-in back in time by `by`, so that the next scans check out.
async fn move_check_ins_back(database_url: &str, by: chrono::Duration) {
    use sqlx::Connection;
    let at = chrono::Utc::now() - by;
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
