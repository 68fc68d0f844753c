//! `vledger backup` and `vledger restore`: a copy taken while volunteers scan holds every scan
//! answered before it began and every ledger entry, and comes back whole in a new database; a
//! restore never writes over data, a damaged copy or another key's copy.

use crate::both_backends;
use crate::support::{
    Backend, Scene, Service, TestApp, assert_scanned, attendances, confirm, failure,
    finished_activity, fresh_database, hours, open_activity, qr_url, scan, settings, stdout,
    vledger, vledger_with_key, volunteers_of,
};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

both_backends!(
    without_jobs:
    a_backup_taken_while_volunteers_scan_restores_every_answered_scan_and_ledger_entry,
    restore_refuses_a_database_that_is_not_empty_and_a_copy_of_another_key,
    a_damaged_backup_is_refused_and_leaves_the_database_empty,
    a_backup_never_replaces_a_file
);

/// A scan that was answered: `(activity, volunteer, attendance)`.
type Answered = (i64, i64, i64);

const SCANNERS: usize = 4;

fn backend(app: &TestApp) -> Backend {
    match app.database_url.starts_with("sqlite:") {
        true => Backend::Sqlite,
        false => Backend::Postgres,
    }
}

/// Where a test writes its backup: a file that does not exist yet in a folder of its own.
fn backup_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vledger.backup");
    (dir, file)
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Three volunteers who served a finished activity, their hours confirmed: their ids.
async fn confirmed_volunteers(app: &TestApp, s: &Scene) -> Vec<i64> {
    let (activity, start) = finished_activity(app, s).await;
    let mut volunteers = Vec::new();
    let mut served = Vec::new();
    for n in 1..=3 {
        let (id, _) = app.quick_volunteer(&s.admin, n, s.community).await;
        let end = start + Duration::hours(n.into());
        served.push(app.served(activity, id, start, Some(end)).await);
        volunteers.push(id);
    }
    let (status, body) = confirm(app, &s.organizer, activity, json!({"confirm": served})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    volunteers
}

/// The hours and ledger entries of each volunteer, as the district admin sees them.
async fn ledgers(app: &TestApp, s: &Scene, volunteers: &[i64]) -> Vec<Value> {
    let mut ledgers = Vec::new();
    for v in volunteers {
        ledgers.push(hours(app, &s.admin, &v.to_string()).await);
    }
    ledgers
}

/// The attendances of `activities` as their organizer sees them: `(activity, volunteer,
/// attendance)`, in order.
async fn attendances_of(app: &TestApp, s: &Scene, activities: &[i64]) -> Vec<Answered> {
    let mut found = Vec::new();
    for &a in activities {
        for row in attendances(app, &s.organizer, a).await {
            let id = |field: &str| row[field].as_i64().unwrap();
            found.push((a, id("volunteer_id"), id("id")));
        }
    }
    found.sort();
    found
}

/// A volunteer's scan of an activity: `(activity, volunteer, their token, the activity's URL)`.
type Scan = (i64, i64, String, String);

/// Makes `scans` from several tasks until `stop` is set or every scan is made; each answered
/// scan is pushed on `answered`.
fn start_scanning(
    app: &TestApp,
    scans: Vec<Scan>,
    answered: &Arc<Mutex<Vec<Answered>>>,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let scans = Arc::new(scans);
    (0..SCANNERS)
        .map(|k| {
            let (app, scans) = (app.clone(), scans.clone());
            let (answered, stop) = (answered.clone(), stop.clone());
            tokio::spawn(async move {
                for (activity, volunteer, token, url) in scans.iter().skip(k).step_by(SCANNERS) {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let answer = scan(&app, Some(token), url).await;
                    let attendance = assert_scanned(&answer, "checked_in", true);
                    let scan = (*activity, *volunteer, attendance);
                    answered.lock().unwrap().push(scan);
                }
            })
        })
        .collect()
}

async fn a_backup_taken_while_volunteers_scan_restores_every_answered_scan_and_ledger_entry(
    app: TestApp,
) {
    let s = app.scene().await;
    let confirmed = confirmed_volunteers(&app, &s).await;
    let ledger_before = ledgers(&app, &s, &confirmed).await;
    let mut scanners = Vec::new();
    for n in 100..140 {
        scanners.push(app.quick_volunteer(&s.admin, n, s.community).await);
    }
    let mut activities = Vec::new();
    let mut scans = Vec::new();
    for _ in 0..8 {
        let activity = open_activity(&app, &s, "static").await;
        let url = qr_url(&app, &s.organizer, activity).await;
        for (volunteer, token) in &scanners {
            scans.push((activity, *volunteer, token.clone(), url.clone()));
        }
        activities.push(activity);
    }

    let answered = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = start_scanning(&app, scans, &answered, &stop);
    while answered.lock().unwrap().len() < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before_backup = answered.lock().unwrap().clone();
    let (_dir, file) = backup_file();
    let backed_up = stdout(&vledger(&app.database_url, &["backup", text(&file)]).await);
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let all_answered = answered.lock().unwrap().clone();
    assert!(backed_up.contains(text(&file)), "{backed_up}");
    assert!(backed_up.contains("3 ledger entries"), "{backed_up}");

    let (url, database) = fresh_database(backend(&app)).await.unwrap();
    let restored = stdout(&vledger(&url, &["restore", text(&file)]).await);
    assert!(restored.contains("3 ledger entries"), "{restored}");
    let mut settings = settings(&url);
    settings.jobs = false;
    let copy = Service::start(settings, Some(database)).await;

    let found = attendances_of(&copy, &s, &activities).await;
    for scan in &before_backup {
        assert!(
            found.contains(scan),
            "scan {scan:?} answered before the backup is missing"
        );
    }
    for scan in &found {
        assert!(all_answered.contains(scan), "{scan:?} was never answered");
    }
    assert!(
        restored.contains(&format!("{} attendances", found.len() + 3)),
        "{restored}"
    );
    assert!(
        backed_up.contains(&format!("{} attendances", found.len() + 3)),
        "{backed_up}"
    );
    assert_eq!(ledgers(&copy, &s, &confirmed).await, ledger_before);
    copy.stop().await;
}

async fn restore_refuses_a_database_that_is_not_empty_and_a_copy_of_another_key(app: TestApp) {
    let s = app.scene().await;
    let confirmed = confirmed_volunteers(&app, &s).await;
    let (_dir, file) = backup_file();
    stdout(&vledger(&app.database_url, &["backup", text(&file)]).await);

    let refused = failure(&vledger(&app.database_url, &["restore", text(&file)]).await);
    assert!(refused.contains("already has tables"), "{refused}");
    assert_eq!(volunteers_of(&app, &s.admin, s.community).await.len(), 3);

    let (url, database) = fresh_database(backend(&app)).await.unwrap();
    let other_key = "ab".repeat(32);
    let refused = failure(&vledger_with_key(&url, &other_key, &["restore", text(&file)]).await);
    assert!(refused.contains("another secret key"), "{refused}");

    stdout(&vledger(&url, &["restore", text(&file)]).await);
    let again = failure(&vledger(&url, &["restore", text(&file)]).await);
    assert!(again.contains("already has tables"), "{again}");
    let copy = Service::start(settings(&url), Some(database)).await;
    assert_eq!(
        ledgers(&copy, &s, &confirmed).await,
        ledgers(&app, &s, &confirmed).await
    );
    copy.stop().await;
}

async fn a_damaged_backup_is_refused_and_leaves_the_database_empty(app: TestApp) {
    let s = app.scene().await;
    let confirmed = confirmed_volunteers(&app, &s).await;
    let (dir, file) = backup_file();
    stdout(&vledger(&app.database_url, &["backup", text(&file)]).await);
    let whole = std::fs::read(&file).unwrap();
    let damaged = dir.path().join("damaged.backup");
    std::fs::write(&damaged, &whole[..whole.len() * 2 / 3]).unwrap();

    let (url, database) = fresh_database(backend(&app)).await.unwrap();
    failure(&vledger(&url, &["restore", text(&damaged)]).await);
    let missing = dir.path().join("missing.backup");
    let refused = failure(&vledger(&url, &["restore", text(&missing)]).await);
    assert!(refused.contains(text(&missing)), "{refused}");

    stdout(&vledger(&url, &["restore", text(&file)]).await);
    let copy = Service::start(settings(&url), Some(database)).await;
    assert_eq!(
        ledgers(&copy, &s, &confirmed).await,
        ledgers(&app, &s, &confirmed).await
    );
    copy.stop().await;
}

async fn a_backup_never_replaces_a_file(app: TestApp) {
    let (dir, file) = backup_file();
    std::fs::write(&file, "keep me").unwrap();
    let refused = failure(&vledger(&app.database_url, &["backup", text(&file)]).await);
    assert!(refused.contains("already exists"), "{refused}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "{names:?}");
}
