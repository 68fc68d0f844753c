//! Settings: defaults, then an optional TOML file, then `VLEDGER_*` environment variables.

use crate::domain::selection::RuleSet;
use anyhow::{Context, bail};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://FILE` or `postgres://…`
    pub database_url: String,
    /// `host:port` to serve on.
    pub listen: String,
    /// Base of the links printed in QR codes and certificates; defaults to `http://{listen}`.
    pub public_url: Option<String>,
    /// 64 hex characters; every other key is derived from it. Unset: read from (or created in)
    /// `key_file`.
    pub secret_key: Option<String>,
    pub key_file: PathBuf,
    pub request_timeout_secs: u64,
    pub session_ttl_hours: u64,
    /// Failed logins in a row with one login from one address after which each next try waits,
    /// 1 s and doubling.
    pub login_max_failures: u32,
    /// The longest of those waits.
    #[serde(alias = "login_lockout_secs")]
    pub login_max_delay_secs: u64,
    /// Failed logins from one address, across all logins, refilled over an hour.
    pub login_address_failures_per_hour: u32,
    /// Self-registrations from one address, refilled over an hour.
    pub registrations_per_address_per_hour: u32,
    /// A header in which a trusted reverse proxy gives the client's address (e.g. `X-Real-IP`,
    /// or `X-Forwarded-For`, whose last entry is used). Unset: the connection's address.
    pub client_ip_header: Option<String>,
    /// Threads that hash and check passwords; 0: one per core.
    pub password_workers: usize,
    /// Password checks that may wait for a thread; more are answered 503.
    pub password_queue: usize,
    /// Reader pool size on SQLite, pool size on PostgreSQL.
    pub db_max_connections: u32,
    /// How long an SQLite write waits for a writer outside the service before it answers 503.
    pub db_busy_timeout_ms: u64,
    /// A `tracing` filter, e.g. `info` or `vledger=debug,tower_http=debug`.
    pub log: String,
    /// How long after an activity's end a check-out is accepted; after it the forgotten
    /// check-outs job closes what is still open.
    pub checkout_grace_minutes: u64,
    /// How often the forgotten check-outs job runs, in seconds; each period runs once across
    /// instances.
    pub auto_close_every_secs: u64,
    /// The local time of pages and posters, in minutes east of UTC (China: 480).
    pub display_utc_offset_minutes: i32,
    /// Run the scheduled jobs in this process (turn off on extra instances if wanted; each run
    /// happens once either way).
    pub jobs: bool,
    /// Cumulative service hours for 1★ … 5★.
    pub star_thresholds_hours: Vec<i64>,
    /// Points per confirmed scanned hour.
    pub points_per_hour: i64,
    /// Working days after an activity's end within which its hours must be confirmed.
    pub confirmation_working_days: u32,
    /// Public holidays (not working days) for the confirmation deadline.
    pub public_holidays: Vec<chrono::NaiveDate>,
    /// The backbone rule 骨干志愿者: at least these confirmed service hours …
    pub backbone_hours: i64,
    /// … and these distinct activities …
    pub backbone_activities: i64,
    /// … in this many calendar months up to and including the current one.
    pub backbone_months: u32,
    /// A social worker's volunteer has gone quiet after this many months without service.
    pub quiet_months: u32,
    /// The day (`MM-DD`, display time) the scheduled job opens the past year's selection rounds.
    pub selection_opens_on: String,
    /// How long a selection's public notice 公示 lasts.
    pub selection_notice_days: u32,
    /// Whether the public notice 公示 shows winners' names partly masked (张*丰).
    pub selection_mask_names: bool,
    /// The rule set new selection rounds apply (a `[selection_rules]` table in the file, inline
    /// JSON in the environment); fields left out take the defaults of DESIGN.md §7.
    pub selection_rules: RuleSet,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://vledger.db".into(),
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            secret_key: None,
            key_file: "vledger.key".into(),
            request_timeout_secs: 30,
            session_ttl_hours: 24 * 30,
            login_max_failures: 5,
            login_max_delay_secs: 5 * 60,
            login_address_failures_per_hour: 30,
            registrations_per_address_per_hour: 20,
            client_ip_header: None,
            password_workers: 0,
            password_queue: 16,
            db_max_connections: 8,
            db_busy_timeout_ms: 10_000,
            log: "info".into(),
            checkout_grace_minutes: 120,
            auto_close_every_secs: 300,
            display_utc_offset_minutes: 480,
            jobs: true,
            star_thresholds_hours: vec![100, 300, 600, 1000, 1500],
            points_per_hour: 1,
            confirmation_working_days: 10,
            public_holidays: Vec::new(),
            backbone_hours: 40,
            backbone_activities: 10,
            backbone_months: 12,
            quiet_months: 3,
            selection_opens_on: "01-01".into(),
            selection_notice_days: 7,
            selection_mask_names: false,
            selection_rules: RuleSet::default(),
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("public_url", &self.public_url())
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("key_file", &self.key_file)
            .finish_non_exhaustive()
    }
}

/// Hides the password of a database URL.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Settings {
    /// Defaults, then the file named by `VLEDGER_CONFIG` (if any), then the environment.
    pub fn load() -> anyhow::Result<Self> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        let file = vars
            .iter()
            .find(|(k, _)| k == "VLEDGER_CONFIG")
            .map(|(_, v)| PathBuf::from(v));
        Settings::layered(file.as_deref(), vars.into_iter())
    }

    pub fn layered(
        file: Option<&Path>,
        env: impl Iterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut s = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading settings file {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("parsing settings file {}", path.display()))?
            }
            None => Settings::default(),
        };
        for (name, value) in env {
            let Some(key) = name.strip_prefix("VLEDGER_") else {
                continue;
            };
            s.set(&key.to_ascii_lowercase(), value)
                .with_context(|| format!("environment variable {name}"))?;
        }
        if s.auto_close_every_secs == 0 {
            bail!("auto_close_every_secs must be at least 1");
        }
        if let Err(problem) = s.selection_rules.check() {
            bail!("selection_rules: {problem}");
        }
        Ok(s)
    }

    fn set(&mut self, key: &str, v: String) -> anyhow::Result<()> {
        fn list(v: &str) -> impl Iterator<Item = &str> {
            v.split(',').map(str::trim).filter(|s| !s.is_empty())
        }
        fn flag(v: &str) -> anyhow::Result<bool> {
            match v.trim() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                other => bail!("{other:?} is not true or false"),
            }
        }
        fn num<T: std::str::FromStr>(v: &str) -> anyhow::Result<T> {
            v.trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("{v:?} is not a whole number"))
        }
        match key {
            "database_url" => self.database_url = v,
            "listen" => self.listen = v,
            "public_url" => self.public_url = Some(v),
            "secret_key" => self.secret_key = Some(v),
            "key_file" => self.key_file = v.into(),
            "request_timeout_secs" => self.request_timeout_secs = num(&v)?,
            "session_ttl_hours" => self.session_ttl_hours = num(&v)?,
            "login_max_failures" => self.login_max_failures = num(&v)?,
            // The former name, from when failures locked an account.
            "login_max_delay_secs" | "login_lockout_secs" => {
                self.login_max_delay_secs = num(&v)?;
            }
            "login_address_failures_per_hour" => {
                self.login_address_failures_per_hour = num(&v)?;
            }
            "registrations_per_address_per_hour" => {
                self.registrations_per_address_per_hour = num(&v)?;
            }
            "client_ip_header" => self.client_ip_header = Some(v).filter(|h| !h.trim().is_empty()),
            "password_workers" => self.password_workers = num(&v)?,
            "password_queue" => self.password_queue = num(&v)?,
            "db_max_connections" => self.db_max_connections = num(&v)?,
            "log" => self.log = v,
            "checkout_grace_minutes" => self.checkout_grace_minutes = num(&v)?,
            "auto_close_every_secs" => self.auto_close_every_secs = num(&v)?,
            "db_busy_timeout_ms" => self.db_busy_timeout_ms = num(&v)?,
            "display_utc_offset_minutes" => self.display_utc_offset_minutes = num(&v)?,
            "star_thresholds_hours" => {
                self.star_thresholds_hours = list(&v).map(num).collect::<anyhow::Result<_>>()?;
            }
            "points_per_hour" => self.points_per_hour = num(&v)?,
            "confirmation_working_days" => self.confirmation_working_days = num(&v)?,
            "public_holidays" => {
                self.public_holidays = list(&v)
                    .map(|d| {
                        d.parse()
                            .map_err(|_| anyhow::anyhow!("{d:?} is not a date (YYYY-MM-DD)"))
                    })
                    .collect::<anyhow::Result<_>>()?;
            }
            "backbone_hours" => self.backbone_hours = num(&v)?,
            "backbone_activities" => self.backbone_activities = num(&v)?,
            "backbone_months" => self.backbone_months = num(&v)?,
            "quiet_months" => self.quiet_months = num(&v)?,
            "selection_opens_on" => {
                opens_on(&v, 2025)?;
                self.selection_opens_on = v;
            }
            "selection_notice_days" => self.selection_notice_days = num(&v)?,
            "selection_mask_names" => self.selection_mask_names = flag(&v)?,
            "selection_rules" => {
                self.selection_rules =
                    serde_json::from_str(&v).context("not a selection rule set in JSON")?;
            }
            "jobs" => self.jobs = flag(&v)?,
            // VLEDGER_CONFIG names the file; VLEDGER_TEST_* belong to the test suite.
            "config" => {}
            k if k.starts_with("test_") => {}
            other => bail!("unknown setting {other:?}"),
        }
        Ok(())
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }

    pub fn db_busy_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.db_busy_timeout_ms)
    }

    /// The period of the forgotten check-outs job.
    pub fn auto_close_every(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.auto_close_every_secs.min(86_400 * 366) as i64)
    }

    pub fn checkout_grace(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.checkout_grace_minutes as i64)
    }

    /// Now, in the display time.
    pub fn local_now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        chrono::Utc::now().with_timezone(&self.display_offset())
    }

    /// The day of `year` the selection rounds of the year before open.
    pub fn selection_opens(&self, year: i32) -> chrono::NaiveDate {
        opens_on(&self.selection_opens_on, year).unwrap_or_else(|_| {
            chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January exists")
        })
    }

    pub fn backbone_rule(&self) -> crate::domain::backbone::BackboneRule {
        crate::domain::backbone::BackboneRule {
            hours: self.backbone_hours,
            activities: self.backbone_activities,
            months: self.backbone_months,
        }
    }

    pub fn display_offset(&self) -> chrono::FixedOffset {
        chrono::FixedOffset::east_opt(self.display_utc_offset_minutes * 60)
            .unwrap_or_else(|| chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

/// `MM-DD` in `year` (29 February falls back to 28 February in other years).
fn opens_on(text: &str, year: i32) -> anyhow::Result<chrono::NaiveDate> {
    let parsed = text
        .split_once('-')
        .and_then(|(m, d)| Some((m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)));
    let (month, day) = parsed.ok_or_else(|| anyhow::anyhow!("{text:?} is not a day (MM-DD)"))?;
    chrono::NaiveDate::from_ymd_opt(year, month, day)
        .or_else(|| {
            ((month, day) == (2, 29))
                .then(|| chrono::NaiveDate::from_ymd_opt(year, 2, 28))
                .flatten()
        })
        .ok_or_else(|| anyhow::anyhow!("{text:?} is not a day (MM-DD)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_opens_on_a_day_of_each_year() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(opens_on("01-01", 2026).unwrap(), d(2026, 1, 1));
        assert_eq!(opens_on("02-29", 2025).unwrap(), d(2025, 2, 28));
        assert_eq!(opens_on("02-29", 2028).unwrap(), d(2028, 2, 29));
        assert!(opens_on("13-01", 2026).is_err());
        assert!(opens_on("0101", 2026).is_err());
    }

    fn env(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn defaults_serve_sqlite_on_loopback() {
        let s = Settings::layered(None, env(&[])).unwrap();
        assert_eq!(s.listen, "127.0.0.1:8080");
        assert_eq!(s.database_url, "sqlite://vledger.db");
        assert_eq!(s.public_url(), "http://127.0.0.1:8080");
    }

    #[test]
    fn environment_overrides_file_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("vledger.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nlog = \"debug\"\n").unwrap();
        let s = Settings::layered(
            Some(&file),
            env(&[
                ("VLEDGER_LOG", "warn"),
                ("VLEDGER_SESSION_TTL_HOURS", "2"),
                ("PATH", "/x"),
            ]),
        )
        .unwrap();
        assert_eq!(s.listen, "0.0.0.0:9000");
        assert_eq!(s.log, "warn");
        assert_eq!(s.session_ttl_hours, 2);
    }

    #[test]
    fn typos_and_bad_numbers_are_refused() {
        assert!(Settings::layered(None, env(&[("VLEDGER_LISTN", "x")])).is_err());
        assert!(Settings::layered(None, env(&[("VLEDGER_LOGIN_MAX_FAILURES", "many")])).is_err());
    }

    #[test]
    fn the_former_lockout_setting_still_sets_the_longest_delay() {
        let s = Settings::layered(None, env(&[("VLEDGER_LOGIN_LOCKOUT_SECS", "60")])).unwrap();
        assert_eq!(s.login_max_delay_secs, 60);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("vledger.toml");
        std::fs::write(&file, "login_lockout_secs = 90\n").unwrap();
        let s = Settings::layered(Some(&file), env(&[])).unwrap();
        assert_eq!(s.login_max_delay_secs, 90);
    }

    /// A settings file holding `text`, in a directory removed with the first value.
    fn settings_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("vledger.toml");
        std::fs::write(&file, text).unwrap();
        (dir, file)
    }

    #[test]
    fn selection_rules_come_from_a_table_of_the_file_with_defaults_for_what_it_leaves_out() {
        let (_dir, file) = settings_file(
            "[selection_rules]\nname = \"街道评选规则\"\nversion = 2\nmin_hours = 30\n\
             per_hour = 1.5\nper_activity = \"0.5\"\nper_rating = [4, 2, 1, -3]\n",
        );
        let rules = Settings::layered(Some(&file), env(&[]))
            .unwrap()
            .selection_rules;
        assert_eq!((rules.name.as_str(), rules.version), ("街道评选规则", 2));
        assert_eq!(rules.min_hours, 30);
        assert_eq!(rules.per_hour.to_string(), "1.5");
        assert_eq!(rules.per_activity.to_string(), "0.5");
        assert_eq!(rules.per_rating[3].to_string(), "-3");
        let defaults = RuleSet::default();
        assert_eq!(rules.quota_percent, defaults.quota_percent);
        assert_eq!(rules.registered_months_before_end, 6);
        assert_eq!(Settings::default().selection_rules, defaults);
    }

    #[test]
    fn selection_rules_come_from_inline_json_in_the_environment_over_the_file() {
        let (_dir, file) = settings_file("[selection_rules]\nmin_hours = 30\n");
        let json = r#"{"name": "社区评选规则", "version": 3, "quota_percent": 10, "backbone": "5",
                       "per_hour": 0.1, "per_rating": ["3", 2, 1.5, -2]}"#;
        let rules = Settings::layered(Some(&file), env(&[("VLEDGER_SELECTION_RULES", json)]))
            .unwrap()
            .selection_rules;
        assert_eq!((rules.name.as_str(), rules.version), ("社区评选规则", 3));
        assert_eq!(rules.quota_percent, 10);
        assert_eq!(rules.backbone.to_string(), "5");
        assert_eq!(rules.per_hour.to_string(), "0.1");
        assert_eq!(
            rules.per_rating.map(|p| p.to_string()),
            ["3", "2", "1.5", "-2"]
        );
        // The variable holds the whole rule set: what it leaves out is the default, not the file's.
        assert_eq!(rules.min_hours, 20);
    }

    #[test]
    fn selection_rules_that_cannot_select_are_refused_at_load_saying_why() {
        let refused = |json: &str| {
            let e = Settings::layered(None, env(&[("VLEDGER_SELECTION_RULES", json)]));
            format!("{:#}", e.expect_err("refused"))
        };
        assert!(refused(r#"{"name": " "}"#).contains("name must not be empty"));
        assert!(refused(r#"{"version": 0}"#).contains("version must be at least 1"));
        assert!(refused(r#"{"quota_percent": 0}"#).contains("quota_percent must be 1 to 100"));
        assert!(refused(r#"{"quota_percent": 101}"#).contains("not 101"));
        assert!(refused(r#"{"min_hours": -1}"#).contains("min_hours must not be negative"));
        assert!(refused(r#"{"registered_months_before_end": 13}"#).contains("0 to 12"));
        let typo = refused(r#"{"min_hour": 10}"#);
        assert!(
            typo.contains("VLEDGER_SELECTION_RULES") && typo.contains("min_hour"),
            "{typo}"
        );
        assert!(refused("min_hours=10").contains("not a selection rule set in JSON"));
        assert!(refused(r#"{"per_hour": "many"}"#).contains("\"many\" is not a number"));
        let (_dir, file) = settings_file("[selection_rules]\nquota_percent = 0\n");
        let e = Settings::layered(Some(&file), env(&[])).unwrap_err();
        assert!(
            format!("{e:#}").contains("selection_rules: quota_percent"),
            "{e:#}"
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let s = Settings {
            database_url: "postgres://app:hunter2@db/vledger".into(),
            secret_key: Some("00".repeat(32)),
            ..Settings::default()
        };
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("0000"),
            "{shown}"
        );
    }
}
